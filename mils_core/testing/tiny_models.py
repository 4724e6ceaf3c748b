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


def build_tiny_clip(folder: Path, *, image_size: int = 32, seed: int = 0) -> Path:
    """Save a tiny random ``CLIPModel`` with the real CLIP tokenizer and an image processor into ``folder``,
    as ``save_pretrained`` writes a real checkpoint (so ``from_pretrained(folder)`` loads it)."""
    import torch
    from transformers import AutoTokenizer, CLIPConfig, CLIPImageProcessor, CLIPModel

    torch.manual_seed(seed)
    config = CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=image_size, patch_size=8),
        projection_dim=16,
    )
    folder.mkdir(parents=True, exist_ok=True)
    CLIPModel(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(write_clip_tokenizer(folder / "tok")).save_pretrained(folder)
    CLIPImageProcessor(size={"shortest_edge": image_size},
                       crop_size={"height": image_size, "width": image_size}).save_pretrained(folder)
    return folder
