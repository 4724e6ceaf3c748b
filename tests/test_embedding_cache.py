"""The shared batching utility, text cache, pool cache on disk, and OOM back-off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core_helpers import demo_config
from mils_core.batching import Batcher, OutOfMemoryError, is_out_of_memory
from mils_core.hookspecs import hookimpl
from mils_core.testing.contracts import ScorerContract
from mils_core.testing.fakes import FakeScorer


class CudaOOM(RuntimeError):
    pass


def test_batcher_preserves_order_with_length_sorting() -> None:
    items = ["ccc", "a", "bb", "dddd", "e"]
    seen: list[list[str]] = []

    def fn(batch: list[str]) -> list[int]:
        seen.append(batch)
        return [len(x) for x in batch]

    out = Batcher(2, sort_key=len).map(fn, items)
    assert out == [3, 1, 2, 4, 1]
    assert seen[0] == ["dddd", "ccc"]


def test_oom_halves_the_batch_and_remembers() -> None:
    sizes: list[int] = []

    def fn(batch: list[int]) -> list[int]:
        sizes.append(len(batch))
        if len(batch) > 3:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return [x * 2 for x in batch]

    batcher = Batcher(16, name="test")
    assert batcher.map(fn, list(range(10))) == [x * 2 for x in range(10)]
    assert sizes[:3] == [10, 5, 2] and batcher.batch_size == 2 and batcher.oom_backoffs == 2
    sizes.clear()
    batcher.map(fn, list(range(4)))
    assert sizes == [2, 2]  # the size that worked is remembered


def test_oom_on_one_item_is_a_clear_error() -> None:
    def fn(batch: list[int]) -> list[int]:
        raise MemoryError()

    with pytest.raises(OutOfMemoryError, match="out of memory on a batch of one item"):
        Batcher(4, name="scorer texts").map(fn, [1, 2])


def test_other_errors_are_not_swallowed() -> None:
    assert not is_out_of_memory(RuntimeError("CUDA error: device-side assert triggered"))
    with pytest.raises(RuntimeError, match="device-side"):
        Batcher(4).map(lambda b: (_ for _ in ()).throw(RuntimeError("CUDA error: device-side assert")), [1])


def test_oom_backoff_inside_a_scorer() -> None:
    scorer = FakeScorer(FakeScorer.Options(batch_size=8))
    original = scorer.encode_text_batch

    def flaky(texts: list[str]) -> np.ndarray:
        if len(texts) > 2:
            raise CudaOOM("CUDA out of memory")
        return original(texts)

    scorer.encode_text_batch = flaky  # type: ignore[method-assign]
    emb = scorer.text_embeddings([f"text {i}" for i in range(7)])
    assert emb.shape == (7, 16) and scorer._text_batcher is not None and scorer._text_batcher.batch_size <= 2


class TestFakeScorerContract(ScorerContract):
    @pytest.fixture
    def scorer(self) -> FakeScorer:
        return FakeScorer()

    @pytest.fixture
    def targets(self) -> list[str]:
        return ["a dog on a beach", "a red car"]


class _FakeEmbed:
    def __init__(self) -> None:
        self.instances: list[FakeScorer] = []

    @hookimpl
    def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
        def make(options):  # type: ignore[no-untyped-def]
            scorer = FakeScorer(options)
            self.instances.append(scorer)
            return scorer

        register("fake-embed", make, options=FakeScorer.Options)


def test_pool_is_encoded_once_and_reused_across_runs(tmp_path: Path, mils_run, mils_register) -> None:  # type: ignore[no-untyped-def]
    plugin = mils_register(_FakeEmbed())
    cache = tmp_path / "cache"
    first = demo_config(tmp_path / "one", n=6, scorer={"name": "fake-embed"},
                        run={"task": "text-target", "samples": "targets.txt", "output": "out", "cache_dir": str(cache)})
    first_records = mils_run(first)
    s1 = plugin.instances[-1]
    pool_size = 300
    assert s1.stats()["pool_builds"] == 1
    pool_batches = [t for batch in s1.text_batches for t in batch]
    assert len(pool_batches) == len(set(pool_batches))  # no text encoded twice
    assert s1.stats()["text_encodes"] >= pool_size

    second = demo_config(tmp_path / "two", n=6, scorer={"name": "fake-embed"},
                         run={"task": "text-target", "samples": "targets.txt", "output": "out", "cache_dir": str(cache)})
    second_records = mils_run(second)
    s2 = plugin.instances[-1]
    assert s2.stats()["pool_disk_loads"] == 1 and s2.stats()["pool_builds"] == 0
    from mils_core.builtin.vocabulary import generic_pool

    pool = set(generic_pool(pool_size))
    assert not any(t in pool for batch in s2.text_batches for t in batch)  # zero pool encodes
    assert len(first_records) == len(second_records) == 6
    assert all(r["status"] == "ok" for r in first_records + second_records)


def test_corrupt_pool_cache_is_detected_and_rebuilt(tmp_path: Path, mils_run, mils_register) -> None:  # type: ignore[no-untyped-def]
    plugin = mils_register(_FakeEmbed())
    cache = tmp_path / "cache"

    def cfg(name: str):  # type: ignore[no-untyped-def]
        return demo_config(tmp_path / name, n=2, scorer={"name": "fake-embed"},
                           run={"task": "text-target", "samples": "targets.txt", "output": "out", "cache_dir": str(cache)})

    mils_run(cfg("a"))
    [npy] = list((cache / "pool-embeddings").glob("*.npy"))
    data = bytearray(npy.read_bytes())
    data[-5] ^= 0xFF
    npy.write_bytes(bytes(data))
    assert mils_run(cfg("b")).summary["ok"] == 2
    assert plugin.instances[-1].stats()["pool_builds"] == 1
    assert mils_run(cfg("c")).summary["ok"] == 2
    assert plugin.instances[-1].stats()["pool_disk_loads"] == 1


def test_pool_cache_off_re_encodes_per_sample(tmp_path: Path, mils_run, mils_register) -> None:  # type: ignore[no-untyped-def]
    plugin = mils_register(_FakeEmbed())
    assert mils_run(demo_config(tmp_path, n=3, scorer={"name": "fake-embed"}, loop={"pool_cache": False})).summary["ok"] == 3
    assert plugin.instances[-1].stats()["text_encodes"] >= 3 * 300


def test_same_answers_with_and_without_caches(tmp_path: Path, mils_run, mils_register) -> None:  # type: ignore[no-untyped-def]
    mils_register(_FakeEmbed())
    on = demo_config(tmp_path / "on", n=4, scorer={"name": "fake-embed"})
    off = demo_config(tmp_path / "off", n=4, scorer={"name": "fake-embed"},
                      loop={"pool_cache": False, "text_cache": False, "sort_by_length": False})
    a = {r["id"]: r["best_text"] for r in mils_run(on)}
    b = {r["id"]: r["best_text"] for r in mils_run(off)}
    assert len(a) == 4 and a == b


def test_a_samples_pool_scores_do_not_depend_on_its_batch_mates() -> None:
    """One matrix product over a batch of targets rounds differently for each batch shape; a sample's
    scores (and so its ranking) must be the same whether it is scored alone, in a batch of 8 or of 13,
    so a Ray run gives the single-process records."""
    scorer = FakeScorer(FakeScorer.Options(dim=512))
    pool = [f"pool text {i}" for i in range(300)]
    scorer.prepare_pool(pool)
    handles = scorer.prepare_targets([f"target {i}" for i in range(13)])
    together = scorer.score_matrix(handles, pool)
    for size in (1, 3, 8):
        for start in range(0, 13, size):
            np.testing.assert_array_equal(scorer.score_matrix(handles[start:start + size], pool),
                                          together[start:start + size])
