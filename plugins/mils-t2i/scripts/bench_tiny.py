"""Benchmark ``t2i-enhancement`` on the CPU with tiny random-weight pipelines (no hub, no GPU).

Renders per sample, render vs generator vs scorer seconds, render-cache hits and images/s,
for the full system and two ablations: no cross-sample batching (``batch_samples = 1``)
and the final answer taken from the search renders (``final_size = 0``: served by the render
cache) instead of re-rendered at full size. The generator (``t2i-rewriter``) and the scorer
(``t2i-brightness``) are model-free, so the renderer's share is what is measured; a real LLM
and PickScore add their own seconds (see the README for the projection).

    .venv/bin/python plugins/mils-t2i/scripts/bench_tiny.py --renderer sdxl --iterations 3 --out bench.json
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


def variant_config(base: dict[str, Any], out: Path, **changes: Any) -> Any:
    import copy

    from mils_core.config import config_from_dict

    raw = copy.deepcopy(base)
    raw["run"]["output"] = str(out)
    for key, value in changes.items():
        section, name = key.split(".")
        raw.setdefault(section, {})[name] = value
    return config_from_dict(raw, base_dir=Path.cwd())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default="sdxl", choices=("sdxl", "sd3", "flux"))
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--n-new", type=int, default=8)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--final-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--samples", type=int, default=4, help="how many of the bundled example prompts")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--generator", default="t2i-rewriter",
                        help="t2i-rewriter (model-free) or transformers (the packaged SmolLM2-135M, a real LLM)")
    parser.add_argument("--max-new-tokens", type=int, default=300)
    parser.add_argument("--ablations", default="batching,final", help="comma list: batching, final (or none)")
    parser.add_argument("--out", default="t2i-bench.json")
    args = parser.parse_args()

    from mils_t2i import tiny
    from mils_t2i.task import T2iEnhancement
    from mils_t2i.testing import t2i_test_plugin

    from mils_core.bench import run_variant
    from mils_core.plugins import make_plugin_manager
    from mils_core.resolve import resolve_components

    with tempfile.TemporaryDirectory(prefix="mils-t2i-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        folder = getattr(tiny, f"build_{args.renderer}")(work / args.renderer)
        build_s = time.perf_counter() - t0
        prompts = T2iEnhancement.examples()[0].read_text(encoding="utf-8").splitlines()[: args.samples]
        base: dict[str, Any] = {
            "run": {"task": "t2i-enhancement", "samples": prompts, "seed": 0},
            "renderer": {"name": args.renderer, "model": str(folder), "steps": args.steps, "width": args.size,
                         "height": args.size, "final_size": args.final_size, "device": "cpu", "dtype": "float32",
                         "batch_size": args.batch_size},
            "generator": {"name": args.generator} if args.generator == "t2i-rewriter" else {
                "name": args.generator, "max_new_tokens": args.max_new_tokens, "device": "cpu"},
            "scorer": {"name": "t2i-brightness"},
            "loop": {"top_k": 5, "n_new": args.n_new, "batch_samples": args.samples},
            "stop": [{"name": "max-iterations", "n": args.iterations}],
        }
        pm = make_plugin_manager(plugins=[t2i_test_plugin])
        components = resolve_components(variant_config(base, work / "warm"), pm)
        t0 = time.perf_counter()
        components.renderer.ensure_loaded()
        load_s = time.perf_counter() - t0
        # warm-up: one render, so the first variant does not pay for lazy kernels
        components.renderer.render_batch(["warm up"], [0], None)
        components.generator.ensure_loaded()
        chosen = {a.strip() for a in args.ablations.split(",")}
        variants: list[tuple[str, dict[str, Any]]] = [("full", {})]
        if "batching" in chosen:
            variants.append(("no-batching (batch_samples=1)", {"loop.batch_samples": 1}))
        if "final" in chosen:
            variants.append(("final from cache (final_size=0)", {"renderer.final_size": 0}))
        rows = []
        for i, (name, changes) in enumerate(variants):
            config = variant_config(base, work / f"v{i}", **changes)
            if changes.get("renderer.final_size") is not None:
                components = resolve_components(config, pm)  # another renderer option: same weights, loaded again
                components.renderer.ensure_loaded()
            renderer = components.renderer
            before = dict(renderer.stats())
            scorer_before = components.scorer.seconds
            row = run_variant(name, config, pm, components)
            stats = {k: v - before.get(k, 0) for k, v in renderer.stats().items()}
            n = max(1, row["samples"])
            render_s = stats["render_ms"] / 1000.0
            rows.append({
                "variant": name, "samples": row["samples"], "s_per_sample": row["s_per_sample"],
                "renders_per_sample": round(stats["images"] / n, 2),
                "final_renders_per_sample": round(stats["final_images"] / n, 2),
                "render_s_per_sample": round(render_s / n, 3),
                "generator_s_per_sample": row["stage_s_per_sample"]["generate"],
                "scorer_s_per_sample": round((components.scorer.seconds - scorer_before) / n, 4),
                "other_s_per_sample": round(max(0.0, row["s_per_sample"] - render_s / n
                                                - row["stage_s_per_sample"]["generate"]), 3),
                "render_cache_hits": row.get("render_stats", {}).get("render_cache_hits", 0),
                "render_batches": stats["batches"],
                "images_per_s": round(stats["images"] / render_s, 2) if render_s else None,
                "mean_initial_best": round(row["mean_initial_best"], 4), "mean_best": round(row["mean_best"], 4),
                "peak_rss_mb": row["peak_rss_mb"],
            })
            print(json.dumps(rows[-1]), flush=True)
    report = {"renderer": args.renderer, "size": args.size, "final_size": args.final_size, "steps": args.steps,
              "iterations": args.iterations, "n_new": args.n_new, "samples": args.samples,
              "build_s": round(build_s, 2), "load_s": round(load_s, 2), "variants": rows}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
