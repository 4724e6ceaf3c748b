"""mils_core.media.audio: real clips synthesised with espeak-ng and sox, files in several formats, bad files."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from mils_core.errors import ConfigError, SampleError
from mils_core.media.audio import AUDIO_SUFFIXES, AudioClip, as_waveform, load_audio, resample, windows

pytest.importorskip("soundfile")
pytest.importorskip("soxr")

# CI must run these (scripts/setup.sh --test installs the tools); elsewhere they skip without them.
_ci = bool(os.environ.get("CI"))
needs_sox = pytest.mark.skipif(shutil.which("sox") is None and not _ci, reason="sox is not installed")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None and not _ci, reason="espeak-ng is not installed")


def sox(*args: str) -> None:
    subprocess.run(["sox", "-R", *args], check=True, capture_output=True)


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / rate)[int(np.argmax(spectrum))])


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Speech, a tone (stereo, 44.1 kHz), noise, silence, a DC-only clip, in several formats."""
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed")
    folder = tmp_path_factory.mktemp("audio")
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(folder / "speech.wav"), "a dog barks in the park"], check=True,
                       capture_output=True)
    sox("-n", "-r", "44100", "-c", "2", str(folder / "tone.wav"), "synth", "1.5", "sine", "440", "vol", "0.5")
    for suffix in (".flac", ".ogg", ".mp3", ".aiff"):
        sox(str(folder / "tone.wav"), str(folder / f"tone{suffix}"))
    sox("-n", "-r", "16000", "-c", "1", str(folder / "noise.flac"), "synth", "1", "whitenoise", "vol", "0.3")
    sox("-n", "-r", "22050", "-c", "1", str(folder / "silence.wav"), "trim", "0", "1")
    sox("-n", "-r", "16000", "-c", "1", "-b", "32", "-e", "floating-point", str(folder / "float.wav"), "synth", "1",
        "sine", "1000")
    sox("-n", "-r", "16000", "-c", "1", str(folder / "zero.wav"), "trim", "0", "0")
    import soundfile as sf

    sf.write(folder / "dc.wav", np.full(8000, 0.25, np.float32), 8000, subtype="FLOAT")
    return folder


@needs_espeak
def test_speech_is_read_resampled_and_mono(clips: Path) -> None:
    clip = load_audio(clips / "speech.wav", 48000)
    assert isinstance(clip, AudioClip) and clip.decoder == "soundfile"
    assert clip.source_rate == 22050 and clip.sample_rate == 48000 and clip.channels == 1
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert abs(len(clip) / 48000 - clip.duration) < 0.01 and 0.8 < clip.duration < 4
    assert 0.1 < float(np.abs(clip.samples).max()) <= 1.0


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3", ".aiff"])
def test_formats_agree_on_a_stereo_tone(clips: Path, suffix: str) -> None:
    clip = load_audio(clips / f"tone{suffix}", 16000)
    assert clip.channels == 2 and clip.source_rate == 44100 and clip.sample_rate == 16000
    assert abs(clip.duration - 1.5) < 0.1
    assert abs(peak_hz(clip.samples, 16000) - 440) < 5  # the resampler keeps the pitch
    assert 0.3 < float(np.abs(clip.samples).max()) < 0.6  # the mean of two equal channels, not their sum


def test_pyav_containers(tmp_path: Path) -> None:
    """An AAC track in an .m4a and the audio of a video file, through PyAV."""
    av = pytest.importorskip("av")
    rate = 22050
    tone = (0.4 * np.sin(2 * np.pi * 660 * np.arange(rate) / rate)).astype(np.float32)
    path = tmp_path / "tone.m4a"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="stereo")
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    clip = load_audio(path, 16000)
    assert clip.decoder == "pyav" and clip.channels == 2 and clip.source_rate == rate
    assert abs(clip.duration - 1.0) < 0.1 and abs(peak_hz(clip.samples, 16000) - 660) < 5
    assert float(np.abs(clip.samples).max()) < 0.6
    video = tmp_path / "silent.mp4"
    with av.open(str(video), "w") as container:
        vstream = container.add_stream("mpeg4", rate=8)
        vstream.width, vstream.height, vstream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(4):
            image = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in vstream.encode(image):
                container.mux(packet)
        for packet in vstream.encode():
            container.mux(packet)
    with pytest.raises(SampleError, match=r"has no audio stream \(streams: video\)"):
        load_audio(video)


def test_the_iscc_samples_demo_clips() -> None:
    """The demo clip of iscc-samples in every format it ships (located without importing the package)."""
    spec = importlib.util.find_spec("iscc_samples")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("iscc-samples is not installed (pip install iscc-samples==0.6.0)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "files" / "audio"
    files = sorted(folder.glob("demo.*"))
    assert len(files) >= 5
    reference = load_audio(folder / "demo.wav", 16000)
    for path in files:
        clip = load_audio(path, 16000)
        assert path.suffix.lower() in AUDIO_SUFFIXES
        assert abs(clip.duration - reference.duration) < 0.2, path.name
        assert clip.channels == 2 and float(np.abs(clip.samples).max()) <= 1.0, path.name
        n = min(len(clip), len(reference)) - 4000
        corr = np.corrcoef(clip.samples[2000:n], reference.samples[2000:n])[0, 1] if "ac3" not in path.name else 1.0
        assert corr > 0.5 or abs(peak_hz(clip.samples, 16000) - peak_hz(reference.samples, 16000)) < 20, path.name


def test_silence_dc_noise_and_float_files(clips: Path) -> None:
    silence = load_audio(clips / "silence.wav", 48000)
    assert len(silence) == 48000 and float(np.abs(silence.samples).max()) == 0.0
    dc = load_audio(clips / "dc.wav")
    assert dc.sample_rate == 8000 and np.allclose(dc.samples, 0.25)
    assert np.isfinite(load_audio(clips / "noise.flac", 44100).samples).all()
    assert abs(peak_hz(load_audio(clips / "float.wav").samples, 16000) - 1000) < 5


def test_a_float_file_with_nan_samples_is_finite(tmp_path: Path) -> None:
    import soundfile as sf

    data = np.zeros(4000, np.float32)
    data[::7] = np.nan
    data[1] = np.inf
    sf.write(tmp_path / "nan.wav", data, 8000, subtype="FLOAT")
    assert np.isfinite(load_audio(tmp_path / "nan.wav", 16000).samples).all()


@needs_sox
def test_a_ten_minute_file(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    sox("-n", "-r", "8000", "-c", "1", str(path), "synth", "600", "sine", "300", "vol", "0.5")
    start = time.perf_counter()
    clip = load_audio(path, 16000)
    elapsed = time.perf_counter() - start
    assert abs(clip.duration - 600) < 0.01 and len(clip) == 600 * 16000
    assert elapsed < 20, f"{elapsed:.1f} s to decode and resample ten minutes"
    wins = windows(clip.samples, 16000 * 10, max_windows=6)
    assert wins.shape == (6, 160000)
    assert np.allclose(wins[0], clip.samples[:160000]) and np.allclose(wins[-1], clip.samples[-160000:])


def test_bad_files_fail_in_one_line(clips: Path, tmp_path: Path) -> None:
    import soundfile as sf

    wav = tmp_path / "full.wav"
    sf.write(wav, (0.3 * np.sin(np.arange(80000) / 5)).astype(np.float32), 16000, subtype="PCM_16")
    (tmp_path / "cut.wav").write_bytes(wav.read_bytes()[:30000])
    flac = tmp_path / "full.flac"
    sf.write(flac, np.random.default_rng(0).normal(0, 0.2, 80000).astype(np.float32), 16000)
    (tmp_path / "cut.flac").write_bytes(flac.read_bytes()[: flac.stat().st_size // 3])
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.mp3").write_text("not audio at all\n" * 50)
    (tmp_path / "folder.wav").mkdir()
    cases = {
        tmp_path / "missing.wav": "does not exist",
        tmp_path / "empty.wav": r"is empty \(0 bytes\)",
        tmp_path / "notes.mp3": "is not an audio file that can be read",
        tmp_path / "cut.wav": r"is truncated: its samples end at 0\.9\d s of a 5\.00 s file",
        tmp_path / "cut.flac": "truncated",
        tmp_path / "folder.wav": "is not a file",
        clips / "zero.wav": r"holds no samples \(0 s of audio\)",
    }
    for path, reason in cases.items():
        with pytest.raises(SampleError, match=reason) as info:
            load_audio(path, 16000)
        message = str(info.value)
        assert "\n" not in message and str(path) in message and len(message) < 250, message


def test_a_cut_mp3_with_a_length_header_is_truncated() -> None:
    spec = importlib.util.find_spec("iscc_samples")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("iscc-samples is not installed")
    mp3 = Path(list(spec.submodule_search_locations)[0]) / "files" / "audio" / "demo.mp3"
    cut = Path(pytest.importorskip("tempfile").mkdtemp()) / "cut.mp3"
    cut.write_bytes(mp3.read_bytes()[:100_000])
    with pytest.raises(SampleError, match="is truncated"):
        load_audio(cut)


def test_windows_policy() -> None:
    short = np.arange(1, 4, dtype=np.float32)
    assert windows(short, 8).tolist() == [[1, 2, 3, 1, 2, 3, 0, 0]]  # repeat, then zeros
    assert windows(short, 8, pad="zero").tolist() == [[1, 2, 3, 0, 0, 0, 0, 0]]
    assert windows(np.arange(8, dtype=np.float32), 8).tolist() == [list(range(8))]
    wins = windows(np.arange(20, dtype=np.float32), 8)
    assert wins.shape == (3, 8) and wins[0, 0] == 0 and wins[-1, -1] == 19  # even spread, first and last kept
    capped = windows(np.arange(1000, dtype=np.float32), 10, max_windows=4)
    assert capped.shape == (4, 10) and capped[0, 0] == 0 and capped[-1, -1] == 999
    assert np.array_equal(windows(np.arange(1000, dtype=np.float32), 10, max_windows=4), capped)  # nothing random
    with pytest.raises(SampleError):
        windows(np.zeros(0, np.float32), 8)
    with pytest.raises(ConfigError):
        windows(short, 8, pad="mirror")


def test_as_waveform_and_resample(clips: Path) -> None:
    clip = load_audio(clips / "tone.wav")
    at16 = as_waveform(clip, 16000)
    assert abs(len(at16) - 24000) <= 2 and abs(peak_hz(at16, 16000) - 440) < 5
    assert as_waveform(clip, 44100) is not None and len(as_waveform(clip, 44100)) == len(clip)
    assert len(as_waveform(str(clips / "tone.wav"), 8000)) == pytest.approx(12000, abs=2)
    assert as_waveform(np.zeros((100, 2)), 16000).shape == (100,)
    with pytest.raises(SampleError):
        as_waveform(np.zeros(0), 16000)
    with pytest.raises(SampleError):
        as_waveform(42, 16000)
    assert resample(np.ones(100, np.float32), 100, 100).shape == (100,)
    with pytest.raises(ConfigError):
        resample(np.ones(10, np.float32), 0, 16000)
    with pytest.raises(ConfigError):
        load_audio(clips / "tone.wav", 0)


def test_importing_the_module_is_light() -> None:
    import subprocess as sp
    import sys

    code = ("import sys, mils_core.media.audio; bad = [m for m in ('soundfile', 'soxr', 'av', 'torch') "
            "if m in sys.modules]; assert not bad, bad")
    sp.run([sys.executable, "-c", code], check=True)
