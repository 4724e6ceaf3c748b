"""``mils eval`` on runs with failed and missing samples, every reference format, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import DATA, coco_fixture, record, write_records

from mils_core.cli import main
from mils_core.testing.helpers import assert_import_is_light
from mils_eval.evaluate import evaluate_run

FAST = ("Bleu", "ROUGE_L", "CIDEr")


def test_failed_and_missing_samples_are_counted_and_listed(tmp_path: Path) -> None:
    fx = coco_fixture()
    cands = fx["candidates"]
    recs = [record(sid, cands[sid]) for sid in list(cands)[:6]]
    recs.append(record("100007", None, status="failed", error="cannot read sample '100007': broken JPEG"))
    recs.append(record("extra-1", "a photo of something"))  # a record the references do not know
    recs.append(record("extra-2", None, status="failed"))  # failed without an error message
    run = write_records(tmp_path / "run", recs)
    out = evaluate_run(run, DATA / "coco_fixture.json", FAST)
    assert out["counts"] == {"records": 9, "evaluated": 6, "failed": 2, "missing": 1, "no_references": 1}
    assert out["failed"] == [{"id": "100007", "error": "cannot read sample '100007': broken JPEG"},
                             {"id": "extra-2", "error": "failed (no error recorded)"}]
    assert out["missing"] == ["100008"]
    assert out["no_references"] == ["extra-1"]
    assert set(out["per_sample"]) == set(list(cands)[:6])
    assert out["metrics"]["CIDEr"] > 0
    assert out["CIDEr"] == out["metrics"]["CIDEr"] and "Bleu_4" in out  # flat keys, pycocoevalcap's names
    saved = json.loads((run / "metrics.json").read_text())
    assert saved["counts"] == out["counts"] and saved["missing"] == ["100008"]


def test_nothing_evaluable_is_reported_not_a_crash(tmp_path: Path) -> None:
    run = write_records(tmp_path / "run", [record("100001", None, status="failed", error="boom")])
    out = evaluate_run(run, DATA / "coco_fixture.json", FAST)
    assert out["metrics"] == {} and out["counts"]["failed"] == 1 and out["counts"]["missing"] == 7
    assert "no sample could be evaluated" in out["warnings"][0]


def test_coco_refs_match_by_file_name_and_json_map_refs(tmp_path: Path) -> None:
    fx = coco_fixture()
    # ids that are file-name stems, and ids unrelated to the refs whose *source* file name matches
    recs = [record(f"COCO_val2014_{int(sid):012d}", text) for sid, text in list(fx["candidates"].items())[:4]]
    recs += [record(f"s{n}", text, source=f"/imgs/COCO_val2014_{int(sid):012d}.jpg")
             for n, (sid, text) in enumerate(list(fx["candidates"].items())[4:])]
    run = write_records(tmp_path / "run", recs)
    out = evaluate_run(run, DATA / "coco_fixture.json", FAST)
    assert out["counts"]["evaluated"] == 8 and out["counts"]["missing"] == 0
    refs = {sid: [a["caption"] for a in fx["annotations"] if str(a["image_id"]) == sid] for sid in fx["candidates"]}
    ref_file = tmp_path / "refs.json"
    ref_file.write_text(json.dumps(refs))
    run2 = write_records(tmp_path / "run2", [record(sid, t) for sid, t in fx["candidates"].items()])
    out2 = evaluate_run(run2, ref_file, FAST)
    assert out2["metrics"] == pytest.approx(out["metrics"])


def test_refs_from_the_records_meta(tmp_path: Path) -> None:
    run = write_records(tmp_path / "run", [
        record("a", "a dog runs on grass", refs=["a dog running on the grass", "a brown dog runs"]),
        record("b", "a cat", refs=["a cat sleeping on a bed", "a cat on a bed"]),
        record("c", None, status="failed", error="x", refs=["a red car"]),
    ])
    out = evaluate_run(run, None, FAST)
    assert out["counts"] == {"records": 3, "evaluated": 2, "failed": 1, "missing": 0, "no_references": 0}
    assert out["references"] == "the run's records (meta.references)"


def test_cli_table_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = coco_fixture()
    run = write_records(tmp_path / "run", [record(sid, t) for sid, t in fx["candidates"].items()]
                        + [record("zzz", None, status="failed", error="generator timed out")])
    assert main(["eval", str(run), "--refs", str(DATA / "coco_fixture.json"), "--metrics", "Bleu,CIDEr"]) == 0
    out = capsys.readouterr().out
    assert "Bleu_4" in out and "CIDEr" in out and "failed 1" in out and "zzz (generator timed out)" in out
    assert main(["eval", str(run), "--refs", str(DATA / "coco_fixture.json"), "--metrics", "CIDEr", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["metrics"]) == {"CIDEr"} and data["counts"]["failed"] == 1 and "per_sample" not in data

    def usage_error(argv: list[str], needle: str) -> None:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and needle in err, err

    usage_error(["eval", str(tmp_path / "nope")], "run folder")
    usage_error(["eval", str(tmp_path)], "has no results.jsonl")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    usage_error(["eval", str(run), "--refs", str(bad)], "is not valid JSON")
    bad.write_text(json.dumps({"a": [1, 2]}))
    usage_error(["eval", str(run), "--refs", str(bad)], "must be a list of caption strings")
    bad.write_text(json.dumps({"annotations": [{"caption": "x"}]}))
    usage_error(["eval", str(run), "--refs", str(bad)], "lacks 'image_id'")
    usage_error(["eval", str(run), "--refs", str(tmp_path / "none.json")], "not found")
    usage_error(["eval", str(run), "--metrics", "BLUE"], "unknown metric 'BLUE'")
    usage_error(["eval", str(run)], "no reference captions")
    usage_error(["report", str(tmp_path / "nope")], "run folder")


def test_import_plugin_is_light() -> None:
    assert_import_is_light("mils_eval.plugin", forbidden=("torch", "matplotlib", "pycocoevalcap", "PIL"))
