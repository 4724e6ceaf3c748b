"""``mils arithmetic``: caption each input with its task, merge the captions, enhance the merge into an image.

"image + audio → image" from the paper, and any mix of images, sounds and texts: the command
writes a pipeline (:mod:`mils_core.pipeline`) into its run folder and runs it, so every stage is a
normal, resumable run folder:

* ``image`` / ``audio``: the captioning tasks over every image / sound of every combination;
* ``merge``: the ``merge`` task over the combinations (``rows.jsonl``), each input replaced by
  its caption (texts are taken as they are);
* ``enhance``: the ``t2i-enhancement`` task over the merged prompts; its best image is the answer.

One combination comes from the flags (``--image`` and ``--audio`` may repeat: image + image),
many from ``--rows`` (a CSV/JSONL table with columns ``image``, ``image2``, ``audio``, ``text``, ...).
Each stage takes the named preset of its task when the task has it (else the task's first).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from mils_core.builtin.chaining import read_rows
from mils_core.errors import ConfigError
from mils_core.plugins import MilsPluginManager
from mils_core.results import atomic_write_text, read_sample_records

#: Input kind → (stage name, task, plugin that provides the task).
MODALITIES: dict[str, tuple[str, str, str]] = {
    "image": ("image", "image-captioning", "mils-image"),
    "audio": ("audio", "audio-captioning", "mils-audio"),
}
MERGE_TASK = "merge"
ENHANCE = ("enhance", "t2i-enhancement", "mils-t2i")
PIPELINE_NAME = "pipeline.toml"
ROWS_NAME = "rows.jsonl"


def column_kind(column: str) -> str | None:
    """``image``, ``audio`` or ``text`` for a rows-table column (``image2`` is an image), None otherwise."""
    stem = column.rstrip("0123456789_-").lower()
    return stem if stem in (*MODALITIES, "text") else None


def combinations_from_flags(images: Sequence[str], audios: Sequence[str], texts: Sequence[str]) -> list[dict[str, str]]:
    """One combination from repeatable flags: ``image``, ``image2``, ..., ``audio``, ..., ``text``, ..."""
    row: dict[str, str] = {}
    for kind, values in (("image", images), ("audio", audios), ("text", texts)):
        for i, value in enumerate(values):
            row[kind if i == 0 else f"{kind}{i + 1}"] = value
    if len(row) < 1:
        raise ConfigError("mils arithmetic needs inputs: --image, --audio and/or --text (or --rows FILE)")
    return [row]


def combinations_from_table(path: Path) -> list[dict[str, str]]:
    """The combinations of a rows table; one-line errors for unknown columns."""
    if not path.is_file():
        raise ConfigError(f"--rows {str(path)!r} does not exist (a .csv or .jsonl table, one combination per row)")
    rows = read_rows(path)
    if not rows:
        raise ConfigError(f"--rows {str(path)!r} has no rows")
    for column in rows[0]:
        if column != "id" and column_kind(column) is None:
            raise ConfigError(f"--rows {str(path)!r}: column {column!r} is not an input; name columns image, image2, "
                              "audio, text, ... (and optionally id)")
    out = []
    for row in rows:
        resolved = {}
        for column, value in row.items():
            if column_kind(column) in MODALITIES and value:
                value = str((path.parent / Path(value).expanduser()).resolve())  # absolute paths stay, links resolved
            resolved[column] = value
        out.append(resolved)
    return out


def _task_sections(pm: MilsPluginManager, task: str, plugin: str, preset: str | None) -> dict[str, Any]:
    from mils_core.bench import task_class

    if task not in {s.name for s in pm.registry.specs("task")}:
        raise ConfigError(f"mils arithmetic needs the {task!r} task: install the {plugin} plugin "
                          f"(pip install -e plugins/{plugin})")
    cls = task_class(pm, task)
    presets: Mapping[str, Any] = getattr(cls, "presets", {}) if cls is not None else {}
    if not presets:
        return {}
    chosen = preset if preset in presets else next(iter(presets))
    sections: dict[str, Any] = cls.preset(chosen)  # type: ignore[union-attr]
    return sections


def build_pipeline(pm: MilsPluginManager, rows: list[dict[str, str]], folder: Path, preset: str | None,
                   seed: int = 0) -> dict[str, Any]:
    """The pipeline config of these combinations; writes ``rows.jsonl`` (ids added) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    table = []
    for n, row in enumerate(rows, 1):
        inputs = {k: v for k, v in row.items() if k != "id" and v}
        if not inputs:
            raise ConfigError(f"combination {n} has no inputs")
        key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:8]
        table.append({"id": row.get("id") or f"combo-{n:03d}-{key}", **inputs})
    atomic_write_text(folder / ROWS_NAME, "".join(json.dumps(r) + "\n" for r in table))
    stages: list[dict[str, Any]] = []
    links: dict[str, str] = {}
    for kind, (stage, task, plugin) in MODALITIES.items():
        files = sorted({v for r in table for c, v in r.items() if column_kind(c) == kind})
        if not files:
            continue
        stages.append({"name": stage, **_task_sections(pm, task, plugin, preset),
                       "run": {"task": task, "samples": files}})
        links.update({c: stage for r in table for c in r if column_kind(c) == kind})
    columns = sorted({c for r in table for c in r if c != "id"}, key=lambda c: (c.rstrip("0123456789"), c))
    merge = _task_sections(pm, MERGE_TASK, "mils-core", preset)
    stages.append({"name": "merge", **merge, "run": {"task": MERGE_TASK},
                   "dataset": {"name": "combinations", "rows": str(folder / ROWS_NAME), "stages": links,
                               "columns": columns}})
    stage, task, plugin = ENHANCE
    stages.append({"name": stage, **_task_sections(pm, task, plugin, preset), "run": {"task": task},
                   "dataset": {"name": "run-records", "stage": "merge"}})
    return {"pipeline": {"output": str(folder), "seed": seed}, "stage": stages}


def _best(folder: Path) -> dict[str, Any]:
    if not folder.exists():
        return {}
    return {r.id: r for r in read_sample_records(folder)}


def report_lines(folder: Path, table: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Per combination: each input's caption, the merged prompt, the enhanced prompt and the image path."""
    image, audio = _best(folder / "image"), _best(folder / "audio")
    by_source = {str(r.source): r for r in [*image.values(), *audio.values()]}
    merged, enhanced = _best(folder / "merge"), _best(folder / ENHANCE[0])
    out = []
    for row in table:
        inputs = {}
        for column, value in row.items():
            if column == "id":
                continue
            record = by_source.get(value)
            inputs[column] = {"input": value, "caption": record.best_text if record else value,
                              "error": record.error if record and not record.ok else None}
        m, e = merged.get(row["id"]), enhanced.get(row["id"])
        artifacts = e.artifacts if e is not None else {}
        image_paths = {k: str(folder / ENHANCE[0] / v) for k, v in artifacts.items()}
        failed = next((r.error for r in (m, e) if r is not None and not r.ok), None)
        out.append({"id": row["id"], "inputs": inputs, "merged": m.best_text if m else None,
                    "enhanced": e.best_text if e else None, "images": image_paths, "error": failed})
    return out


def cmd_arithmetic(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils arithmetic``."""
    from mils_core.pipeline import pipeline_from_dict, run_pipeline

    if args.rows:
        rows = combinations_from_table(Path(args.rows).expanduser().resolve())
    else:
        images = [str(Path(p).expanduser().resolve()) for p in args.image]
        audios = [str(Path(p).expanduser().resolve()) for p in args.audio]
        rows = combinations_from_flags(images, audios, args.text)
    if args.output:
        folder = Path(args.output).expanduser().resolve()
    else:
        key = hashlib.sha256(json.dumps([rows, args.preset, args.seed]).encode()).hexdigest()[:10]
        folder = (Path("runs") / f"arithmetic-{args.preset or 'default'}-{key}").resolve()
    raw = build_pipeline(pm, rows, folder, args.preset, args.seed)
    atomic_write_text(folder / PIPELINE_NAME, tomli_w.dumps(raw))
    summaries = run_pipeline(pipeline_from_dict(raw, base_dir=folder, overrides=args.overrides), pm,
                             progress=not args.no_progress and not args.json)
    table = [json.loads(line) for line in (folder / ROWS_NAME).read_text(encoding="utf-8").splitlines() if line]
    for line in report_lines(folder, table):
        if args.json:
            print(json.dumps(line), flush=True)
            continue
        print(f"{line['id']}:")
        for column, item in line["inputs"].items():
            caption = f"FAILED: {item['error']}" if item["error"] else item["caption"]
            shown = Path(item["input"]).name if column_kind(column) in MODALITIES else repr(item["input"])
            print(f"  {column} {shown}: {caption}")
        if line["error"]:
            print(f"  FAILED: {line['error']}")
            continue
        print(f"  merged: {line['merged']}\n  enhanced: {line['enhanced']}")
        for name, path in line["images"].items():
            print(f"  image ({name}): {path}")
    if not args.json:
        print(f"run folder: {folder} (pipeline {folder / PIPELINE_NAME}; re-run to resume)")
    return 1 if any(s["failed"] for s in summaries.values()) else 0


def add_arithmetic_command(subparsers: Any) -> None:
    """Register ``mils arithmetic`` on the CLI."""
    from mils_core.cli import add_run_options

    p = subparsers.add_parser("arithmetic", help="caption images and sounds, merge the captions, enhance into an image")
    p.add_argument("--image", action="append", default=[], metavar="FILE", help="an image input (repeat: image + image)")
    p.add_argument("--audio", action="append", default=[], metavar="FILE", help="a sound input (repeatable)")
    p.add_argument("--text", action="append", default=[], metavar="TEXT", help="a text input (repeatable)")
    p.add_argument("--rows", metavar="FILE", help="a CSV/JSONL table, one combination per row (columns image, audio, text...)")
    p.add_argument("--preset", help="the preset each stage's task uses, e.g. offline, fast, paper")
    p.add_argument("--output", help="run folder (default: runs/arithmetic-<preset>-<hash of inputs>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object per combination")
    add_run_options(p)
    p.set_defaults(handler=cmd_arithmetic)
