"""One process-wide cache of loaded models, shared by every component instance in the process.

A run, a benchmark or a test suite builds many component instances; the model behind them
is loaded once per process and key. Plugins use the single :data:`models` cache::

    from mils_core.model_cache import models

    def load(self) -> None:
        key = (str(path), str(device), str(dtype))
        self.model, self.tokenizer = models.get_or_load("transformers", key, lambda: _load(path, device, dtype))

    def clear_model_cache() -> None:
        models.clear("transformers")

* A *namespace* (the plugin's or component's name) keeps plugins' keys apart and lets one
  plugin forget its models (:meth:`ModelCache.clear`) without touching the others.
* Loads of *different* keys run in parallel; concurrent requests for the *same* key wait for
  the one load (a per-key lock). A loader that raises stores nothing; the next call retries.
* Forgetting an entry never closes it (a component may still hold it); it is freed when the
  last reference goes. Objects that must be closed before the interpreter tears down their
  native library (llama.cpp models, for instance) are registered with :func:`close_at_exit`
  (or ``get_or_load(..., close=...)``): at exit, every such object still alive is closed once,
  cached or not.

Nothing heavy is imported here.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import structlog

__all__ = ["ModelCache", "close_at_exit", "models"]

log = structlog.get_logger("mils.model_cache")

T = TypeVar("T")

_EXIT_LOCK = threading.Lock()
#: id(obj) -> (weak reference to obj, its close function); closed at interpreter exit if alive.
_AT_EXIT: dict[int, tuple[weakref.ref[Any], Callable[[Any], None]]] = {}
_EXIT_HOOKED = False


def _close_all_at_exit() -> None:
    with _EXIT_LOCK:
        alive = [(obj, close) for ref, close in _AT_EXIT.values() if (obj := ref()) is not None]
        _AT_EXIT.clear()
    models.clear()
    for obj, close in alive:
        try:
            close(obj)
        except Exception as exc:  # noqa: BLE001 - one broken close must not stop the others at exit
            log.debug("closing a model at exit failed", error=f"{type(exc).__name__}: {exc}")


def close_at_exit(obj: Any, close: Callable[[Any], None]) -> None:
    """Call ``close(obj)`` at interpreter exit if ``obj`` is still alive then (at most once).

    ``obj`` is held weakly (it must support weak references); the exit hook is registered
    the first time this is called, i.e. after the library that made ``obj`` was imported, so
    it runs before that library's own exit handlers and module teardown.
    """
    global _EXIT_HOOKED

    key = id(obj)

    def forget(_ref: weakref.ref[Any], key: int = key) -> None:
        with _EXIT_LOCK:
            entry = _AT_EXIT.get(key)
            if entry is not None and entry[0] is _ref:
                del _AT_EXIT[key]

    ref = weakref.ref(obj, forget)
    with _EXIT_LOCK:
        _AT_EXIT[key] = (ref, close)
        if not _EXIT_HOOKED:
            atexit.register(_close_all_at_exit)
            _EXIT_HOOKED = True


class ModelCache:
    """Loaded models by (namespace, key); thread-safe. Use the process-wide :data:`models`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, Hashable], Any] = {}
        self._loading: dict[tuple[str, Hashable], threading.Lock] = {}

    def get(self, namespace: str, key: Hashable) -> Any | None:
        """The cached object, or None."""
        with self._lock:
            return self._entries.get((namespace, key))

    def __contains__(self, item: tuple[str, Hashable]) -> bool:
        with self._lock:
            return item in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def keys(self, namespace: str | None = None) -> list[tuple[str, Hashable]]:
        """The cached (namespace, key) pairs, of one namespace or all."""
        with self._lock:
            return [k for k in self._entries if namespace is None or k[0] == namespace]

    def put(self, namespace: str, key: Hashable, value: T, *, close: Callable[[T], None] | None = None) -> T:
        """Store ``value`` (replacing any entry of that key) and return it."""
        if close is not None:
            close_at_exit(value, close)
        with self._lock:
            self._entries[(namespace, key)] = value
        return value

    def get_or_load(self, namespace: str, key: Hashable, load: Callable[[], T], *,
                    close: Callable[[T], None] | None = None) -> T:
        """The cached object for ``(namespace, key)``, loading it with ``load()`` the first time.

        ``close``: also close the object at interpreter exit (see :func:`close_at_exit`).
        """
        full = (namespace, key)
        with self._lock:
            if full in self._entries:
                return self._entries[full]  # type: ignore[no-any-return]
            gate = self._loading.setdefault(full, threading.Lock())
        with gate:
            with self._lock:
                if full in self._entries:
                    return self._entries[full]  # type: ignore[no-any-return]
            try:
                return self.put(namespace, key, load(), close=close)
            finally:
                with self._lock:
                    if self._loading.get(full) is gate:
                        del self._loading[full]

    def discard(self, namespace: str, key: Hashable) -> None:
        """Forget one entry (it is not closed)."""
        with self._lock:
            self._entries.pop((namespace, key), None)

    def clear(self, namespace: str | None = None) -> None:
        """Forget every entry of ``namespace``, or all entries (nothing is closed)."""
        with self._lock:
            if namespace is None:
                self._entries.clear()
            else:
                for full in [k for k in self._entries if k[0] == namespace]:
                    del self._entries[full]


#: The process-wide cache every plugin shares.
models = ModelCache()
