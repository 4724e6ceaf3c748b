"""The ``hf-clip`` scorer: a transformers CLIP / SigLIP model by hub name or local folder.

Anything ``AutoModel`` resolves to that has ``get_text_features`` and
``get_image_features`` works (CLIPModel, SiglipModel, Siglip2Model, ...).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import structlog

from mils_clip.common import features_of
from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.media.image import as_rgb_image
from mils_core.pretrained import load_pretrained

log = structlog.get_logger("mils.clip")

#: SigLIP's text tower was trained on texts padded to this many tokens (no attention mask).
SIGLIP_TEXT_LENGTH = 64
#: CLIP's text context length.
CLIP_TEXT_LENGTH = 77


@attrs.frozen
class HfClipOptions:
    """Options of the ``hf-clip`` scorer."""

    #: A Hugging Face hub id or a local folder saved with ``save_pretrained``.
    model: str = "google/siglip-so400m-patch14-384"
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=32, validator=v.positive_int)


def _text_config_value(config: Any, key: str) -> Any:
    text_config = getattr(config, "text_config", None)
    return getattr(text_config, key, None) if text_config is not None else getattr(config, key, None)


class HfClipScorer(EmbeddingScorer[HfClipOptions]):
    """Scores captions against images with a transformers dual-encoder model."""

    target_media = ("image",)

    Options = HfClipOptions

    def __init__(self, options: HfClipOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._image_processor: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._text_kwargs: dict[str, Any] = {}
        self._drop_attention_mask = False

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        loaded = load_pretrained(self.options.model, what="transformers model", needs=("get_text_features", "get_image_features"),
                                 use="a CLIP- or SigLIP-style dual encoder")
        model, tokenizer, image_processor = loaded.model, loaded.tokenizer, loaded.image_processor
        model = model.to(device=self._device, dtype=self._dtype).eval()
        model_type = str(getattr(model.config, "model_type", ""))
        positions = _text_config_value(model.config, "max_position_embeddings")
        if model_type.startswith("siglip"):
            # Trained on texts padded to a fixed length and read without an attention mask.
            length = int(positions or SIGLIP_TEXT_LENGTH)
            self._text_kwargs = {"padding": "max_length", "truncation": True, "max_length": length}
            self._drop_attention_mask = True
        else:
            limit = int(positions or CLIP_TEXT_LENGTH)
            tok_max = getattr(tokenizer, "model_max_length", None)
            if isinstance(tok_max, int) and 0 < tok_max < limit:
                limit = tok_max
            self._text_kwargs = {"padding": True, "truncation": True, "max_length": limit}
            self._drop_attention_mask = False
        self._model, self._tokenizer, self._image_processor = model, tokenizer, image_processor
        log.info("hf-clip scorer loaded", model=self.options.model, type=type(model).__name__,
                 device=str(self._device), dtype=str(self._dtype).removeprefix("torch."))

    def _to_device(self, batch: Any) -> dict[str, Any]:
        import torch

        out: dict[str, Any] = {}
        for key, value in dict(batch).items():
            if isinstance(value, torch.Tensor):
                value = value.to(self._device, dtype=self._dtype) if value.is_floating_point() else value.to(
                    self._device)
            out[key] = value
        return out

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        batch = self._to_device(self._tokenizer(texts, return_tensors="pt", **self._text_kwargs))
        batch.pop("token_type_ids", None)
        if self._drop_attention_mask:
            batch.pop("attention_mask", None)
        with inference(self._device, self._dtype):
            features = features_of(self._model.get_text_features(**batch))
        return np.asarray(to_numpy(features), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        images = [as_rgb_image(t) for t in targets]
        batch = self._to_device(self._image_processor(images=images, return_tensors="pt"))
        with inference(self._device, self._dtype):
            features = features_of(self._model.get_image_features(**batch))
        return np.asarray(to_numpy(features), dtype=np.float32)
