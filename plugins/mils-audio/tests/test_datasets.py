"""The audiocaps reader, and the clotho reader (mils-eval) feeding the audio task."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from mils_audio.datasets import AudioCaps, AudioCapsOptions

from mils_core.errors import ConfigError
from mils_core.testing.contracts import DatasetContract

ROWS = [("1", "abc123", "30", "a dog barks"), ("2", "abc123", "30", "a dog is barking outside"),
        ("3", "xyz789", "0", "rain falls on a roof"), ("4", "gone11", "10", "a car passes by")]


def write_audiocaps(tmp_path: Path, sound_dir: Path) -> tuple[Path, Path]:
    csv = tmp_path / "test.csv"
    csv.write_text("audiocap_id,youtube_id,start_time,caption\n" + "".join(",".join(r) + "\n" for r in ROWS))
    audio = tmp_path / "audio"
    audio.mkdir()
    shutil.copy(sound_dir / "speech.wav", audio / "abc123.wav")
    shutil.copy(sound_dir / "tone.flac", audio / "Yxyz789_0.flac")
    return csv, audio


class TestAudioCapsContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path, sound_dir: Path) -> AudioCaps:
        csv, audio = write_audiocaps(tmp_path, sound_dir)
        return AudioCaps(AudioCapsOptions(audio=str(audio), captions=str(csv), skip_missing=True))


def test_audiocaps_groups_captions_and_finds_files(tmp_path: Path, sound_dir: Path) -> None:
    csv, audio = write_audiocaps(tmp_path, sound_dir)
    strict = AudioCaps(AudioCapsOptions(audio=str(audio), captions=str(csv)))
    with pytest.raises(ConfigError, match="1 of 3 AudioCaps clips not found .*gone11.*skip_missing"):
        strict.check()
    lenient = AudioCaps(AudioCapsOptions(audio=str(audio), captions=str(csv), skip_missing=True))
    lenient.check()
    samples = {s.id: s for s in lenient.samples()}
    assert sorted(samples) == ["abc123", "xyz789"]
    assert samples["abc123"].meta["references"] == ["a dog barks", "a dog is barking outside"]
    assert samples["xyz789"].source.endswith("Yxyz789_0.flac")
    with pytest.raises(ConfigError, match="needs captions"):
        AudioCaps(AudioCapsOptions(audio=str(audio), captions=str(tmp_path / "nope.csv"))).check()
    (tmp_path / "bad.csv").write_text("id,caption\n1,x\n")
    with pytest.raises(ConfigError, match="lacks the columns"):
        AudioCaps(AudioCapsOptions(audio=str(audio), captions=str(tmp_path / "bad.csv"))).check()


class FakeAudioPlugin:
    """Registers ``fake-audio``: the core kit's FakeScorer taking decoded audio (hashes of its samples)."""

    from mils_core.hookspecs import hookimpl

    @hookimpl
    def mils_register_scorers(self, register: Any) -> None:
        import numpy as np

        from mils_core.testing.fakes import FakeScorer, hashed_vector

        class FakeAudio(FakeScorer):
            target_media = ("audio",)

            def encode_target_batch(self, targets: list[Any]) -> Any:
                return np.stack([hashed_vector(t.samples[:100].tobytes(), self.options.dim) for t in targets])

        register("fake-audio", FakeAudio, options=FakeScorer.Options, description="hashes of audio samples (tests)")


def test_readers_feed_the_audio_task(tmp_path: Path, sound_dir: Path, mils_plugin_manager: Any, mils_register: Any,
                                     mils_run: Any) -> None:
    mils_register(FakeAudioPlugin())
    csv, audio = write_audiocaps(tmp_path, sound_dir)
    raw: dict[str, Any] = {
        "run": {"task": "audio-captioning", "output": str(tmp_path / "run1")},
        "dataset": {"name": "audiocaps", "audio": str(audio), "captions": str(csv), "skip_missing": True},
        "task": {"sample_rate": 16000},
        "generator": {"name": "mutate"},
        "scorer": {"name": "fake-audio"},
        "pool": {"name": "audio-pool", "size": 40},
        "loop": {"n_new": 4, "top_k": 4},
        "stop": [{"name": "max-iterations", "n": 1}],
    }
    records = mils_run(raw)
    assert sorted(records.by_id) == ["abc123", "xyz789"] and all(r["status"] == "ok" for r in records)
    assert records.by_id["abc123"]["meta"]["references"] == ["a dog barks", "a dog is barking outside"]
    if "clotho" not in {s.name for s in mils_plugin_manager.registry.specs("dataset")}:
        pytest.skip("mils-eval (the clotho reader) is not installed")
    clotho = tmp_path / "clotho"
    clotho.mkdir()
    shutil.copy(sound_dir / "speech.wav", clotho / "voice 01.wav")
    captions = tmp_path / "clotho_captions_evaluation.csv"
    captions.write_text("file_name,caption_1,caption_2,caption_3,caption_4,caption_5\n"
                        "voice 01.wav,a man talks,someone speaks,a voice says words,speech,a person talks\n")
    raw["run"] = {"task": "audio-captioning", "output": str(tmp_path / "run2")}
    raw["dataset"] = {"name": "clotho", "audio": str(clotho), "captions": str(captions)}
    [record] = mils_run(raw)
    assert record["status"] == "ok" and record["meta"]["references"][0] == "a man talks"
