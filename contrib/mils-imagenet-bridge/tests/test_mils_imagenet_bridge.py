"""The ``imagenet-bridge`` scorer with its real packaged weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError, SampleError
from mils_core.testing.contracts import ScorerContract
from mils_core.testing.helpers import assert_import_is_light


def test_plugin_import_leaves_torch_unimported() -> None:
    assert_import_is_light("mils_imagenet_bridge.plugin", forbidden=("torch", "transformers", "efficientnet_lite_pytorch", "PIL"))


def test_registered_by_its_distribution() -> None:
    from mils_core.plugins import make_plugin_manager

    spec = make_plugin_manager().registry.get("scorer", "imagenet-bridge")
    assert spec.provenance.distribution == "mils-imagenet-bridge"


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"class_template": "a photo"}, r"class_template 'a photo' must contain \{name\} or \{a_name\}"),
        ({"normalization": "zscore"}, r"normalization.*'tf-lite', 'imagenet'"),
        ({"device": "gpu"}, r"device 'gpu' is not valid"),
        ({"temperature": 0}, r"temperature"),
        ({"batch_size": 0}, r"batch_size must be an integer of at least 1"),
    ],
)
def test_options_are_validated(build_scorer: Any, options: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        build_scorer(**options)


@pytest.mark.slow
class TestImagenetBridge(ScorerContract):
    @pytest.fixture
    def scorer(self, build_scorer: Any, bridge: Any) -> Any:
        return build_scorer()  # a fresh text cache per test; class embeddings are shared in-process

    @pytest.fixture
    def targets(self, photos: dict[str, Any]) -> list[Any]:
        return [photos["chelsea"], photos["coffee"]]


@pytest.mark.slow
def test_the_classifier_sees_what_is_in_the_photos(bridge: Any, photos: dict[str, Any]) -> None:
    cat = dict(bridge.top_classes(photos["chelsea"], 3))
    assert {"tabby cat", "Egyptian Mau", "a cat having a striped coat"} & set(cat)
    assert sum(cat.values()) > 0.5
    assert bridge.top_classes(photos["coffee"], 1)[0][0] == "espresso"
    assert bridge.top_classes(photos["rocket"], 1)[0][0] == "missile"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("photo", "right", "wrong"),
    [
        ("chelsea", "a cat", "a rocket launch"),
        ("chelsea", "a close-up of a tabby cat", "a photo"),
        ("coffee", "a cup of coffee", "a cat"),
        ("coffee", "an espresso on a saucer", "a picture of something"),
        ("rocket", "a rocket on the launch pad", "a cup of coffee"),
    ],
)
def test_the_right_caption_wins(bridge: Any, photos: dict[str, Any], photo: str, right: str, wrong: str) -> None:
    row = bridge.score_matrix(bridge.prepare_targets([photos[photo]]), [right, wrong])[0]
    assert row[0] > row[1], (photo, row)


@pytest.mark.slow
def test_naive_setting_ranks_like_the_naive_sum(build_scorer: Any, photos: dict[str, Any]) -> None:
    """center=0, top_k=0: per image, scores are sum_c p(c) cos(caption, class c) up to one positive factor."""
    scorer = build_scorer(center=0.0, top_k=0)
    captions = ["a cat", "a rocket launch", "a cup of coffee", "a dog on a beach"]
    scores = scorer.score_matrix(scorer.prepare_targets([photos["chelsea"]]), captions)[0]
    probs = scorer.class_probabilities([photos["chelsea"]])[0]
    naive = probs @ (scorer.class_embeddings("{a_name}") @ scorer.text_embeddings(captions).T)
    ratio = scores / naive
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)
    assert ratio[0] > 0


@pytest.mark.slow
def test_paths_and_unreadable_files(bridge: Any, photos: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "coffee.png"
    photos["coffee"].save(path)
    np.testing.assert_allclose(bridge.prepare_targets([str(path)])[0], bridge.prepare_targets([photos["coffee"]])[0],
                               rtol=1e-5, atol=1e-6)
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(SampleError, match="bad.png"):
        bridge.prepare_targets([tmp_path / "bad.png"])


@pytest.mark.slow
def test_class_embeddings_are_cached_on_disk(bridge: Any, build_scorer: Any, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    import mils_imagenet_bridge.scorer as module
    from mils_core.model_cache import ModelCache

    monkeypatch.setattr(module, "class_names", lambda: ["tabby cat", "espresso", "missile"])
    monkeypatch.setattr(module, "models", ModelCache())  # forget the in-process copy
    bridge.policy.cache_dir = tmp_path
    try:
        first = bridge.class_embeddings("a test template for {a_name}")
        files = list((tmp_path / "imagenet-bridge").glob("classes-*.npy"))
        assert len(files) == 1 and first.shape == (3, 384)
        assert files[0].with_suffix(".json").is_file()  # the checksummed sidecar of the core's array cache
        monkeypatch.setattr(module, "models", ModelCache())  # forget the in-process copy
        monkeypatch.setattr(bridge, "encode_text_batch", lambda texts: pytest.fail("recomputed"))
        np.testing.assert_array_equal(bridge.class_embeddings("a test template for {a_name}"), first)
    finally:
        bridge.policy.cache_dir = None
