"""Video scorers: ``x-clip`` (a transformers X-CLIP model) and ``frame-pooled`` (any image scorer, pooled over frames).

Both are :class:`~mils_core.embedding.EmbeddingScorer` subclasses, so text embeddings are cached,
the initial pool is encoded once per run (and kept on disk), and batches go through the core's
:class:`~mils_core.batching.Batcher`. Targets are :class:`~mils_core.media.video.VideoClip` objects
(what the ``video-captioning`` task loads), video paths, or uint8 (frames, H, W, 3) stacks.

Nothing here imports torch or transformers at module import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError
from mils_core.media.video import DEFAULT_FRAMES, as_frames
from mils_core.pretrained import load_pretrained

if TYPE_CHECKING:
    from mils_core.registry import Registry

__all__ = ["FramePooledOptions", "FramePooledScorer", "XClipOptions", "XClipScorer"]

log = structlog.get_logger("mils.video")

#: CLIP's text context length (X-CLIP's text tower is CLIP's).
CLIP_TEXT_LENGTH = 77


def _features(output: Any) -> Any:
    """The embedding tensor of ``get_*_features``: a tensor (transformers 4) or an output object (5)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    pooled = getattr(output, "pooler_output", None)
    if isinstance(pooled, torch.Tensor):
        return pooled
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise TypeError(f"cannot find embeddings in a {type(output).__name__}")


# -- x-clip ---------------------------------------------------------------------------------------
@attrs.frozen
class XClipOptions:
    """Options of the ``x-clip`` scorer."""

    #: A Hugging Face hub id or a local folder saved with ``save_pretrained`` (model, tokenizer, image processor).
    model: str = "microsoft/xclip-base-patch32"
    #: Frames per clip; None: the model's own (``vision_config.num_frames``, 8 for the released models).
    frames: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=4, validator=v.positive_int)


class XClipScorer(EmbeddingScorer[XClipOptions]):
    """Scores captions against videos with X-CLIP's text and video encoders.

    The video embedding is X-CLIP's (frame embeddings through its multi-frame integration
    transformer); the text embedding is its text tower's. X-CLIP's video-conditioned text
    prompt (which the full model adds before its logits) is not applied, so that text
    embeddings stay independent of the video and are encoded once for every sample.
    """

    Options = XClipOptions
    target_media = ("video",)

    def __init__(self, options: XClipOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._image_processor: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._frames = DEFAULT_FRAMES
        self._text_length = CLIP_TEXT_LENGTH

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        loaded = load_pretrained(self.options.model, what="X-CLIP model", needs=("get_text_features", "get_video_features"),
                                 use="an X-CLIP model")
        model, tokenizer, image_processor = loaded.model, loaded.tokenizer, loaded.image_processor
        self._model = model.to(device=self._device, dtype=self._dtype).eval()
        vision = getattr(model.config, "vision_config", None)
        self._frames = int(self.options.frames or getattr(vision, "num_frames", None) or DEFAULT_FRAMES)
        text = getattr(model.config, "text_config", None)
        limit = int(getattr(text, "max_position_embeddings", None) or CLIP_TEXT_LENGTH)
        tok_max = getattr(tokenizer, "model_max_length", None)
        self._text_length = min(limit, tok_max) if isinstance(tok_max, int) and tok_max > 0 else limit
        self._tokenizer, self._image_processor = tokenizer, image_processor
        log.info("x-clip scorer loaded", model=self.options.model, frames=self._frames, device=str(self._device),
                 dtype=str(self._dtype).removeprefix("torch."))

    def _to_device(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        import torch

        out: dict[str, Any] = {}
        for key, value in dict(batch).items():
            if isinstance(value, torch.Tensor):
                value = value.to(self._device, dtype=self._dtype) if value.is_floating_point() else value.to(self._device)
            out[key] = value
        return out

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        batch = self._to_device(self._tokenizer(texts, padding=True, truncation=True, max_length=self._text_length,
                                                return_tensors="pt"))
        batch.pop("token_type_ids", None)
        with inference(self._device, self._dtype):
            features = _features(self._model.get_text_features(**batch))
        return np.asarray(to_numpy(features), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        videos = [list(as_frames(t, self._frames)) for t in targets]
        batch = self._to_device(self._image_processor(videos, return_tensors="pt"))
        pixels = batch["pixel_values"]
        if pixels.ndim == 4:  # a processor that flattened the frames: (videos * frames, C, H, W)
            pixels = pixels.reshape(len(videos), self._frames, *pixels.shape[1:])
        with inference(self._device, self._dtype):
            features = _features(self._model.get_video_features(pixel_values=pixels))
        return np.asarray(to_numpy(features), dtype=np.float32)


# -- frame-pooled ---------------------------------------------------------------------------------
@attrs.frozen
class FramePooledOptions:
    """Options of the ``frame-pooled`` scorer."""

    #: The registered image scorer that encodes the frames (any embedding scorer taking images).
    image_scorer: str = "imagenet-bridge"
    #: Its options, as its own ``[scorer]`` table would give them.
    image_options: dict[str, Any] = attrs.field(factory=dict)
    #: Frames per clip used (a clip with another number is resampled uniformly); None: all the clip has.
    frames: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))
    #: How frame embeddings become one: ``mean`` of the normalised embeddings, or their element-wise ``max``.
    pooling: str = attrs.field(default="mean", validator=v.one_of(("mean", "max")))
    #: Videos encoded per call (their frames go to the image scorer together, in its own batches).
    target_batch_size: int = attrs.field(default=4, validator=v.positive_int)


class FramePooledScorer(EmbeddingScorer[FramePooledOptions]):
    """Makes any registered image embedding scorer a video scorer: each frame is encoded as an image,
    the normalised frame embeddings are pooled into one video embedding; texts are the image scorer's."""

    Options = FramePooledOptions
    target_media = ("video",)
    #: ``image_options`` is left out: the image scorer's own identity (which drops its batch sizes) is appended.
    identity_ignores: ClassVar[frozenset[str]] = EmbeddingScorer.identity_ignores | {"image_options"}

    def __init__(self, options: FramePooledOptions | None = None, *, registry: Registry | None = None) -> None:
        super().__init__(options)
        self._registry = registry
        self._inner: EmbeddingScorer[Any] | None = None
        self.counters["frames_encoded"] = 0

    def inner(self) -> EmbeddingScorer[Any]:
        """The image scorer (built on first use, from the registry; not loaded)."""
        if self._inner is None:
            registry = self._registry
            if registry is None:
                raise ConfigError("frame-pooled finds its image scorer in the registry of a run; build it through a "
                                  "config (mils run) or pass registry= when constructing it by hand")
            name = self.options.image_scorer
            if name == "frame-pooled":
                raise ConfigError("frame-pooled cannot wrap itself; set image_scorer to an image scorer such as "
                                  "'imagenet-bridge' or 'open-clip'")
            spec = registry.get("scorer", name)
            scorer = spec.build(self.options.image_options)
            if not isinstance(scorer, EmbeddingScorer):
                raise ConfigError(f"frame-pooled needs an embedding scorer, but {name!r} ({spec.provenance}) is a "
                                  f"{type(scorer).__name__}; pick an image scorer such as 'imagenet-bridge' or 'open-clip'")
            media = getattr(scorer, "target_media", None)
            if media is not None and "image" not in media:
                raise ConfigError(f"frame-pooled needs an image scorer, but {name!r} takes {', '.join(media)} targets")
            self._inner = scorer
        return self._inner

    def bind(self, registry: Registry) -> None:
        """Take the run's registry, where the wrapped image scorer is looked up."""
        if self._registry is None:
            self._registry = registry

    def cache_identity(self) -> str:
        return f"{super().cache_identity()}[{self.inner().cache_identity()}]"

    def configure(self, policy: Mapping[str, Any]) -> None:
        super().configure(policy)
        self.inner().configure(policy)

    def load(self) -> None:
        self.inner().ensure_loaded()
        log.info("frame-pooled scorer loaded", image_scorer=self.options.image_scorer, pooling=self.options.pooling)

    def reset_caches(self) -> None:
        super().reset_caches()
        self.counters["frames_encoded"] = 0
        if self._inner is not None:
            self._inner.reset_caches()

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.inner().text_embeddings(texts), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        stacks = [as_frames(t, self.options.frames) for t in targets]
        frames = [frame for stack in stacks for frame in stack]
        self.counters["frames_encoded"] += len(frames)
        # prepare_targets is the image scorer's public encode path: its own Batcher (with OOM back-off)
        # chunks the frames of all these videos together, and each row comes back normalised.
        rows = np.asarray(self.inner().prepare_targets(frames), dtype=np.float32)
        out = []
        offset = 0
        for stack in stacks:
            block = rows[offset : offset + len(stack)]
            offset += len(stack)
            out.append(block.max(axis=0) if self.options.pooling == "max" else block.mean(axis=0))
        return np.stack(out)
