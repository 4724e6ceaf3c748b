"""Read any image a user may point at, or say in one line why it cannot be read.

Pillow is imported inside the functions (install it with ``pip install 'mils-core[media]'``);
importing this module is cheap.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from mils_core.errors import ConfigError, SampleError

__all__ = ["DEFAULT_MAX_SIDE", "IMAGE_SUFFIXES", "MAX_PIXELS", "as_rgb_image", "load_image", "require_pillow"]

#: Images are downscaled so their longer side is at most this before anything else.
DEFAULT_MAX_SIDE = 2048
#: Refuse images whose header claims more pixels than this (a decompression bomb).
MAX_PIXELS = 1_000_000_000
#: File suffixes taken as images when a folder or glob is searched.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"})


def require_pillow() -> Any:
    """The ``PIL.Image`` module, or a one-line error saying how to install Pillow."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ConfigError(
            "decoding images needs Pillow, which is not installed; run \"pip install 'mils-core[media]'\" "
            "(or 'pip install pillow')"
        ) from exc
    return Image


def _to_8bit(img: Any) -> Any:
    import numpy as np

    image_mod = require_pillow()
    arr = np.asarray(img)
    if arr.dtype == np.uint8:
        return img
    arr = arr.astype(np.float64)
    hi = float(arr.max()) if arr.size else 0.0
    scale = 255.0 / (65535.0 if hi > 255 else max(hi, 1.0))
    out = np.clip(arr * scale, 0, 255).astype(np.uint8)
    return image_mod.fromarray(out)


def _flatten_alpha(img: Any) -> Any:
    image_mod = require_pillow()
    rgba = img.convert("RGBA")
    background = image_mod.new("RGBA", rgba.size, (255, 255, 255, 255))
    return image_mod.alpha_composite(background, rgba).convert("RGB")


def load_image(path: str | os.PathLike[str], *, max_side: int = DEFAULT_MAX_SIDE) -> Any:
    """An RGB ``PIL.Image`` of ``path``: EXIF-rotated, alpha flattened on white, 16-bit and
    grayscale converted, and downscaled so the longer side is at most ``max_side``.

    Raises :class:`SampleError` with a one-line reason for missing, unreadable,
    truncated or non-image files.
    """
    image_mod = require_pillow()
    from PIL import ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise SampleError(f"image {str(path)!r} does not exist")
    if not path.is_file():
        raise SampleError(f"image {str(path)!r} is not a file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", image_mod.DecompressionBombWarning)
            previous = image_mod.MAX_IMAGE_PIXELS
            image_mod.MAX_IMAGE_PIXELS = MAX_PIXELS
            try:
                img: Any = image_mod.open(path)
                if img.width * img.height > MAX_PIXELS:
                    raise SampleError(f"image {str(path)!r} is {img.width}x{img.height}: too large to decode safely")
                if img.format == "JPEG" and max(img.size) > max_side:
                    img.draft("RGB", (max_side, max_side))  # decode at reduced size
                img.load()
            finally:
                image_mod.MAX_IMAGE_PIXELS = previous
    except SampleError:
        raise
    except UnidentifiedImageError:
        raise SampleError(f"{str(path)!r} is not an image that can be read (unknown or corrupt format)") from None
    except (OSError, SyntaxError, ValueError, image_mod.DecompressionBombError) as exc:
        raise SampleError(f"image {str(path)!r} is truncated or corrupt: {exc}") from None
    try:
        img = ImageOps.exif_transpose(img)
    except (OSError, ValueError, SyntaxError):
        pass  # a broken EXIF block: keep the pixels as stored
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        img = _to_8bit(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = _flatten_alpha(img)
    elif img.mode != "RGB":
        img = img.convert("RGB")
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), image_mod.Resampling.BICUBIC)
    if img.width < 1 or img.height < 1:
        raise SampleError(f"image {str(path)!r} has no pixels")
    return img


def as_rgb_image(target: Any, *, max_side: int = DEFAULT_MAX_SIDE) -> Any:
    """An RGB ``PIL.Image`` from a PIL image, a path (read with :func:`load_image`), or an
    HxW / HxWx3 / HxWx4 uint8 array. Scorers use it so a target may be given in any of these forms.

    Raises :class:`SampleError` with a one-line reason when the target cannot be an image.
    """
    image_mod = require_pillow()
    if isinstance(target, image_mod.Image):
        return target if target.mode == "RGB" else target.convert("RGB")
    if isinstance(target, (str, os.PathLike)):
        return load_image(target, max_side=max_side)
    if hasattr(target, "__array_interface__"):
        import numpy as np

        array = np.asarray(target)
        if array.dtype != np.uint8 or array.ndim not in (2, 3):
            raise SampleError(f"an image array must be uint8 HxW or HxWxC, got {array.dtype} {array.shape}")
        return image_mod.fromarray(array).convert("RGB")
    raise SampleError(f"expected a PIL image, an image path or a uint8 array, got {type(target).__name__}")
