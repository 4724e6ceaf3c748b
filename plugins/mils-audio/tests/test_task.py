"""The audio-captioning task: sources, pool, prompt, presets, contracts, mils caption, bad inputs in one run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from mils_audio.presets import NO_OFFLINE, PRESETS
from mils_audio.task import AudioCaptioning, AudioCaptionList, AudioPool, audio_samples, builtin_pool

from mils_core.components import Sample, ScoredText, Scorer
from mils_core.errors import ConfigError
from mils_core.hookspecs import hookimpl
from mils_core.media.audio import AudioClip
from mils_core.testing.contracts import CaptionStyleContract, PoolContract, TaskContract
from mils_core.testing.fakes import FakeGenerator
from mils_core.testing.helpers import assert_import_is_light

PLUGIN = Path(__file__).resolve().parents[1]
KNOWN = "a dog barks twice while rain falls on a tin roof"


class TestAudioCaptioningContract(TaskContract):
    @pytest.fixture
    def task(self) -> AudioCaptioning:
        return AudioCaptioning(AudioCaptioning.Options(sample_rate=16000))

    @pytest.fixture
    def sample_source(self, sound_dir: Path) -> Any:
        return str(sound_dir)


class TestAudioCaptionListContract(CaptionStyleContract):
    @pytest.fixture
    def prompt_style(self) -> AudioCaptionList:
        return AudioCaptionList()


class TestAudioPoolContract(PoolContract):
    @pytest.fixture
    def pool(self) -> AudioPool:
        return AudioPool(AudioPool.Options(size=800))


def test_task_defaults_are_the_papers() -> None:
    task = AudioCaptioning(AudioCaptioning.Options(max_words=9, pool_size=100))
    assert task.target_media == "audio" and ".wav" in task.file_suffixes and ".mp3" in task.file_suffixes
    assert (task.default_iterations, task.default_n_new, task.default_top_k) == (19, 50, 10)
    assert task.default_pool == (("audio-pool", {"path": "builtin", "size": 100}),)
    assert task.default_prompt == (("audio-caption-list", {"max_words": 9, "examples": 5, "pool": "builtin"}),)


def test_load_target_decodes_and_resamples(sound_dir: Path) -> None:
    task = AudioCaptioning(AudioCaptioning.Options(sample_rate=48000))
    [sample] = [s for s in task.samples(str(sound_dir)) if s.id == "tone"]
    clip = task.load_target(sample)
    assert isinstance(clip, AudioClip) and clip.sample_rate == 48000 and abs(len(clip) - 72000) <= 2


def test_sources(sound_dir: Path, tmp_path: Path) -> None:
    assert [s.id for s in audio_samples(str(sound_dir))] == ["dc", "long", "noise", "silence", "speech", "tone"]
    assert [s.id for s in audio_samples(str(sound_dir / "s*.wav"))] == ["silence", "speech"]
    assert [s.id for s in audio_samples([str(sound_dir / "dc.wav")] * 2)] == ["dc", "dc-2"]
    manifest = tmp_path / "clips.jsonl"
    manifest.write_text(json.dumps({"id": "c1", "path": str(sound_dir / "speech.wav"),
                                    "references": ["a voice speaks"]}) + "\n")
    [sample] = audio_samples(str(manifest))
    assert sample.id == "c1" and sample.meta["references"] == ["a voice speaks"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no audio files"):
        audio_samples(str(tmp_path / "empty"))


def test_builtin_pool_is_large_distinct_and_rebuilds_byte_identical(tmp_path: Path) -> None:
    pool = builtin_pool()
    assert len(pool) >= 20000 and len(set(pool)) == len(pool)
    assert all(2 <= len(t.split()) <= 18 for t in pool)
    words = " ".join(pool)
    for theme in ("barks", "rain", "engine", "in the distance", "while", "a kitchen", "siren"):
        assert theme in words, theme
    out = tmp_path / "pool.txt"
    proc = subprocess.run([sys.executable, str(PLUGIN / "scripts" / "build_audio_pool.py"), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    shipped = PLUGIN / "src" / "mils_audio" / "data" / "audio_pool.txt"
    assert out.read_bytes() == shipped.read_bytes()


def test_prompt_shows_seeded_random_pool_examples() -> None:
    style = AudioCaptionList(AudioCaptionList.Options(examples=4))
    shown = (ScoredText("a dog barks", 0.31), ScoredText("birds chirp", 0.2))
    sample = Sample("s", "x.wav")
    first = style.build(sample, shown, 7, seed=11)
    again = style.build(sample, shown, 7, seed=11)
    other = style.build(sample, shown, 7, seed=12)
    text = first.messages[-1].content
    assert first.messages == again.messages and first.messages != other.messages
    assert "0.3100: a dog barks" in text and "1 to 7" in text
    examples = style.example_texts(11)
    assert len(examples) == 4 and all(f"- {t}" in text for t in examples if t not in ("a dog barks", "birds chirp"))
    assert set(examples) <= set(builtin_pool())
    none = AudioCaptionList(AudioCaptionList.Options(examples=0)).build(sample, shown, 3, seed=11)
    assert "for their style only" not in none.messages[-1].content


def test_custom_pool_file(tmp_path: Path) -> None:
    path = tmp_path / "pool.txt"
    path.write_text("a dog barks\n\na dog barks\na cat meows\n")
    assert list(AudioPool(AudioPool.Options(path=str(path))).texts()) == ["a dog barks", "a cat meows"]
    assert AudioCaptionList(AudioCaptionList.Options(pool=str(path), examples=5)).example_texts(1) in (
        ["a dog barks", "a cat meows"], ["a cat meows", "a dog barks"])


def test_presets(mils_plugin_manager: Any) -> None:
    registry = mils_plugin_manager.registry
    assert set(PRESETS) == {"fast", "paper"} and AudioCaptioning.presets is PRESETS
    for name in PRESETS:
        preset = AudioCaptioning.preset(name)
        AudioCaptioning.Options(**preset["task"])
        spec = registry.get("scorer", preset["scorer"]["name"])
        spec.options(**{k: v for k, v in preset["scorer"].items() if k != "name"})
    paper = PRESETS["paper"]
    assert paper["stop"] == [{"name": "max-iterations", "n": 19}]
    assert (paper["loop"]["n_new"], paper["loop"]["top_k"]) == (50, 10)
    with pytest.raises(ConfigError) as info:
        AudioCaptioning.preset("offline")
    assert str(info.value) == NO_OFFLINE and "--preset fast" in NO_OFFLINE and "\n" not in NO_OFFLINE


def test_plugin_import_is_light() -> None:
    assert_import_is_light("mils_audio.plugin", "mils_audio.task")


def test_caption_offline_preset_fails_in_one_line(sound_dir: Path, capsys: Any) -> None:
    from mils_core import cli

    code = cli.main(["caption", "--preset", "offline", str(sound_dir / "tone.flac"), "--no-progress"])
    err = capsys.readouterr().err
    assert code != 0 and "no offline preset" in err and "--preset fast" in err


# -- end to end ----------------------------------------------------------------------------------
@attrs.frozen
class PreferOptions:
    known: str = KNOWN


class PreferScorer(Scorer[PreferOptions]):
    """An audio scorer made to prefer one known text (word overlap with it), reading the real decoded clip."""

    Options = PreferOptions
    target_media = ("audio",)

    def prepare_targets(self, targets: Any) -> list[Any]:
        out = []
        for t in targets:
            assert isinstance(t, AudioClip) and len(t) > 0 and np.isfinite(t.samples).all()
            out.append(t.duration)
        return out

    def score(self, handles: Any, texts: Any) -> list[list[Any]]:
        known = set(self.options.known.split())
        return [[len(known & set(t.split())) / len(known | set(t.split())) for t in group] for group in texts]


class E2EPlugin:
    @hookimpl
    def mils_register_scorers(self, register: Any) -> None:
        register("prefer-known", PreferScorer, options=PreferOptions, description="prefers one text (tests)")

    @hookimpl
    def mils_register_generators(self, register: Any) -> None:
        def build(options: Any = None) -> FakeGenerator:
            return FakeGenerator(options, respond=lambda p: "\n".join(
                f"{i + 1}. {t}" for i, t in enumerate([f"{p.shown[0].text} loudly", KNOWN, "a cat meows softly"])))

        register("known-gen", build, options=FakeGenerator.Options, description="proposes the known text (tests)")


def test_the_loop_finds_the_text_the_scorer_prefers(sound_dir: Path, tmp_path: Path, mils_plugin_manager: Any,
                                                     mils_register: Any, mils_run: Any) -> None:
    mils_register(E2EPlugin())
    raw = {
        "run": {"task": "audio-captioning", "samples": [str(sound_dir / "speech.wav"), str(sound_dir / "tone.flac")],
                "output": str(tmp_path / "run"), "seed": 0},
        "task": {"sample_rate": 16000},
        "generator": {"name": "known-gen"},
        "scorer": {"name": "prefer-known"},
        "pool": {"name": "audio-pool", "size": 500},
        "loop": {"n_new": 3, "top_k": 4},
        "stop": [{"name": "max-iterations", "n": 2}],
    }
    records = mils_run(raw)
    assert KNOWN not in builtin_pool()[:500]
    for record in records:
        assert record["status"] == "ok" and record["best_text"] == KNOWN
        assert record["best_score"] == 1.0 > record["initial_best_score"]


def test_bad_inputs_fail_one_by_one_with_tiny_clap(sound_dir: Path, tmp_path: Path, clap_dir: Path,
                                                    mils_run: Any) -> None:
    import soundfile as sf

    full = tmp_path / "full.wav"
    sf.write(full, np.random.default_rng(1).normal(0, 0.1, 48000).astype(np.float32), 16000)
    (tmp_path / "cut.wav").write_bytes(full.read_bytes()[:20000])
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.wav").write_text("not audio\n" * 100)
    sf.write(tmp_path / "zero.wav", np.zeros((0,), np.float32), 16000)
    good = [str(sound_dir / "speech.wav"), str(sound_dir / "silence.wav")]
    bad = {"missing": "does not exist", "cut": "is truncated", "empty": "empty (0 bytes)",
           "notes": "is not an audio file that can be read", "zero": "holds no samples"}
    raw = {
        "run": {"task": "audio-captioning", "samples": good + [str(tmp_path / f"{n}.wav") for n in bad],
                "output": str(tmp_path / "run"), "cache_dir": str(tmp_path / "cache"), "seed": 0},
        "task": {"sample_rate": 16000},
        "generator": {"name": "mutate"},
        "scorer": {"name": "hf-clap", "model": str(clap_dir), "device": "cpu"},
        "pool": {"name": "audio-pool", "size": 64},
        "loop": {"n_new": 4, "top_k": 4},
        "stop": [{"name": "max-iterations", "n": 2}],
    }
    records = mils_run(raw)
    by_id = records.by_id
    assert by_id["speech"]["status"] == "ok" and by_id["speech"]["best_text"]
    assert by_id["silence"]["status"] == "ok" and np.isfinite(by_id["silence"]["best_score"])
    for name, reason in bad.items():
        assert by_id[name]["status"] == "failed" and reason in by_id[name]["error"], by_id[name]
        assert "\n" not in by_id[name]["error"]
    assert records.summary["ok"] == 2 and records.summary["failed"] == len(bad)


def test_mils_caption_picks_the_audio_task(tmp_path: Path, clap_dir: Path, capsys: Any) -> None:
    """`mils caption clip.flac` (the bundled example) with the tiny CLAP model: the task follows the file."""
    from mils_core import cli
    from mils_core.results import read_sample_records

    [clip] = [p for p in AudioCaptioning.examples() if p.name == "chime.flac"]
    out = tmp_path / "run"
    code = cli.main(["caption", str(clip), "--json", "--no-progress", "--output", str(out), "--generator", "mutate",
                     "--scorer", "hf-clap", "--set", f"scorer.model={clap_dir}", "--set", "scorer.device=cpu",
                     "--set", "task.pool_size=200", "--set", "stop.0.n=2", "--set", "task.sample_rate=16000"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["status"] == "ok" and printed["caption"]
    [record] = read_sample_records(out)
    assert 'task = "audio-captioning"' in (out / "config.toml").read_text()
    assert record.best_score is not None and record.best_score >= (record.initial_best_score or 0)


@pytest.mark.slow
def test_mils_bench_on_audio(tmp_path: Path, clap_dir: Path, mils_plugin_manager: Any) -> None:
    """`mils bench --task audio-captioning` on the bundled clips with the tiny CLAP: one audio encode per sample,
    no more candidate encodes than new candidates, decode + resample time measured per sample."""
    from mils_core.bench import bench

    report = bench(mils_plugin_manager, task="audio-captioning", preset="fast", iterations=2, generator="mutate",
                   overrides=[f"scorer.model={clap_dir}", "scorer.device=cpu", "task.pool_size=300",
                              "task.sample_rate=48000"], workdir=tmp_path)
    [full] = [r for r in report["variants"] if r["variant"] == "full"]
    assert full["samples"] == len(AudioCaptioning.examples()) == 3 and full["failed"] == 0
    assert full["target_encodes_per_sample"] == 1.0
    assert 0 < full["candidate_encodes_per_sample"] <= full["new_candidates_per_sample"]
    assert full["stage_s_per_sample"]["load"] > 0  # decoding the FLAC and resampling 16 -> 48 kHz


@pytest.mark.slow
def test_mils_bench_with_random_weights(tmp_path: Path, mils_plugin_manager: Any) -> None:
    """`mils bench --random-weights` on the paper preset: ImageBind towers of a shape, nothing downloaded."""
    from mils_core.bench import bench

    report = bench(mils_plugin_manager, task="audio-captioning", preset="paper", iterations=1, generator="mutate",
                   random_weights=True, overrides=["scorer.random_shape=tiny", "scorer.device=cpu",
                                                   "task.pool_size=200"], workdir=tmp_path)
    [full] = [r for r in report["variants"] if r["variant"] == "full"]
    assert full["failed"] == 0 and full["target_encodes_per_sample"] == 1.0
    assert full["scorer_stats"]["clips_encoded"] == 3 * full["samples"]
