"""``mils bench``: measure a captioning workload, and what each saving is worth.

Every variant runs in this one process with the same loaded models, on the same samples,
into its own fresh run folder and cache folder, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.config import Config, config_from_dict
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError
from mils_core.options import option_names
from mils_core.plugins import MilsPluginManager
from mils_core.resolve import resolve_components
from mils_core.results import atomic_write_text, read_records
from mils_core.runinfo import Components
from mils_image.presets import preset_config

log = structlog.get_logger("mils.bench")

EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "images"


@attrs.frozen
class Ablation:
    """One saving switched off."""

    name: str
    what: str
    loop: dict[str, Any] = attrs.field(factory=dict)
    fixed_iterations: bool = False
    #: Generator options this ablation sets (applied only where the generator has them).
    generator: dict[str, Any] = attrs.field(factory=dict)


ABLATIONS: dict[str, Ablation] = {
    a.name: a
    for a in (
        Ablation("pool-cache", "re-encode the initial pool for every sample", {"pool_cache": False}),
        Ablation("score-cache", "encode candidate texts again even when seen before", {"text_cache": False}),
        Ablation("batching", "one sample at a time (no cross-sample batching)", {"batch_samples": 1}),
        Ablation("early-stop", "run every iteration (no plateau stop)", fixed_iterations=True),
        Ablation("length-sort", "batch texts in arrival order (more padding)", {"sort_by_length": False}),
        Ablation("list-stop", "replies run on after the list asked for", generator={"stop_after_list": False}),
    )
}


def _use_random_weights(pm: MilsPluginManager, base: dict[str, Any], preset: str) -> None:
    """Switch the generator and scorer to random weights where they support it (no download)."""
    for role in ("generator", "scorer"):
        spec = pm.registry.get(role, base[role]["name"])
        names = option_names(spec.options)
        if "random_weights" not in names:
            log.info("component has no random-weights mode; it uses its real weights", role=role, name=spec.name)
            continue
        base[role]["random_weights"] = True
        if "random_shape" in names:
            base[role]["random_shape"] = "llama-3.1-8b" if preset == "paper" else "smollm2-135m"


def _variant_config(base: dict[str, Any], ablations: list[Ablation], out: Path, cache: Path, iterations: int,
                    generator_options: frozenset[str] = frozenset()) -> Config:
    raw = json.loads(json.dumps(base))
    raw["run"]["output"] = str(out)
    raw["run"]["cache_dir"] = str(cache)
    for ablation in ablations:
        raw.setdefault("loop", {}).update(ablation.loop)
        raw["generator"].update({k: v for k, v in ablation.generator.items() if k in generator_options})
    fixed = any(a.fixed_iterations for a in ablations)
    raw["stop"] = [{"name": "max-iterations", "n": iterations}] + ([] if fixed else [
        s for s in raw.get("stop", []) if s.get("name") != "max-iterations"])
    return config_from_dict(raw, base_dir=Path.cwd())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cuda_reset() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def _cuda_peak_mb() -> float | None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return float(torch.cuda.max_memory_allocated()) / 2**20
    return None


def run_variant(name: str, config: Config, pm: MilsPluginManager, components: Components) -> dict[str, Any]:
    """Run one variant with already-loaded components; return its measurements."""
    from mils_core.runner import execute

    rules = resolve_components(config, pm).stop_rules if config.stop else components.stop_rules
    components.by_kind["stopping-rule"] = list(rules)
    if isinstance(components.scorer, EmbeddingScorer):
        components.scorer.reset_caches()
    _cuda_reset()
    t0 = time.perf_counter()
    summary = execute(config, pm, progress=False, components=components)
    wall = time.perf_counter() - t0
    records = [r for r in read_records(config.output_dir()) if r["status"] == "ok"]
    n = max(1, len(records))
    stage = {k: sum(r["timings"].get(k, 0.0) for r in records) / n for k in ("load", "initial", "generate", "score")}
    stage["initial"] += summary.get("pool_prepare_s", 0.0) / n  # the once-per-run pool work, shared out
    stats = summary.get("scorer_stats", {})
    candidates = sum(r["counters"]["candidates_scored"] for r in records)
    text_encodes = stats.get("text_encodes", 0)
    pool_encodes = stats.get("pool_encodes", 0)
    hits = stats.get("text_cache_hits", 0)
    per_sample_wall = wall / n
    result = {
        "variant": name,
        "samples": len(records),
        "failed": summary["failed"],
        "wall_s": round(wall, 3),
        "s_per_sample": round(per_sample_wall, 3),
        "stage_s_per_sample": {**{k: round(v, 4) for k, v in stage.items()},
                               "other": round(max(0.0, per_sample_wall - sum(stage.values())), 4)},
        "scorer_s_per_sample": round(stage["initial"] + stage["score"], 4),
        "tokens_per_sample": {
            "prompt": sum(r["tokens"]["prompt"] for r in records) / n,
            "completion": sum(r["tokens"]["completion"] for r in records) / n,
        },
        "text_encodes_per_sample": round(text_encodes / n, 2),
        "pool_encodes_per_sample": round(pool_encodes / n, 2),
        "candidate_encodes_per_sample": round((text_encodes - pool_encodes) / n, 2),
        "new_candidates_per_sample": round(candidates / n, 2),
        "image_encodes_per_sample": round(stats.get("target_encodes", 0) / n, 2),
        "cache_hit_rate": round(hits / (hits + text_encodes), 4) if hits + text_encodes else None,
        "iterations_per_sample": sum(r["iterations"] for r in records) / n,
        "mean_initial_best": sum(r["initial_best_score"] for r in records) / n,
        "mean_best": sum(r["best_score"] for r in records) / n,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "cuda_max_allocated_mb": _cuda_peak_mb(),
        "samples_per_hour": round(3600.0 / per_sample_wall, 1) if per_sample_wall else None,
    }
    log.info("bench variant done", variant=name, s_per_sample=result["s_per_sample"])
    return result


def bench(
    pm: MilsPluginManager, *, preset: str, samples: list[str], iterations: int, ablate: list[str],
    random_weights: bool, overrides: list[str], workdir: Path, generator: str | None = None, scorer: str | None = None,
    on_variant: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the full system and each requested ablation; return the report.

    ``on_variant`` receives the report so far after each variant (``complete`` false until the
    last), so an interrupted benchmark keeps what it measured.
    """
    base = preset_config(preset)
    if generator:
        base["generator"] = {"name": generator}
    if scorer:
        base["scorer"] = {"name": scorer}
    base["run"] = {"task": "image-captioning", "samples": [str(Path(p).resolve()) for p in samples], "seed": 0}
    if random_weights:
        _use_random_weights(pm, base, preset)
    base = json.loads(json.dumps(config_from_dict(base, base_dir=Path.cwd(), overrides=overrides).raw))
    chosen = list(ABLATIONS) if ablate == ["all"] else ablate
    for name in chosen:
        if name not in ABLATIONS:
            raise ConfigError(f"unknown ablation {name!r}; choose from all, {', '.join(ABLATIONS)}")
    variants: list[tuple[str, list[Ablation]]] = [("full", [])]
    if "pool-cache" in chosen:  # the steady state: every run after the first finds the pool on disk
        variants.append((WARM, []))
    variants += [(f"no-{name}", [ABLATIONS[name]]) for name in chosen]
    if ablate == ["all"]:
        variants.append(("reference-like (all off)", list(ABLATIONS.values())))
    first = _variant_config(base, [], workdir / "warmup", workdir / "warmup-cache", iterations)
    components = resolve_components(first, pm)
    t0 = time.perf_counter()
    components.generator.ensure_loaded()
    components.scorer.ensure_loaded()
    load_s = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "preset": preset,
        "samples": samples,
        "iterations": iterations,
        "random_weights": random_weights,
        "model_load_s": round(load_s, 2),
        "components": components.provenance(),
        "complete": False,
        "variants": rows,
    }
    options = frozenset(option_names(pm.registry.get("generator", base["generator"]["name"]).options))
    loaded_generator = components.generator
    for i, (name, ablations) in enumerate(variants):
        cache = workdir / ("cache0" if name == WARM else f"cache{i}")  # warm: the full run's disk cache
        config = _variant_config(base, ablations, workdir / f"v{i}", cache, iterations, options)
        components.by_kind["generator"] = [loaded_generator]
        if config.generator is not None and first.generator is not None and config.generator.options != first.generator.options:
            # Another generator setup over the same weights (the process-wide model cache shares them).
            components.by_kind["generator"] = [resolve_components(config, pm).generator]
            components.generator.ensure_loaded()
        rows.append(run_variant(name, config, pm, components))
        _add_ratios(rows)
        report["complete"] = i == len(variants) - 1
        if on_variant is not None:
            on_variant(report)
    components.by_kind["generator"] = [loaded_generator]
    return report


#: The full system again, reading the pool embeddings the first full run left on disk.
WARM = "full, pool cached on disk"


def _add_ratios(rows: list[dict[str, Any]]) -> None:
    full = rows[0]
    for row in rows:
        row["slowdown_vs_full"] = round(row["s_per_sample"] / full["s_per_sample"], 2) if full["s_per_sample"] else None
        row["scorer_slowdown_vs_full"] = (
            round(row["scorer_s_per_sample"] / full["scorer_s_per_sample"], 2) if full["scorer_s_per_sample"] else None
        )


def format_table(report: dict[str, Any]) -> str:
    """A terminal table of the variants."""
    head = (f"{'variant':<26}{'s/sample':>9}{'x full':>8}{'pool':>8}{'gen':>8}{'score':>8}{'other':>8}"
            f"{'x score':>8}{'enc/smp':>9}{'pool enc':>9}{'hit':>6}{'tok/smp':>9}{'best':>8}{'RSS MB':>8}{'smp/h':>8}")
    lines = [f"preset {report['preset']}, {len(report['samples'])} samples, up to {report['iterations']} iterations, "
             f"models loaded in {report['model_load_s']} s", head, "-" * len(head)]
    for r in report["variants"]:
        st = r["stage_s_per_sample"]
        hit = f"{r['cache_hit_rate']:.2f}" if r["cache_hit_rate"] is not None else "-"
        tokens = r["tokens_per_sample"]["prompt"] + r["tokens_per_sample"]["completion"]
        lines.append(
            f"{r['variant']:<26}{r['s_per_sample']:>9.2f}{r['slowdown_vs_full'] or 0:>8.2f}{st['initial']:>8.2f}"
            f"{st['generate']:>8.2f}{st['score']:>8.2f}{st['other']:>8.2f}{r['scorer_slowdown_vs_full'] or 0:>8.2f}"
            f"{r['text_encodes_per_sample']:>9.0f}{r['pool_encodes_per_sample']:>9.0f}{hit:>6}{tokens:>9.0f}"
            f"{r['mean_best']:>8.4f}{r['peak_rss_mb']:>8.0f}{r['samples_per_hour'] or 0:>8.0f}"
        )
    return "\n".join(lines)


def cmd_bench(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils bench``."""
    samples = args.samples or sorted(str(p) for p in EXAMPLES.glob("*.jpg"))
    if not samples:
        raise ConfigError("mils bench: no samples given and no bundled examples found; pass --samples IMAGE...")
    ablate = [a.strip() for a in args.ablate.split(",") if a.strip()] if args.ablate else []
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def save(report: dict[str, Any]) -> None:
        atomic_write_text(out, json.dumps(report, indent=2) + "\n")

    with tempfile.TemporaryDirectory(prefix="mils-bench-") as tmp:
        report = bench(pm, preset=args.preset, samples=samples, iterations=args.iterations, ablate=ablate,
                       random_weights=args.random_weights, overrides=args.overrides, workdir=Path(tmp),
                       generator=args.generator, scorer=args.scorer, on_variant=save)
    save(report)
    print(format_table(report))
    print(f"written: {out}")
    return 0


def add_bench_command(subparsers: Any) -> None:
    """Register ``mils bench``."""
    from mils_image.presets import PRESETS

    p = subparsers.add_parser("bench", help="benchmark captioning: time per stage, encodes, tokens, ablations")
    p.add_argument("--preset", default="offline", choices=sorted(PRESETS))
    p.add_argument("--samples", nargs="+", help="images (default: the bundled examples)")
    p.add_argument("--iterations", type=int, default=5, help="iteration cap for every variant")
    p.add_argument("--ablate", help="'all' or a comma list of: " + ", ".join(ABLATIONS))
    p.add_argument("--random-weights", action="store_true", help="random models at the configured shapes (no download)")
    p.add_argument("--generator", help="a generator name instead of the preset's")
    p.add_argument("--scorer", help="a scorer name instead of the preset's")
    p.add_argument("--out", default="bench.json", help="where to write the JSON report")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    p.set_defaults(handler=cmd_bench)
