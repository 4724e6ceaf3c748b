"""The ``image-ops-pool`` initial pool: 600 shipped instructions in the image-ops language (or a file of them)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import attrs

from mils_core.components import PoolSource
from mils_core.media.files import read_pool_file

__all__ = ["ImageOpsPool", "ImageOpsPoolOptions", "builtin_pool"]


@lru_cache(maxsize=2)
def builtin_pool() -> tuple[str, ...]:
    """The shipped instructions (built by ``scripts/build_ops_pool.py``)."""
    text = resources.files("mils_image_ops").joinpath("data/ops_pool.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@attrs.frozen
class ImageOpsPoolOptions:
    """``path``: "builtin" or a text file of one instruction per line; ``size``: keep the first ``size``."""

    path: str = "builtin"
    size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))


class ImageOpsPool(PoolSource[ImageOpsPoolOptions]):
    """Instructions in the image-ops language."""

    Options = ImageOpsPoolOptions

    def texts(self) -> Sequence[str]:
        pool = builtin_pool() if self.options.path == "builtin" else read_pool_file(self.options.path, "image-ops-pool")
        return pool[: self.options.size] if self.options.size else pool
