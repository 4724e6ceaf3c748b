"""Helpers for mils-eval's tests (unique module name so several plugins' tests can run together)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mils_core.testing.helpers import run_config

DATA = Path(__file__).parent / "data"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime (apt-get install default-jre-headless)")


def coco_fixture() -> dict[str, Any]:
    """The hand-written COCO-style fixture: images, annotations (5 references each), candidates."""
    return json.loads((DATA / "coco_fixture.json").read_text(encoding="utf-8"))


def make_run(tmp_path: Path, raw_extra: dict[str, Any] | None = None, *, samples: Any = None, iterations: int = 3) -> Path:
    """A real run of the built-in text-target components; returns the run folder."""
    raw: dict[str, Any] = {
        "run": {"task": "text-target", "samples": samples if samples is not None else [
            "a dog runs on the beach", "two cats sleep on a red sofa", "a man rides a bicycle in the rain",
            "children play football in the park", "a plate of pasta with tomato sauce"],
            "output": "run", "seed": 0},
        "task": {"pool_size": 200},
        "generator": {"name": "mutate"},
        "scorer": {"name": "word-overlap"},
        "stop": [{"name": "max-iterations", "n": iterations}],
        "loop": {"top_k": 8, "n_new": 8, "batch_samples": 4},
    }
    raw.update(raw_extra or {})
    return run_config(raw, tmp_path).output


def write_records(folder: Path, records: list[dict[str, Any]]) -> Path:
    """A run folder holding exactly these records (as 'mils run' would write them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "results.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return folder


def record(sid: str, text: str | None, *, status: str = "ok", source: str | None = None, error: str | None = None,
           refs: list[str] | None = None) -> dict[str, Any]:
    """A results.jsonl record with the fields the loop writes."""
    rec: dict[str, Any] = {
        "id": sid, "status": status, "source": source if source is not None else f"/data/{sid}.jpg",
        "best_text": text, "best_score": 0.5 if status == "ok" else None,
        "initial_best_text": "a photo" if status == "ok" else None, "initial_best_score": 0.2 if status == "ok" else None,
        "history": [0.2, 0.4, 0.5] if status == "ok" else [], "history_mean": [0.1, 0.3, 0.4] if status == "ok" else [],
        "iterations": 2 if status == "ok" else 0, "stop_reason": "MaxIterations" if status == "ok" else "",
        "top": [[text, 0.5]] if text else [], "counters": {}, "tokens": {"prompt": 100, "completion": 20},
        "timings": {"load": 0.01, "initial": 0.02, "generate": 0.5, "score": 0.1, "total": 0.63},
        "meta": {"references": refs} if refs else {},
    }
    if error is not None:
        rec["error"] = error
    return rec
