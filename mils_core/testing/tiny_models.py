"""Building blocks for tiny models built at test time (no hub): shared by the plugins' tests."""

from __future__ import annotations

import json
from pathlib import Path


def write_clip_tokenizer(folder: Path) -> Path:
    """Save a real ``CLIPTokenizer`` (the 49,408-token CLIP BPE that open_clip ships) into ``folder``.

    Needs open_clip_torch and transformers; ``model_max_length`` is 77, as CLIP's.
    """
    import open_clip
    from transformers import CLIPTokenizer

    simple = open_clip.tokenizer.SimpleTokenizer()
    rename = {"<start_of_text>": "<|startoftext|>", "<end_of_text>": "<|endoftext|>"}
    vocab = {rename.get(k, k): v for k, v in simple.encoder.items()}
    merges = sorted(simple.bpe_ranks, key=simple.bpe_ranks.get)
    raw = folder / "bpe"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "vocab.json").write_text(json.dumps(vocab))
    (raw / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")
    tokenizer = CLIPTokenizer.from_pretrained(str(raw), model_max_length=77)
    out = folder / "tokenizer"
    tokenizer.save_pretrained(out)
    return out
