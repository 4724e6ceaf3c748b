"""The video-captioning task: sample sources, pool, prompt, presets, contracts, and a run with bad inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_video.presets import PRESETS
from mils_video.task import VideoCaptioning, VideoCaptionList, VideoPool, builtin_pool, video_samples

from mils_core.errors import ConfigError
from mils_core.media.video import VideoClip
from mils_core.testing.contracts import CaptionStyleContract, PoolContract, TaskContract
from mils_core.testing.helpers import assert_import_is_light

PLUGIN = Path(__file__).resolve().parents[1]
GREEN, BLUE = (20, 230, 20), (20, 20, 230)


class TestVideoCaptioningContract(TaskContract):
    @pytest.fixture
    def task(self) -> VideoCaptioning:
        return VideoCaptioning(VideoCaptioning.Options(frames=3, max_side=64))

    @pytest.fixture
    def sample_source(self, video_dir: Path) -> Any:
        return str(video_dir)


class TestVideoCaptionListContract(CaptionStyleContract):
    @pytest.fixture
    def prompt_style(self) -> VideoCaptionList:
        return VideoCaptionList()


class TestVideoPoolContract(PoolContract):
    @pytest.fixture
    def pool(self) -> VideoPool:
        return VideoPool(VideoPool.Options(size=800))


def test_task_defaults() -> None:
    task = VideoCaptioning(VideoCaptioning.Options(max_words=9, pool_size=100))
    assert task.target_media == "video" and task.options.frames == 8
    assert task.default_prompt == (("video-caption-list", {"max_words": 9}),)
    assert task.default_pool == (("video-pool", {"path": "builtin", "size": 100}),)
    assert (task.default_iterations, task.default_n_new, task.default_top_k) == (10, 50, 50)


def test_load_target_samples_frames(video_dir: Path) -> None:
    task = VideoCaptioning(VideoCaptioning.Options(frames=5, max_side=32))
    [sample] = [s for s in task.samples(str(video_dir)) if s.id == "red-green"]
    clip = task.load_target(sample)
    assert isinstance(clip, VideoClip) and clip.frames.shape == (5, 24, 32, 3)


def test_sources(video_dir: Path, tmp_path: Path) -> None:
    assert [s.id for s in video_samples(str(video_dir))] == ["blue-white", "red-green", "sub-green"]
    assert [s.id for s in video_samples(str(video_dir / "red*.mp4"))] == ["red-green"]
    assert [s.id for s in video_samples([str(video_dir / "red-green.mp4"), str(video_dir / "red-green.mp4")])] == [
        "red-green", "red-green-2"]
    assert [s.id for s in video_samples(str(tmp_path / "missing.mp4"))] == ["missing"]
    manifest = tmp_path / "clips.csv"
    manifest.write_text(f"id,path,references\nclip1,{video_dir / 'red-green.mp4'},a red screen|a green screen\n")
    [sample] = video_samples(str(manifest))
    assert sample.id == "clip1" and sample.meta["references"] == ["a red screen", "a green screen"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no videos"):
        video_samples(str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="no videos match"):
        video_samples(str(tmp_path / "*.mp4"))
    with pytest.raises(ConfigError, match="must be a folder"):
        video_samples(42)


def test_builtin_pool_is_distinct_and_matches_its_generator() -> None:
    pool = builtin_pool()
    assert len(pool) >= 5000 and len(set(pool)) == len(pool)
    words = " ".join(pool)
    for theme in ("camera", "slow motion", "runs", "street"):  # actions, motion, camera, scene
        assert theme in words
    proc = subprocess.run([sys.executable, str(PLUGIN / "scripts" / "build_video_pool.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_custom_pool_file(tmp_path: Path) -> None:
    path = tmp_path / "pool.txt"
    path.write_text("a dog runs\n\na dog runs\na cat sleeps\n")
    assert list(VideoPool(VideoPool.Options(path=str(path))).texts()) == ["a dog runs", "a cat sleeps"]
    with pytest.raises(ConfigError, match="cannot be read"):
        VideoPool(VideoPool.Options(path=str(tmp_path / "nope.txt"))).texts()


def test_presets_name_registered_components(mils_plugin_manager: Any) -> None:
    registry = mils_plugin_manager.registry
    assert set(PRESETS) == {"offline", "fast", "paper"} and VideoCaptioning.presets is PRESETS
    for name in PRESETS:
        preset = VideoCaptioning.preset(name)
        VideoCaptioning.Options(**preset["task"])
        assert registry.get("scorer", preset["scorer"]["name"])
    assert PRESETS["offline"]["scorer"] == {"name": "frame-pooled", "image_scorer": "imagenet-bridge"}
    assert PRESETS["paper"]["scorer"]["name"] == "x-clip"


def test_plugin_import_is_light() -> None:
    assert_import_is_light("mils_video.plugin")


def test_bad_inputs_fail_one_by_one(tmp_path: Path, fake_image_pm: Any, mils_run: Any, make_video: Any) -> None:
    import av

    write_video = make_video

    write_video(tmp_path / "good.mp4", [GREEN, BLUE], per_colour=4)
    write_video(tmp_path / "one-frame.mp4", [BLUE], per_colour=1)
    full = write_video(tmp_path / "full.mp4", [GREEN], per_colour=30)
    (tmp_path / "cut.mp4").write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("not a video\n" * 100)
    with av.open(str(tmp_path / "song.mp4"), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=22050, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 4410), np.int16), format="s16", layout="mono")
        frame.sample_rate = 22050
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    names = ["good", "one-frame", "missing", "notes", "song", "cut", "empty"]
    raw = {
        "run": {"task": "video-captioning", "samples": [str(tmp_path / f"{n}.mp4") for n in names],
                "output": str(tmp_path / "run"), "cache_dir": str(tmp_path / "cache"), "seed": 0},
        "task": {"frames": 4, "max_side": 64},
        "generator": {"name": "mutate"},
        "scorer": {"name": "frame-pooled", "image_scorer": "fake-image"},
        "pool": {"name": "video-pool", "size": 40},
        "loop": {"n_new": 4, "top_k": 4},
        "stop": [{"name": "max-iterations", "n": 2}],
    }
    records = mils_run(raw)  # the run binds frame-pooled to the test's registry, where fake-image is
    by_id = records.by_id
    assert set(by_id) == set(names)
    assert by_id["good"]["status"] == "ok", by_id["good"].get("error")
    assert by_id["good"]["best_text"]
    reasons = {n: by_id[n]["error"] for n in ("missing", "notes", "song", "cut", "empty", "one-frame")}
    assert all(by_id[n]["status"] == "failed" for n in reasons)
    assert "does not exist" in reasons["missing"]
    assert "not a video that can be read" in reasons["notes"]
    assert "no video stream" in reasons["song"]
    assert "truncated or corrupt" in reasons["cut"]
    assert "empty (0 bytes)" in reasons["empty"]
    assert "holds 1 distinct frame(s); a video needs at least 2" in reasons["one-frame"]
    assert all("\n" not in r and len(r) < 300 for r in reasons.values()), reasons
    assert records.summary["ok"] == 1 and records.summary["failed"] == 6


@pytest.mark.slow
def test_mils_caption_picks_the_video_task_and_improves_offline(tmp_path: Path, capsys: Any) -> None:
    """The README's command: `mils caption --preset offline VIDEO` with packaged weights (SmolLM2 + imagenet-bridge)."""
    import json

    from mils_video.task import VideoCaptioning

    from mils_core import cli
    from mils_core.results import read_sample_records

    clips = [p for p in VideoCaptioning.examples() if p.name == "rocket-pan.mp4"]
    assert clips, "the bundled example clip is missing"
    out = tmp_path / "run"
    code = cli.main(["caption", "--preset", "offline", str(clips[0]), "--json", "--no-progress", "--output", str(out),
                     "--set", "stop.0.n=2"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["status"] == "ok" and printed["caption"]
    [record] = read_sample_records(out)
    assert 'task = "video-captioning"' in (out / "config.toml").read_text()  # chosen from the .mp4
    assert record.best_score is not None and record.initial_best_score is not None
    assert record.best_score >= record.initial_best_score
    assert record.counters["candidates_scored"] >= 10  # new captions from SmolLM2 were scored


def test_the_msrvtt_reader_feeds_the_video_task(tmp_path: Path, fake_image_pm: Any, mils_run: Any,
                                                 make_video: Any) -> None:
    """The `msrvtt` dataset (mils-eval, found by name) supplies video-captioning's samples and references."""
    import json

    if "msrvtt" not in {s.name for s in fake_image_pm.registry.specs("dataset")}:
        pytest.skip("mils-eval (the msrvtt reader) is not installed")
    videos = [{"video_id": f"video{i}", "split": "test", "id": i} for i in (7010, 7011)]
    sentences = [{"video_id": "video7010", "caption": "a green screen turns blue", "sen_id": 1},
                 {"video_id": "video7011", "caption": "a blue screen", "sen_id": 2}]
    ann = tmp_path / "test_videodatainfo.json"
    ann.write_text(json.dumps({"info": {}, "videos": videos, "sentences": sentences}))
    folder = tmp_path / "TestVideo"
    folder.mkdir()
    make_video(folder / "video7010.mp4", [GREEN, BLUE], per_colour=4)
    make_video(folder / "video7011.mp4", [BLUE, GREEN], per_colour=4)
    raw = {
        "run": {"task": "video-captioning", "output": str(tmp_path / "run"), "cache_dir": str(tmp_path / "cache")},
        "dataset": {"name": "msrvtt", "videos": str(folder), "annotations": str(ann)},
        "task": {"frames": 4, "max_side": 64},
        "generator": {"name": "mutate"},
        "scorer": {"name": "frame-pooled", "image_scorer": "fake-image"},
        "pool": {"name": "video-pool", "size": 40},
        "loop": {"n_new": 4, "top_k": 4},
        "stop": [{"name": "max-iterations", "n": 1}],
    }
    records = mils_run(raw)
    assert sorted(records.by_id) == ["video7010", "video7011"]
    assert all(r["status"] == "ok" for r in records)
    assert records.by_id["video7010"]["meta"]["references"] == ["a green screen turns blue"]
