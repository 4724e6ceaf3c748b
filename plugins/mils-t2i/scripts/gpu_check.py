"""GPU check for mils-t2i (one command, a few minutes on one large GPU; not run on the CPU machine).

1. SDXL-shaped random-weight pipeline (UNet 2.6B, SDXL VAE, CLIP-L + bigG text encoders) in
   fp16 and bf16: images/s at batch 1, 8 and 32 for 256² and 1024² (4 steps each, guidance 5,
   so the UNet runs on 2x batch), peak GPU memory, NaN images (fp16 VAE overflow) counted.
2. One full enhancement through the real loop: 2 prompts x 3 iterations x 8 candidates, renders at
   256² (4 steps) with the same random SDXL, PickScore-shaped random CLIP ViT-H/14 through
   ``hf-clip`` (candidates = image), the model-free ``t2i-rewriter`` proposing prompts; plus the
   LLM cost measured separately with a random-weight Llama-3.1-8B (mils-llm ``random_weights``)
   answering 2 prompts of the task's real request. Prints the split (renders / LLM / scorer) per prompt.

    python plugins/mils-t2i/scripts/gpu_check.py --out "$OUT/t2i-gpu.json"   # --quick: 256² only

Needs torch with CUDA, diffusers, transformers, mils-core, mils-t2i, mils-clip (and mils-llm for the LLM step).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def sdxl_pipeline(dtype: Any, folder: Path) -> Any:
    """An SDXL-shaped pipeline with random weights (real CLIP BPE tokenizer), on the GPU in ``dtype``."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    from mils_core.testing.tiny_models import write_clip_tokenizer

    torch.manual_seed(0)
    tok_dir = folder / "tokenizer" / "tokenizer"
    if not tok_dir.is_dir():
        write_clip_tokenizer(folder / "tokenizer")
    tok = CLIPTokenizer.from_pretrained(str(tok_dir))
    with torch.device("cuda"):
        unet = UNet2DConditionModel(
            sample_size=128, in_channels=4, out_channels=4, block_out_channels=(320, 640, 1280), layers_per_block=2,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            transformer_layers_per_block=(1, 2, 10), attention_head_dim=(5, 10, 20), cross_attention_dim=2048,
            use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=256,
            projection_class_embeddings_input_dim=2816,
        )
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, sample_size=1024,
                            block_out_channels=[128, 256, 512, 512], layers_per_block=2,
                            down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
                            scaling_factor=0.13025, force_upcast=True)

        def clip(hidden: int, layers: int, heads: int, proj: int, cls: Any) -> Any:
            return cls(CLIPTextConfig(vocab_size=49408, hidden_size=hidden, intermediate_size=hidden * 4,
                                      num_hidden_layers=layers, num_attention_heads=heads, max_position_embeddings=77,
                                      projection_dim=proj, bos_token_id=49406, eos_token_id=49407,
                                      pad_token_id=49407, hidden_act="gelu"))

        te1 = clip(768, 12, 12, 768, CLIPTextModel)
        te2 = clip(1280, 32, 20, 1280, CLIPTextModelWithProjection)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=te1, tokenizer=tok, text_encoder_2=te2, tokenizer_2=tok,
                                     unet=unet, scheduler=scheduler)
    return pipe.to("cuda", dtype)


def throughput(pipe: Any, size: int, batch: int, steps: int) -> dict[str, Any]:
    import numpy as np
    import torch

    prompts = [f"a photo of object number {i} on a table" for i in range(batch)]
    gens = [torch.Generator("cpu").manual_seed(i) for i in range(batch)]
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    try:
        out = pipe(prompt=prompts, num_inference_steps=steps, guidance_scale=5.0, width=size, height=size,
                   output_type="np", generator=gens)
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return {"size": size, "batch": batch, "error": "out of memory"}
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    images = np.asarray(out.images)
    return {"size": size, "batch": batch, "steps": steps, "seconds": round(seconds, 3),
            "images_per_s": round(batch / seconds, 3), "s_per_step_per_image": round(seconds / steps / batch, 4),
            "nan_images": int(sum(not np.all(np.isfinite(im)) for im in images)),
            "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)}


def save_random_pickscore(folder: Path) -> tuple[Path, Path]:
    """A random CLIP ViT-H/14-shaped model (PickScore_v1's shape) and a processor folder."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer

    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_hidden_layers=24,
                         num_attention_heads=16, max_position_embeddings=77),
        vision_config=dict(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16,
                           image_size=224, patch_size=14),
        projection_dim=1024,
    )
    CLIPModel(config).save_pretrained(folder / "pickscore")
    CLIPTokenizer.from_pretrained(str(folder / "tokenizer" / "tokenizer")).save_pretrained(folder / "processor")
    CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}).save_pretrained(
        folder / "processor")
    return folder / "pickscore", folder / "processor"


def enhancement(pipe_folder: Path, work: Path, dtype: str) -> dict[str, Any]:
    """2 prompts x 3 iterations x 8 candidates through the real loop, with the time split."""
    from mils_t2i.testing import t2i_test_plugin

    from mils_core.config import config_from_dict
    from mils_core.plugins import make_plugin_manager
    from mils_core.resolve import resolve_components
    from mils_core.results import read_sample_records
    from mils_core.runner import execute

    model, processor = save_random_pickscore(work)
    raw = {
        "run": {"task": "t2i-enhancement", "samples": ["a red bicycle against a yellow wall", "three boats on a lake"],
                "output": str(work / "run"), "seed": 0},
        "renderer": {"name": "sdxl", "model": str(pipe_folder), "steps": 4, "guidance": 5.0, "width": 256,
                     "height": 256, "final_size": 1024, "dtype": dtype, "device": "cuda", "batch_size": 16},
        "scorer": {"name": "hf-clip", "model": str(model), "processor": str(processor), "candidates": "image",
                   "device": "cuda", "dtype": dtype},
        "generator": {"name": "t2i-rewriter"},
        "loop": {"top_k": 8, "n_new": 8, "batch_samples": 2},
        "stop": [{"name": "max-iterations", "n": 3}],
    }
    pm = make_plugin_manager(plugins=[t2i_test_plugin])
    config = config_from_dict(raw, base_dir=work)
    components = resolve_components(config, pm)
    t0 = time.perf_counter()
    components.renderer.ensure_loaded()
    components.scorer.ensure_loaded()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = execute(config, pm, progress=False, components=components)
    wall = time.perf_counter() - t0
    records = [r for r in read_sample_records(config.output_dir()) if r.ok]
    rstats = components.renderer.stats()
    n = max(1, len(records))
    render_s = rstats["render_ms"] / 1000.0
    score_stage = sum(r.timings.get("score", 0.0) + r.timings.get("initial", 0.0) for r in records)
    search_render_s = render_s - sum(r.timings.get("final_render", 0.0) for r in records)
    return {"load_s": round(load_s, 2), "wall_s": round(wall, 2), "ok": len(records), "failed": summary["failed"],
            "renders_per_prompt": (rstats["images"] - rstats["final_images"]) / n,
            "render_s_per_prompt": round(render_s / n, 3),
            "final_render_s_per_prompt": round(sum(r.timings.get("final_render", 0.0) for r in records) / n, 3),
            "scorer_s_per_prompt": round(max(0.0, score_stage - search_render_s) / n, 3),
            "generator_s_per_prompt": round(sum(r.timings.get("generate", 0.0) for r in records) / n, 3),
            "nan_images": rstats["nan_images"], "render_stats": summary.get("render_stats")}


def llm_cost(prompts: int = 2, max_new_tokens: int = 600) -> dict[str, Any]:
    """Seconds for one LLM call of the task's real request with random Llama-3.1-8B weights (mils-llm)."""
    from mils_t2i.task import RewriteList

    from mils_core.components import Sample, ScoredText
    from mils_core.plugins import make_plugin_manager

    pm = make_plugin_manager()
    try:
        generator = pm.registry.get("generator", "transformers").build(
            {"random_weights": True, "random_shape": "llama-3.1-8b", "max_new_tokens": max_new_tokens,
             "device": "cuda", "stop_after_list": False})
    except Exception as exc:  # noqa: BLE001 - mils-llm missing: report and go on
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    style = RewriteList()
    shown = [ScoredText(f"a red bicycle against a yellow wall, variant {i}", 0.2 + i / 100) for i in range(8)]
    batch = [style.build(Sample(f"s{i}", "a red bicycle against a yellow wall"), shown, 8, i) for i in range(prompts)]
    generator.ensure_loaded()
    generator.generate(batch[:1])  # warm-up
    t0 = time.perf_counter()
    replies = generator.generate(batch)
    seconds = time.perf_counter() - t0
    tokens = sum(r.completion_tokens for r in replies)
    return {"prompts": prompts, "seconds": round(seconds, 2), "completion_tokens": tokens,
            "tokens_per_s": round(tokens / seconds, 1) if seconds else None}


def main() -> int:
    parser = argparse.ArgumentParser(description="mils-t2i GPU check")
    parser.add_argument("--out", default="t2i-gpu.json")
    parser.add_argument("--quick", action="store_true", help="256² only, batch 1 and 8")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: this check needs a GPU")
        return 2
    report: dict[str, Any] = {"device": torch.cuda.get_device_name(0), "throughput": [], "complete": False}
    out = Path(args.out)

    def save() -> None:
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    sizes = (256,) if args.quick else (256, 1024)
    batches = (1, 8) if args.quick else (1, 8, 32)
    with tempfile.TemporaryDirectory(prefix="mils-t2i-gpu-") as tmp:
        work = Path(tmp)
        for dtype_name, dtype in (("float16", torch.float16), ("bfloat16", torch.bfloat16)):
            t0 = time.perf_counter()
            pipe = sdxl_pipeline(dtype, work)
            pipe.set_progress_bar_config(disable=True)
            build_s = time.perf_counter() - t0
            throughput(pipe, 256, 1, 2)  # warm-up
            for size in sizes:
                for batch in batches:
                    row = {"dtype": dtype_name, "build_s": round(build_s, 1), **throughput(pipe, size, batch, args.steps)}
                    report["throughput"].append(row)
                    print(json.dumps(row), flush=True)
                    save()
            if dtype_name == "bfloat16":
                pipe.save_pretrained(work / "sdxl-random")
            del pipe
            torch.cuda.empty_cache()
        report["enhancement"] = enhancement(work / "sdxl-random", work, "bfloat16")
        print(json.dumps(report["enhancement"]), flush=True)
        save()
        if not args.skip_llm:
            report["llm"] = llm_cost()
            print(json.dumps(report["llm"]), flush=True)
    report["complete"] = True
    save()
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
