"""The imagebind scorer on a tiny ImageBind checkpoint saved like imagebind_huge.pth: contract, the full model
called directly, the authors' clips, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import as_waveform, load_audio
from mils_core.testing.contracts import ScorerContract, unavailable_model_message


@pytest.fixture
def scorer(imagebind_ckpt: Path) -> Any:
    from mils_audio.imagebind import ImageBindOptions, ImageBindScorer

    return ImageBindScorer(ImageBindOptions(checkpoint=str(imagebind_ckpt), device="cpu"))


class TestImageBindContract(ScorerContract):
    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips[:2]


@pytest.mark.slow
def test_matches_the_full_model_called_directly(scorer: Any, imagebind_ckpt: Path, sound_dir: Path) -> None:
    import torch
    from mils_audio.imagebind import audio_clips, imagebind_models

    clips = [load_audio(sound_dir / n) for n in ("speech.wav", "silence.wav", "long.wav", "dc.wav")]
    texts = ["a dog barks", "rain falls on a roof"]
    got = np.array(scorer.score(scorer.prepare_targets(clips), [texts] * len(clips)))
    assert scorer.stats()["clips_encoded"] == 3 * len(clips) and np.isfinite(got).all()
    small = {f"{m}_{k}": v for m in ("vision", "depth", "thermal", "imu")
             for k, v in (("embed_dim", 32), ("num_blocks", 1), ("num_heads", 1))}
    model = imagebind_models().ImageBindModel(**small, text_embed_dim=64, text_num_blocks=2, text_num_heads=1,
                                              audio_embed_dim=64, audio_num_blocks=2, audio_num_heads=1,
                                              out_embed_dim=16)
    model.load_state_dict(torch.load(imagebind_ckpt, weights_only=True))  # every modality: the whole checkpoint
    model.eval()
    with torch.no_grad():
        audio = model({"audio": torch.stack([audio_clips(as_waveform(c, 16000), 3) for c in clips])})["audio"]
        text = model({"text": scorer._tokenizer(texts)})["text"]
    audio = torch.nn.functional.normalize(audio, dim=-1)
    text = torch.nn.functional.normalize(text, dim=-1)
    assert np.allclose(got, (audio @ text.T).numpy(), atol=1e-5)
    assert "vision" not in scorer._model.modality_trunks  # only the text and audio towers were built and kept


def test_clips_are_cut_as_the_authors_do() -> None:
    from mils_audio.imagebind import audio_clips, clip_spans

    assert clip_spans(16000 * 10, 3) == [(0, 32000), (64000, 96000), (128000, 160000)]  # start, middle, end
    assert clip_spans(16000, 3) == [(0, 32000)] * 3  # a 1 s file: the whole file, three times
    assert clip_spans(16000 * 5, 1) == [(0, 32000)]
    batch = audio_clips(np.random.default_rng(0).normal(0, 0.1, 16000 * 5).astype(np.float32), 3)
    assert tuple(batch.shape) == (3, 1, 128, 204)
    silent = audio_clips(np.zeros(8000, np.float32), 3)
    assert np.isfinite(silent.numpy()).all()


def test_melspec_is_the_authors_fbank() -> None:
    """waveform2melspec of imagebind.data, written out: Kaldi fbank, 204 frames, mean -4.268, std 9.138."""
    import torch
    from mils_audio.imagebind import melspec
    from torchaudio.compliance import kaldi

    wave = torch.from_numpy(np.random.default_rng(1).normal(0, 0.2, 32000).astype(np.float32)) + 0.3
    fbank = kaldi.fbank((wave - wave.mean())[None], htk_compat=True, sample_frequency=16000, use_energy=False,
                        window_type="hanning", num_mel_bins=128, dither=0.0, frame_length=25, frame_shift=10).T
    fbank = torch.nn.functional.pad(fbank, (0, 204 - fbank.shape[1]))
    assert torch.allclose(melspec(wave), ((fbank - -4.268) / 9.138)[None], atol=1e-5)


@pytest.mark.slow
def test_the_package_init_is_not_run() -> None:
    code = ("import sys; from mils_audio.imagebind import imagebind_models; imagebind_models(); "
            "assert 'imagebind.data' not in sys.modules and 'pytorchvideo' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_missing_checkpoints_fail_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch
    from mils_audio.imagebind import ImageBindOptions, ImageBindScorer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    message = unavailable_model_message(ImageBindScorer(ImageBindOptions(device="cpu")))
    assert "imagebind_huge" in message and "dl.fbaipublicfiles.com" in message
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        ImageBindScorer(ImageBindOptions(checkpoint=str(tmp_path / "nope.pth"), device="cpu")).ensure_loaded()
    torch.save({"weight": torch.zeros(2)}, tmp_path / "other.pth")
    with pytest.raises(ConfigError, match="no ImageBind text/audio weights"):
        ImageBindScorer(ImageBindOptions(checkpoint=str(tmp_path / "other.pth"), device="cpu")).ensure_loaded()


def test_random_weights_need_no_checkpoint(clips: list[Any]) -> None:
    from mils_audio.imagebind import ImageBindOptions, ImageBindScorer

    scorer = ImageBindScorer(ImageBindOptions(checkpoint="/not/there.pth", random_weights=True, random_shape="tiny",
                                              device="cpu"))
    scores = np.array(scorer.score(scorer.prepare_targets(clips[:2]), [["a dog barks", "rain falls"]] * 2))
    assert np.isfinite(scores).all() and "vision" not in scorer._model.modality_trunks
