"""``mils stylize CONTENT STYLE``: style transfer of one pair with a preset; prints the result image and both losses."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

TASK = "style-transfer"


def stylize_config(content: str, style: str, preset: str | None, *, output: str | None = None,
                   seed: int = 0) -> dict[str, Any]:
    """The run config ``mils stylize`` uses: the task's preset (default ``offline``) and the one pair."""
    from mils_style.task import StyleTransfer

    chosen = preset or "offline"
    raw: dict[str, Any] = StyleTransfer.preset(chosen)
    pair = {"content": str(Path(content).expanduser().resolve()), "style": str(Path(style).expanduser().resolve())}
    if output is None:
        key = hashlib.sha256(json.dumps([chosen, seed, pair]).encode()).hexdigest()[:10]
        output = str(Path("runs") / f"stylize-{chosen}-{key}")
    raw["run"] = {"task": TASK, "samples": [pair], "output": output, "seed": seed}
    return raw


def _result(record: Any, output: Path) -> dict[str, Any]:
    best = record.artifacts.get("best")
    objectives = record.best_objectives or {}
    initial = record.initial_best_text
    return {
        "id": record.id, "status": record.status, "content": record.meta.get("content"),
        "style": record.meta.get("style"), "instruction": record.best_text,
        "result": str(output / best) if best else None,
        "style_loss": objectives.get("style"), "content_loss": objectives.get("content"),
        "score": record.best_score, "initial_best_instruction": initial,
        "initial_best_score": record.initial_best_score,
        "initial_style_loss": (record.history_objectives[0][0] if record.history_objectives
                               and record.history_objectives[0] else None),
        "iterations": record.iterations, "error": record.error,
    }


def cmd_stylize(args: argparse.Namespace, pm: Any) -> int:
    """Handler of ``mils stylize``."""
    from mils_core.config import config_from_dict
    from mils_core.results import read_sample_records
    from mils_core.runner import execute

    raw = stylize_config(args.content, args.style, args.preset, output=args.output, seed=args.seed)
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=args.overrides)
    summary = execute(config, pm, progress=not args.no_progress and not args.json)
    output = Path(summary["output"])
    for record in read_sample_records(config.output_dir()):
        result = _result(record, output)
        if args.json:
            print(json.dumps(result), flush=True)
        elif record.ok:
            print(f"result: {result['result']}\ninstruction: {result['instruction']}\n"
                  f"style loss {result['style_loss']:.4f}, content loss {result['content_loss']:.4f} (lower is better; "
                  f"best of the initial pool: style {result['initial_style_loss']:.4f})")
        else:
            print(f"{args.content} + {args.style}: FAILED: {record.error}")
    if not args.json:
        print(f"run folder: {summary['output']}")
    return 1 if summary["failed"] else 0


def add_stylize_command(subparsers: Any) -> None:
    """Register ``mils stylize`` on the CLI."""
    from mils_core.cli import add_run_options

    p = subparsers.add_parser("stylize", help="style transfer: edit a content image towards a style image")
    p.add_argument("content", help="the content image (the photo that is edited)")
    p.add_argument("style", help="the style image (the look to imitate)")
    p.add_argument("--preset", help="offline (default: packaged weights, CPU), fast, or paper")
    p.add_argument("--output", help="run folder (default: runs/stylize-<preset>-<hash of inputs>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object with the result and both losses")
    add_run_options(p)
    p.set_defaults(handler=cmd_stylize)
