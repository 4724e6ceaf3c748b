"""The ``gram-style`` scorer: two losses of an edited image, both minimised.

* ``style``: the mean squared difference of normalised Gram matrices of the candidate and the
  style image over ``style_layers`` (see :mod:`mils_style.gram`), times ``style_scale``;
* ``content``: the feature MSE of the candidate and the content image at ``content_layer``,
  times ``content_scale``.

The scorer declares ``higher_is_better = False`` and ``objectives = ("style", "content")``: records
and prompts show both losses as losses (lower is better) and the loop ranks by the weighted sum
of the two (``[loop] weights``, default the task's), smaller first. The scales only make the
numbers readable (about 0.1-10 for typical photos); the weights set the trade-off.

Targets (:class:`~mils_style.pair.StylePair`) are encoded once per sample (style Grams, content
features); candidates (PIL images or uint8 arrays, any size: resized to ``image_size`` squared)
go through the core :class:`~mils_core.batching.Batcher` across samples. A candidate the editor
could not make (an artifact with an ``edit_error`` attribute) scores ``nan``, which the loop drops
and counts (``nan_dropped``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.batching import Batcher
from mils_core.components import Score, Scorer
from mils_core.errors import SampleError
from mils_core.model_cache import models
from mils_style.features import NETWORKS, FeatureNet, build_network, check_layers
from mils_style.gram import content_loss, gram_matrix, style_loss

log = structlog.get_logger("mils.style")

Network = Literal["vgg19", "efficientnet-lite0"]
MODELS_NAMESPACE = "mils-style/feature-networks"
#: Default (style, content) scales per network. EfficientNet-Lite0: measured on the bundled pairs, so that
#: typical losses land between 0 and about 5. VGG-19: not measured here (no weights offline); 1, 1.
DEFAULT_SCALES: dict[str, tuple[float, float]] = {"vgg19": (1.0, 1.0), "efficientnet-lite0": (10.0, 0.05)}


def _layers(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(str(x) for x in value)


@attrs.frozen
class GramStyleOptions:
    """Options of ``gram-style`` (empty layers / zero scales: the network's defaults)."""

    network: Network = attrs.field(default="efficientnet-lite0", validator=v.one_of(tuple(NETWORKS)))
    #: A local weights file (.pth state dict); empty: VGG-19 from torchvision's cache/download,
    #: EfficientNet-Lite0 from its package.
    weights: str = ""
    style_layers: tuple[str, ...] = attrs.field(default=(), converter=_layers)
    content_layer: str = ""
    #: Multiplies the style loss (the paper's style coefficient); 0: the network's default.
    style_scale: float = attrs.field(default=0.0, validator=v.non_negative)
    content_scale: float = attrs.field(default=0.0, validator=v.non_negative)
    #: Images are resized to image_size x image_size before the network.
    image_size: int = attrs.field(default=224, validator=v.at_least(16))
    device: str = attrs.field(default="auto", validator=v.device)
    #: Candidates per network batch (halved on out-of-memory).
    batch_size: int = attrs.field(default=16, validator=v.positive_int)

    def __attrs_post_init__(self) -> None:
        check_layers(self.network, self.resolved_style_layers())
        check_layers(self.network, [self.resolved_content_layer()])

    def resolved_style_layers(self) -> tuple[str, ...]:
        return self.style_layers or NETWORKS[self.network][0]

    def resolved_content_layer(self) -> str:
        return self.content_layer or NETWORKS[self.network][1]

    def scales(self) -> tuple[float, float]:
        style, content = DEFAULT_SCALES[self.network]
        return (self.style_scale or style, self.content_scale or content)


@attrs.frozen
class StyleHandle:
    """One sample's encoded target: the style image's Gram matrices and the content image's features."""

    style_grams: tuple[Any, ...]
    content_features: Any


def _pixels(image: Any, size: int) -> np.ndarray:
    from mils_core.media.image import as_rgb_image, require_pillow

    image_mod = require_pillow()
    rgb = as_rgb_image(image)
    if min(rgb.size) < 1:
        raise SampleError("an image with no pixels cannot be scored")
    resized = rgb.resize((size, size), image_mod.Resampling.BICUBIC)
    return np.asarray(resized, dtype=np.float32).transpose(2, 0, 1) / 255.0


def failed_edit(artifact: Any) -> str | None:
    """The editor's error for an artifact it could not make, else None."""
    error = getattr(artifact, "edit_error", None)
    return str(error) if error else None


class GramStyle(Scorer[GramStyleOptions]):
    """Style loss (Gram matrices) and content loss (features) of edited images; both minimised."""

    Options = GramStyleOptions
    higher_is_better: ClassVar[bool] = False
    objectives: ClassVar[tuple[str, ...]] = ("style", "content")
    target_media: ClassVar[tuple[str, ...] | None] = ("style-pair",)
    candidate_media: ClassVar[tuple[str, ...]] = ("image",)
    identity_ignores: ClassVar[frozenset[str]] = frozenset({"device", "batch_size"})

    def __init__(self, options: GramStyleOptions | None = None) -> None:
        super().__init__(options)
        self._device: Any = None
        self._net: FeatureNet | None = None
        self._batcher = Batcher(self.options.batch_size, name="gram-style candidates")
        self.counters = {"targets_encoded": 0, "candidates_scored": 0, "failed_edits": 0}

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device

        self._device = resolve_device(self.options.device)
        opts, device = self.options, self._device
        key = (opts.network, opts.weights, str(device))
        self._net = models.get_or_load(MODELS_NAMESPACE, key, lambda: build_network(opts.network, opts.weights or None, device))

    @property
    def layers(self) -> tuple[str, ...]:
        return (*self.options.resolved_style_layers(), self.options.resolved_content_layer())

    def features(self, images: Sequence[Any]) -> list[dict[str, Any]]:
        """Per image, the feature maps (C, H, W) of the style layers and the content layer."""
        import torch

        from mils_core.torch_utils import inference

        self.ensure_loaded()
        assert self._net is not None
        if not images:
            return []
        batch = torch.from_numpy(np.stack([_pixels(im, self.options.image_size) for im in images])).to(self._device)
        with inference(self._device, torch.float32):
            maps = self._net(batch, self.layers)
        return [{name: maps[name][i] for name in self.layers} for i in range(len(images))]

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        self.ensure_loaded()
        images: list[Any] = []
        for t in targets:
            content, style = getattr(t, "content", None), getattr(t, "style", None)
            if content is None or style is None:
                raise SampleError(f"gram-style scores against a (content, style) pair, got a {type(t).__name__}")
            images += [content, style]
        batcher = Batcher(max(2, self.options.batch_size), name="gram-style targets")
        feats = batcher.map(self.features, images)
        handles = []
        for i in range(len(targets)):
            content_f, style_f = feats[2 * i], feats[2 * i + 1]
            grams = tuple(gram_matrix(style_f[name]) for name in self.options.resolved_style_layers())
            handles.append(StyleHandle(grams, content_f[self.options.resolved_content_layer()]))
        self.counters["targets_encoded"] += len(targets)
        return handles

    def losses(self, feats: dict[str, Any], handle: StyleHandle) -> tuple[float, float]:
        """(style, content) of one candidate's feature maps against one encoded target, scaled."""
        style_scale, content_scale = self.options.scales()
        grams = [gram_matrix(feats[name]) for name in self.options.resolved_style_layers()]
        s = float(style_loss(grams, list(handle.style_grams)))
        c = float(content_loss(feats[self.options.resolved_content_layer()], handle.content_features))
        return (s * style_scale, c * content_scale)

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[Any]]) -> list[list[Score]]:
        items = [(i, artifact) for i, group in enumerate(texts) for artifact in group]
        todo = [(i, a) for i, a in items if failed_edit(a) is None]
        self.counters["failed_edits"] += len(items) - len(todo)

        def one_batch(batch: list[tuple[int, Any]]) -> list[tuple[float, float]]:
            feats = self.features([a for _, a in batch])
            return [self.losses(f, handles[i]) for (i, _), f in zip(batch, feats, strict=True)]

        scored = iter(self._batcher.map(one_batch, todo))
        self.counters["candidates_scored"] += len(todo)
        out: list[list[Score]] = [[] for _ in texts]
        for i, artifact in items:
            out[i].append((math.nan, math.nan) if failed_edit(artifact) is not None else next(scored))
        return out

    def score_matrix(self, handles: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        raise TypeError("gram-style scores edited images (a renderer's artifacts), not texts; "
                        "configure a [renderer] such as image-ops or instruct-pix2pix")

    def stats(self) -> dict[str, int]:
        return dict(self.counters)
