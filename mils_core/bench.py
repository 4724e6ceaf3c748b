"""``mils bench``: measure any task's workload, and what each saving is worth.

Every variant runs in this one process with the same loaded models, on the same samples,
into its own fresh run folder and cache folder, so the ratios compare like with like.
The task names its presets (:attr:`Task.presets`) and bundled samples (:meth:`Task.examples`);
nothing here knows a task, a model or a repository path. An ablation that cannot change
anything for the selected components (a scorer without caches, a generator without the
list stop, a config with no early-stopping rule) is skipped with a one-line note.
"""

from __future__ import annotations

import argparse
import copy
import glob
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import structlog

from mils_core.config import Config, config_from_dict
from mils_core.errors import ConfigError
from mils_core.options import option_names
from mils_core.records import SampleRecord
from mils_core.results import atomic_write_text, read_sample_records

if TYPE_CHECKING:
    from mils_core.plugins import MilsPluginManager
    from mils_core.runinfo import Components

log = structlog.get_logger("mils.bench")

#: The task ``mils bench`` measures when ``--task`` is not given.
DEFAULT_TASK = "image-captioning"


@attrs.frozen
class Ablation:
    """One saving switched off."""

    name: str
    what: str
    #: ``[loop]`` switches this ablation sets.
    loop: dict[str, Any] = attrs.field(factory=dict)
    #: Run every iteration: the config's early-stopping rules are dropped.
    fixed_iterations: bool = False
    #: Generator options this ablation sets (it is skipped where the generator lacks them).
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

#: ``[loop]`` switches the core hands to the scorer (:meth:`Scorer.configure`); only scorers that take them can differ.
SCORER_POLICY = frozenset({"pool_cache", "text_cache", "sort_by_length"})
#: The full system again, reading the pool embeddings the first full run left on disk.
WARM = "full, pool cached on disk"
#: Every applicable saving off at once (``--ablate all``).
ALL_OFF = "reference-like (all off)"
STAGES = ("load", "initial", "generate", "score")


# -- what to run --------------------------------------------------------------------------
def task_class(pm: MilsPluginManager, task: str) -> Any:
    """The registered task's class (its presets and examples), or None for a factory function.

    A missing task raises the registry's usual ``no task named ...`` error.
    """
    from mils_core.components import Task
    from mils_core.resolve import component_spec

    factory = component_spec(pm, "task", task).factory
    return factory if isinstance(factory, type) and issubclass(factory, Task) else None


def preset_sections(pm: MilsPluginManager, task: str, preset: str | None) -> tuple[str | None, dict[str, Any]]:
    """(preset name, its config sections) for ``task``.

    ``preset`` None: the task's first preset, or the task's own defaults (no sections) if it has none.
    """
    cls = task_class(pm, task)
    presets: Mapping[str, Any] = cls.presets if cls is not None else {}
    if preset is None:
        if not presets:
            return None, {}
        preset = next(iter(presets))
    if not presets:
        raise ConfigError(f"task {task!r} has no presets; omit --preset to bench its defaults, "
                          "or change them with --set SECTION.KEY=VALUE")
    try:
        sections: dict[str, Any] = cls.preset(preset)
    except ConfigError as exc:
        raise ConfigError(f"task {task!r}: {exc}") from None
    return preset, sections


def _has_glob(text: str) -> bool:
    return glob.has_magic(text)


def samples_value(values: Sequence[str | Path]) -> Any:
    """The ``[run] samples`` value for the given ``--samples`` arguments.

    Existing paths become absolute. One value that names a file, a folder or a glob is passed
    as it is (the task reads it: a folder of images, a file of sentences, a manifest); anything
    else is a list (image paths, or literal target sentences for a text task).
    """
    out = [str(Path(v).expanduser().resolve()) if Path(v).expanduser().exists() else str(v) for v in values]
    if len(out) == 1 and (Path(out[0]).exists() or (_has_glob(out[0]) and glob.glob(out[0], recursive=True))):
        return out[0]
    return out


def bench_samples(pm: MilsPluginManager, task: str, samples: Sequence[str] | None) -> Any:
    """What the bench runs on: ``samples`` if given, else the task's bundled examples (package data)."""
    if samples:
        return samples_value(samples)
    cls = task_class(pm, task)
    examples = [str(p) for p in cls.examples()] if cls is not None else []
    if not examples:
        raise ConfigError(f"mils bench: task {task!r} bundles no example samples; pass --samples with its samples "
                          "(files, a folder, a glob, or whatever the task reads)")
    return samples_value(examples)


def base_config(
    pm: MilsPluginManager, *, task: str, preset: str | None, samples: Any, overrides: Sequence[str] = (),
    generator: str | None = None, scorer: str | None = None,
) -> tuple[str | None, dict[str, Any]]:
    """(preset name, the validated raw config every variant starts from)."""
    name, raw = preset_sections(pm, task, preset)
    if generator:
        raw["generator"] = {"name": generator}
    if scorer:
        raw["scorer"] = {"name": scorer}
    raw["run"] = {"task": task, "samples": samples, "seed": 0}
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=overrides)
    return name, copy.deepcopy(config.raw)


def _stop_tables(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    stop = raw.get("stop", [])
    return [dict(t) for t in ([stop] if isinstance(stop, Mapping) else stop)]


def _canonical(pm: MilsPluginManager, kind: str, name: str) -> str:
    return str(pm.registry.get(kind, name).name)


def _variant_config(pm: MilsPluginManager, base: dict[str, Any], ablations: Sequence[Ablation], out: Path,
                    cache: Path, iterations: int) -> Config:
    raw = copy.deepcopy(base)
    raw["run"]["output"] = str(out)
    raw["run"]["cache_dir"] = str(cache)
    for ablation in ablations:
        if ablation.loop:
            raw.setdefault("loop", {}).update(ablation.loop)
        if ablation.generator:
            raw["generator"].update(ablation.generator)  # applicable: _prepare_generator made the table
    fixed = any(a.fixed_iterations for a in ablations)
    others = [] if fixed else [t for t in _stop_tables(raw) if _canonical(pm, "stopping-rule", t["name"]) != "max-iterations"]
    raw["stop"] = [{"name": "max-iterations", "n": iterations}, *others]
    return config_from_dict(raw, base_dir=Path.cwd())


# -- which ablations apply ----------------------------------------------------------------
def _takes_policy(scorer: Any) -> bool:
    from mils_core.components import Scorer

    return type(scorer).configure is not Scorer.configure


def skip_reason(ablation: Ablation, pm: MilsPluginManager, base: Mapping[str, Any], components: Components) -> str | None:
    """Why ``ablation`` cannot change anything for these components and config, or None if it applies."""
    loop = config_from_dict(base, base_dir=Path.cwd()).loop
    scorer = components.specs["scorer"].name
    for key, value in ablation.loop.items():
        if key in SCORER_POLICY and not _takes_policy(components.scorer):
            return f"the scorer {scorer!r} takes none of the core's savings switches ([loop] {key} changes nothing for it)"
        if getattr(loop, key) == value:
            return f"already off in the config ([loop] {key} = {json.dumps(value)})"
    if ablation.fixed_iterations:
        rules = {_canonical(pm, "stopping-rule", t["name"]) for t in _stop_tables(base)}
        if not rules - {"max-iterations"}:
            return "the config has no early-stopping rule (only max-iterations)"
    if ablation.generator:
        spec = components.specs["generator"]
        names = option_names(spec.options)
        missing = [k for k in ablation.generator if k not in names]
        if missing:
            return f"the generator {spec.name!r} has no {missing[0]!r} option"
        table = base.get("generator", {})
        if all(table.get(k) == v for k, v in ablation.generator.items()):
            return f"already off in the config ([generator] {', '.join(ablation.generator)})"
    return None


def _ensure_table(base: dict[str, Any], section: str, components: Components) -> dict[str, Any]:
    """The config's ``[section]`` table, created naming the component the task chose if absent."""
    if section not in base:
        base[section] = {"name": components.specs[section].name}
    table: dict[str, Any] = base[section]
    return table


def use_random_weights(base: dict[str, Any], components: Components) -> list[str]:
    """Set ``random_weights = true`` on the generator and scorer where they have it; the roles changed.

    Shapes stay what the config says (e.g. ``--set generator.random_shape=...``); a component's own
    default shape applies otherwise.
    """
    changed = []
    for role in ("generator", "scorer"):
        spec = components.specs.get(role)
        if spec is None:
            continue
        if "random_weights" not in option_names(spec.options):
            log.info("component has no random-weights mode; it uses its real weights", role=role, name=spec.name)
            continue
        _ensure_table(base, role, components)["random_weights"] = True
        changed.append(role)
    return changed


# -- measuring ----------------------------------------------------------------------------
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


def _stats_delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {k: int(v) - int(before.get(k, 0)) for k, v in after.items() if isinstance(v, (int, float))}


def run_variant(name: str, config: Config, pm: MilsPluginManager, components: Components) -> dict[str, Any]:
    """Run one variant with already-loaded components; return its measurements."""
    from mils_core.resolve import component_spec
    from mils_core.runner import execute

    components.by_kind["stopping-rule"] = [component_spec(pm, "stopping-rule", c.name).build(c.options) for c in config.stop]
    reset = getattr(components.scorer, "reset_caches", None)
    if callable(reset):
        reset()  # in-memory caches would carry one variant's work into the next
    before = components.scorer.stats()  # scorers without a reset keep counting: measure the difference
    _cuda_reset()
    t0 = time.perf_counter()
    summary = execute(config, pm, progress=False, components=components)
    wall = time.perf_counter() - t0
    records: list[SampleRecord] = [r for r in read_sample_records(config.output_dir()) if r.ok]
    n = max(1, len(records))
    stage = {k: sum(r.timings.get(k, 0.0) for r in records) / n for k in STAGES}
    stage["initial"] += summary.get("pool_prepare_s", 0.0) / n  # the once-per-run pool work, shared out
    stats = _stats_delta(before, summary.get("scorer_stats", {}))
    candidates = sum(r.counters.get("candidates_scored", 0) for r in records)
    text_encodes = stats.get("text_encodes", 0)
    pool_encodes = stats.get("pool_encodes", 0)
    hits = stats.get("text_cache_hits", 0)
    per_sample_wall = wall / n
    result: dict[str, Any] = {
        "variant": name,
        "samples": len(records),
        "failed": summary["failed"],
        "wall_s": round(wall, 3),
        "s_per_sample": round(per_sample_wall, 3),
        "stage_s_per_sample": {**{k: round(v, 4) for k, v in stage.items()},
                               "other": round(max(0.0, per_sample_wall - sum(stage.values())), 4)},
        "scorer_s_per_sample": round(stage["initial"] + stage["score"], 4),
        "tokens_per_sample": {
            "prompt": sum(r.tokens.get("prompt", 0) for r in records) / n,
            "completion": sum(r.tokens.get("completion", 0) for r in records) / n,
        },
        "text_encodes_per_sample": round(text_encodes / n, 2),
        "pool_encodes_per_sample": round(pool_encodes / n, 2),
        "candidate_encodes_per_sample": round((text_encodes - pool_encodes) / n, 2),
        "new_candidates_per_sample": round(candidates / n, 2),
        "target_encodes_per_sample": round(stats.get("target_encodes", 0) / n, 2),
        "cache_hit_rate": round(hits / (hits + text_encodes), 4) if hits + text_encodes else None,
        "scorer_stats": stats,
        "iterations_per_sample": sum(r.iterations for r in records) / n,
        "mean_initial_best": sum(r.initial_best_score or 0.0 for r in records) / n,
        "mean_best": sum(r.best_score or 0.0 for r in records) / n,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "cuda_max_allocated_mb": _cuda_peak_mb(),
        "samples_per_hour": round(3600.0 / per_sample_wall, 1) if per_sample_wall else None,
    }
    if summary.get("render_stats"):
        result["render_stats"] = summary["render_stats"]
    log.info("bench variant done", variant=name, s_per_sample=result["s_per_sample"])
    return result


def _add_ratios(rows: list[dict[str, Any]]) -> None:
    full = rows[0]
    for row in rows:
        row["slowdown_vs_full"] = round(row["s_per_sample"] / full["s_per_sample"], 2) if full["s_per_sample"] else None
        row["scorer_slowdown_vs_full"] = (
            round(row["scorer_s_per_sample"] / full["scorer_s_per_sample"], 2) if full["scorer_s_per_sample"] else None
        )


def parse_ablate(text: str | None) -> list[str]:
    """``--ablate``: ``all`` or a comma list of ablation names (unknown names are a ConfigError)."""
    chosen = [a.strip() for a in (text or "").split(",") if a.strip()]
    for name in chosen:
        if name != "all" and name not in ABLATIONS:
            raise ConfigError(f"unknown ablation {name!r}; choose from all, {', '.join(ABLATIONS)}")
    if "all" in chosen and chosen != ["all"]:
        raise ConfigError("--ablate all takes no other names")
    return chosen


def bench(
    pm: MilsPluginManager, *, task: str = DEFAULT_TASK, preset: str | None = None, samples: Sequence[str] | None = None,
    iterations: int = 5, ablate: Sequence[str] = (), random_weights: bool = False, overrides: Sequence[str] = (),
    workdir: Path, generator: str | None = None, scorer: str | None = None,
    on_variant: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the full system and each requested ablation; return the report.

    ``samples`` None: the task's bundled examples. ``on_variant`` receives the report so far
    after each variant (``complete`` false until the last), so an interrupted benchmark keeps
    what it measured.
    """
    from mils_core.resolve import resolve_components

    if iterations < 1:
        raise ConfigError(f"--iterations must be at least 1, not {iterations}")
    ablate = list(ablate)
    if ablate != ["all"]:
        parse_ablate(",".join(ablate))
    chosen = list(ABLATIONS) if ablate == ["all"] else ablate
    source = bench_samples(pm, task, samples)
    preset, base = base_config(pm, task=task, preset=preset, samples=source, overrides=overrides,
                               generator=generator, scorer=scorer)
    components = resolve_components(_variant_config(pm, base, [], workdir / "warmup", workdir / "warmup-cache", iterations), pm)
    if random_weights and use_random_weights(base, components):
        components = resolve_components(_variant_config(pm, base, [], workdir / "warmup", workdir / "warmup-cache",
                                                        iterations), pm)
    skipped: dict[str, str] = {}
    applied: list[Ablation] = []
    for name in chosen:
        reason = skip_reason(ABLATIONS[name], pm, base, components)
        if reason is None:
            applied.append(ABLATIONS[name])
            if ABLATIONS[name].generator:
                _ensure_table(base, "generator", components)
        else:
            skipped[name] = reason
            log.info("ablation skipped: it cannot change anything here", ablation=name, reason=reason)
    variants: list[tuple[str, list[Ablation]]] = [("full", [])]
    if any(a.name == "pool-cache" for a in applied):  # the steady state: every run after the first finds the pool on disk
        variants.append((WARM, []))
    variants += [(f"no-{a.name}", [a]) for a in applied]
    if ablate == ["all"] and len(applied) > 1:  # with one saving that applies, it is its own no-<name> row
        variants.append((ALL_OFF, applied))
    t0 = time.perf_counter()
    components.generator.ensure_loaded()
    components.scorer.ensure_loaded()
    if components.renderer is not None:
        components.renderer.ensure_loaded()
    load_s = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "task": task,
        "preset": preset,
        "samples": source if isinstance(source, list) else [source],
        "iterations": iterations,
        "random_weights": random_weights,
        "model_load_s": round(load_s, 2),
        "components": components.provenance(),
        "skipped": skipped,
        "complete": False,
        "variants": rows,
    }
    loaded_generator = components.generator
    base_generator = base.get("generator", {})
    try:
        for i, (name, ablations) in enumerate(variants):
            cache = workdir / ("cache0" if name == WARM else f"cache{i}")  # warm: the full run's disk cache
            config = _variant_config(pm, base, ablations, workdir / f"v{i}", cache, iterations)
            components.by_kind["generator"] = [loaded_generator]
            if config.raw.get("generator", {}) != base_generator:
                # Another generator setup over the same weights (the process-wide model cache shares them).
                components.by_kind["generator"] = [resolve_components(config, pm).generator]
                components.generator.ensure_loaded()
            rows.append(run_variant(name, config, pm, components))
            _add_ratios(rows)
            report["complete"] = i == len(variants) - 1
            if on_variant is not None:
                on_variant(report)
    finally:
        components.by_kind["generator"] = [loaded_generator]
    return report


# -- output -------------------------------------------------------------------------------
def format_table(report: Mapping[str, Any]) -> str:
    """A terminal table of the variants, then one line per skipped ablation."""
    head = (f"{'variant':<26}{'s/sample':>9}{'x full':>8}{'pool':>8}{'gen':>8}{'score':>8}{'other':>8}"
            f"{'x score':>8}{'enc/smp':>9}{'pool enc':>9}{'hit':>6}{'tok/smp':>9}{'best':>8}{'RSS MB':>8}{'smp/h':>8}")
    rows = report["variants"]
    n = rows[0]["samples"] if rows else len(report["samples"])
    preset = f"preset {report['preset']}" if report.get("preset") else "the task's defaults"
    lines = [f"task {report['task']}, {preset}, {n} samples, up to {report['iterations']} iterations, "
             f"models loaded in {report['model_load_s']} s", head, "-" * len(head)]
    for r in rows:
        st = r["stage_s_per_sample"]
        hit = f"{r['cache_hit_rate']:.2f}" if r["cache_hit_rate"] is not None else "-"
        tokens = r["tokens_per_sample"]["prompt"] + r["tokens_per_sample"]["completion"]
        lines.append(
            f"{r['variant']:<26}{r['s_per_sample']:>9.2f}{r['slowdown_vs_full'] or 0:>8.2f}{st['initial']:>8.2f}"
            f"{st['generate']:>8.2f}{st['score']:>8.2f}{st['other']:>8.2f}{r['scorer_slowdown_vs_full'] or 0:>8.2f}"
            f"{r['text_encodes_per_sample']:>9.0f}{r['pool_encodes_per_sample']:>9.0f}{hit:>6}{tokens:>9.0f}"
            f"{r['mean_best']:>8.4f}{r['peak_rss_mb']:>8.0f}{r['samples_per_hour'] or 0:>8.0f}"
        )
    for name, reason in report.get("skipped", {}).items():
        lines.append(f"skipped no-{name}: {reason}")
    return "\n".join(lines)


def cmd_bench(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils bench`` (arguments: :func:`mils_core.cli.add_bench_command`)."""
    ablate = parse_ablate(args.ablate)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def save(report: dict[str, Any]) -> None:
        atomic_write_text(out, json.dumps(report, indent=2) + "\n")

    with tempfile.TemporaryDirectory(prefix="mils-bench-") as tmp:
        report = bench(pm, task=args.task, preset=args.preset, samples=args.samples, iterations=args.iterations,
                       ablate=ablate, random_weights=args.random_weights, overrides=args.overrides, workdir=Path(tmp),
                       generator=args.generator, scorer=args.scorer, on_variant=save)
    save(report)
    print(format_table(report))
    print(f"written: {out}")
    return 0
