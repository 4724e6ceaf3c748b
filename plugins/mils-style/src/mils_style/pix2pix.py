"""The ``instruct-pix2pix`` renderer: InstructPix2Pix (diffusers) edits the sample's content image with the instruction.

``model`` is a folder saved with ``save_pretrained()`` (holding ``model_index.json``) or a hub
name (default ``timbrooks/instruct-pix2pix``; offline it must be in the Hugging Face cache). The
scheduler is Euler-ancestral, as in the paper; every edit of one sample uses the seed the core
passes for it (one ``torch.Generator`` per edit), so an instruction always gives the same image.
The content image is resized so its longer side is ``size`` (both sides multiples of 8); edits of
one batch that share a size run as one pipeline call. The safety checker is not loaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import structlog

from mils_core import validators as v
from mils_core.components import Renderer
from mils_core.errors import ModelUnavailableError
from mils_core.model_cache import models
from mils_core.model_source import first_line, hub_access, looks_like_path, missing_path_error

log = structlog.get_logger("mils.style")

__all__ = ["InstructPix2Pix", "InstructPix2PixOptions", "edit_size"]

DEFAULT_MODEL = "timbrooks/instruct-pix2pix"
MODELS_NAMESPACE = "mils-style/instruct-pix2pix"


@attrs.frozen
class InstructPix2PixOptions:
    """Options of ``instruct-pix2pix``."""

    model: str = DEFAULT_MODEL
    steps: int = attrs.field(default=20, validator=v.positive_int)
    #: Text guidance (how strongly the edit follows the instruction).
    guidance_scale: float = attrs.field(default=7.5, validator=v.non_negative)
    #: Image guidance (how strongly the edit keeps the content image).
    image_guidance_scale: float = attrs.field(default=1.5, validator=v.non_negative)
    #: The content image's longer side, in pixels, for editing (rounded down to a multiple of 8).
    size: int = attrs.field(default=512, validator=v.at_least(16))
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=4, validator=v.positive_int)


def edit_size(width: int, height: int, size: int) -> tuple[int, int]:
    """(width, height) with the longer side ``size`` and both sides multiples of 8 (at least 8)."""
    scale = size / max(width, height)
    return (max(8, int(round(width * scale)) // 8 * 8), max(8, int(round(height * scale)) // 8 * 8))


def _source(model: str) -> tuple[str, bool]:
    from pathlib import Path

    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model_index.json").is_file():
            raise ModelUnavailableError(f"pipeline folder {model!r} has no model_index.json; save the pipeline with "
                                        "save_pretrained()")
        return str(path), True
    if looks_like_path(model):
        raise missing_path_error(model, "pipeline folder saved with save_pretrained()")
    access = hub_access(model, ("model_index.json",), what="InstructPix2Pix pipeline",
                        fix="pass a local pipeline folder as renderer.model = \"/path/to/folder\"")
    return model, access.local_files_only


def _load_pipeline(model: str, device: Any, dtype: Any) -> Any:
    try:
        from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionInstructPix2PixPipeline
    except ImportError as exc:
        raise ModelUnavailableError("instruct-pix2pix needs diffusers; run 'pip install diffusers'") from exc
    location, local = _source(model)
    try:
        with warnings.catch_warnings():  # newer diffusers rename torch_dtype to dtype; older ones know only torch_dtype
            warnings.simplefilter("ignore", FutureWarning)
            pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(  # type: ignore[no-untyped-call]
                location, torch_dtype=dtype, safety_checker=None, requires_safety_checker=False, local_files_only=local)
    except Exception as exc:  # noqa: BLE001 - diffusers raises many types; one line says which
        raise ModelUnavailableError(f"cannot load InstructPix2Pix pipeline {model!r}: {type(exc).__name__}: "
                                    f"{first_line(exc)}") from exc
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)  # type: ignore[no-untyped-call]
    pipe.set_progress_bar_config(disable=True)
    log.info("instruct-pix2pix loaded", model=model, device=str(device), dtype=str(dtype))
    return pipe.to(device)


class InstructPix2Pix(Renderer[InstructPix2PixOptions]):
    """Edits the content image of a (content, style) pair, or an image target, with InstructPix2Pix."""

    Options = InstructPix2PixOptions
    produces: ClassVar[str] = "image"
    conditioned_on: ClassVar[tuple[str, ...] | None] = ("style-pair", "image")
    suffix: ClassVar[str] = ".png"
    #: One noise seed per sample for all its edits (so losses compare instructions, not noise).
    seed_per_sample: ClassVar[bool] = True
    identity_ignores: ClassVar[frozenset[str]] = frozenset({"device", "batch_size"})

    def __init__(self, options: InstructPix2PixOptions | None = None) -> None:
        super().__init__(options)
        self._pipe: Any = None
        self._device: Any = None
        self.calls = 0

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        dtype = resolve_dtype(self.options.dtype, self._device)
        key = (self.options.model, str(self._device), str(dtype))
        self._pipe = models.get_or_load(MODELS_NAMESPACE, key,
                                        lambda: _load_pipeline(self.options.model, self._device, dtype))

    def _content(self, condition: Any) -> Any:
        from mils_core.media.image import as_rgb_image, require_pillow

        image_mod = require_pillow()
        if condition is None:
            raise ValueError("instruct-pix2pix edits the sample's content image, but got no condition")
        img = as_rgb_image(getattr(condition, "content", condition))
        return img.resize(edit_size(img.width, img.height, self.options.size), image_mod.Resampling.BICUBIC)

    def render_batch(self, texts: list[str], seeds: list[int], conditions: list[Any] | None) -> list[Any]:
        import torch

        self.ensure_loaded()
        conds: Sequence[Any] = conditions if conditions is not None else [None] * len(texts)
        images = [self._content(c) for c in conds]
        groups: dict[tuple[int, int], list[int]] = {}
        for i, img in enumerate(images):
            groups.setdefault(img.size, []).append(i)
        out: list[Any] = [None] * len(texts)
        for idx in groups.values():
            generators = [torch.Generator(device="cpu").manual_seed(seeds[i] & 0x7FFFFFFFFFFFFFFF) for i in idx]
            with torch.inference_mode():
                result = self._pipe(
                    prompt=[texts[i] for i in idx], image=[images[i] for i in idx],
                    num_inference_steps=self.options.steps, guidance_scale=self.options.guidance_scale,
                    image_guidance_scale=self.options.image_guidance_scale, generator=generators, output_type="pil",
                )
            self.calls += 1
            for i, img in zip(idx, result.images, strict=True):
                out[i] = img.convert("RGB")
        return out
