"""Metric parity with pycocoevalcap's COCOEvalCap, the Java-free path, SPICE without downloads, the PTB fallback."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import structlog
from eval_helpers import DATA, coco_fixture, needs_java, record, write_records

from mils_core.errors import ConfigError
from mils_eval.evaluate import evaluate_run
from mils_eval.metrics import compute_metrics, find_corenlp, parse_metrics
from mils_eval.ptb import tokenize, tokenize_caption

PARITY_KEYS = ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr")


class _MiniCOCO:
    """The two things COCOEvalCap reads from a pycocotools COCO object."""

    def __init__(self, annotations: list[dict[str, Any]]) -> None:
        self.imgToAnns: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ann in annotations:
            self.imgToAnns[ann["image_id"]].append(ann)

    def getImgIds(self) -> list[int]:  # noqa: N802 - pycocotools' name
        return list(self.imgToAnns)


class _NoSpice:
    """Stands in for pycocoevalcap's Spice in COCOEvalCap (its constructor downloads CoreNLP)."""

    def compute_score(self, gts: dict[Any, Any], res: dict[Any, Any]) -> tuple[float, list[float]]:
        return 0.0, [0.0] * len(gts)

    def method(self) -> str:
        return "SPICE"


def _fixture_run(tmp_path: Path) -> Path:
    fx = coco_fixture()
    return write_records(tmp_path / "run", [record(sid, text) for sid, text in fx["candidates"].items()])


def reference_scores(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """pycocoevalcap's own numbers for the fixture, through COCOEvalCap.evaluate()."""
    import pycocoevalcap.eval as coco_eval

    monkeypatch.setattr(coco_eval, "Spice", _NoSpice)
    fx = coco_fixture()
    gts = _MiniCOCO(fx["annotations"])
    res = _MiniCOCO([{"image_id": int(k), "caption": v, "id": n} for n, (k, v) in enumerate(fx["candidates"].items())])
    evaluator = coco_eval.COCOEvalCap(gts, res)
    evaluator.evaluate()
    return {k: float(evaluator.eval[k]) for k in PARITY_KEYS}


@pytest.mark.slow  # two METEOR JVMs load their paraphrase tables (~20 s each on 2 cores)
@needs_java
def test_parity_with_cocoevalcap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ref = reference_scores(monkeypatch)
    ours = evaluate_run(_fixture_run(tmp_path), DATA / "coco_fixture.json", parse_metrics("Bleu,METEOR,ROUGE_L,CIDEr"))
    capsys.readouterr()
    table = "\n".join(f"{k:<8} ours {ours['metrics'][k]:.6f}  pycocoevalcap {ref[k]:.6f}" for k in PARITY_KEYS)
    print(table)
    assert ours["tokenizer"] == "ptb-java"
    for key in PARITY_KEYS:
        assert round(ours["metrics"][key], 4) == round(ref[key], 4), table
    assert ours["counts"]["evaluated"] == 8
    assert "SPICE" not in ours["metrics"] and "SPIDEr" not in ours["metrics"]
    # the scores separate good from bad captions (a sanity check of the fixture itself)
    per = ours["per_sample"]
    assert per["100002"]["CIDEr"] > per["100008"]["CIDEr"]
    assert (tmp_path / "run" / "metrics.json").is_file()


def test_without_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No java on PATH: BLEU/ROUGE-L/CIDEr run with the Python tokenizer, METEOR and SPICE are skipped, one warning."""
    empty = tmp_path / "no-java-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("java") is None
    with structlog.testing.capture_logs() as logs:
        out = evaluate_run(_fixture_run(tmp_path), DATA / "coco_fixture.json")
    for key in ("Bleu_1", "Bleu_4", "ROUGE_L", "CIDEr"):
        assert isinstance(out["metrics"][key], float)
    assert "METEOR" not in out["metrics"] and "SPICE" not in out["metrics"]
    assert "no Java runtime" in out["skipped"]["METEOR"] and "no Java runtime" in out["skipped"]["SPICE"]
    assert out["tokenizer"] == "ptb-python"
    java_warnings = [e for e in logs if e["log_level"] == "warning" and "Java" in e["event"]]
    assert len(java_warnings) == 1
    assert "apt-get install default-jre-headless" in java_warnings[0]["event"]
    assert "METEOR" in java_warnings[0]["event"]


@needs_java
def test_python_tokenizer_gives_the_same_scores_as_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_java = evaluate_run(_fixture_run(tmp_path), DATA / "coco_fixture.json", ("Bleu", "ROUGE_L", "CIDEr"))
    monkeypatch.setenv("PATH", str(tmp_path))
    without = evaluate_run(_fixture_run(tmp_path), DATA / "coco_fixture.json", ("Bleu", "ROUGE_L", "CIDEr"))
    assert with_java["tokenizer"] == "ptb-java" and without["tokenizer"] == "ptb-python"
    for key, value in with_java["metrics"].items():
        assert without["metrics"][key] == pytest.approx(value, abs=1e-9), key


TRICKY = [
    "A man riding a wave on top of a surfboard.",
    "The dog's ball isn't red; it's \"blue\" (mostly)!",
    "Two people -- one tall, one short -- walk... slowly?",
    "A cat sitting on a laptop's keyboard, at 3:45 p.m. on Jan. 5th.",
    "It costs $5.50 & more: 100% sure. U.S.A. cats can't won't don't",
    "a {curly} [square] <angle> `tick' 'single' ''double''",
    "Children's toys are on the floor. They're playing. I'd've gone",
    "\u201cSmart quotes\u201d and \u2018single smart\u2019 \u2014 em dash \u2013 en dash\u2026 ellipsis",
    "and/or 1/2 cup 10-year-old e.g. mr. smith went to st. paul etc. vs. inc.",
    "it's 5 o'clock in the '90s. rock 'n' roll",
    "a man holding a sign that says \"stop!\" and a cat.",
    "cars' wheels and James' hat",
    "hello!!! what?! ok...",
    "there are 1,000 birds and 3.5 cats",
    "cannot gonna wanna gotta lemme",
    "a well-known e-mail address: foo@bar.com http://x.y/z",
    "a man w/ a hat @ the park # 1",
    "",
]


@needs_java
def test_python_tokenizer_matches_the_java_ptb_tokenizer() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    fx = coco_fixture()
    captions = [a["caption"] for a in fx["annotations"]] + list(fx["candidates"].values()) + TRICKY
    inp = {str(i): [{"caption": c}] for i, c in enumerate(captions)}
    java = PTBTokenizer().tokenize(inp)
    ours = tokenize(inp)
    diffs = [(captions[int(k)], java[k], ours[k]) for k in inp if java[k] != ours[k]]
    assert not diffs


def test_python_tokenizer_examples() -> None:
    assert tokenize_caption("A Dog's ball isn't (red).") == "a dog 's ball is n't -lrb- red -rrb-"
    assert tokenize_caption("Two dogs, one cat; 1,000 birds at 3:45!") == "two dogs one cat 1,000 birds at 3:45"
    assert tokenize_caption("Mr. Smith can't go.") == "mr. smith ca n't go"


def test_spice_never_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import urllib.request

    import pycocoevalcap.spice.get_stanford_models as gsm

    def no_network(*a: Any, **k: Any) -> Any:
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(urllib.request, "urlretrieve", no_network)
    monkeypatch.setattr(gsm, "urlretrieve", no_network)
    monkeypatch.setattr(gsm, "get_stanford_models", no_network)
    jars, why = find_corenlp(None)
    assert jars == [] and why is not None and "--spice-corenlp" in why and "never downloads" in why
    out = compute_metrics({"a": ["a dog runs", "a dog is running"], "b": ["a cat sleeps"]},
                          {"a": "a dog running", "b": "a cat"}, ("CIDEr", "SPICE"))
    assert "CIDEr" in out.scores and "SPICE" not in out.scores and "SPIDEr" not in out.scores
    assert "SPICE" in out.skipped
    _, why = find_corenlp(tmp_path / "nowhere")
    assert why is not None and "not found" in why
    (tmp_path / "corenlp").mkdir()
    _, why = find_corenlp(tmp_path / "corenlp")
    assert why is not None and "stanford-corenlp-3.6.0-models.jar" in why


@needs_java
def test_spice_with_broken_corenlp_is_skipped_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "stanford-corenlp-full-2015-12-09"
    folder.mkdir()
    for name in ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar"):
        (folder / name).write_bytes(b"not a jar")
    out = compute_metrics({"a": ["a dog runs"], "b": ["a cat sleeps"]}, {"a": "a dog", "b": "a cat"},
                          ("CIDEr", "SPICE"), spice_corenlp=tmp_path)
    assert "CIDEr" in out.scores
    assert out.skipped["SPICE"].startswith("SPICE failed")


def test_parse_metrics() -> None:
    assert parse_metrics(None) == ("Bleu", "METEOR", "ROUGE_L", "CIDEr", "SPICE")
    assert parse_metrics("cider,bleu") == ("Bleu", "CIDEr")
    assert parse_metrics("SPIDEr") == ("CIDEr", "SPICE")
    with pytest.raises(ConfigError, match="Did you mean 'CIDEr'"):
        parse_metrics("CIDEer")


def test_metrics_json_is_valid_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run = _fixture_run(tmp_path)
    evaluate_run(run, DATA / "coco_fixture.json", ("Bleu", "CIDEr"))
    data = json.loads((run / "metrics.json").read_text(), parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert set(data["metrics"]) == {"Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "CIDEr"}
    assert data["counts"] == {"records": 8, "evaluated": 8, "failed": 0, "missing": 0, "no_references": 0}
