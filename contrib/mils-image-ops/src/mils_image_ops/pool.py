"""The ``image-ops-pool`` initial pool: 600 shipped instructions in the image-ops language (or a file of them)."""

from __future__ import annotations

from mils_core.pools import ShippedPool, ShippedPoolOptions, packaged_pool

__all__ = ["ImageOpsPool", "ImageOpsPoolOptions", "builtin_pool"]

#: ``path``: "builtin" or a text file of one instruction per line; ``size``: keep the first ``size``.
ImageOpsPoolOptions = ShippedPoolOptions


def builtin_pool() -> tuple[str, ...]:
    """The shipped instructions (built by ``scripts/build_ops_pool.py``)."""
    return packaged_pool("mils_image_ops", "data/ops_pool.txt")


class ImageOpsPool(ShippedPool):
    """Instructions in the image-ops language."""

    package = "mils_image_ops"
    resource = "data/ops_pool.txt"
    owner = "image-ops-pool"
