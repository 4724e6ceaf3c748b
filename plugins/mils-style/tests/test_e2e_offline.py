"""End to end, offline, real packaged weights: the image-ops editor + the EfficientNet-Lite0 Gram scorer +
SmolLM2-135M-Instruct (GGUF, llama.cpp), through `mils stylize`'s config on a bundled pair."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs llama-cpp-python"),
    pytest.mark.skipif(importlib.util.find_spec("mils_image_ops") is None, reason="needs mils-image-ops"),
]

def test_offline_preset_lowers_the_style_loss(examples: Path, tmp_path: Path) -> None:
    """`mils stylize --preset offline` in a subprocess (llama.cpp is native code: a crash fails this test only)."""
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "mils_core", "stylize", str(examples / "content" / "coffee.jpg"),
         str(examples / "style" / "coffee.jpg"), "--preset", "offline", "--output", str(out), "--json", "--no-progress",
         # the preset's SmolLM2 GGUF through llama.cpp: the same model, ~3.5x faster than transformers
         "--set", "generator.name=llama-cpp"],
        capture_output=True, text=True, check=False, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [record] = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert record["status"] == "ok", record["error"]
    initial_style, initial_content = record["history_objectives"][0]
    style, content = record["best_objectives"]["style"], record["best_objectives"]["content"]
    print(json.dumps({"initial": [record["initial_best_text"], initial_style, initial_content],
                      "final": [record["best_text"], style, content], "history": record["history_objectives"]}))
    assert record["best_text"] != record["initial_best_text"]
    assert style < initial_style  # below the best of the initial pool
    assert record["best_score"] < record["initial_best_score"]  # the ranking number (style + 0.25 content) went down
    assert content < initial_content + 2.0  # the content loss did not blow up (scaled losses are ~0..5)
    best = out / record["artifacts"]["best"]
    assert best.is_file() and best.suffix == ".png"
    from PIL import Image

    with Image.open(best) as img:
        assert max(img.size) == 192  # the content image at the editor's max_side
    assert record["meta"]["content"].endswith("coffee.jpg") and record["meta"]["style"].endswith("coffee.jpg")
    [line] = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert line["status"] == "ok" and Path(line["result"]).is_file()


def test_stylize_cli_reports_a_failed_pair_as_json(tmp_path: Path) -> None:
    """`mils stylize --json` on a missing style image: one JSON line, status failed, a clear error, exit 1."""
    from PIL import Image

    content = tmp_path / "c.png"
    Image.new("RGB", (40, 40), (200, 10, 10)).save(content)
    result = subprocess.run(
        [sys.executable, "-m", "mils_core", "stylize", str(content), str(tmp_path / "missing.png"), "--json",
         "--output", str(tmp_path / "run")],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 1, result.stderr[-2000:]
    [line] = lines
    assert line["status"] == "failed" and "style image" in line["error"] and "does not exist" in line["error"]
