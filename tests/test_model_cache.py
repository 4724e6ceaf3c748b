"""mils_core.model_cache: one process-wide cache of loaded models."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from mils_core.model_cache import ModelCache, close_at_exit, models


class Model:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_loads_once_per_key_and_namespaces_are_apart() -> None:
    cache = ModelCache()
    loads: list[str] = []

    def loader(name: str):  # type: ignore[no-untyped-def]
        def load() -> Model:
            loads.append(name)
            return Model(name)

        return load

    a = cache.get_or_load("plugin-a", ("m", "cpu"), loader("a"))
    assert cache.get_or_load("plugin-a", ("m", "cpu"), loader("again")) is a
    b = cache.get_or_load("plugin-b", ("m", "cpu"), loader("b"))
    assert b is not a and loads == ["a", "b"] and len(cache) == 2
    cache.clear("plugin-a")
    assert cache.get("plugin-a", ("m", "cpu")) is None and cache.get("plugin-b", ("m", "cpu")) is b
    assert cache.keys() == [("plugin-b", ("m", "cpu"))]
    assert a.closed == 0  # forgetting never closes: a component may still hold it
    cache.discard("plugin-b", ("m", "cpu"))
    assert len(cache) == 0


def test_a_failed_load_stores_nothing() -> None:
    cache = ModelCache()

    def broken() -> Model:
        raise OSError("no such model")

    with pytest.raises(OSError, match="no such model"):
        cache.get_or_load("ns", "k", broken)
    assert ("ns", "k") not in cache
    assert cache.get_or_load("ns", "k", lambda: Model("ok")).name == "ok"


def test_concurrent_requests_for_one_key_load_once_and_other_keys_do_not_wait() -> None:
    cache = ModelCache()
    started = threading.Event()
    release = threading.Event()
    loads: list[str] = []

    def slow() -> Model:
        loads.append("slow")
        started.set()
        assert release.wait(10)
        return Model("slow")

    results: list[Model] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_load("ns", "slow", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    assert started.wait(10)
    t0 = time.perf_counter()
    fast = cache.get_or_load("ns", "fast", lambda: Model("fast"))  # not blocked by the slow load
    assert fast.name == "fast" and time.perf_counter() - t0 < 1
    release.set()
    for t in threads:
        t.join(10)
    assert loads == ["slow"] and len(results) == 4 and all(r is results[0] for r in results)


def test_the_shared_cache_is_one_object() -> None:
    from mils_core import model_cache

    assert model_cache.models is models and isinstance(models, ModelCache)


def test_close_at_exit_closes_live_objects_once_and_skips_dead_ones() -> None:
    code = (
        "import gc\n"
        "from mils_core.model_cache import close_at_exit, models\n"
        "class M:\n"
        "    def __init__(self, name): self.name = name\n"
        "    def close(self): print('closed', self.name, flush=True)\n"
        "kept = M('kept')\n"
        "close_at_exit(kept, M.close)\n"
        "cached = models.get_or_load('ns', 'k', lambda: M('cached'), close=M.close)\n"
        "del cached\n"
        "gone = M('gone')\n"
        "close_at_exit(gone, M.close)\n"
        "del gone\n"
        "gc.collect()\n"
        "def broken(m): raise RuntimeError('x')\n"
        "other = M('other')\n"
        "close_at_exit(other, broken)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    closed = sorted(line for line in out.stdout.splitlines() if line.startswith("closed"))
    assert closed == ["closed cached", "closed kept"]  # 'gone' was collected; 'other' failed quietly


def test_close_at_exit_needs_weak_references() -> None:
    with pytest.raises(TypeError):
        close_at_exit((1, 2), lambda m: None)
