"""GPU check for mils-style (one prepared script; prints one JSON object).

1. InstructPix2Pix-shaped pipeline with **random weights** (the real SD-1.5 UNet/VAE/CLIP-L shapes,
   UNet with 8 input channels; nothing is downloaded): edits/s and peak GPU memory at 256^2 and 512^2,
   through the ``instruct-pix2pix`` renderer (Euler-ancestral, fp16).
2. VGG-19 Gram scoring (random weights, the real architecture) through the ``gram-style`` scorer:
   images/s at 224^2 and 512^2.

    python plugins/mils-style/scripts/gpu_check.py [--steps 20] [--batch 8] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def build_pipeline(folder: Path) -> None:
    """Save an InstructPix2Pix pipeline with SD-1.5 shapes and random weights into ``folder``."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerAncestralDiscreteScheduler,
        StableDiffusionInstructPix2PixPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from mils_core.testing.tiny_models import write_clip_tokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=64, in_channels=8, out_channels=4, layers_per_block=2, block_out_channels=(320, 640, 1280, 1280),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=768, attention_head_dim=8,
    )
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512), layers_per_block=2,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    )
    text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072,
                                        num_hidden_layers=12, num_attention_heads=12, max_position_embeddings=77))
    tokenizer = CLIPTokenizer.from_pretrained(str(write_clip_tokenizer(folder / "tok")))
    pipe = StableDiffusionInstructPix2PixPipeline(
        vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet,
        scheduler=EulerAncestralDiscreteScheduler(beta_schedule="scaled_linear"),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder / "pipeline")


def edits_per_second(folder: Path, size: int, steps: int, batch: int, rounds: int) -> dict[str, Any]:
    import torch
    from mils_style.pix2pix import InstructPix2Pix, InstructPix2PixOptions
    from PIL import Image

    renderer = InstructPix2Pix(InstructPix2PixOptions(model=str(folder / "pipeline"), steps=steps, size=size,
                                                      device="cuda", dtype="float16", batch_size=batch))
    renderer.ensure_loaded()
    content = Image.new("RGB", (size, size), (120, 80, 40))
    texts = [f"make it a painting number {i}" for i in range(batch)]
    renderer.render_batch(texts[:1], [0], [content])  # warm-up
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for r in range(rounds):
        renderer.render_batch(texts, [r] * batch, [content] * batch)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return {"size": size, "steps": steps, "batch": batch, "edits_per_s": round(rounds * batch / seconds, 3),
            "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)}


def vgg_images_per_second(folder: Path, size: int, n: int) -> dict[str, Any]:
    import numpy as np
    import torch
    from mils_style.features import VGG19_CFG
    from mils_style.pair import StylePair
    from mils_style.scorer import GramStyle, GramStyleOptions
    from PIL import Image
    from torchvision.models.vgg import make_layers

    weights = folder / "vgg19.pth"
    if not weights.exists():
        torch.save({f"features.{k}": v for k, v in make_layers(list(VGG19_CFG)).state_dict().items()}, weights)
    scorer = GramStyle(GramStyleOptions(network="vgg19", weights=str(weights), image_size=size, device="cuda",
                                        batch_size=32))
    rng = np.random.default_rng(0)
    imgs = [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(n)]
    [handle] = scorer.prepare_targets([StylePair(imgs[0], imgs[1])])
    scorer.score([handle], [imgs[:8]])  # warm-up
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    scorer.score([handle], [imgs])
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return {"size": size, "images": n, "images_per_s": round(n / seconds, 2),
            "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 steps, 1 round, fewer VGG images")
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA GPU"}))
        return 1
    steps, rounds = (10, 1) if args.quick else (args.steps, args.rounds)
    out: dict[str, Any] = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_pipeline(folder)
        out["build_s"] = round(time.perf_counter() - t0, 1)
        out["pix2pix"] = [edits_per_second(folder, s, steps, args.batch, rounds) for s in (256, 512)]
        n = 64 if args.quick else 256
        out["vgg19_gram"] = [vgg_images_per_second(folder, s, n) for s in (224, 512)]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
