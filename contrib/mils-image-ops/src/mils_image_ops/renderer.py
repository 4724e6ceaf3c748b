"""The ``image-ops`` renderer: applies an instruction of the image-operations language to the sample's content image.

Conditioned on the sample's target: a style-transfer pair (any object with ``content`` and
``style`` images, e.g. :class:`mils_style.pair.StylePair`), a ``(content, style)`` tuple, or one
image (then the operations that need a style image fail). The content image is downscaled so
its longer side is at most ``max_side`` before editing; the result keeps that size.

An instruction that is not in the language, or that fails to apply, never raises: its artifact
is a :class:`FailedEdit` holding the one-line reason (and the unedited image), which scorers treat as a failed candidate
(``gram-style`` scores it ``nan``, so the loop drops and counts it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import attrs
import structlog

from mils_core import validators as v
from mils_core.components import Renderer
from mils_image_ops.language import InstructionError, apply, parse

log = structlog.get_logger("mils.image_ops")

__all__ = ["FailedEdit", "ImageOpsOptions", "ImageOpsRenderer", "split_condition"]


@attrs.frozen
class FailedEdit:
    """The artifact of an instruction that could not be applied; ``image`` is the unedited content (saved as is)."""

    instruction: str
    edit_error: str
    image: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class ImageOpsOptions:
    """Options of ``image-ops``."""

    #: The content image is downscaled to at most this longer side before editing.
    max_side: int = attrs.field(default=256, validator=v.at_least(8))
    batch_size: int = attrs.field(default=16, validator=v.positive_int)


def split_condition(condition: Any) -> tuple[Any, Any]:
    """(content, style) RGB PIL images of a render condition (style may be None)."""
    from mils_core.media.image import as_rgb_image

    if condition is None:
        raise ValueError("image-ops edits the sample's content image, but the renderer got no condition")
    if hasattr(condition, "content"):
        style = getattr(condition, "style", None)
        return as_rgb_image(condition.content), (as_rgb_image(style) if style is not None else None)
    if isinstance(condition, tuple) and len(condition) == 2:
        return as_rgb_image(condition[0]), as_rgb_image(condition[1])
    return as_rgb_image(condition), None


class ImageOpsRenderer(Renderer[ImageOpsOptions]):
    """Edits the content image with Pillow/scikit-image operations named by the instruction."""

    Options = ImageOpsOptions
    produces: ClassVar[str] = "image"
    conditioned_on: ClassVar[tuple[str, ...] | None] = ("style-pair", "image")
    suffix: ClassVar[str] = ".png"
    identity_ignores: ClassVar[frozenset[str]] = frozenset({"batch_size"})

    def __init__(self, options: ImageOpsOptions | None = None) -> None:
        super().__init__(options)
        self.counters = {"edits": 0, "failed_edits": 0}

    def _prepared(self, condition: Any) -> tuple[Any, Any]:
        from PIL import Image

        content, style = split_condition(condition)
        if max(content.size) > self.options.max_side:
            content = content.copy()
            content.thumbnail((self.options.max_side, self.options.max_side), Image.Resampling.BICUBIC)
        if style is not None and max(style.size) > 2 * self.options.max_side:
            style = style.copy()
            style.thumbnail((2 * self.options.max_side, 2 * self.options.max_side), Image.Resampling.BICUBIC)
        return content, style

    def edit(self, instruction: str, condition: Any, seed: int = 0) -> Any:
        """The edited image, or a :class:`FailedEdit` with the reason."""
        content, style = self._prepared(condition)
        try:
            ops = parse(instruction)
        except InstructionError as exc:
            self.counters["failed_edits"] += 1
            return FailedEdit(instruction, f"not an image-ops instruction: {exc}", content)
        try:
            out = apply(ops, content, style, seed=seed)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - one candidate fails, never the run
            self.counters["failed_edits"] += 1
            log.debug("edit failed", instruction=instruction, error=str(exc))
            return FailedEdit(instruction, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}", content)
        self.counters["edits"] += 1
        return out

    def render_batch(self, texts: list[str], seeds: list[int], conditions: list[Any] | None) -> list[Any]:
        conds = conditions if conditions is not None else [None] * len(texts)
        return [self.edit(t, c, s) for t, s, c in zip(texts, seeds, conds, strict=True)]

    def save(self, artifact: Any, path: Path) -> None:
        if isinstance(artifact, FailedEdit):
            if artifact.image is None:
                raise TypeError(f"a failed edit has no image to save ({artifact.edit_error})")
            artifact = artifact.image
        super().save(artifact, path)
