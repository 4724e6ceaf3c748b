"""``mils report``: self-contained HTML with plots, for a text-only run and for a run over image files."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from eval_helpers import make_run

from mils_core.cli import main
from mils_core.results import read_sample_records
from mils_eval.evaluate import evaluate_run
from mils_eval.report import build_report

TARGETS = ["a dog runs on the beach", "two cats sleep on a red sofa", "a man rides a bicycle in the rain",
           "children play football in the park"]


def assert_self_contained(text: str) -> None:
    assert "http://" not in text and "https://" not in text
    assert 'src="file:' not in text and "<script" not in text and "<link" not in text
    assert "url(" not in text  # no CSS-loaded resources
    sources = re.findall(r'src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/") for s in sources)


def test_report_of_a_text_target_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = tmp_path / "targets.jsonl"
    lines = [json.dumps({"id": f"t{i}", "text": t}) for i, t in enumerate(TARGETS)] + ["{this line is broken"]
    samples.write_text("\n".join(lines) + "\n")
    run = make_run(tmp_path, samples="targets.jsonl")
    records = read_sample_records(run)
    assert sum(not r.ok for r in records) == 1
    refs = tmp_path / "refs.json"
    refs.write_text(json.dumps({f"t{i}": [t] for i, t in enumerate(TARGETS)}))
    evaluate_run(run, refs, ("Bleu", "CIDEr"))
    assert main(["report", str(run)]) == 0
    assert "report.html" in capsys.readouterr().out
    text = (run / "report.html").read_text(encoding="utf-8")
    assert_self_contained(text)
    for png in ("report-curves.png", "report-scores.png", "report-timing.png"):
        assert (run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert text.count("data:image/png;base64,") == 3
    assert "data:image/jpeg" not in text  # no images in a text-target run
    assert "two cats sleep on a red sofa" in text  # the target is shown in the gallery
    assert "Failed samples (1)" in text and "line-5" in text and "is not a JSON object" in text
    assert "Bleu_4" in text and "CIDEr" in text
    assert "word-overlap" in text and "mils-core" in text  # config and plugin versions


def test_report_of_an_image_run_inlines_thumbnails(tmp_path: Path) -> None:
    from PIL import Image

    examples = Path(__file__).resolve().parents[3] / "examples" / "images"
    for name in ("astronaut", "coffee"):
        Image.open(examples / f"{name}.jpg").save(tmp_path / f"{name}.png")
    manifest = tmp_path / "images.csv"
    manifest.write_text("id,path,references\nastro,astronaut.png,an astronaut in a white suit|a woman posing\n"
                        "cup,coffee.png,a cup of coffee on a saucer|coffee in a red cup\n")
    run = make_run(tmp_path, {"dataset": {"name": "manifest", "manifest": str(manifest)}}, samples=[], iterations=2)
    records = read_sample_records(run)
    assert {r.id for r in records} == {"astro", "cup"}
    out = evaluate_run(run, None, ("Bleu", "CIDEr"))  # references from the manifest, via the records' meta
    assert out["counts"]["evaluated"] == 2
    html_path = build_report(run, tmp_path / "elsewhere" / "r.html", gallery=10)
    text = html_path.read_text(encoding="utf-8")
    assert_self_contained(text)
    thumbs = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', text)
    assert len(thumbs) == 2
    thumb = Image.open(io.BytesIO(base64.b64decode(thumbs[0])))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320
    assert "an astronaut in a white suit" in text  # references shown with the sample
    assert "No sample failed" in text


def test_report_shows_inputs_and_artifacts_side_by_side(tmp_path: Path) -> None:
    from PIL import Image

    from mils_core.records import SampleRecord

    run = tmp_path / "run"
    (run / "artifacts" / "s1").mkdir(parents=True)
    colours = {"content.png": "red", "style.png": "blue", "artifacts/s1/initial.png": "green",
               "artifacts/s1/best.png": "yellow"}
    for name, colour in colours.items():
        Image.new("RGB", (40, 30), colour).save(tmp_path / name if "/" not in name else run / name)
    record = SampleRecord(
        id="s1", status="ok", source={"content": str(tmp_path / "content.png"), "style": str(tmp_path / "style.png")},
        best_text="posterize(4); palette(style)", best_score=-0.12, initial_best_score=-0.4, history=[-0.4, -0.2, -0.12],
        best_objectives={"style_loss": 0.1, "content_loss": 0.02},
        artifacts={"initial": "artifacts/s1/initial.png", "best": "artifacts/s1/best.png"},
    )
    (run / "results.jsonl").write_text(json.dumps(record.to_dict()) + "\n")
    text = build_report(run).read_text(encoding="utf-8")
    assert_self_contained(text)
    strip = text[text.index('<div class="strip">'):]
    labels = re.findall(r"<figcaption>([^<]+)</figcaption>", strip)
    assert labels[:4] == ["content", "style", "initial", "best"]
    assert len(re.findall(r'src="data:image/jpeg', strip)) == 4
    assert "style_loss" in text and "content_loss" in text  # both objectives of the best
    assert "<polyline" in text and "-0.4000, -0.2000, -0.1200" in text  # the score curve


def test_report_shows_images_named_in_the_meta(tmp_path: Path) -> None:
    """A style-transfer record: source is the content image, meta names content and style."""
    from PIL import Image

    from mils_core.records import SampleRecord

    run = tmp_path / "run"
    (run / "artifacts" / "p").mkdir(parents=True)
    for name in ("content.png", "style.png"):
        Image.new("RGB", (20, 20), "red").save(tmp_path / name)
    Image.new("RGB", (20, 20), "blue").save(run / "artifacts" / "p" / "best.png")
    content, style = str(tmp_path / "content.png"), str(tmp_path / "style.png")
    record = SampleRecord(id="p", status="ok", source=content, best_text="posterize(4)", best_score=1.0,
                          meta={"content": content, "style": style}, artifacts={"best": "artifacts/p/best.png"})
    (run / "results.jsonl").write_text(json.dumps(record.to_dict()) + "\n")
    text = build_report(run).read_text(encoding="utf-8")
    strip = text[text.index('<div class="strip">'):]
    labels = re.findall(r"<figcaption>([^<]+)</figcaption>", strip)
    assert labels[:3] == ["content", "style", "best"] and "input" not in labels  # the content image once
