"""The ``open-clip`` scorer on tiny open_clip models loaded through its public options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError, SampleError
from mils_core.testing.contracts import CANDIDATES, ScorerContract, unavailable_model_message

TINY_CLIP = "mils-test-tiny-clip"
TINY_SIGLIP = "mils-test-tiny-siglip"


def _unit(matrix: Any) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _clip(build_scorer: Any, models: dict[str, Path]) -> Any:
    return build_scorer("open-clip", model=TINY_CLIP, pretrained=str(models["clip_checkpoint"]),
                        model_config=str(models["configs"]), device="cpu")


def _siglip(build_scorer: Any, models: dict[str, Path]) -> Any:
    return build_scorer("open-clip", model=TINY_SIGLIP, pretrained=str(models["siglip_weights_dir"]),
                        model_config=str(models["siglip_config"]), device="cpu", dtype="float32",
                        use_logit_scale=True, batch_size=3, target_batch_size=1)


@pytest.fixture(scope="module")
def clip_scorer(build_scorer: Any, open_clip_models: dict[str, Path]) -> Any:
    scorer = _clip(build_scorer, open_clip_models)
    scorer.ensure_loaded()
    return scorer


@pytest.fixture(scope="module")
def siglip_scorer(build_scorer: Any, open_clip_models: dict[str, Path]) -> Any:
    scorer = _siglip(build_scorer, open_clip_models)
    scorer.ensure_loaded()
    return scorer


class TestOpenClipClipStyle(ScorerContract):
    """A CLIP-style architecture from a config folder, weights from a ``.pt`` file."""

    @pytest.fixture
    def scorer(self, build_scorer: Any, open_clip_models: dict[str, Path]) -> Any:
        return _clip(build_scorer, open_clip_models)

    @pytest.fixture
    def targets(self, images: list[Any]) -> list[Any]:
        return images[:2]


class TestOpenClipSiglipStyle(ScorerContract):
    """A SigLIP-style architecture (logit bias, local HF tokenizer) from one JSON file, weights from a folder."""

    @pytest.fixture
    def scorer(self, build_scorer: Any, open_clip_models: dict[str, Path]) -> Any:
        return _siglip(build_scorer, open_clip_models)

    @pytest.fixture
    def targets(self, images: list[Any]) -> list[Any]:
        return images


def test_checkpoint_weights_are_the_ones_used(clip_scorer: Any, open_clip_models: dict[str, Path],
                                              images: list[Any]) -> None:
    import open_clip
    import torch
    from open_clip.model import CLIP

    cfg = json.loads((open_clip_models["configs"] / f"{TINY_CLIP}.json").read_text())
    reference = CLIP(**cfg).eval()
    reference.load_state_dict(torch.load(open_clip_models["clip_checkpoint"], weights_only=True))
    with torch.inference_mode():
        text = reference.encode_text(open_clip.tokenize(["a dog on a beach", "a cup of coffee"])).numpy()
    np.testing.assert_allclose(clip_scorer.text_embeddings(["a dog on a beach", "a cup of coffee"]), _unit(text),
                               rtol=1e-4, atol=1e-5)
    # Images go through the model's own eval transform (resize + centre crop to 32 px).
    pixels = torch.stack([clip_scorer._preprocess(img) for img in images[:1]])
    assert pixels.shape == (1, 3, 32, 32)
    with torch.inference_mode():
        image = reference.encode_image(pixels).numpy()
    np.testing.assert_allclose(np.stack(clip_scorer.prepare_targets(images[:1])), _unit(image), rtol=1e-4, atol=1e-5)


def test_logit_scale_and_bias_keep_the_ranking(siglip_scorer: Any, images: list[Any],
                                              open_clip_models: dict[str, Path]) -> None:
    from safetensors.numpy import load_file

    state = load_file(str(open_clip_models["siglip_weights_dir"] / "open_clip_model.safetensors"))
    scale, bias = siglip_scorer.logit_scale_and_bias()
    assert bias == pytest.approx(-10.0) == float(state["logit_bias"].reshape(-1)[0])
    assert scale == pytest.approx(float(np.exp(state["logit_scale"].reshape(-1)[0])), rel=1e-5)
    handles = siglip_scorer.prepare_targets(images[:1])
    scores = np.array(siglip_scorer.score(handles, [CANDIDATES])[0])
    cosines = np.array(handles[0]) @ siglip_scorer.text_embeddings(CANDIDATES).T
    np.testing.assert_allclose(scores, scale * cosines + bias, rtol=1e-5, atol=1e-5)
    assert list(np.argsort(scores)) == list(np.argsort(cosines))


def test_path_targets_equal_decoded_images(clip_scorer: Any, images: list[Any], tmp_path: Path) -> None:
    path = tmp_path / "astronaut.png"
    images[0].save(path)
    from_path = clip_scorer.prepare_targets([path, str(path)])
    from_image = clip_scorer.prepare_targets(images[:1])
    np.testing.assert_allclose(from_path[0], from_image[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(from_path[1], from_image[0], rtol=1e-5, atol=1e-6)


def test_unreadable_image_is_a_sample_error(clip_scorer: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(SampleError, match="broken.jpg"):
        clip_scorer.prepare_targets([broken])
    with pytest.raises(SampleError, match="does not exist"):
        clip_scorer.prepare_targets([tmp_path / "missing.png"])


def _unavailable(scorer: Any) -> str:
    message = unavailable_model_message(scorer)
    assert "ViT-SO400M-14-SigLIP" in message
    assert "pretrained = " in message  # says how to pass a local checkpoint
    return message


def test_default_model_offline_fails_fast_in_one_line(build_scorer: Any, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    import open_clip  # noqa: F401 - import time (~10 s on 2 cores) is not what is measured

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    scorer = build_scorer("open-clip", device="cpu")
    assert "HF_HUB_OFFLINE" in _unavailable(scorer)


def test_unreachable_hub_fails_fast_without_offline_mode(build_scorer: Any, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    import open_clip  # noqa: F401

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    scorer = build_scorer("open-clip", device="cpu")
    assert "cannot be reached" in _unavailable(scorer)


def test_bad_names_and_paths_are_config_errors(build_scorer: Any, open_clip_models: dict[str, Path],
                                               tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'ViT-B-32'"):
        build_scorer("open-clip", model="ViT-B-23", device="cpu").ensure_loaded()
    with pytest.raises(ConfigError, match="known tags: .*webli"):
        build_scorer("open-clip", pretrained="imagenet", device="cpu").ensure_loaded()
    with pytest.raises(ConfigError, match="does not exist"):
        build_scorer("open-clip", model=TINY_CLIP, model_config=str(open_clip_models["configs"]),
                     pretrained=str(tmp_path / "missing.pt"), device="cpu").ensure_loaded()
    with pytest.raises(ConfigError, match="model_config .* does not exist"):
        build_scorer("open-clip", model_config=str(tmp_path / "nope.json"), device="cpu").ensure_loaded()
    with pytest.raises(ConfigError, match="open_clip_config.json"):
        build_scorer("open-clip", model=str(tmp_path), device="cpu").ensure_loaded()
    wrong = build_scorer("open-clip", model=TINY_SIGLIP, model_config=str(open_clip_models["siglip_config"]),
                         pretrained=str(open_clip_models["clip_checkpoint"]), device="cpu")
    with pytest.raises(ConfigError, match="could not load"):
        wrong.ensure_loaded()


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"dtype": "float64"}, r"dtype 'float64' is not valid; use one of auto, float32, bfloat16, float16"),
        ({"device": "gpu"}, r"device 'gpu' is not valid; use auto, cpu, cuda, cuda:N or mps"),
        ({"batch_size": 0}, r"batch_size must be an integer of at least 1"),
    ],
)
def test_options_are_validated(build_scorer: Any, options: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as excinfo:
        build_scorer("open-clip", **options)
    assert "open-clip" in str(excinfo.value)


def test_cuda_without_a_gpu_is_a_config_error(build_scorer: Any) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        build_scorer("open-clip", device="cuda").ensure_loaded()
