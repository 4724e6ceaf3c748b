"""Typed records: what the loop writes, every schema version reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mils_core.errors import ResultsError
from mils_core.records import SCHEMA_VERSION, RunSummary, SampleRecord
from mils_core.results import RESULTS_FILE, read_sample_records

V1 = {  # as written before records had a schema (a two-objective sample)
    "id": "s1", "status": "ok", "source": "a.png", "best_text": "a cat", "best_score": 0.5,
    "initial_best_text": "a dog", "initial_best_score": 0.25, "history": [0.25, 0.5], "history_mean": [0.2, 0.4],
    "iterations": 1, "stop_reason": "MaxIterations", "top": [["a cat", 0.5]], "counters": {"candidates_scored": 3},
    "tokens": {"prompt": 10, "completion": 5}, "timings": {"total": 1.0}, "meta": {"references": ["a cat"]},
    "best_score_parts": [0.3, 0.2],
}


def test_a_schema_1_record_reads() -> None:
    record = SampleRecord.from_dict(V1)
    assert record.schema == 1 and record.ok
    assert record.best_text == "a cat" and record.best_score == 0.5
    assert record.best_objectives == {"objective_0": 0.3, "objective_1": 0.2}
    assert record.meta == {"references": ["a cat"]}


def test_round_trip_and_unknown_keys_are_kept() -> None:
    record = SampleRecord(id="7", status="failed", error="cannot read sample '7': truncated PNG")
    data = record.to_dict()
    assert data["schema"] == SCHEMA_VERSION and "artifacts" not in data and data["error"].startswith("cannot read")
    assert SampleRecord.from_dict(data) == record
    newer = {**data, "from_the_future": 1}
    assert SampleRecord.from_dict(newer).meta["from_the_future"] == 1


def test_a_record_without_id_is_named() -> None:
    with pytest.raises(ResultsError, match="lacks 'id' or 'status'"):
        SampleRecord.from_dict({"best_text": "x"})


def test_an_old_run_folder_reads(tmp_path: Path) -> None:
    (tmp_path / RESULTS_FILE).write_text(json.dumps(V1) + "\n" + json.dumps({**V1, "id": "s2"}) + "\n{truncated")
    records = read_sample_records(tmp_path)
    assert [r.id for r in records] == ["s1", "s2"]


def test_summary_round_trip() -> None:
    summary = RunSummary(ok=2, failed=1, skipped=0, total=3, seconds=1.5, output="/tmp/x")
    assert RunSummary.from_dict(summary.to_dict()) == summary
    assert RunSummary.from_dict({"ok": 1, "failed": 0, "skipped": 0, "total": 1, "seconds": 1.0, "output": "o"}).schema == 1


def test_nulls_read_as_empty_and_bad_numbers_are_named() -> None:
    record = SampleRecord.from_dict({"id": "a", "status": "ok", "meta": None, "history": None, "best_score": None})
    assert record.meta == {} and record.history == [] and record.best_score is None
    with pytest.raises(ResultsError, match="record 'b': best_score 'high' is not a number"):
        SampleRecord.from_dict({"id": "b", "status": "ok", "best_score": "high"})
