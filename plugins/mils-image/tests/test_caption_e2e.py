"""End-to-end captioning with real packaged weights (EfficientNet-Lite0 x MiniLM, SmolLM2)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from mils_core.config import config_from_dict
from mils_core.plugins import make_plugin_manager
from mils_core.resolve import resolve_components
from mils_core.results import read_records
from mils_core.runner import execute

pytest.importorskip("mils_imagenet_bridge")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "images"


def _config(tmp_path: Path, samples: Any, out: str, cache: Path, **loop: Any) -> Any:
    raw = {
        "run": {"task": "image-captioning", "samples": samples, "output": out, "cache_dir": str(cache)},
        "task": {"pool_size": 300},
        "generator": {"name": "mutate"},
        "scorer": {"name": "imagenet-bridge"},
        "stop": [{"name": "max-iterations", "n": 2}],
        "loop": {"top_k": 8, "n_new": 8, **loop},
    }
    return config_from_dict(raw, base_dir=tmp_path)


@pytest.fixture(scope="module")
def pm() -> Any:
    return make_plugin_manager()


@pytest.mark.slow
def test_pool_is_encoded_once_per_run_and_never_again(tmp_path: Path, pm: Any) -> None:
    cache = tmp_path / "cache"
    images = [str(EXAMPLES / "chelsea.jpg"), str(EXAMPLES / "coffee.jpg")]
    first = _config(tmp_path, images, "one", cache)
    comps = resolve_components(first, pm)
    execute(first, pm, progress=False, components=comps)
    stats = comps.scorer.stats()
    assert stats["pool_encodes"] == 300 and stats["pool_builds"] == 1  # two images, one pool encode
    assert stats["text_encodes"] - stats["pool_encodes"] <= sum(
        r["counters"]["candidates_scored"] for r in read_records(tmp_path / "one"))

    second = _config(tmp_path, [str(EXAMPLES / "rocket.jpg")], "two", cache)
    comps2 = resolve_components(second, pm)  # a new scorer: nothing in memory, the disk cache is used
    execute(second, pm, progress=False, components=comps2)
    stats2 = comps2.scorer.stats()
    assert stats2["pool_encodes"] == 0 and stats2["pool_disk_loads"] == 1
    assert all(r["status"] == "ok" for r in read_records(tmp_path / "two"))


def _bad_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    paths = {name: folder / name for name in ("missing.jpg", "cut.jpg", "notes.png", "dot.png", "huge.jpg")}
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)).save(buf, "JPEG")
    paths["cut.jpg"].write_bytes(buf.getvalue()[:2000])
    paths["notes.png"].write_text("not an image at all\n")
    Image.new("RGB", (1, 1), (120, 80, 40)).save(paths["dot.png"])
    Image.new("L", (20000, 20000), 90).save(paths["huge.jpg"], quality=40)
    return paths


@pytest.mark.slow
def test_bad_inputs_fail_alone_and_the_rest_is_captioned(tmp_path: Path, pm: Any) -> None:
    paths = _bad_inputs(tmp_path / "in")
    samples = [str(EXAMPLES / "chelsea.jpg"), *map(str, paths.values())]
    config = _config(tmp_path, samples, "out", tmp_path / "cache", batch_samples=3)
    summary = execute(config, pm, progress=False)
    records = {Path(r["source"]).name: r for r in read_records(tmp_path / "out")}
    assert len(records) == 6 and summary["ok"] + summary["failed"] == 6
    assert records["chelsea.jpg"]["status"] == "ok"
    for name in ("dot.png", "huge.jpg"):  # odd but valid images are captioned
        assert records[name]["status"] == "ok", records[name].get("error")
    reasons = {name: records[name]["error"] for name in ("missing.jpg", "cut.jpg", "notes.png")}
    assert "does not exist" in reasons["missing.jpg"]
    assert "truncated or corrupt" in reasons["cut.jpg"]
    assert "is not an image" in reasons["notes.png"]
    assert all("\n" not in r and len(r) < 300 for r in reasons.values())


@pytest.mark.slow
def test_mils_caption_offline_preset_beats_the_pool(tmp_path: Path) -> None:
    """The README's main job: real packaged weights, the search ends above the initial pool's best."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MILS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "mils_core", "caption", "--preset", "offline", str(EXAMPLES / "coffee.jpg"),
         "--json", "--output", str(tmp_path / "run")],
        capture_output=True, text=True, env=env, timeout=1500,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    [line] = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    assert {"id", "path", "status", "caption", "score", "initial_best_score"} <= set(line)
    assert line["status"] == "ok" and line["caption"]
    assert line["score"] > line["initial_best_score"], line
    # the offline preset ranks by the bridge score plus a little of SmolLM2's fluency, and says so
    assert set(line["objectives"]) == {"score", "fluency"}, line
    assert line["score"] == pytest.approx(line["objectives"]["score"] + 0.005 * line["objectives"]["fluency"])
