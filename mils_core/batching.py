"""The one batching utility every plugin uses.

:class:`Batcher` owns chunking, order-preserving reassembly, optional sorting by length
(to cut padding), and out-of-memory back-off: when a batch raises an out-of-memory error
it is halved and retried, and the size that worked is remembered for the next call.
Plugins implement a function over one batch and never write their own loop.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import structlog

from mils_core.errors import MilsError

T = TypeVar("T")
R = TypeVar("R")

log = structlog.get_logger("mils.batching")


class OutOfMemoryError(MilsError):
    """Even a batch of one item ran out of memory."""


def is_out_of_memory(exc: BaseException) -> bool:
    """True for torch's CUDA/MPS OOM errors, CPU allocation failures and MemoryError."""
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    if name in {"OutOfMemoryError", "OutOfMemoryException"}:
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "cuda error: out of memory" in text or "can't allocate memory" in text
    )


def _release_memory() -> None:
    gc.collect()
    try:
        import sys

        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception as exc:  # noqa: BLE001 - best effort
        log.debug("could not empty the CUDA cache", error=str(exc))


class Batcher:
    """Runs a per-batch function over many items.

    :param batch_size: the largest batch to try.
    :param sort_key: if given, items are processed in order of this key (e.g. text
        length) so that batches hold similar-length items; results come back in the
        caller's order either way.
    :param name: used in log lines and errors.
    """

    def __init__(self, batch_size: int, *, sort_key: Callable[[Any], int] | None = None, name: str = "batch"):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.max_batch_size = batch_size
        self.batch_size = batch_size
        self.sort_key = sort_key
        self.name = name
        self.oom_backoffs = 0
        self.calls = 0

    def map(self, fn: Callable[[list[T]], Sequence[R]], items: Sequence[T]) -> list[R]:
        """``fn`` applied batch-wise to ``items``; one result per item, in input order."""
        n = len(items)
        if n == 0:
            return []
        order = list(range(n))
        if self.sort_key is not None:
            key = self.sort_key
            order.sort(key=lambda i: key(items[i]), reverse=True)
        results: list[Any] = [None] * n
        start = 0
        while start < n:
            size = min(self.batch_size, n - start)
            idx = order[start : start + size]
            try:
                out = fn([items[i] for i in idx])
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                if size == 1:
                    raise OutOfMemoryError(
                        f"{self.name}: out of memory on a batch of one item; use a smaller model, "
                        "a lower precision (dtype = \"bfloat16\"), or another device"
                    ) from exc
                self.batch_size = max(1, size // 2)
                self.oom_backoffs += 1
                log.warning("out of memory; halving batch", stage=self.name, batch_size=self.batch_size)
                _release_memory()
                continue
            if len(out) != size:
                raise RuntimeError(f"{self.name}: batch function returned {len(out)} results for {size} items")
            for i, r in zip(idx, out, strict=True):
                results[i] = r
            self.calls += 1
            start += size
        return results
