"""GPU check: paper-scale audio scorers with random weights in bf16 (no download): texts/s, clips/s, peak memory.

Builds ImageBind-huge-shaped text and audio towers (text 1024 x 24 blocks, audio 768 x 12, out 1024),
a CLAP-HTSAT-shaped transformers ClapModel (``laion/clap-htsat-unfused``'s config: HTSAT-tiny audio,
RoBERTa-base text) and, when laion-clap is installed, a laion-clap HTSAT-tiny + RoBERTa-base model;
saves each the way its real checkpoint is saved and loads it back through the scorer's real loading
code, then encodes the pool's texts and synthetic 10 s clips. One JSON report.

    python plugins/mils-audio/scripts/gpu_check.py --out gpu_check.json            # on a CUDA machine
    python plugins/mils-audio/scripts/gpu_check.py --device cpu --texts 64 --clips 2 --only imagebind  # smoke test
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TESTS = Path(__file__).resolve().parents[1] / "tests"


def _sync(torch: Any) -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _measure(name: str, scorer: Any, texts: list[str], clips: list[Any], torch: Any) -> dict[str, Any]:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    scorer.ensure_loaded()
    _sync(torch)
    load_s = time.perf_counter() - t0
    scorer.text_embeddings(texts[:32])  # warm-up (kernels, autotuning)
    scorer.prepare_targets(clips[:1])
    scorer.reset_caches()
    _sync(torch)
    t0 = time.perf_counter()
    emb = scorer.text_embeddings(texts[32:])
    _sync(torch)
    text_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    handles = scorer.prepare_targets(clips)
    _sync(torch)
    audio_s = time.perf_counter() - t0
    stats = scorer.stats()
    windows = stats.get("windows_encoded") or stats.get("clips_encoded") or len(clips)
    scores = np.asarray(handles) @ emb[:8].T
    return {
        "scorer": name, "load_s": round(load_s, 2), "texts": len(texts) - 32,
        "texts_per_s": round((len(texts) - 32) / text_s, 1), "files": len(clips), "model_clips": int(windows),
        "model_clips_per_s": round(windows / audio_s, 1), "files_per_s": round(len(clips) / audio_s, 2),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20) if torch.cuda.is_available() else None,
        "finite": bool(np.isfinite(scores).all()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--texts", type=int, default=4096, help="pool texts encoded (after 32 warm-up)")
    parser.add_argument("--clips", type=int, default=32, help="10 s synthetic audio files encoded")
    parser.add_argument("--only", default="imagebind,hf-clap,clap", help="comma list of scorers to measure")
    parser.add_argument("--out", default="gpu_check.json")
    args = parser.parse_args(argv)
    import torch

    sys.path.insert(0, str(TESTS))
    from mils_audio.task import builtin_pool

    from conftest import build_tiny_laion_clap, write_roberta_tokenizer  # the test kit's builders, full size here
    from mils_core.media.audio import AudioClip

    texts = list(builtin_pool()[: args.texts + 32])
    rng = np.random.default_rng(0)
    t = np.arange(48000 * 10) / 48000
    clips = [AudioClip((0.3 * np.sin(2 * np.pi * (200 + 40 * i) * t) + rng.normal(0, 0.05, t.size)).astype(np.float32),
                       48000, 10.0) for i in range(args.clips)]
    only = {s.strip() for s in args.only.split(",")}
    common = {"device": args.device, "dtype": args.dtype, "batch_size": 256, "target_batch_size": 16}
    report: dict[str, Any] = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
                              "dtype": args.dtype, "results": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tokenizer = write_roberta_tokenizer(folder / "roberta", texts[:5000], vocab_size=20000)
        if "imagebind" in only:
            from mils_audio.imagebind import ImageBindOptions, ImageBindScorer, build_towers

            shapes = {"text_embed_dim": 1024, "text_num_blocks": 24, "text_num_heads": 16, "audio_embed_dim": 768,
                      "audio_num_blocks": 12, "audio_num_heads": 12, "out_embed_dim": 1024, "audio_kernel_size": 16}
            torch.save(build_towers(shapes).state_dict(), folder / "imagebind_huge_random.pth")
            scorer = ImageBindScorer(ImageBindOptions(checkpoint=str(folder / "imagebind_huge_random.pth"), **common))
            report["results"].append(_measure("imagebind (ImageBind-huge shapes)", scorer, texts, clips, torch))
        if "hf-clap" in only:
            from mils_audio.hf_clap import HfClapOptions, HfClapScorer
            from transformers import AutoTokenizer, ClapConfig, ClapFeatureExtractor, ClapModel

            config = ClapConfig()  # laion/clap-htsat-unfused's shapes
            ClapModel(config).save_pretrained(folder / "clap")
            AutoTokenizer.from_pretrained(tokenizer).save_pretrained(folder / "clap")
            ClapFeatureExtractor().save_pretrained(folder / "clap")
            scorer = HfClapScorer(HfClapOptions(model=str(folder / "clap"), max_windows=1, **common))
            report["results"].append(_measure("hf-clap (clap-htsat-unfused shapes)", scorer, texts, clips, torch))
        if "clap" in only and importlib.util.find_spec("laion_clap") is not None:
            from mils_audio.laion_clap import ClapOptions, ClapScorer

            ckpt = folder / "630k-random.pt"
            build_tiny_laion_clap(ckpt, vocab_size=50265, text_layers=12, text_intermediate=3072)
            scorer = ClapScorer(ClapOptions(checkpoint=str(ckpt), text_tokenizer=str(tokenizer), max_windows=1,
                                            **common))
            report["results"].append(_measure("clap (630k HTSAT-tiny + RoBERTa-base shapes)", scorer, texts, clips,
                                              torch))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if all(r["finite"] for r in report["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
