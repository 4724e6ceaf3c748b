"""Throughput of hf-clip and open-clip at SigLIP-SO400M shape (random weights, no download) on a GPU.

Encodes a 28,800-text pool (the paper's pool size) and 256 640x480 images through each scorer's public
API. Needs mils-clip installed and a CUDA GPU; BENCH_TINY=1 shrinks everything for a CPU dry run.

    HF_HUB_OFFLINE=1 python plugins/mils-clip/scripts/bench_so400m.py [out.json]
"""

import importlib.util
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

TINY = os.environ.get("BENCH_TINY") == "1"
N_TEXTS = 2000 if TINY else 28800
N_IMAGES = 8 if TINY else 256
dev = "cpu" if TINY else "cuda"
root = Path(tempfile.mkdtemp())
out: dict[str, Any] = {}

import sentencepiece as spm  # noqa: E402
from PIL import Image  # noqa: E402
from transformers import SiglipConfig, SiglipImageProcessor, SiglipModel, SiglipTokenizer  # noqa: E402

words = ("a the dog cat man woman red blue green small large old young street beach table plate food car bus "
         "tree house city night day running sitting standing next to on in with two three people children "
         "bowl cup coffee rocket astronaut field grass snow water boat train").split()
rng = np.random.default_rng(0)
texts = [" ".join(rng.choice(words, size=int(rng.integers(4, 16)))) + f" {i}" for i in range(N_TEXTS)]
buf = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(texts[:2000]), model_writer=buf, vocab_size=200,
                               model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>",
                               eos_piece="</s>", unk_piece="<unk>", hard_vocab_limit=False, minloglevel=2)
tokdir = root / "tok"
tokdir.mkdir()
(tokdir / "spiece.model").write_bytes(buf.getvalue())
tok = SiglipTokenizer(vocab_file=str(tokdir / "spiece.model"), model_max_length=64)
tok.save_pretrained(tokdir)
images = [Image.fromarray(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)) for _ in range(N_IMAGES)]

w, layers, inter, heads = (64, 2, 128, 4) if TINY else (1152, 27, 4304, 16)
cfg = SiglipConfig(
    text_config=dict(vocab_size=32000, hidden_size=w, intermediate_size=inter, num_hidden_layers=layers,
                     num_attention_heads=heads, max_position_embeddings=64),
    vision_config=dict(hidden_size=w, intermediate_size=inter, num_hidden_layers=layers, num_attention_heads=heads,
                       image_size=384, patch_size=14),
)
t = time.perf_counter()
with torch.device(dev):
    model = SiglipModel(cfg)
hf_dir = root / "hf"
model.to(torch.bfloat16).save_pretrained(hf_dir)  # type: ignore[arg-type]
tok.save_pretrained(hf_dir)
SiglipImageProcessor(size={"height": 384, "width": 384}).save_pretrained(hf_dir)
del model
out["hf_build_s"] = round(time.perf_counter() - t, 1)

from mils_core.plugins import make_plugin_manager  # noqa: E402

reg = make_plugin_manager().registry


def bench(name: str, options: dict[str, Any]) -> dict[str, Any]:
    scorer = reg.get("scorer", name).build({"device": dev, **options})
    t = time.perf_counter()
    scorer.ensure_loaded()
    res: dict[str, Any] = {"load_s": round(time.perf_counter() - t, 1)}
    if dev == "cuda":
        torch.cuda.synchronize()
    scorer.text_embeddings(texts[:300])  # warm-up
    t = time.perf_counter()
    scorer.prepare_pool(texts)
    if dev == "cuda":
        torch.cuda.synchronize()
    s = time.perf_counter() - t
    res["pool_texts"] = N_TEXTS
    res["pool_encode_s"] = round(s, 2)
    res["texts_per_s"] = round(N_TEXTS / s)
    scorer.prepare_targets(images[:8])
    t = time.perf_counter()
    handles = scorer.prepare_targets(images)
    s = time.perf_counter() - t
    res["images_per_s"] = round(N_IMAGES / s, 1)
    t = time.perf_counter()
    m = scorer.score_matrix(handles, texts)
    res["score_matrix_s"] = round(time.perf_counter() - t, 3)
    res["finite"] = bool(np.isfinite(m).all())
    res["dtype"] = str(scorer._dtype)
    if dev == "cuda":
        res["max_mem_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        torch.cuda.reset_peak_memory_stats()
    del scorer
    return res


out["hf-clip"] = bench("hf-clip", {"model": str(hf_dir)})
print(json.dumps(out), flush=True)

oc_spec = importlib.util.find_spec("open_clip")
assert oc_spec is not None and oc_spec.origin is not None
oc_cfg = json.loads((Path(oc_spec.origin).parent / "model_configs" / "ViT-SO400M-14-SigLIP-384.json").read_text())
oc_cfg["text_cfg"]["hf_tokenizer_name"] = str(tokdir)
if TINY:
    oc_cfg["vision_cfg"] = {"image_size": 384, "layers": 2, "width": 64, "patch_size": 14, "head_width": 32}
    oc_cfg.update(embed_dim=64)
    oc_cfg["text_cfg"].update(width=64, layers=2, heads=2)
(root / "bench-so400m.json").write_text(json.dumps(oc_cfg))
out["open-clip"] = bench("open-clip", {"model": "bench-so400m", "pretrained": "none",
                                       "model_config": str(root / "bench-so400m.json")})
print(json.dumps(out), flush=True)
if len(sys.argv) > 1:
    Path(sys.argv[1]).write_text(json.dumps(out, indent=1))
