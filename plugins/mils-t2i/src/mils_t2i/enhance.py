"""``mils enhance "a prompt" ... | prompts.txt``: rewrite text-to-image prompts with a preset of ``t2i-enhancement``.

Prints, per prompt, the enhanced prompt and the paths of the images of the original and the
enhanced prompt (rendered at the renderer's ``final_size`` when it has one); ``--json`` prints
one JSON object per prompt, as ``mils caption --json`` does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from mils_core.config import config_from_dict
from mils_core.plugins import MilsPluginManager
from mils_core.records import SampleRecord
from mils_core.results import read_sample_records

TASK = "t2i-enhancement"


def enhance_config(inputs: list[str], preset: str, *, output: str | None = None, renderer: str | None = None,
                   model: str | None = None, scorer: str | None = None, generator: str | None = None,
                   seed: int = 0, iterations: int | None = None) -> dict[str, Any]:
    """The run config ``mils enhance`` uses: the task's preset with the user's choices on top."""
    from mils_t2i.task import T2iEnhancement

    raw: dict[str, Any] = T2iEnhancement.preset(preset)
    if renderer:
        raw["renderer"] = {"name": renderer}
    if model:
        raw.setdefault("renderer", {"name": T2iEnhancement.default_renderer})["model"] = model
    if scorer:
        raw["scorer"] = {"name": scorer}
    if generator:
        raw["generator"] = {"name": generator}
    if iterations is not None:
        raw["stop"] = [{"name": "max-iterations", "n": iterations}]
    samples = [str(Path(p).expanduser().resolve()) if Path(p).expanduser().is_file() else p for p in inputs]
    if output is None:
        parts = [preset, renderer, model, scorer, generator, seed, iterations, samples]
        key = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
        output = str(Path("runs") / f"enhance-{preset}-{key[:10]}")
    raw["run"] = {"task": TASK, "samples": samples, "output": output, "seed": seed}
    return raw


def _paths(record: SampleRecord, folder: Path) -> tuple[str | None, str | None]:
    arts = record.artifacts
    enhanced = arts.get("final") or arts.get("best")
    original = arts.get("initial-final")
    return (str(folder / original) if original else None, str(folder / enhanced) if enhanced else None)


def print_results(records: list[tuple[Any, SampleRecord]], folder: Path, as_json: bool) -> None:
    """One line (or JSON object) per prompt."""
    for sample, record in records:
        original, enhanced = _paths(record, folder)
        if as_json:
            print(json.dumps({
                "id": sample.id, "prompt": sample.source, "status": record.status, "enhanced_prompt": record.best_text,
                "score": record.best_score, "original_score": record.initial_best_score,
                "iterations": record.iterations, "render_seed": record.meta.get("render_seed"),
                "original_image": original, "enhanced_image": enhanced, "error": record.error,
            }), flush=True)
        elif record.ok and record.best_score is not None:
            before = f"{record.initial_best_score:.4f}" if record.initial_best_score is not None else "n/a"
            print(f"{sample.source}\n  -> {record.best_text}\n  score {before} -> {record.best_score:.4f}; "
                  f"images: original {original}, enhanced {enhanced}")
        else:
            print(f"{sample.source!r}: FAILED: {record.error}")


def cmd_enhance(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils enhance``."""
    from mils_core.runner import execute

    raw = enhance_config(args.prompts, args.preset, output=args.output, renderer=args.renderer, model=args.model,
                         scorer=args.scorer, generator=args.generator, seed=args.seed, iterations=args.iterations)
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=args.overrides)
    summary = execute(config, pm, progress=not args.no_progress and not args.json)
    folder = config.output_dir()
    records = {r.id: r for r in read_sample_records(folder)}
    samples = pm.registry.get("task", TASK).build(config.task_options).samples(config.run.samples)
    print_results([(s, records[s.id]) for s in samples if s.id in records], folder, args.json)
    if not args.json:
        print(f"run folder: {summary['output']}")
    return 1 if summary["failed"] else 0


def add_enhance_command(subparsers: Any) -> None:
    """Register ``mils enhance`` on the CLI."""
    from mils_core.cli import add_run_options

    p = subparsers.add_parser("enhance", help="rewrite text-to-image prompts so their images match them better")
    p.add_argument("prompts", nargs="+", help="prompts in quotes, or prompt files (.txt one per line, .csv, .jsonl)")
    p.add_argument("--preset", default="fast", help="a t2i-enhancement preset: fast (default) or paper")
    p.add_argument("--renderer", help="a renderer name instead of the preset's (sdxl, sd3, flux, diffusers)")
    p.add_argument("--model", help="the renderer's model: a hub id or a local pipeline folder")
    p.add_argument("--scorer", help="a scorer name instead of the preset's PickScore")
    p.add_argument("--generator", help="a generator name instead of the preset's")
    p.add_argument("--output", help="run folder (default: runs/enhance-<preset>-<hash of inputs>)")
    p.add_argument("--iterations", type=int, help="iterations of the search (default: the preset's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object per prompt")
    add_run_options(p)
    p.set_defaults(handler=cmd_enhance)
