"""The x-clip scorer on a tiny X-CLIP folder, and frame-pooled over registered image scorers."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_video.scorers import FramePooledOptions, FramePooledScorer, XClipOptions, XClipScorer

from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.video import as_frames
from mils_core.testing.contracts import ScorerContract, unavailable_model_message
from mils_core.testing.fakes import FakeScorer


def _unit(matrix: Any) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _build(name: str, **options: Any) -> Any:
    """A scorer built from the installed plugins, unbound (as a program building it by hand gets it)."""
    from mils_core.plugins import make_plugin_manager

    return make_plugin_manager().registry.get("scorer", name).build(options)


def _bound(name: str, **options: Any) -> Any:
    """A scorer built and bound to the installed plugins' registry, as a run does."""
    from mils_core.plugins import make_plugin_manager

    registry = make_plugin_manager().registry
    scorer = registry.get("scorer", name).build(options)
    scorer.bind(registry)
    return scorer


# -- x-clip ------------------------------------------------------------------------------------
class TestXClip(ScorerContract):
    @pytest.fixture
    def scorer(self, xclip_dir: Path) -> Any:
        return _build("x-clip", model=str(xclip_dir), device="cpu", target_batch_size=1)

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips


def test_x_clip_matches_the_model_called_directly(xclip_dir: Path, clips: list[Any]) -> None:
    import torch
    from transformers import AutoTokenizer, VideoMAEImageProcessor, XCLIPModel

    scorer = XClipScorer(XClipOptions(model=str(xclip_dir), device="cpu"))
    scorer.ensure_loaded()
    model = XCLIPModel.from_pretrained(xclip_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(xclip_dir)
    processor = VideoMAEImageProcessor.from_pretrained(xclip_dir)
    texts = ["a man rides a bicycle", "a car on a road"]
    with torch.inference_mode():
        pixels = processor([list(as_frames(c, 4)) for c in clips], return_tensors="pt")["pixel_values"]
        video = model.get_video_features(pixel_values=pixels)
        text = model.get_text_features(**tokenizer(texts, padding=True, return_tensors="pt"))
    video = getattr(video, "pooler_output", video)
    text = getattr(text, "pooler_output", text)
    expected = _unit(video.numpy()) @ _unit(text.numpy()).T
    got = scorer.score(scorer.prepare_targets(clips), [texts] * len(clips))
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-4, atol=1e-5)


def test_x_clip_takes_paths_and_resamples_frames(xclip_dir: Path, video_dir: Path) -> None:
    scorer = XClipScorer(XClipOptions(model=str(xclip_dir), device="cpu"))
    path = video_dir / "red-green.mp4"
    from mils_core.media.video import load_video

    by_path = scorer.prepare_targets([path])[0]
    by_clip = scorer.prepare_targets([load_video(path, 4)])[0]
    eight = scorer.prepare_targets([load_video(path, 8)])[0]  # resampled to the model's 4 frames
    np.testing.assert_allclose(by_path, by_clip, atol=1e-5)
    assert by_path.shape == eight.shape == (16,)


def test_x_clip_missing_folder_and_hub_offline(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        XClipScorer(XClipOptions(model=str(tmp_path / "nope"), device="cpu")).ensure_loaded()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match="no config.json"):
        XClipScorer(XClipOptions(model=str(tmp_path / "empty"), device="cpu")).ensure_loaded()
    message = unavailable_model_message(XClipScorer(XClipOptions(model="org/not-cached-xclip", device="cpu")))
    assert "org/not-cached-xclip" in message and "save_pretrained" in message


# -- frame-pooled --------------------------------------------------------------------------------
class TestFramePooledFake(ScorerContract):
    @pytest.fixture
    def scorer(self, fake_image_pm: Any) -> Any:
        return FramePooledScorer(FramePooledOptions(image_scorer="fake-image", image_options={"dim": 24}),
                                 registry=fake_image_pm.registry)

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips


def test_frame_pooled_is_the_mean_of_normalised_frame_embeddings(fake_image_pm: Any, clips: list[Any]) -> None:
    scorer = FramePooledScorer(FramePooledOptions(image_scorer="fake-image", image_options={"dim": 24, "batch_size": 3}),
                               registry=fake_image_pm.registry)
    handles = scorer.prepare_targets(clips)
    inner = scorer.inner()
    assert isinstance(inner, FakeScorer) and inner.options.dim == 24
    for clip, handle in zip(clips, handles):
        rows = _unit(inner.encode_target_batch(list(clip.frames)))
        expected = rows.mean(axis=0)
        np.testing.assert_allclose(handle, expected / np.linalg.norm(expected), atol=1e-6)
    assert scorer.stats()["frames_encoded"] == sum(len(c) for c in clips)
    assert inner.stats()["target_encodes"] == sum(len(c) for c in clips)  # frames went through its batcher
    # text embeddings are the image scorer's
    np.testing.assert_allclose(scorer.text_embeddings(["a dog"]), inner.text_embeddings(["a dog"]), atol=1e-6)
    assert "fake-image" in scorer.cache_identity() and scorer.cache_identity().endswith("[mils_core.testing.fakes.FakeScorer(dim=24)]")


def test_frame_pooled_max_pooling_and_frame_resampling(fake_image_pm: Any, clips: list[Any]) -> None:
    scorer = FramePooledScorer(FramePooledOptions(image_scorer="fake-image", pooling="max", frames=2),
                               registry=fake_image_pm.registry)
    handle = scorer.prepare_targets(clips[:1])[0]
    assert handle.shape == (16,) and scorer.stats()["frames_encoded"] == 2


def test_a_run_binds_frame_pooled_to_its_registry(fake_image_pm: Any, tmp_path: Any) -> None:
    from mils_core.config import config_from_dict
    from mils_core.resolve import resolve_components

    cfg = config_from_dict({"run": {"task": "video-captioning", "samples": []},
                            "scorer": {"name": "frame-pooled", "image_scorer": "fake-image"}}, base_dir=tmp_path)
    scorer = resolve_components(cfg, fake_image_pm).scorer
    assert isinstance(scorer, FramePooledScorer) and isinstance(scorer.inner(), FakeScorer)
    with pytest.raises(ConfigError, match="finds its image scorer in the registry of a run"):
        _build("frame-pooled", image_scorer="fake-image").inner()


def test_frame_pooled_refuses_what_it_cannot_wrap(fake_image_pm: Any) -> None:
    registry = fake_image_pm.registry
    with pytest.raises(ConfigError, match="embedding scorer"):
        FramePooledScorer(FramePooledOptions(image_scorer="word-overlap"), registry=registry).inner()
    with pytest.raises(ConfigError, match="cannot wrap itself"):
        FramePooledScorer(FramePooledOptions(image_scorer="frame-pooled"), registry=registry).inner()
    with pytest.raises(ConfigError, match="pooling"):
        _build("frame-pooled", pooling="median")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mils_imagenet_bridge") is None, reason="mils-imagenet-bridge not installed")
class TestFramePooledImagenetBridge(ScorerContract):
    @pytest.fixture(scope="class")
    def shared(self) -> Any:
        try:
            scorer = _bound("frame-pooled", image_scorer="imagenet-bridge", image_options={"device": "cpu"})
            scorer.ensure_loaded()
        except ModelUnavailableError as exc:
            pytest.skip(f"packaged weights missing: {exc}")
        return scorer

    @pytest.fixture
    def scorer(self, shared: Any) -> Any:
        assert isinstance(shared, EmbeddingScorer)
        shared.reset_caches()  # the loaded model stays; each test starts with empty caches and counters
        return shared

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips
