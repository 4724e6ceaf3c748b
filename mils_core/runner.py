"""Run a config end to end: resolve components, resume the results store, search, record."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import structlog
import tomli_w

from mils_core import __version__
from mils_core.components import Dataset, Sample
from mils_core.config import Config, parse_shard, resolve_path
from mils_core.errors import ConfigError, ResultsError
from mils_core.kinds import KINDS
from mils_core.loop import SampleState, run_samples
from mils_core.media_check import check_dataset_media
from mils_core.options import options_to_dict
from mils_core.plugins import MilsPluginManager
from mils_core.records import RunSummary, SampleRecord
from mils_core.resolve import resolve_components, role
from mils_core.results import ResultsStore, atomic_write_bytes, atomic_write_text
from mils_core.runinfo import Components, RunInfo

log = structlog.get_logger("mils.run")

CONFIG_FILE = "config.toml"
PLUGINS_FILE = "plugins.json"
SUMMARY_FILE = "summary.json"

#: [run] keys that do not change results (a resumed run may change them freely).
_NON_RESULT_KEYS = {"output", "cache_dir", "retry_failed", "shard", "executor"}


def resolved_config(config: Config, components: Components) -> dict[str, Any]:
    """The fully resolved config: every component with all its options, defaults filled in."""
    run = {k: v for k, v in options_to_dict(config.run).items() if v is not None}
    run["output"] = str(config.output_dir())
    if isinstance(run.get("samples"), str):
        run["samples"] = str(config.base_dir / run["samples"])
    loop = options_to_dict(config.loop)
    loop["top_k"] = loop["top_k"] or components.task.default_top_k
    loop["n_new"] = loop["n_new"] or components.task.default_n_new
    out: dict[str, Any] = {"run": run, "task": options_to_dict(components.task.options)}
    for kind in KINDS:
        if not kind.in_run or kind.name == "task":
            continue
        tables = [
            {"name": components.specs[role(kind, i)].name, **options_to_dict(c.options)}
            for i, c in enumerate(components.by_kind.get(kind.name, []))
        ]
        if tables:
            out[kind.section] = tables if kind.many else tables[0]
    out["loop"] = {k: v for k, v in loop.items() if v is not None}
    if config.dataset is not None:
        out["dataset"] = {"name": config.dataset.name, **config.dataset.options}
    safe: dict[str, Any] = _toml_safe(out)
    return safe


def _toml_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_toml_safe(v) for v in value if v is not None]
    if isinstance(value, Path):
        return str(value)
    return value


def _fingerprint(resolved: dict[str, Any]) -> dict[str, Any]:
    fp: dict[str, Any] = json.loads(json.dumps(resolved))
    for key in _NON_RESULT_KEYS:
        fp["run"].pop(key, None)
    return fp


def _diff(a: Any, b: Any, prefix: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            out += _diff(a.get(key), b.get(key), f"{prefix}{key}.")
        return out
    return [] if a == b else [prefix.rstrip(".")]


def write_run_metadata(folder: Path, resolved: dict[str, Any], pm: MilsPluginManager, components: Components) -> None:
    """Write the resolved config and the plugins used; refuse to mix two configs in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg_path = folder / CONFIG_FILE
    if cfg_path.exists():
        import tomllib

        try:
            previous = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError):
            previous = None
        if previous is not None:
            changed = _diff(_fingerprint(previous), _fingerprint(resolved))
            if changed:
                raise ResultsError(
                    f"output folder {str(folder)!r} holds a run made with a different config "
                    f"(differs in: {', '.join(changed[:6])}); use another [run] output, or delete the folder to start over"
                )
    atomic_write_text(cfg_path, tomli_w.dumps(resolved))
    plugins = {
        "mils_core": __version__,
        "components": components.provenance(),
        "loaded": {name: {"distribution": p.distribution, "version": p.version} for name, p in sorted(pm.origins.items())},
        "failed": {name: str(f.error) for name, f in pm.failed.items()},
        "python": sys.version.split()[0],
    }
    atomic_write_text(folder / PLUGINS_FILE, json.dumps(plugins, indent=2) + "\n")


def apply_policy(config: Config, components: Components) -> None:
    """Hand the savings switches and the cache folder to the scorer (it uses those it has)."""
    components.scorer.configure({
        "text_cache": config.loop.text_cache,
        "pool_cache": config.loop.pool_cache,
        "sort_by_length": config.loop.sort_by_length,
        "cache_dir": config.cache_dir() if config.loop.pool_cache else None,
    })


def execute(
    config: Config, pm: MilsPluginManager, *, progress: bool = True, components: Components | None = None
) -> dict[str, Any]:
    """Run ``config``: returns the summary (counts and timings). Resumes an existing folder.

    :param components: already-built components to reuse (benchmarks run several
        configs with the same loaded models); built from ``config`` when omitted.
    """
    on_ray = config.run.executor == "ray"
    if on_ray:
        from mils_core.ray_executor import register_plugin_modules, require_ray

        require_ray()
        register_plugin_modules(pm, config.ray.plugins)
    components = components or resolve_components(config, pm)
    out = config.output_dir()
    resolved = resolved_config(config, components)
    write_run_metadata(out, resolved, pm, components)
    store = ResultsStore(out)
    if config.run.retry_failed:
        store.drop_failed()
    samples = select_samples(config, pm, components)
    ids = [s.id for s in samples]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(f"sample id {dup!r} appears more than once in {config.run.samples!r}; ids must be unique")
    pending = [s for s in samples if s.id not in store]
    info = RunInfo(config=config, output_dir=out, components=components)
    apply_policy(config, components)
    pm.hooks.run_started(info)
    counts = {"ok": 0, "failed": 0, "skipped": len(samples) - len(pending)}
    log.info("run starting", output=str(out), samples=len(samples), resumed=counts["skipped"],
             task=config.run.task, **{role: spec.name for role, spec in components.specs.items() if role != "task"})
    t0 = time.perf_counter()
    bar = _progress(len(pending), progress)

    def write(record: SampleRecord) -> None:
        data = record.to_dict()
        store.append(data)
        counts["ok" if record.ok else "failed"] += 1
        if not record.ok:
            log.warning("sample failed", sample=record.id, error=record.error)
        pm.hooks.sample_finished(info, data)
        if bar is not None:
            bar.update(1)
            if record.best_score is not None and not on_ray:  # on Ray the postfix shows the workers
                bar.set_postfix(best=f"{record.best_score:.4f}", failed=counts["failed"], refresh=False)

    def on_iteration(state: SampleState) -> None:
        pm.hooks.iteration_finished(info, state.sample.id, state.iteration, state.history[-1])
        if bar is not None:
            bar.set_description(f"iteration {state.iteration}", refresh=False)

    loop_stats: dict[str, Any] = {}
    scorer_stats: dict[str, int] | None = None
    if pending and on_ray:
        from mils_core.ray_executor import run_on_ray

        def write_file(relative: str, data: bytes) -> None:
            atomic_write_bytes(out / relative, data)

        try:
            loop_stats = run_on_ray(config, pm, pending, write, write_file, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        scorer_stats = loop_stats.pop("scorer_stats")
    elif pending:
        components.generator.ensure_loaded()
        components.scorer.ensure_loaded()
        if components.renderer is not None:
            components.renderer.ensure_loaded()
        try:
            loop_stats = run_samples(info, pending, write, on_iteration=on_iteration)
        finally:
            if bar is not None:
                bar.close()
    elif bar is not None:
        bar.close()
    summary = RunSummary(
        ok=counts["ok"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        total=len(samples),
        seconds=round(time.perf_counter() - t0, 3),
        output=str(out),
        scorer_stats=components.scorer.stats() if scorer_stats is None else scorer_stats,
        **loop_stats,
    ).to_dict()
    atomic_write_text(out / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    pm.hooks.run_finished(info, summary)
    quiet_when_empty = ("render_stats", "executor")
    log.info("run finished", **{k: v for k, v in summary.items() if k != "scorer_stats" and (v or k not in quiet_when_empty)})
    return summary


def dataset_options(config: Config, pm: MilsPluginManager) -> dict[str, Any]:
    """The ``[dataset]`` options with relative paths taken from the config file's folder."""
    assert config.dataset is not None
    spec = pm.registry.get("dataset", config.dataset.name)
    paths = getattr(spec.factory, "path_options", ())
    return {
        key: str(resolve_path(value, config.base_dir)) if key in paths and isinstance(value, str) and value else value
        for key, value in config.dataset.options.items()
    }


def build_dataset(config: Config, pm: MilsPluginManager) -> Dataset[Any]:
    """The dataset reader named by ``[dataset]``."""
    assert config.dataset is not None
    dataset = pm.registry.get("dataset", config.dataset.name).build(dataset_options(config, pm))
    if not isinstance(dataset, Dataset):
        raise ConfigError(f"dataset {config.dataset.name!r} did not build a Dataset")
    return dataset


def select_samples(config: Config, pm: MilsPluginManager, components: Components) -> list[Sample]:
    """The run's samples: from the ``[dataset]`` reader if one is selected, else the task; then this shard."""
    if config.dataset is not None:
        dataset = build_dataset(config, pm)
        check_dataset_media(config.dataset.name, dataset, config.run.task, components.task)
        dataset.check()
        samples = list(dataset.samples())
    else:
        samples = list(components.task.samples(_samples_source(config)))
    if config.run.shard:
        i, n = parse_shard(config.run.shard)
        samples = samples[i::n]
    return samples


def _samples_source(config: Config) -> Any:
    source = config.run.samples
    if isinstance(source, str) and not any(ch in source for ch in "*?["):
        return config.base_dir / source if not Path(source).is_absolute() else Path(source)
    if isinstance(source, str):
        return str(config.base_dir / source) if not Path(source).is_absolute() else source
    return source


def _progress(total: int, enabled: bool) -> Any:
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="sample", dynamic_ncols=True, file=sys.stderr, smoothing=0.1)
