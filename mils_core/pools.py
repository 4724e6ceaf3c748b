"""Initial pools that a plugin ships as a text file in its package (or the user gives as a file).

A task plugin's pool is one subclass of :class:`ShippedPool` naming its package, resource and
owner; the options (``path = "builtin"`` or a file, ``size``) and the reading are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import ClassVar

import attrs

from mils_core.components import PoolSource
from mils_core.media.files import read_pool_file

__all__ = ["ShippedPool", "ShippedPoolOptions", "packaged_pool"]


@lru_cache(maxsize=16)
def packaged_pool(package: str, resource: str) -> tuple[str, ...]:
    """The non-blank lines of a UTF-8 text file shipped in ``package`` (read once per process)."""
    text = resources.files(package).joinpath(resource).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@attrs.frozen
class ShippedPoolOptions:
    """``path``: ``"builtin"`` (the pool shipped with the plugin) or a text file, one text per line;
    ``size``: keep the first ``size`` texts."""

    path: str = "builtin"
    size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))


class ShippedPool(PoolSource[ShippedPoolOptions]):
    """The pool shipped in :attr:`package` at :attr:`resource`, or a file of one text per line."""

    Options = ShippedPoolOptions
    #: The package and the resource path inside it of the shipped pool.
    package: ClassVar[str]
    resource: ClassVar[str]
    #: The component named in errors about a pool file.
    owner: ClassVar[str] = "pool"

    def texts(self) -> Sequence[str]:
        pool = (packaged_pool(self.package, self.resource) if self.options.path == "builtin"
                else read_pool_file(self.options.path, self.owner))
        return pool[: self.options.size] if self.options.size else pool
