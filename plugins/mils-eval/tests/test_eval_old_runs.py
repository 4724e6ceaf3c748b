"""``mils eval`` and ``mils report`` read run folders written before records had a schema (version 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from eval_helpers import DATA, coco_fixture, write_records

from mils_core.cli import main
from mils_core.records import SCHEMA_VERSION, SampleRecord

FAST = ("Bleu", "ROUGE_L", "CIDEr")


def v1_record(sid: str, text: str | None, n: int, *, status: str = "ok", error: str | None = None) -> dict[str, Any]:
    """A record as the loop wrote it before ``schema`` existed: no ``schema`` key, and a two-objective
    sample carried its score's parts as ``best_score_parts``."""
    ok = status == "ok"
    rec: dict[str, Any] = {
        "id": sid, "status": status, "source": f"/imgs/COCO_val2014_{int(sid):012d}.jpg", "best_text": text,
        "best_score": 0.5 + n / 100 if ok else None, "initial_best_text": "a photo" if ok else None,
        "initial_best_score": 0.2 + n / 200 if ok else None, "history": [0.2, 0.4, 0.5 + n / 100] if ok else [],
        "history_mean": [0.1, 0.3, 0.4] if ok else [], "iterations": 2 if ok else 0,
        "stop_reason": "MaxIterations" if ok else "", "top": [[text, 0.5]] if text else [],
        "counters": {"candidates_scored": 30}, "tokens": {"prompt": 100 + n, "completion": 20},
        "timings": {"load": 0.01, "initial": 0.02, "generate": 0.5, "score": 0.1, "total": 0.63}, "meta": {},
    }
    if ok and n % 2:
        rec["best_score_parts"] = [0.3, 0.2 + n / 100]
    if error is not None:
        rec["error"] = error
    return rec


def as_schema_2(data: dict[str, Any]) -> dict[str, Any]:
    """The same record as the loop writes it now."""
    return attrs.evolve(SampleRecord.from_dict(data), schema=SCHEMA_VERSION).to_dict()


def v1_run(folder: Path) -> Path:
    fx = coco_fixture()
    recs = [v1_record(sid, text, n) for n, (sid, text) in enumerate(fx["candidates"].items()) if n < 6]
    recs.append(v1_record("100007", None, 7, status="failed", error="cannot read sample '100007': broken JPEG"))
    recs.append(v1_record("100008", None, 8, status="failed"))  # failed without an error message
    run = write_records(folder, recs)
    with open(run / "results.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "100009", "status": "ok", "best_te')  # an interrupted writer's last line
    (run / "summary.json").write_text(json.dumps(  # summary.json before it had a schema
        {"ok": 6, "failed": 2, "skipped": 0, "total": 8, "seconds": 4.321, "output": str(run), "scorer_stats": {}}))
    return run


def test_the_schema_1_fixture_is_old() -> None:
    lines = [v1_record("1", "a cat", 1), v1_record("2", "a cat", 2), v1_record("3", None, 3, status="failed")]
    assert all("schema" not in r for r in lines) and "best_score_parts" in lines[0]
    assert SampleRecord.from_dict(lines[0]).schema == 1
    assert SampleRecord.from_dict(lines[0]).best_objectives == pytest.approx({"objective_0": 0.3, "objective_1": 0.21})
    assert as_schema_2(lines[0])["schema"] == SCHEMA_VERSION and "best_score_parts" not in as_schema_2(lines[0])


def test_eval_and_report_read_a_schema_1_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = v1_run(tmp_path / "v1" / "run")
    assert main(["eval", str(old), "--refs", str(DATA / "coco_fixture.json"), "--metrics", ",".join(FAST)]) == 0
    table = capsys.readouterr().out
    assert "evaluated 6 of 8 records; failed 2, missing 0" in table
    assert "100007 (cannot read sample '100007': broken JPEG)" in table and "100008 (failed (no error recorded))" in table
    metrics = json.loads((old / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["counts"] == {"records": 8, "evaluated": 6, "failed": 2, "missing": 0, "no_references": 0}
    assert metrics["metrics"]["CIDEr"] > 0 and len(metrics["per_sample"]) == 6
    assert main(["report", str(old)]) == 0
    html = (old / "report.html").read_text(encoding="utf-8")
    assert "Failed samples (2)" in html and "broken JPEG" in html and "no error recorded" in html
    assert "wall time of the last run invocation: 4.32 s" in html  # the schema-1 summary.json
    assert "CIDEr" in html and html.count("data:image/png;base64,") == 3

    # the same run written now (schema 2) evaluates and reports identically
    new = tmp_path / "v2" / "run"
    lines = (old / "results.jsonl").read_text(encoding="utf-8").splitlines()
    write_records(new, [as_schema_2(json.loads(line)) for line in lines[:-1]])
    (new / "summary.json").write_text((old / "summary.json").read_text(encoding="utf-8"))
    assert all(json.loads(line)["schema"] == SCHEMA_VERSION for line in (new / "results.jsonl").read_text().splitlines())
    assert main(["eval", str(new), "--refs", str(DATA / "coco_fixture.json"), "--metrics", ",".join(FAST)]) == 0
    assert main(["report", str(new)]) == 0
    capsys.readouterr()
    metrics_new = json.loads((new / "metrics.json").read_text(encoding="utf-8"))
    for key in ("counts", "failed", "missing", "no_references", "metrics", "per_sample", "skipped", "tokenizer"):
        assert metrics_new[key] == metrics[key], key

    def normal(text: str, folder: Path) -> str:
        return re.sub(r"generated \S+ \S+ UTC", "generated X", text.replace(str(folder.resolve()), "RUN"))

    assert normal((new / "report.html").read_text(encoding="utf-8"), new) == normal(html, old)
    for png in ("report-curves.png", "report-scores.png", "report-timing.png"):
        assert (new / png).read_bytes() == (old / png).read_bytes(), png


def test_references_from_schema_1_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = {**v1_record("1", "a dog runs on grass", 1), "meta": {"references": ["a dog running on the grass"]}}
    b = {**v1_record("2", "a cat", 2), "meta": {"references": ["a cat sleeping on a bed"]}}
    run = write_records(tmp_path / "run", [a, b])
    assert main(["eval", str(run), "--metrics", ",".join(FAST), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["references"] == "the run's records (meta.references)"
    assert data["counts"] == {"records": 2, "evaluated": 2, "failed": 0, "missing": 0, "no_references": 0}
