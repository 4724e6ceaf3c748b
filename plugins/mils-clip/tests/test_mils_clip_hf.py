"""The ``hf-clip`` scorer on tiny transformers CLIP / SigLIP folders loaded through its public options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError
from mils_core.testing.contracts import ScorerContract, unavailable_model_message


def _unit(matrix: Any) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _features(output: Any) -> Any:
    return output if not hasattr(output, "pooler_output") else output.pooler_output


@pytest.fixture(scope="module")
def hf_clip(build_scorer: Any, hf_clip_dir: Path) -> Any:
    scorer = build_scorer("hf-clip", model=str(hf_clip_dir), device="cpu")
    scorer.ensure_loaded()
    return scorer


@pytest.fixture(scope="module")
def hf_siglip(build_scorer: Any, hf_siglip_dir: Path) -> Any:
    scorer = build_scorer("hf-clip", model=str(hf_siglip_dir), device="cpu", batch_size=2, target_batch_size=2)
    scorer.ensure_loaded()
    return scorer


class TestHfClip(ScorerContract):
    @pytest.fixture
    def scorer(self, build_scorer: Any, hf_clip_dir: Path) -> Any:
        return build_scorer("hf-clip", model=str(hf_clip_dir), device="cpu")

    @pytest.fixture
    def targets(self, images: list[Any]) -> list[Any]:
        return images[:2]


class TestHfSiglip(ScorerContract):
    @pytest.fixture
    def scorer(self, build_scorer: Any, hf_siglip_dir: Path) -> Any:
        return build_scorer("hf-clip", model=str(hf_siglip_dir), device="cpu", batch_size=2, target_batch_size=2)

    @pytest.fixture
    def targets(self, images: list[Any]) -> list[Any]:
        return images


def test_clip_matches_the_model_called_directly(hf_clip: Any, hf_clip_dir: Path, images: list[Any]) -> None:
    import torch
    from transformers import AutoProcessor, CLIPModel

    model = CLIPModel.from_pretrained(hf_clip_dir).eval()
    processor = AutoProcessor.from_pretrained(hf_clip_dir)
    texts = ["a photo of an astronaut", "a cat"]
    assert hf_clip._text_kwargs == {"padding": True, "truncation": True, "max_length": 77}
    with torch.inference_mode():
        text = _features(model.get_text_features(**processor(text=texts, padding=True, return_tensors="pt")))
        image = _features(model.get_image_features(**processor(images=images[:2], return_tensors="pt")))
    np.testing.assert_allclose(hf_clip.text_embeddings(texts), _unit(text.numpy()), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.stack(hf_clip.prepare_targets(images[:2])), _unit(image.numpy()),
                               rtol=1e-4, atol=1e-5)


def test_clip_truncates_long_texts_at_77_tokens(hf_clip: Any) -> None:
    long_text = " ".join(["word"] * 200)
    batch = hf_clip._tokenizer([long_text, "a cat"], return_tensors="pt", **hf_clip._text_kwargs)
    assert batch["input_ids"].shape == (2, 77)
    assert np.isfinite(hf_clip.encode_text_batch([long_text])).all()


def test_siglip_texts_are_padded_to_64_tokens_without_a_mask(hf_siglip: Any, hf_siglip_dir: Path) -> None:
    import torch
    from transformers import AutoTokenizer, SiglipModel

    assert hf_siglip._text_kwargs == {"padding": "max_length", "truncation": True, "max_length": 64}
    tokenizer = AutoTokenizer.from_pretrained(hf_siglip_dir)
    model = SiglipModel.from_pretrained(hf_siglip_dir).eval()
    texts = ["A cup of coffee", "a dog on a beach next to a red car and two people riding horses"]
    ids = tokenizer(texts, padding="max_length", max_length=64, truncation=True, return_tensors="pt")["input_ids"]
    assert ids.shape == (2, 64)
    with torch.inference_mode():
        expected = _features(model.get_text_features(input_ids=ids)).numpy()
    np.testing.assert_allclose(hf_siglip.encode_text_batch(texts), expected, rtol=1e-4, atol=1e-5)
    # Fixed-length padding: a text's embedding does not depend on what else is in its batch.
    np.testing.assert_allclose(hf_siglip.encode_text_batch(texts[:1])[0], expected[0], rtol=1e-4, atol=1e-5)


def test_default_model_offline_fails_fast_in_one_line(build_scorer: Any, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    import transformers  # noqa: F401 - import time is not what is measured

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    message = unavailable_model_message(build_scorer("hf-clip", device="cpu"))
    assert "google/siglip-so400m-patch14-384" in message and "HF_HUB_OFFLINE" in message
    assert "model = " in message  # says how to pass a local folder


def test_bad_folders_are_config_errors(build_scorer: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no config.json"):
        build_scorer("hf-clip", model=str(tmp_path), device="cpu").ensure_loaded()
    with pytest.raises(ConfigError, match="does not exist"):
        build_scorer("hf-clip", model=str(tmp_path / "missing"), device="cpu").ensure_loaded()


def test_a_model_without_feature_methods_is_rejected(build_scorer: Any, tmp_path: Path) -> None:
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32)).save_pretrained(tmp_path / "bert")
    with pytest.raises(ConfigError, match="BertModel, which has no get_text_features"):
        build_scorer("hf-clip", model=str(tmp_path / "bert"), device="cpu").ensure_loaded()


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"dtype": "fp16"}, r"dtype 'fp16' is not valid; use one of auto, float32, bfloat16, float16"),
        ({"device": "cuda:x"}, r"device 'cuda:x' is not valid"),
        ({"target_batch_size": -1}, r"target_batch_size must be an integer of at least 1"),
    ],
)
def test_options_are_validated(build_scorer: Any, options: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        build_scorer("hf-clip", **options)
