"""Atomic records, repair of corrupt files, resuming, and kill -9 in the middle of a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core_helpers import demo_config
from mils_core.builtin.vocabulary import targets
from mils_core.errors import ResultsError
from mils_core.results import CORRUPT_FILE, ResultsStore, read_records
from mils_core.runner import execute


def test_truncated_last_line_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"id": "a", "status": "ok"}\n{"id": "b", "status": "ok"}\n{"id": "c", "sta')
    store = ResultsStore(tmp_path)
    assert sorted(store.records) == ["a", "b"] and store.repaired == 1
    assert path.read_text().endswith('"ok"}\n')
    assert '{"id": "c", "sta' in (tmp_path / CORRUPT_FILE).read_text()
    store.append({"id": "c", "status": "ok"})
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == ["a", "b", "c"]


def test_corrupt_middle_line_and_duplicates_are_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "results.jsonl").write_text('{"id": "a"}\ngarbage{\n{"id": "a"}\n[1, 2]\n{"id": "b"}\n')
    store = ResultsStore(tmp_path)
    assert sorted(store.records) == ["a", "b"] and store.repaired == 3
    assert len(read_records(tmp_path)) == 2
    with pytest.raises(ValueError, match="already has a record"):
        store.append({"id": "a"})


def test_nan_is_written_as_null(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    store.append({"id": "x", "best_score": float("nan")})
    assert json.loads((tmp_path / "results.jsonl").read_text())["best_score"] is None


def test_rerun_skips_finished_samples(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    config = demo_config(tmp_path, n=6)
    first = mils_run(config)
    second = mils_run(config)
    assert first.summary["ok"] == 6 and second.summary["skipped"] == 6 and second.summary["ok"] == 0
    assert second == first  # nothing appended, nothing rewritten
    assert len((config.output_dir() / "results.jsonl").read_text().splitlines()) == 6


def test_a_different_config_is_refused_in_the_same_folder(tmp_path: Path, mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    execute(demo_config(tmp_path, n=2), mils_plugin_manager, progress=False)
    changed = demo_config(tmp_path, n=2, loop={"n_new": 3})
    with pytest.raises(ResultsError, match=r"different config \(differs in: loop.n_new\)"):
        execute(changed, mils_plugin_manager, progress=False)


def test_retry_failed(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    config = demo_config(tmp_path, n=3)
    (tmp_path / "targets.txt").write_text("a dog runs\n\nthe cat\n")
    assert len(mils_run(config)) == 2
    out = config.output_dir() / "results.jsonl"
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    lines.append({"id": "line-000099", "status": "failed", "error": "x"})
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    retry = demo_config(tmp_path, n=3, run={"task": "text-target", "samples": "targets.txt", "output": "out", "retry_failed": True})
    (tmp_path / "targets.txt").write_text("a dog runs\n\nthe cat\n")
    records = mils_run(retry)
    assert records.summary["skipped"] == 2 and sorted(records.by_id) == ["line-000001", "line-000003"]


def _write_config(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.txt").write_text("\n".join(targets(n)) + "\n")
    cfg = folder / "run.toml"
    cfg.write_text(
        '[run]\ntask = "text-target"\nsamples = "targets.txt"\noutput = "out"\nseed = 3\n'
        '[task]\npool_size = 1500\n'
        '[loop]\nbatch_samples = 2\ntop_k = 20\nn_new = 30\n'
        '[[stop]]\nname = "max-iterations"\nn = 12\n'
    )
    return cfg


def _run(cfg: Path, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mils_core", "run", str(cfg), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def _without_timings(folder: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: {k: v for k, v in r.items() if k != "timings"} for r in read_records(folder)}


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    n = 40
    reference_cfg = _write_config(tmp_path / "reference", n)
    assert _run(reference_cfg).wait(timeout=300) == 0
    reference = _without_timings(tmp_path / "reference" / "out")
    assert len(reference) == n

    cfg = _write_config(tmp_path / "killed", n)
    results = tmp_path / "killed" / "out" / "results.jsonl"
    proc = _run(cfg)
    deadline = time.time() + 120
    while time.time() < deadline:
        if results.exists() and len(results.read_bytes().splitlines()) >= 8:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(read_records(tmp_path / "killed" / "out"))
    assert 8 <= done_before < n, "the kill should land mid-run"

    assert _run(cfg).wait(timeout=300) == 0
    lines = results.read_text().splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == n  # exactly one record per sample
    assert _without_timings(tmp_path / "killed" / "out") == reference
