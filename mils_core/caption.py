"""``mils caption PATH...``: caption media files with a task's preset; the task follows the files' type.

Images go to the task that reads images (``image-captioning``), videos to the one that reads
videos (``video-captioning``), and so on: each registered task declares ``file_suffixes``. A mix
of media in one call is refused with a message; ``--task`` chooses explicitly.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mils_core.config import config_from_dict
from mils_core.errors import ConfigError
from mils_core.manifest import is_manifest, read_manifest
from mils_core.plugins import MilsPluginManager
from mils_core.records import SampleRecord
from mils_core.results import read_sample_records

#: How many files of a folder or manifest are looked at to tell its media.
_PEEK = 200


def _suffix_claims(pm: MilsPluginManager) -> dict[str, list[str]]:
    claims: dict[str, list[str]] = {}
    for spec in pm.registry.specs("task"):
        for suffix in getattr(spec.factory, "file_suffixes", ()):
            claims.setdefault(str(suffix).lower(), []).append(spec.name)
    return claims


def _input_suffixes(path: str) -> set[str]:
    if any(ch in path for ch in "*?["):
        return {Path(p).suffix.lower() for p in glob.glob(path, recursive=True)[:_PEEK]}
    candidate = Path(path).expanduser()
    if candidate.is_dir():
        found: set[str] = set()
        for i, child in enumerate(candidate.rglob("*")):
            if i >= _PEEK:
                break
            if child.is_file():
                found.add(child.suffix.lower())
        return found
    if is_manifest(candidate) and candidate.is_file():
        return {Path(row.path).suffix.lower() for row in list(read_manifest(candidate))[:_PEEK]}
    return {candidate.suffix.lower()}


def choose_task(pm: MilsPluginManager, paths: Sequence[str], task: str | None = None) -> str:
    """The task that reads ``paths`` (``task`` when given); one-line errors for unknown or mixed media."""
    if task:
        pm.registry.get("task", task)  # the registry's one-line error for an unknown name
        return task
    claims = _suffix_claims(pm)
    chosen: dict[str, str] = {}  # task -> an example input
    unknown: list[str] = []
    for path in paths:
        suffixes = _input_suffixes(path)
        tasks = {t for s in suffixes for t in claims.get(s, [])}
        ambiguous = [s for s in suffixes if len(claims.get(s, [])) > 1]
        if ambiguous:
            raise ConfigError(f"{ambiguous[0]} files are read by {' and '.join(claims[ambiguous[0]])}; choose one with --task")
        if not tasks:
            unknown.append(path)
        for name in tasks:
            chosen.setdefault(name, path)
    if len(chosen) > 1:
        mix = " and ".join(f"{name} ({example})" for name, example in sorted(chosen.items()))
        raise ConfigError(f"the inputs mix media read by {mix}; caption them in separate calls or pass --task")
    if not chosen:
        by_task: dict[str, list[str]] = {}
        for suffix, names in sorted(claims.items()):
            for name in names:
                by_task.setdefault(name, []).append(suffix)
        readable = "; ".join(f"{t} ({' '.join(s)})" for t, s in sorted(by_task.items())) or "none (install mils-image)"
        raise ConfigError(f"no installed task reads {unknown[0]!r}; the installed tasks read: {readable}")
    return next(iter(chosen))


def caption_config(
    pm: MilsPluginManager, paths: Sequence[str], preset: str | None, *, task: str | None = None,
    output: str | None = None, scorer: str | None = None, generator: str | None = None, seed: int = 0,
) -> dict[str, Any]:
    """The run config ``mils caption`` uses (the task's preset with the user's choices on top)."""
    name = choose_task(pm, paths, task)
    spec = pm.registry.get("task", name)
    task_cls: Any = spec.factory if isinstance(spec.factory, type) else type(spec.build())
    presets = getattr(task_cls, "presets", {})
    chosen = preset or ("offline" if "offline" in presets else next(iter(presets), None))
    raw: dict[str, Any] = task_cls.preset(chosen) if chosen is not None else {}
    abs_paths = [str(Path(p).expanduser().resolve()) if not any(c in p for c in "*?[") else p for p in paths]
    if scorer:
        raw["scorer"] = {"name": scorer}
    if generator:
        raw["generator"] = {"name": generator}
    if output is None:
        key = hashlib.sha256(json.dumps([name, chosen, scorer, generator, seed, abs_paths]).encode()).hexdigest()[:10]
        output = str(Path("runs") / f"caption-{chosen or name}-{key}")
    single = Path(abs_paths[0]) if len(abs_paths) == 1 else None
    samples: Any = abs_paths[0] if single is not None and (not single.is_file() or is_manifest(single)) else abs_paths
    raw["run"] = {"task": name, "samples": samples, "output": output, "seed": seed}
    return raw


def _print(records: Iterable[tuple[Any, SampleRecord]], as_json: bool) -> None:
    for sample, record in records:
        if as_json:
            print(json.dumps({
                "id": sample.id, "path": str(sample.source), "status": record.status, "caption": record.best_text,
                "score": record.best_score, "initial_best_score": record.initial_best_score,
                "initial_best_caption": record.initial_best_text, "iterations": record.iterations, "error": record.error,
                "objectives": record.best_objectives,
            }), flush=True)
        elif record.ok and record.best_score is not None and record.initial_best_score is not None:
            parts = ", ".join(f"{k} {v:.4f}" for k, v in record.best_objectives.items())
            score = f"{parts}; ranked {record.best_score:.4f}" if parts else f"score {record.best_score:.4f}"
            print(f"{sample.source}: {record.best_text}  ({score}; "
                  f"best in pool {record.initial_best_score:.4f}: {record.initial_best_text})")
        else:
            print(f"{sample.source}: FAILED: {record.error}")


def cmd_caption(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils caption``."""
    from mils_core.runner import execute

    raw = caption_config(pm, args.paths, args.preset, task=args.task, output=args.output, scorer=args.scorer,
                         generator=args.generator, seed=args.seed)
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=args.overrides)
    summary = execute(config, pm, progress=not args.no_progress and not args.json)
    records = {r.id: r for r in read_sample_records(config.output_dir())}
    samples = pm.registry.get("task", config.run.task).build(config.task_options).samples(config.run.samples)
    _print(((s, records[s.id]) for s in samples if s.id in records), args.json)
    if not args.json:
        print(f"run folder: {summary['output']}")
    return 1 if summary["failed"] else 0


def add_caption_command(subparsers: Any) -> None:
    """Register ``mils caption`` on the CLI."""
    from mils_core.cli import add_run_options

    p = subparsers.add_parser("caption", help="caption images, videos or sounds (files, folders, globs or a manifest)")
    p.add_argument("paths", nargs="+", help="media files, folders, globs, or one CSV/JSONL manifest")
    p.add_argument("--task", help="the task to use (default: the one that reads these files, e.g. image-captioning)")
    p.add_argument("--preset", help="one of the task's presets (default: offline where the task has it, else its first)")
    p.add_argument("--scorer", help="a scorer name instead of the preset's (see 'mils list scorers')")
    p.add_argument("--generator", help="a generator name instead of the preset's")
    p.add_argument("--output", help="run folder (default: runs/caption-<preset>-<hash of inputs>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object per input")
    add_run_options(p)
    p.set_defaults(handler=cmd_caption)
