"""Read any audio file a user may point at as mono samples at a model's rate, or say in one line why not.

:func:`load_audio` decodes WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF, AU, CAF, W64 (anything libsndfile
reads) with ``soundfile``, and every other container FFmpeg knows (AAC/M4A, AC3, WavPack, WMA, the
audio track of a video file) with PyAV. Channels are mixed down to mono (their mean); the samples are
resampled to the rate asked for with ``soxr`` (high quality). Samples are float32 in [-1, 1] as the
file gives them; non-finite values (a broken float WAV) become 0.

**Windows for long files** (:func:`windows`). A model hears a fixed window (CLAP 10 s, ImageBind
2 s clips). The policy, the same for every scorer that uses it:

* a clip shorter than the window is padded to it: ``repeat`` (the clip is repeated, then zeros fill
  the rest; CLAP's ``repeatpad``) or ``zero`` (zeros after the clip);
* a clip longer than the window is cut into ``ceil(length / window)`` windows, at most
  ``max_windows``, spread evenly from its start to its end (the first starts at 0, the last ends at
  the last sample; with the cap, windows skip the audio between them); a scorer embeds each window
  and pools the normalised window embeddings (their mean), so a ten-minute file costs
  ``max_windows`` windows, not ten minutes of them. Nothing is random: the same file gives the same
  windows.

Silence and DC-only clips are ordinary samples (nothing here divides by a level).

**Errors**: :class:`~mils_core.errors.SampleError` with one line for a missing file, an empty
(0-byte) file, a file that is not audio, a file with no audio stream, a truncated file (fewer
samples than its header declares) and a file with no samples, so one bad file fails one sample.
``soundfile`` and ``soxr`` (``pip install 'mils-core[audio]'``) and PyAV (only for the other
containers) are imported inside the functions; importing this module is cheap.
"""

from __future__ import annotations

import math
import os
import re
import struct
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from mils_core.errors import ConfigError, SampleError

__all__ = [
    "AUDIO_SUFFIXES",
    "PAD_MODES",
    "AudioClip",
    "as_waveform",
    "load_audio",
    "require_soundfile",
    "require_soxr",
    "resample",
    "windows",
]

#: File suffixes taken as audio when a folder or glob is searched (``mils caption`` picks the audio task by them).
AUDIO_SUFFIXES = frozenset({".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc",
                            ".au", ".snd", ".caf", ".w64", ".m4a", ".aac", ".ac3", ".wv", ".wma", ".mka", ".amr"})
#: How a clip shorter than a model's window is filled (see the module docs).
PAD_MODES = ("repeat", "zero")
#: A file whose decoded samples stop before this share of its declared length is reported as truncated.
_TRUNCATED_SHARE = 0.98
#: The same for compressed formats, whose declared lengths are estimates (an MP3 without a Xing header).
_LOSSY_SHARE = 0.8
#: Declared lengths shorter than this (seconds) are not checked for truncation (encoder padding).
_MIN_CHECKED_S = 0.25
_INSTALL = "pip install 'mils-core[audio]'"


@attrs.frozen(eq=False)
class AudioClip:
    """One decoded audio file, mono.

    :param samples: float32 array of shape (n,), mono, at ``sample_rate``.
    :param sample_rate: samples per second of ``samples``.
    :param duration: length in seconds.
    :param path: the file it came from ("" for arrays).
    :param source_rate: the file's own sample rate.
    :param channels: the file's channel count (before the mix-down).
    :param decoder: ``soundfile`` or ``pyav``.
    """

    samples: np.ndarray
    sample_rate: int
    duration: float
    path: str = ""
    source_rate: int = 0
    channels: int = 1
    decoder: str = ""

    def __len__(self) -> int:
        return int(self.samples.shape[0])


def require_soundfile() -> Any:
    """The ``soundfile`` module, or a one-line error saying how to install it."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: the module is there but libsndfile is not
        raise ConfigError(f"decoding audio needs soundfile (libsndfile), which is not usable here ({exc}); "
                          f"run \"{_INSTALL}\" (or 'pip install soundfile')") from exc
    return soundfile


def require_soxr() -> Any:
    """The ``soxr`` module, or a one-line error saying how to install it."""
    try:
        import soxr
    except ImportError as exc:
        raise ConfigError(f"resampling audio needs soxr, which is not installed; run \"{_INSTALL}\" "
                          "(or 'pip install soxr')") from exc
    return soxr


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Mono float32 ``samples`` at ``from_rate`` resampled to ``to_rate`` (soxr, high quality)."""
    if from_rate <= 0 or to_rate <= 0:
        raise ConfigError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if from_rate == to_rate or samples.size == 0:
        return samples
    soxr = require_soxr()
    out = soxr.resample(samples, from_rate, to_rate, quality="HQ")
    return np.ascontiguousarray(out, dtype=np.float32)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r"^Error opening .*?: ", "", text)
    return text.replace(str(getattr(exc, "filename", "") or "\0"), "").strip(" :;'\"") or type(exc).__name__


def _mono(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    data = np.ascontiguousarray(data, dtype=np.float32)
    if not np.isfinite(data).all():
        data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
    return data


def _wav_declared_frames(path: Path) -> int | None:
    """Frames a RIFF/WAVE file's ``data`` chunk declares (libsndfile trims a cut file silently), or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = 0
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], int(struct.unpack("<I", chunk[4:])[0])
                if cid == b"fmt ":
                    fmt = fh.read(size)
                    if len(fmt) >= 14:
                        block_align = int(struct.unpack("<H", fmt[12:14])[0])
                    if size % 2:
                        fh.read(1)
                    continue
                if cid == b"data":
                    if not block_align or size in (0, 0xFFFFFFFF):  # 0xFFFFFFFF: a streamed file of unknown length
                        return None
                    return size // block_align
                fh.seek(size + (size % 2), os.SEEK_CUR)
    except OSError:
        return None


def _truncated(label: str, got: int, declared: int | None, rate: int, share: float = _TRUNCATED_SHARE
               ) -> SampleError | None:
    if declared is None or declared <= 0 or rate <= 0 or declared / rate < _MIN_CHECKED_S:
        return None
    if got < share * declared:
        return SampleError(f"audio {label} is truncated: its samples end at {got / rate:.2f} s of a "
                           f"{declared / rate:.2f} s file")
    return None


def _read_soundfile(sf: Any, path: Path, label: str) -> tuple[np.ndarray, int, int] | None:
    """(mono samples, rate, channels) via libsndfile; None when libsndfile does not know the format."""
    try:
        info = sf.info(str(path))
    except (RuntimeError, TypeError, ValueError):  # soundfile.LibsndfileError is a RuntimeError
        return None
    if info.frames <= 0 and path.suffix.lower() == ".mp3":
        return None  # an mp3 libsndfile cannot measure: let FFmpeg try
    declared = _wav_declared_frames(path) if info.format in ("WAV", "WAVEX") else None
    share = _TRUNCATED_SHARE
    if declared is None and info.format in ("FLAC", "MPEG", "MP3") and info.frames > 0:
        declared = int(info.frames)
        share = _TRUNCATED_SHARE if info.format == "FLAC" else _LOSSY_SHARE
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, ValueError) as exc:
        if info.frames > 0 and declared is not None:
            raise SampleError(f"audio {label} is truncated or corrupt: {_reason(exc)}") from None
        return None  # a container libsndfile half-knows: let FFmpeg try
    problem = _truncated(label, int(data.shape[0]), declared, int(rate), share)
    if problem is not None:
        raise problem
    return _mono(data), int(rate), int(info.channels)


def _require_av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise ConfigError("decoding this audio container needs PyAV, which is not installed; run "
                          "\"pip install 'mils-core[video]'\" (or 'pip install av')") from exc
    return av


def _read_av(path: Path, label: str) -> tuple[np.ndarray, int, int]:
    """(mono samples, rate, channels) of the first audio stream via PyAV (FFmpeg)."""
    av = _require_av()
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise SampleError(f"{label} is not an audio file that can be read (unknown format, truncated or corrupt: "
                          f"{_reason(exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SampleError(f"audio {label} cannot be opened: {_reason(exc)}") from None
    with container:
        if not container.streams.audio:
            kinds = sorted({str(s.type) for s in container.streams})
            if not kinds:
                raise SampleError(f"{label} is not an audio file that can be read (no streams found)")
            raise SampleError(f"{label} has no audio stream (streams: {', '.join(kinds)})")
        stream = container.streams.audio[0]
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = int(getattr(stream.codec_context, "channels", 0) or len(getattr(stream.layout, "channels", ())) or 1)
        parts: list[np.ndarray] = []
        errors = 0
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    errors += 1
                    if errors > 64:
                        raise
                    continue
                for frame in frames:
                    # float planar at the frame's own rate and layout; the channels are averaged here
                    # (FFmpeg's own mono downmix adds a centre gain that can exceed full scale)
                    rate = rate or int(frame.sample_rate)
                    data = frame.to_ndarray()
                    if data.dtype.kind in "iu":
                        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max)
                    if not frame.format.is_planar:
                        data = data.reshape(-1, len(frame.layout.channels)).T
                    parts.append(np.asarray(data, dtype=np.float32).mean(axis=0))
        except av.error.FFmpegError as exc:
            raise SampleError(f"audio {label} is truncated or corrupt: {_reason(exc)}") from None
        declared = None
        if stream.duration and stream.time_base and rate:
            declared = int(float(stream.duration * stream.time_base) * rate)
    samples = _mono(np.concatenate(parts)) if parts else np.zeros(0, np.float32)
    if samples.size == 0 and errors:
        raise SampleError(f"audio {label} has no decodable samples ({errors} packets could not be decoded)")
    problem = _truncated(label, int(samples.size), declared, rate, _LOSSY_SHARE)
    if problem is not None:
        raise problem
    return samples, rate, channels


def load_audio(path: str | os.PathLike[str], sample_rate: int | None = None) -> AudioClip:
    """The mono samples of ``path``, resampled to ``sample_rate`` (None: the file's own rate).

    Raises :class:`SampleError` with a one-line reason for a missing or empty file, a file that
    is not audio or has no audio stream, a truncated or corrupt file, and one with no samples.
    """
    if sample_rate is not None and sample_rate <= 0:
        raise ConfigError(f"sample_rate must be positive, got {sample_rate}")
    path = Path(path)
    label = repr(str(path))
    if not path.exists():
        raise SampleError(f"audio {label} does not exist")
    if not path.is_file():
        raise SampleError(f"audio {label} is not a file")
    if path.stat().st_size == 0:
        raise SampleError(f"audio {label} is empty (0 bytes)")
    sf = require_soundfile()
    got = _read_soundfile(sf, path, label)
    decoder = "soundfile"
    if got is None:
        got = _read_av(path, label)
        decoder = "pyav"
    samples, rate, channels = got
    if samples.size == 0:
        raise SampleError(f"audio {label} holds no samples (0 s of audio)")
    target = int(sample_rate or rate)
    out = resample(samples, rate, target)
    return AudioClip(out, target, samples.size / rate, str(path), rate, channels, decoder)


def as_waveform(target: Any, sample_rate: int) -> np.ndarray:
    """Mono float32 samples at ``sample_rate`` from an :class:`AudioClip` (resampled if needed), an audio
    path (read with :func:`load_audio`), or a 1-D array (taken to be at ``sample_rate`` already)."""
    if isinstance(target, AudioClip):
        samples = resample(target.samples, target.sample_rate, sample_rate)
    elif isinstance(target, (str, os.PathLike)):
        samples = load_audio(target, sample_rate).samples
    elif hasattr(target, "__array_interface__") or hasattr(target, "__array__"):
        samples = _mono(np.asarray(target))
        if samples.ndim != 1:
            raise SampleError(f"an audio target must be a 1-D (or samples x channels) array, got shape {samples.shape}")
    else:
        raise SampleError(f"expected an AudioClip, an audio path or an array of samples, got {type(target).__name__}")
    if samples.size == 0:
        raise SampleError("an audio target holds no samples")
    return samples


def windows(samples: np.ndarray, window: int, *, max_windows: int = 8, pad: str = "repeat") -> np.ndarray:
    """The model windows of ``samples``: shape (k, window), by the policy in the module docs."""
    if window < 1:
        raise ConfigError(f"an audio window must hold at least one sample, got {window}")
    if max_windows < 1:
        raise ConfigError(f"max_windows must be at least 1, got {max_windows}")
    if pad not in PAD_MODES:
        raise ConfigError(f"pad must be one of {', '.join(PAD_MODES)}, got {pad!r}")
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    n = samples.size
    if n == 0:
        raise SampleError("an audio target holds no samples")
    if n <= window:
        out = np.zeros((1, window), np.float32)
        if pad == "repeat":
            reps = window // n
            out[0, : reps * n] = np.tile(samples, reps)
        else:
            out[0, :n] = samples
        return out
    k = min(max_windows, math.ceil(n / window))
    starts = np.round(np.linspace(0, n - window, k)).astype(np.int64)
    return np.stack([samples[s : s + window] for s in starts]).astype(np.float32, copy=False)
