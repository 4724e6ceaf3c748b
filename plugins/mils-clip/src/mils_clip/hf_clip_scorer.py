"""The ``hf-clip`` scorer: a transformers CLIP / SigLIP model by hub name or local folder.

Anything ``AutoModel`` resolves to that has ``get_text_features`` and
``get_image_features`` works (CLIPModel, SiglipModel, Siglip2Model, ...).

By default candidates are texts scored against image targets (captioning). With
``candidates = "image"`` it scores images (a renderer's artifacts) against text targets
(text-to-image prompt enhancement: PickScore_v1 with ``processor`` set to the
CLIP-ViT-H-14 processor it was trained with). ``processor`` names where the tokenizer and
image processor come from when the model's folder or repo lacks them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_clip.common import features_of
from mils_core import validators as v
from mils_core.batching import Batcher
from mils_core.components import Score
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
    #: A hub id or folder holding the tokenizer and image processor (None: those of ``model``).
    processor: str | None = None
    #: What is scored: ``text`` candidates against image targets, or ``image`` candidates against text targets.
    candidates: str = attrs.field(default="text", validator=v.one_of(("text", "image")))


def _text_config_value(config: Any, key: str) -> Any:
    text_config = getattr(config, "text_config", None)
    return getattr(text_config, key, None) if text_config is not None else getattr(config, key, None)


class HfClipScorer(EmbeddingScorer[HfClipOptions]):
    """Scores captions against images with a transformers dual-encoder model."""

    target_media = ("image",)

    Options = HfClipOptions

    def __init__(self, options: HfClipOptions | None = None) -> None:
        super().__init__(options)
        if self.options.candidates == "image":  # media are declared per instance: checked before a run starts
            setattr(self, "target_media", ("text",))  # noqa: B010 - a ClassVar set on the instance
            setattr(self, "candidate_media", ("image",))  # noqa: B010
        self._image_batcher: Batcher | None = None
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
        if self.options.processor:
            model, tokenizer, image_processor = self._load_with_processor()
        else:
            loaded = load_pretrained(self.options.model, what="transformers model",
                                     needs=("get_text_features", "get_image_features"),
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

    def _load_with_processor(self) -> tuple[Any, Any, Any]:
        """The model from ``model`` and its tokenizer and image processor from ``processor`` (PickScore_v1 style)."""
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        from mils_core.errors import ConfigError, ModelUnavailableError
        from mils_core.model_source import first_line, pretrained_source

        model_source, model_local = pretrained_source(self.options.model, "transformers model")
        assert self.options.processor is not None
        folder = Path(self.options.processor).expanduser()
        if folder.is_dir():  # a processor folder needs no config.json, only the tokenizer and processor files
            proc_source, proc_local = str(folder), True
        else:
            proc_source, proc_local = pretrained_source(self.options.processor, "CLIP processor")
        try:
            model = AutoModel.from_pretrained(model_source, local_files_only=model_local)
            tokenizer = AutoTokenizer.from_pretrained(proc_source, local_files_only=proc_local)
            image_processor = AutoImageProcessor.from_pretrained(proc_source, local_files_only=proc_local)  # type: ignore[no-untyped-call]
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(
                f"cannot load model {self.options.model!r} with processor {self.options.processor!r}: {first_line(exc)}; "
                "pass folders saved with save_pretrained()"
            ) from exc
        if not all(hasattr(model, m) for m in ("get_text_features", "get_image_features")):
            raise ConfigError(f"model {self.options.model!r} is a {type(model).__name__}, which has no "
                              "get_text_features/get_image_features; use a CLIP- or SigLIP-style dual encoder")
        return model, tokenizer, image_processor

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

    # -- image candidates against text targets (candidates = "image") ----------------------
    def prepare_targets(self, targets: Any) -> list[Any]:
        if self.options.candidates != "image":
            return super().prepare_targets(targets)
        texts = [str(t) for t in targets]
        return list(self.text_embeddings(texts)) if texts else []

    def _image_rows(self, images: list[Any]) -> np.ndarray:
        def encode(batch: list[Any]) -> list[Any]:
            rows = np.asarray(self.encode_target_batch(batch), dtype=np.float32)
            return list(rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12))

        if self._image_batcher is None:
            self._image_batcher = Batcher(self.target_batch_size(), name="HfClipScorer images")
        self.ensure_loaded()
        self.counters["target_encodes"] += len(images)
        return np.stack(self._image_batcher.map(encode, images))

    def score(self, handles: Any, texts: Any) -> list[list[Score]]:
        if self.options.candidates != "image":
            return super().score(handles, texts)
        # every sample's images in one batched pass; an image with non-finite pixels (a NaN
        # render) scores NaN, which the loop drops and counts
        flat = [(i, a) for i, group in enumerate(texts) for a in group]
        good = [a for _, a in flat if not (isinstance(a, np.ndarray) and not np.all(np.isfinite(a)))]
        rows = iter(self._image_rows(good)) if good else iter(())
        out: list[list[Score]] = [[] for _ in handles]
        for i, artifact in flat:
            if isinstance(artifact, np.ndarray) and not np.all(np.isfinite(artifact)):
                out[i].append(math.nan)
            else:
                out[i].append(float(next(rows) @ np.asarray(handles[i])))
        return out

    def score_matrix(self, handles: Any, texts: Any) -> np.ndarray:
        if self.options.candidates != "image":
            return super().score_matrix(handles, texts)
        rows = self.score(handles, [list(texts)] * len(handles))
        return np.array([[float(s) for s in row] for row in rows], dtype=np.float64)  # type: ignore[arg-type]
