"""``mils arithmetic``: caption an image and a sound, merge the captions, enhance the merge into an image.

The end-to-end test runs the real command in a subprocess with real model code: the packaged
SmolLM2-135M (llama.cpp), the packaged ImageNet-bridge scorer for the photo, a tiny CLAP for
the sound, the merge search, and a tiny SDXL pipeline scored by a tiny CLIP for the image.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mils_core.arithmetic import build_pipeline, column_kind, combinations_from_flags, combinations_from_table
from mils_core.errors import ConfigError
from mils_core.plugins import make_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
PHOTO = (ROOT / "examples" / "images" / "chelsea.jpg").resolve()


def test_columns_and_combinations(tmp_path: Path) -> None:
    assert [column_kind(c) for c in ("image", "image2", "audio_3", "text", "id", "caption")] == [
        "image", "image", "audio", "text", None, None]
    assert combinations_from_flags(["a.jpg", "b.jpg"], [], ["rain"]) == [{"image": "a.jpg", "image2": "b.jpg", "text": "rain"}]
    with pytest.raises(ConfigError, match="needs inputs"):
        combinations_from_flags([], [], [])
    table = tmp_path / "rows.csv"
    table.write_text("id,image,text\none,cat.jpg,in the snow\n")
    assert combinations_from_table(table) == [{"id": "one", "image": str(tmp_path / "cat.jpg"), "text": "in the snow"}]
    table.write_text("id,picture\none,cat.jpg\n")
    with pytest.raises(ConfigError, match="column 'picture' is not an input"):
        combinations_from_table(table)


def test_a_missing_modality_names_its_plugin(tmp_path: Path) -> None:
    pm = make_plugin_manager(disabled=["audio"])
    with pytest.raises(ConfigError, match="audio-captioning.*mils-audio"):
        build_pipeline(pm, [{"audio": "x.wav", "text": "rain"}], tmp_path, "fast")


def test_the_pipeline_has_a_stage_per_modality_then_merge_and_enhance(tmp_path: Path) -> None:
    pm = make_plugin_manager()
    raw = build_pipeline(pm, [{"image": "/x/a.jpg", "image2": "/x/b.jpg", "text": "at night"}], tmp_path, "fast")
    names = [s["name"] for s in raw["stage"]]
    assert names == ["image", "merge", "enhance"]
    assert raw["stage"][0]["run"]["samples"] == ["/x/a.jpg", "/x/b.jpg"]
    merge = raw["stage"][1]["dataset"]
    assert merge["name"] == "combinations" and merge["stages"] == {"image": "image", "image2": "image"}
    assert raw["stage"][2]["dataset"] == {"name": "run-records", "stage": "merge"}
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert rows[0]["id"].startswith("combo-001-") and rows[0]["text"] == "at night"


@pytest.mark.slow
def test_image_plus_sound_to_image_with_tiny_models(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    pytest.importorskip("soundfile")
    from mils_audio.tiny import build_tiny_clap, write_roberta_tokenizer
    from mils_t2i.tiny import build_sdxl

    from mils_core.testing.tiny_models import build_tiny_clip

    clap = build_tiny_clap(tmp_path / "clap", write_roberta_tokenizer(tmp_path / "roberta"))
    sdxl = build_sdxl(tmp_path / "sdxl")
    clip = build_tiny_clip(tmp_path / "clip")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt not really")
    pytest.importorskip("llama_cpp")
    llm = {"name": "llama-cpp", "max_new_tokens": 48, "temperature": 1.0}  # the packaged SmolLM2-135M GGUF
    sets: dict[str, Any] = {
        "image.loop.n_new": 4, "image.loop.prompts_per_sample": 1, "image.task.pool_size": 500,
        "audio.task.pool_size": 500,
        "audio.scorer.model": str(clap), "audio.loop.n_new": 4, "audio.loop.top_k": 4,
        "merge.loop.n_new": 4, "merge.loop.prompts_per_sample": 1,
        "enhance.renderer": {"name": "sdxl", "model": str(sdxl), "steps": 2, "width": 32, "height": 32,
                             "final_size": 48, "device": "cpu", "dtype": "float32", "batch_size": 8},
        "enhance.scorer": {"name": "hf-clip", "model": str(clip), "candidates": "image", "device": "cpu"},
        "enhance.loop.n_new": 4, "enhance.loop.top_k": 4,
    }
    overrides = []
    for key, value in sets.items():
        overrides += ["--set", f"{key}={_toml(value) if isinstance(value, dict) else json.dumps(value)}"]
    for stage in ("image", "audio", "merge", "enhance"):
        overrides += ["--set", f"{stage}.generator={_toml(llm)}", "--set", f"{stage}.stop=[{{name = 'max-iterations', n = 1}}]"]
    rows = tmp_path / "rows.csv"  # the two bundled combinations (sounds synthesised with sox) and a broken sound
    bundled = (ROOT / "examples" / "arithmetic" / "combinations.csv").read_text().splitlines()[1:]
    absolute = [",".join([c] + [str((ROOT / "examples" / "arithmetic" / p).resolve()) for p in rest])
                for c, *rest in (line.split(",") for line in bundled)]
    rows.write_text("id,image,audio\n" + "\n".join(absolute) + f"\ncat-broken,{PHOTO},{broken}\n")
    out = tmp_path / "run"
    command = [sys.executable, "-m", "mils_core", "arithmetic", "--rows", str(rows), "--preset", "offline",
               "--output", str(out), "--no-progress", "--json", *overrides]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MILS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 1, done.stderr[-3000:]  # the broken sound fails its combination only
    lines = {json.loads(line)["id"]: json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")}
    assert set(lines) == {"cat-rain", "rocket-chime", "cat-broken"}
    good, bad = lines["cat-rain"], lines["cat-broken"]
    assert lines["rocket-chime"]["error"] is None and lines["rocket-chime"]["images"]
    assert good["error"] is None and good["merged"] and good["enhanced"]
    assert good["inputs"]["image"]["caption"] and good["inputs"]["audio"]["caption"]
    final = Path(good["images"]["final"])
    assert final.is_file() and final.stat().st_size > 0
    assert "audio input" in bad["error"] and "failed in audio" in bad["error"]
    for stage in ("image", "audio", "merge", "enhance"):
        assert (out / stage / "results.jsonl").is_file(), stage
    print(done.stdout)  # the stages' outputs, for the record (pytest -s)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)  # resumes: nothing to do
    assert again.returncode == 0, again.stderr[-3000:]
    assert {json.loads(line)["id"]: json.loads(line) for line in again.stdout.splitlines() if line.startswith("{")} == lines


def _toml(value: dict[str, Any]) -> str:
    """An inline TOML table for --set (JSON scalars are valid TOML values)."""
    return "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + "}"
