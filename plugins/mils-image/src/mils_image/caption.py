"""``mils caption PATH...``: caption images with a preset and print the captions."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from mils_core.config import config_from_dict
from mils_core.plugins import MilsPluginManager
from mils_core.results import read_sample_records
from mils_image.presets import preset_config


def caption_config(
    paths: list[str], preset: str, *, output: str | None = None, scorer: str | None = None,
    generator: str | None = None, seed: int = 0,
) -> dict[str, Any]:
    """The run config ``mils caption`` uses (a preset with the user's choices on top)."""
    raw = preset_config(preset)
    abs_paths = [str(Path(p).expanduser().resolve()) for p in paths]
    if scorer:
        raw["scorer"] = {"name": scorer}
    if generator:
        raw["generator"] = {"name": generator}
    if output is None:
        key = hashlib.sha256(json.dumps([preset, scorer, generator, seed, abs_paths]).encode()).hexdigest()[:10]
        output = str(Path("runs") / f"caption-{preset}-{key}")
    raw["run"] = {"task": "image-captioning", "samples": abs_paths if len(abs_paths) != 1 or not Path(abs_paths[0]).is_dir()
                  else abs_paths[0], "output": output, "seed": seed}
    return raw


def cmd_caption(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils caption``."""
    from mils_core.runner import execute

    raw = caption_config(
        args.paths, args.preset, output=args.output, scorer=args.scorer, generator=args.generator, seed=args.seed
    )
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=args.overrides)
    summary = execute(config, pm, progress=not args.no_progress and not args.json)
    records = {r.id: r for r in read_sample_records(config.output_dir())}
    task_samples = pm.registry.get("task", "image-captioning").build(config.task_options).samples(config.run.samples)
    for sample in task_samples:
        record = records.get(sample.id)
        if record is None:
            continue
        if args.json:
            print(json.dumps({
                "id": sample.id,
                "path": str(sample.source),
                "status": record.status,
                "caption": record.best_text,
                "score": record.best_score,
                "initial_best_score": record.initial_best_score,
                "initial_best_caption": record.initial_best_text,
                "iterations": record.iterations,
                "error": record.error,
            }), flush=True)
        elif record.ok:
            print(f"{sample.source}: {record.best_text}  (score {record.best_score:.4f}; "
                  f"best in pool {record.initial_best_score:.4f}: {record.initial_best_text})")
        else:
            print(f"{sample.source}: FAILED: {record.error}")
    if not args.json:
        print(f"run folder: {summary['output']}")
    return 1 if summary["failed"] else 0


def add_caption_command(subparsers: Any) -> None:
    """Register ``mils caption`` on the CLI."""
    from mils_core.cli import add_run_options
    from mils_image.presets import PRESETS

    p = subparsers.add_parser("caption", help="caption images (folder, glob, files or a manifest)")
    p.add_argument("paths", nargs="+", help="image files, folders, globs, or one CSV/JSONL manifest")
    p.add_argument("--preset", default="offline", choices=sorted(PRESETS), help="components and hyper-parameters")
    p.add_argument("--scorer", help="a scorer name instead of the preset's (see 'mils list scorers')")
    p.add_argument("--generator", help="a generator name instead of the preset's")
    p.add_argument("--output", help="run folder (default: runs/caption-<preset>-<hash of inputs>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object per image")
    add_run_options(p)
    p.set_defaults(handler=cmd_caption)
