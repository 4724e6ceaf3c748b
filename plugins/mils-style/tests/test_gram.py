"""Gram and content losses against hand-computed values, and the real gram-style scorer (EfficientNet-Lite0)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from mils_style.gram import content_loss, gram_matrix, style_loss

from mils_core.errors import ConfigError


def test_gram_matrix_by_hand() -> None:
    # C=2, H=1, W=2: F = [[1, 2], [3, 4]] -> F F^T = [[5, 11], [11, 25]], / (C*H*W = 4)
    f = torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])
    g = gram_matrix(f)
    assert torch.allclose(g, torch.tensor([[1.25, 2.75], [2.75, 6.25]]))
    assert torch.allclose(gram_matrix(f.unsqueeze(0))[0], g)  # batched alike


def test_style_loss_by_hand() -> None:
    a = gram_matrix(torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]]))  # [[1.25, 2.75], [2.75, 6.25]]
    b = gram_matrix(torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]]))  # [[0.25, 0], [0, 0.25]]
    # squared differences: 1, 7.5625, 7.5625, 36 -> mean 13.03125
    assert float(style_loss([a], [b])) == pytest.approx(13.03125)
    # two layers: the mean of the per-layer losses (13.03125 and 0)
    assert float(style_loss([a, a], [b, a])) == pytest.approx(13.03125 / 2)
    assert float(style_loss([a], [a])) == 0.0
    with pytest.raises(ValueError, match="same non-zero number of layers"):
        style_loss([a], [])


def test_content_loss_by_hand() -> None:
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    y = torch.tensor([[[1.0, 0.0], [3.0, 8.0]]])
    assert float(content_loss(x, y)) == pytest.approx((0 + 4 + 0 + 16) / 4)
    assert torch.allclose(content_loss(torch.stack([x, y]), y), torch.tensor([5.0, 0.0]))
    with pytest.raises(ValueError, match="one shape"):
        content_loss(x, torch.zeros(1, 3, 3))


def test_options_check_layers() -> None:
    from mils_style.scorer import GramStyleOptions

    with pytest.raises(ConfigError, match="no layer 'relu9_9'"):
        GramStyleOptions(network="vgg19", style_layers=("relu1_1", "relu9_9"))
    opts = GramStyleOptions(network="vgg19", style_layers="relu1_1, relu2_1")  # type: ignore[arg-type]
    assert opts.style_layers == ("relu1_1", "relu2_1")
    assert GramStyleOptions().resolved_content_layer() == "block10"


@pytest.mark.slow
def test_identical_is_zero_and_blur_grows(effnet_scorer: Any, cat_pair: Any) -> None:
    from mils_style.pair import StylePair
    from PIL import ImageFilter

    scorer = effnet_scorer
    # the style image as its own style target: style loss 0; the content image as candidate: content loss 0
    same = StylePair(cat_pair.style, cat_pair.style)
    [handle] = scorer.prepare_targets([same])
    blurs = [cat_pair.style.filter(ImageFilter.GaussianBlur(r)) if r else cat_pair.style for r in (0, 1, 2, 4)]
    [row] = scorer.score([handle], [blurs])
    styles = [s[0] for s in row]  # type: ignore[index]
    assert styles[0] == pytest.approx(0.0, abs=1e-9)
    assert row[0][1] == pytest.approx(0.0, abs=1e-9)  # type: ignore[index]
    assert styles == sorted(styles) and styles[-1] > styles[1] > 0  # grows with the blur radius


@pytest.mark.slow
def test_scores_pairs_batched_with_objectives(effnet_scorer: Any, cat_pair: Any) -> None:
    from mils_style.pair import StylePair
    from PIL import Image

    scorer = effnet_scorer
    assert scorer.higher_is_better is False and scorer.objectives == ("style", "content")
    other = StylePair(cat_pair.style, cat_pair.content)
    handles = scorer.prepare_targets([cat_pair, other])
    small = cat_pair.content.resize((40, 30), Image.Resampling.BILINEAR)  # any size is resized
    rows = scorer.score(handles, [[cat_pair.content, small, np.asarray(cat_pair.style)], [cat_pair.content]])
    assert [len(r) for r in rows] == [3, 1]
    assert all(isinstance(s, tuple) and len(s) == 2 and all(math.isfinite(x) for x in s) for r in rows for s in r)
    assert rows[0][0][1] == pytest.approx(0.0, abs=1e-9)  # type: ignore[index]
    # scoring one candidate alone gives the same losses as in the batch
    alone = scorer.score(handles[:1], [[small]])[0][0]
    assert alone == pytest.approx(rows[0][1], rel=1e-4)


@pytest.mark.slow
def test_failed_edits_score_nan(effnet_scorer: Any, cat_pair: Any) -> None:
    class Failed:
        edit_error = "unknown operation 'paint'"

    [handle] = effnet_scorer.prepare_targets([cat_pair])
    [[good, bad]] = effnet_scorer.score([handle], [[cat_pair.content, Failed()]])
    assert all(math.isfinite(x) for x in good)
    assert all(math.isnan(x) for x in bad)


def test_targets_must_be_pairs(effnet_scorer: Any) -> None:
    from mils_core.errors import SampleError

    with pytest.raises(SampleError, match="pair"):
        effnet_scorer.prepare_targets(["just a path.jpg"])


def test_score_matrix_says_a_renderer_is_needed(effnet_scorer: Any) -> None:
    with pytest.raises(TypeError, match="renderer"):
        effnet_scorer.score_matrix([], ["make it a watercolor"])


@pytest.mark.slow
def test_vgg19_from_a_local_weights_file(tmp_path: Any, cat_pair: Any) -> None:
    """VGG-19 through torchvision, random weights saved at test time, loaded with weights_only."""
    from mils_style.features import VGG19_CFG
    from mils_style.scorer import GramStyle, GramStyleOptions
    from torchvision.models.vgg import make_layers

    torch.manual_seed(0)
    features = make_layers(list(VGG19_CFG), batch_norm=False)  # type: ignore[arg-type]
    path = tmp_path / "vgg19.pth"
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    scorer = GramStyle(GramStyleOptions(network="vgg19", weights=str(path), image_size=32, device="cpu",
                                        style_layers=("relu1_1", "relu2_1", "relu3_1")))
    [handle] = scorer.prepare_targets([cat_pair])
    [[same, other]] = scorer.score([handle], [[cat_pair.content, cat_pair.style]])
    assert same[1] == pytest.approx(0.0, abs=1e-9)  # type: ignore[index]
    assert other[1] > 0 and other[0] >= 0  # type: ignore[index,operator]


def test_vgg19_offline_without_weights_fails_in_one_line(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mils_style.features import build_network

    from mils_core.errors import ModelUnavailableError

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # an empty torch hub cache
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError) as info:
        build_network("vgg19", None, torch.device("cpu"))
    message = str(info.value)
    assert "\n" not in message and "not available offline" in message and "scorer.weights" in message
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        build_network("vgg19", str(tmp_path / "missing.pth"), torch.device("cpu"))
