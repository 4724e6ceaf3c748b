"""The hf-clap scorer on a tiny ClapModel folder: the contract, the model called directly, windows, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_audio.hf_clap import HfClapOptions, HfClapScorer

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import load_audio, windows
from mils_core.testing.contracts import ScorerContract, unavailable_model_message

pytest.importorskip("transformers")


class TestHfClapContract(ScorerContract):
    @pytest.fixture
    def scorer(self, clap_dir: Path) -> HfClapScorer:
        return HfClapScorer(HfClapOptions(model=str(clap_dir), device="cpu"))

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips[:2]


def test_matches_the_model_called_directly(clap_dir: Path, clips: list[Any]) -> None:
    import torch
    from transformers import AutoFeatureExtractor, AutoTokenizer, ClapModel

    scorer = HfClapScorer(HfClapOptions(model=str(clap_dir), device="cpu"))
    handles = scorer.prepare_targets(clips[:1])
    texts = ["a dog barks", "rain falls on a roof"]
    got = np.array(scorer.score(handles, [texts])[0])
    model = ClapModel.from_pretrained(clap_dir).eval()
    tok, fe = AutoTokenizer.from_pretrained(clap_dir), AutoFeatureExtractor.from_pretrained(clap_dir)
    wave = load_audio(clips[0].path, 16000).samples
    with torch.no_grad():
        a = model.get_audio_features(**fe([wave], sampling_rate=16000, truncation="rand_trunc", padding="repeatpad",
                                          return_tensors="pt"))
        t = model.get_text_features(**tok(texts, padding=True, return_tensors="pt"))
    a = getattr(a, "pooler_output", a)
    t = getattr(t, "pooler_output", t)
    a = torch.nn.functional.normalize(a, dim=-1)
    t = torch.nn.functional.normalize(t, dim=-1)
    assert np.allclose(got, (t @ a.T).numpy()[:, 0], atol=1e-5)


def test_long_clips_pool_their_windows(clap_dir: Path, sound_dir: Path) -> None:
    scorer = HfClapScorer(HfClapOptions(model=str(clap_dir), device="cpu", max_windows=3))
    scorer.ensure_loaded()
    clip = load_audio(sound_dir / "long.wav")
    [handle] = scorer.prepare_targets([clip])
    assert scorer.stats()["windows_encoded"] == 3
    wins = windows(load_audio(sound_dir / "long.wav", 16000).samples, 32000, max_windows=3)
    rows = scorer.encode_windows(wins)
    rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    expected = rows.mean(axis=0)
    assert np.allclose(np.asarray(handle), expected / np.linalg.norm(expected), atol=1e-5)
    [again] = scorer.prepare_targets([str(sound_dir / "long.wav")])  # a path, read and resampled by the scorer
    assert np.allclose(again, handle, atol=1e-5)


def test_silence_and_dc_give_finite_scores(clap_dir: Path, sound_dir: Path) -> None:
    scorer = HfClapScorer(HfClapOptions(model=str(clap_dir), device="cpu"))
    handles = scorer.prepare_targets([load_audio(sound_dir / "silence.wav"), load_audio(sound_dir / "dc.wav"),
                                      np.zeros(10, np.float32)])
    scores = np.array(scorer.score(handles, [["a dog barks", "silence"]] * 3))
    assert np.isfinite(scores).all()


def test_a_fused_model_reads_four_mel_channels(tmp_path: Path, roberta_dir: Path, clips: list[Any],
                                               make_clap: Any) -> None:
    folder = make_clap(tmp_path / "fused", roberta_dir, fusion=True)
    scorer = HfClapScorer(HfClapOptions(model=str(folder), device="cpu"))
    scores = scorer.score(scorer.prepare_targets(clips[:1]), [["a dog barks"]])
    assert np.isfinite(scores[0][0])


def test_missing_folder_and_hub_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        HfClapScorer(HfClapOptions(model=str(tmp_path / "nope"), device="cpu")).ensure_loaded()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no config.json"):
        HfClapScorer(HfClapOptions(model=str(tmp_path / "empty"), device="cpu")).ensure_loaded()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    message = unavailable_model_message(HfClapScorer(HfClapOptions(model="laion/clap-htsat-unfused", device="cpu")))
    assert "laion/clap-htsat-unfused" in message and "save_pretrained" in message
    with pytest.raises(ModelUnavailableError):
        HfClapScorer(HfClapOptions(model="laion/larger_clap_general", device="cpu")).ensure_loaded()


def test_options_are_checked() -> None:
    with pytest.raises((ValueError, TypeError)):
        HfClapOptions(pad="mirror")
    with pytest.raises((ValueError, TypeError)):
        HfClapOptions(max_windows=0)


def test_random_weights_need_no_model(clips: list[Any]) -> None:
    """`mils bench --random-weights` sets random_weights: a model of the shape, no download, finite scores."""
    scorer = HfClapScorer(HfClapOptions(model="laion/not-downloaded", random_weights=True, random_shape="tiny",
                                        device="cpu"))
    scores = np.array(scorer.score(scorer.prepare_targets(clips[:2]), [["a dog barks", "rain falls"]] * 2))
    assert np.isfinite(scores).all() and scorer.sample_rate == 16000
    assert "random_weights=True" in scorer.cache_identity()
