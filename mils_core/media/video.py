"""Read a few frames of any video a user may point at, or say in one line why it cannot be read.

:func:`load_video` samples ``n`` frames uniformly over a video's duration by *seeking* (a jump to
the key frame before each sampled time, then decoding forward to it), so a two-hour file costs
about what a one-minute file does. Frames are converted to RGB at a reduced size, turned the way
the file's display matrix says (phone videos), and picked by their presentation time, so variable
frame rate files are sampled evenly in time, not in frame count.

PyAV is imported inside the functions (install it with ``pip install 'mils-core[video]'``);
importing this module is cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from mils_core.errors import ConfigError, SampleError

__all__ = [
    "DEFAULT_FRAMES",
    "DEFAULT_MAX_SIDE",
    "SEEK_GAP_S",
    "VIDEO_SUFFIXES",
    "VideoClip",
    "as_frames",
    "load_video",
    "require_av",
    "sample_times",
]

#: Frames sampled per video when the caller does not say (the paper's ViCLIP setting).
DEFAULT_FRAMES = 8
#: Frames are downscaled so their longer side is at most this (scorers resize to ~224 anyway).
DEFAULT_MAX_SIDE = 448
#: A sampled time this many seconds or more past the last decoded frame is reached by seeking;
#: a nearer one by decoding forward (cheaper than a seek back to the same key frame).
SEEK_GAP_S = 2.0
#: File suffixes taken as videos when a folder or glob is searched.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv", ".flv",
                            ".3gp", ".ts", ".mts", ".ogv"})
#: A video whose frames stop before this share of its stated duration is reported as truncated.
_TRUNCATED_SHARE = 0.5
#: Give up on a stream after this many packets in a row that the decoder rejects.
_MAX_BAD_PACKETS = 64


@attrs.frozen(eq=False)
class VideoClip:
    """Frames sampled from one video.

    :param frames: uint8 array of shape (frames, height, width, 3), RGB, display orientation.
    :param times: each frame's presentation time in seconds.
    :param duration: the video's duration in seconds (as stated by the file, or measured).
    :param path: the file it came from.
    :param decoded: frames the decoder produced to get these (a cost measure for benchmarks).
    :param seeks: seeks made.
    """

    frames: np.ndarray
    times: tuple[float, ...]
    duration: float
    path: str = ""
    decoded: int = 0
    seeks: int = 0

    def __len__(self) -> int:
        return int(self.frames.shape[0])


def require_av() -> Any:
    """The ``av`` module (PyAV), or a one-line error saying how to install it."""
    try:
        import av
    except ImportError as exc:
        raise ConfigError(
            "decoding videos needs PyAV, which is not installed; run \"pip install 'mils-core[video]'\" (or 'pip install av')"
        ) from exc
    return av


def sample_times(start: float, duration: float, n: int) -> list[float]:
    """``n`` times spread uniformly over ``[start, start + duration)``: the centres of ``n`` equal segments."""
    if n < 1:
        raise ValueError(f"at least one frame must be sampled, got {n}")
    step = max(duration, 0.0) / n
    return [start + (i + 0.5) * step for i in range(n)]


def _display_turns(frame: Any, stream: Any) -> int:
    """Quarter turns (counter-clockwise, as ``np.rot90``) that bring a decoded frame upright."""
    rotation = getattr(frame, "rotation", None)  # PyAV >= 14: the display matrix's counter-clockwise angle
    if rotation:
        return round(float(rotation) / 90.0) % 4
    tag = (getattr(stream, "metadata", None) or {}).get("rotate")  # older FFmpeg: clockwise degrees
    if tag:
        try:
            return (-round(float(tag) / 90.0)) % 4
        except ValueError:
            return 0
    return 0


def _scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= max_side:
        return width, height
    scale = max_side / longest
    return max(2, round(width * scale)), max(2, round(height * scale))


def _to_rgb(frame: Any, stream: Any, max_side: int) -> np.ndarray:
    width, height = _scaled_size(int(frame.width), int(frame.height), max_side)
    rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
    turns = _display_turns(frame, stream)
    if turns:
        rgb = np.rot90(rgb, k=turns)
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _seconds(value: Any, time_base: Any) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _stream_span(container: Any, stream: Any) -> tuple[float, float | None]:
    """The stream's start time and duration in seconds (duration None where the file does not say)."""
    start = _seconds(stream.start_time, stream.time_base) or 0.0
    duration = _seconds(stream.duration, stream.time_base)
    if not duration or duration <= 0:
        duration = container.duration / 1_000_000 if container.duration else None  # AV_TIME_BASE
    if (not duration or duration <= 0) and stream.frames and stream.average_rate:
        duration = float(stream.frames / stream.average_rate)
    return start, duration if duration and duration > 0 else None


def _measure_span(container: Any, stream: Any) -> tuple[float, float] | None:
    """Start and duration from the packets' timestamps (demuxing only, no decoding); None if no packet has one."""
    first: float | None = None
    last: float | None = None
    for packet in container.demux(stream):
        if packet.pts is None:
            continue
        t = float(packet.pts * stream.time_base)
        end = t + float((packet.duration or 0) * stream.time_base)
        first = t if first is None else min(first, t)
        last = end if last is None else max(last, end)
    if first is None or last is None:
        return None
    return first, max(last - first, 1e-6)


def _frame_time(frame: Any, stream: Any) -> float | None:
    if frame.pts is not None:
        return float(frame.pts * stream.time_base)
    t = getattr(frame, "time", None)
    return float(t) if t is not None else None


class _Reader:
    """Decodes forward from the current position, seeking when a sampled time is far ahead.

    The last two decoded frames are kept, so a frame nearest to several sampled times (a video
    with fewer frames than asked for) is returned for each of them.
    """

    def __init__(self, av: Any, container: Any, stream: Any, label: str, seek_gap: float) -> None:
        self.av, self.container, self.stream, self.label, self.seek_gap = av, container, stream, label, seek_gap
        self.frames: Iterator[Any] | None = None
        self.prev: tuple[Any, float] | None = None
        self.cur: tuple[Any, float] | None = None
        self.ended = False
        self.decoded = 0
        self.seeks = 0
        self.can_seek = True
        self.errors = 0
        self.last_error = ""

    def _restart(self, target: float | None) -> None:
        if target is not None and self.can_seek:
            try:
                offset = int(Fraction(target).limit_denominator(1_000_000) / self.stream.time_base)
                self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
                self.seeks += 1
                self.prev = self.cur = None
                self.ended = False
            except (self.av.error.FFmpegError, OSError, ValueError):
                self.can_seek = False  # an unseekable file: decode on from where we are
                if self.frames is not None:
                    return
        self.frames = self._decode()

    def _decode(self) -> Iterator[Any]:
        """Frames of the stream from the current position; a packet the decoder rejects is skipped."""
        bad_in_a_row = 0
        for packet in self.container.demux(self.stream):
            try:
                frames = packet.decode()
            except self.av.error.FFmpegError as exc:
                self.errors += 1
                self.last_error = _reason(exc)
                bad_in_a_row += 1
                if bad_in_a_row >= _MAX_BAD_PACKETS:
                    raise SampleError(f"video {self.label} is corrupt: {bad_in_a_row} packets in a row cannot be "
                                      f"decoded ({self.last_error})") from None
                continue
            bad_in_a_row = 0
            yield from frames

    def _advance(self) -> bool:
        assert self.frames is not None
        while not self.ended:
            try:
                frame = next(self.frames)
            except StopIteration:
                self.ended = True
                return False
            except self.av.error.FFmpegError as exc:
                raise SampleError(f"video {self.label} is truncated or corrupt: {_reason(exc)}") from None
            self.decoded += 1
            t = _frame_time(frame, self.stream)
            if t is not None:
                self.prev, self.cur = self.cur, (frame, t)
                return True
        return False

    def frame_at(self, target: float) -> tuple[Any, float] | None:
        """The decoded frame nearest ``target`` seconds (None if the stream gave no frame)."""
        if self.frames is None:
            self._restart(target if target >= self.seek_gap else None)
        elif self.cur is not None and target - self.cur[1] >= self.seek_gap and not self.ended:
            self._restart(target)
        while (self.cur is None or self.cur[1] < target) and self._advance():
            pass
        if self.cur is None:
            return None
        if self.prev is not None and self.prev[1] <= target and target - self.prev[1] < abs(self.cur[1] - target):
            return self.prev
        return self.cur


def _reason(exc: BaseException) -> str:
    import re

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    return text.replace(str(getattr(exc, "filename", "") or "\0"), "").strip(" :;'\"") or type(exc).__name__


def load_video(
    path: str | os.PathLike[str],
    frames: int = DEFAULT_FRAMES,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    seek_gap: float = SEEK_GAP_S,
) -> VideoClip:
    """``frames`` RGB frames of ``path`` sampled uniformly over its duration (see the module docs).

    Raises :class:`SampleError` with a one-line reason for a missing or empty file, a file that
    is not a video, one with no video stream, an unsupported codec, a truncated or corrupt
    stream, and a video with no decodable frame. A video shorter than ``frames`` frames gives
    repeated frames.
    """
    av = require_av()
    if frames < 1:
        raise ConfigError(f"frames must be at least 1, got {frames}")
    path = Path(path)
    label = repr(str(path))
    if not path.exists():
        raise SampleError(f"video {label} does not exist")
    if not path.is_file():
        raise SampleError(f"video {label} is not a file")
    if path.stat().st_size == 0:
        raise SampleError(f"video {label} is empty (0 bytes)")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise SampleError(f"{label} is not a video that can be read (unknown format, truncated or corrupt: "
                          f"{_reason(exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SampleError(f"video {label} cannot be opened: {_reason(exc)}") from None
    with container:
        kinds = sorted({str(s.type) for s in container.streams})
        if not container.streams.video and not {"audio", "subtitle"} & set(kinds):
            found = f"only {', '.join(kinds)} streams" if kinds else "no streams"
            raise SampleError(f"{label} is not a video that can be read ({found} found: truncated or corrupt)")
        if not container.streams.video:
            raise SampleError(f"{label} has no video stream (streams: {', '.join(kinds)})")
        stream = container.streams.video[0]
        codec = getattr(stream.codec_context, "name", None) if stream.codec_context is not None else None
        if not codec:
            raise SampleError(f"video {label} uses a codec this FFmpeg build cannot decode; convert it "
                              "(e.g. 'ffmpeg -i in -c:v libx264 out.mp4')")
        stream.thread_type = "AUTO"
        start, duration = _stream_span(container, stream)
        stated = duration is not None and bool(stream.duration)
        if duration is None:
            measured = _measure_span(container, stream)
            if measured is None:
                raise SampleError(f"video {label} has no decodable frames")
            start, duration = measured
            container.seek(0)
        reader = _Reader(av, container, stream, label, seek_gap)
        picked: list[tuple[Any, float]] = []
        try:
            for target in sample_times(start, duration, frames):
                got = reader.frame_at(target)
                if got is None:
                    break
                picked.append(got)
            if not picked:
                why = f" (the decoder rejected {reader.errors} packets: {reader.last_error})" if reader.errors else ""
                raise SampleError(f"video {label} has no decodable frames{why}")
            while len(picked) < frames:  # pragma: no cover - frame_at returns a frame once one was decoded
                picked.append(picked[-1])
            last = max(t for _, t in picked)
            if stated and duration > 1.0 and last - start < _TRUNCATED_SHARE * duration:
                raise SampleError(f"video {label} is truncated: its frames end at {last - start:.1f} s of a "
                                  f"{duration:.1f} s video")
            arrays = [_to_rgb(frame, stream, max_side) for frame, _ in picked]
        except SampleError:
            raise
        except _decoder_missing(av):
            raise SampleError(f"video {label} uses a codec ({codec}) this FFmpeg build cannot decode; convert it "
                              "(e.g. 'ffmpeg -i in -c:v libx264 out.mp4')") from None
        except av.error.FFmpegError as exc:
            raise SampleError(f"video {label} is truncated or corrupt: {_reason(exc)}") from None
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:  # a resolution change mid-stream: bring every frame to the first one's size
        arrays = _same_size(arrays)
    return VideoClip(np.stack(arrays), tuple(t for _, t in picked), float(duration), str(path), reader.decoded,
                     reader.seeks)


def _decoder_missing(av: Any) -> type[BaseException] | tuple[type[BaseException], ...]:
    found: type[BaseException] | None = getattr(av.error, "DecoderNotFoundError", None)
    return found if found is not None else ()


def _same_size(arrays: list[np.ndarray]) -> list[np.ndarray]:
    from mils_core.media.image import require_pillow

    image_mod = require_pillow()
    h, w = arrays[0].shape[:2]
    return [a if a.shape[:2] == (h, w) else np.asarray(image_mod.fromarray(a).resize((w, h))) for a in arrays]


def _resample(stack: np.ndarray, n: int | None) -> np.ndarray:
    if n is None or len(stack) == n:
        return stack
    index = np.minimum((np.arange(n) + 0.5) * len(stack) / n, len(stack) - 1).astype(int)
    return np.asarray(stack[index])


def as_frames(target: Any, frames: int | None = None, *, max_side: int = DEFAULT_MAX_SIDE) -> np.ndarray:
    """A uint8 (frames, H, W, 3) stack from a :class:`VideoClip`, a video path (read with
    :func:`load_video`), a 4-D array, or a sequence of HxWx3 arrays / PIL images.

    With ``frames`` set, a stack of another length is resampled uniformly to that many frames.
    Raises :class:`SampleError` with a one-line reason when the target cannot be a video.
    """
    if isinstance(target, VideoClip):
        stack = target.frames
    elif isinstance(target, (str, os.PathLike)):
        stack = load_video(target, frames or DEFAULT_FRAMES, max_side=max_side).frames
    elif hasattr(target, "__array_interface__") or isinstance(target, Sequence):
        items = list(target) if not hasattr(target, "__array_interface__") else None
        if items is not None:
            if not items:
                raise SampleError("a video target has no frames")
            stack = np.stack([np.asarray(a.convert("RGB")) if hasattr(a, "convert") else np.asarray(a) for a in items])
        else:
            stack = np.asarray(target)
        if stack.dtype != np.uint8 or stack.ndim != 4 or stack.shape[-1] != 3 or not len(stack):
            raise SampleError(f"video frames must be a uint8 (frames, H, W, 3) stack, got {stack.dtype} {stack.shape}")
    else:
        raise SampleError(f"expected a VideoClip, a video path or a frame stack, got {type(target).__name__}")
    return _resample(stack, frames)
