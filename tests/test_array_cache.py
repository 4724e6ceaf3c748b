"""mils_core.array_cache: checksummed, atomic .npy entries; anything untrustworthy reads as None."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
import structlog

from mils_core import array_cache


def _matrix(n: int = 5, d: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def _stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix not in (".npy", ".json"))


def test_round_trip_with_meta(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "entry.npy"
    matrix = _matrix()
    assert array_cache.save(path, matrix, {"model": "m1", "texts": 5})
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["shape"] == [5, 3] and record["model"] == "m1" and len(record["sha256"]) == 64
    loaded = array_cache.load(path, shape=(5, None), dtype=np.float32, finite=True, expect_meta={"model": "m1"})
    assert loaded is not None
    np.testing.assert_array_equal(loaded, matrix)
    assert sorted(p.name for p in path.parent.iterdir()) == ["entry.json", "entry.npy"]  # no temp files left


def test_missing_entry_is_none_without_a_warning(tmp_path: Path) -> None:
    with structlog.testing.capture_logs() as logs:
        assert array_cache.load(tmp_path / "nope.npy") is None
    assert logs == []


@pytest.mark.parametrize("damage", ["flip-byte", "truncate", "drop-sidecar", "drop-array", "bad-sidecar",
                                    "sidecar-without-sha"])
def test_corrupt_entry_is_none_with_a_warning(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "entry.npy"
    array_cache.save(path, _matrix())
    side = path.with_suffix(".json")
    if damage == "flip-byte":
        data = bytearray(path.read_bytes())
        data[-3] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:40])
    elif damage == "drop-sidecar":
        side.unlink()
    elif damage == "drop-array":
        path.unlink()
    elif damage == "bad-sidecar":
        side.write_text("{not json")
    else:
        side.write_text(json.dumps({"shape": [5, 3]}))
    with structlog.testing.capture_logs() as logs:
        assert array_cache.load(path) is None
    assert [e["log_level"] for e in logs] == ["warning"] and "rebuilding" in logs[0]["event"]


def test_expectations_that_do_not_fit_are_none(tmp_path: Path) -> None:
    path = tmp_path / "entry.npy"
    bad = _matrix()
    bad[0, 0] = np.nan
    array_cache.save(path, bad, {"model": "m1"})
    assert array_cache.load(path) is not None
    assert array_cache.load(path, shape=(6, None)) is None
    assert array_cache.load(path, shape=(5,)) is None  # wrong rank
    assert array_cache.load(path, dtype=np.float64) is None
    assert array_cache.load(path, finite=True) is None
    assert array_cache.load(path, expect_meta={"model": "m2"}) is None


def test_corrupt_then_rebuilt(tmp_path: Path) -> None:
    """The caller's pattern: load, rebuild on None, save; the next load reads the rebuilt entry."""
    path = tmp_path / "entry.npy"
    builds = []

    def get() -> np.ndarray:
        cached = array_cache.load(path, shape=(5, 3), dtype=np.float32)
        if cached is not None:
            return cached
        builds.append(1)
        fresh = _matrix()
        array_cache.save(path, fresh)
        return fresh

    first = get()
    path.write_bytes(path.read_bytes()[:-8] + b"\0" * 8)
    np.testing.assert_array_equal(get(), first)
    np.testing.assert_array_equal(get(), first)
    assert len(builds) == 2


def test_a_failed_write_leaves_no_temp_files_and_keeps_the_old_entry(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "entry.npy"
    old = _matrix(seed=1)
    array_cache.save(path, old)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with structlog.testing.capture_logs() as logs:
        assert array_cache.save(path, _matrix(seed=2)) is False
    monkeypatch.undo()
    assert logs and logs[0]["log_level"] == "warning"
    assert _stray(tmp_path) == [] and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    loaded = array_cache.load(path)
    assert loaded is not None
    np.testing.assert_array_equal(loaded, old)


def test_unwritable_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert array_cache.save(blocker / "entry.npy", _matrix()) is False  # the parent is a file


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path) -> None:
    path = tmp_path / "entry.npy"
    matrices = [_matrix(200, 64, seed=i) for i in range(6)]
    threads = [threading.Thread(target=array_cache.save, args=(path, m)) for m in matrices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # Both files were replaced whole; the last array file and the last sidecar may come from
    # different writers (the checksum then says so), but never from half a write.
    loaded = array_cache.load(path)
    if loaded is not None:
        assert any(np.array_equal(loaded, m) for m in matrices)


def test_reserved_meta_keys_and_object_arrays_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reserved"):
        array_cache.save(tmp_path / "a.npy", _matrix(), {"sha256": "x"})
    with pytest.raises(ValueError, match="numeric"):
        array_cache.save(tmp_path / "a.npy", np.array([{"a": 1}], dtype=object))


def test_remove(tmp_path: Path) -> None:
    path = tmp_path / "entry.npy"
    array_cache.save(path, _matrix())
    array_cache.remove(path)
    array_cache.remove(path)  # twice is fine
    assert list(tmp_path.iterdir()) == []


def test_entries_written_by_the_old_pool_cache_still_load(tmp_path: Path) -> None:
    """The pool cache's earlier sidecars had a sha256 but no shape/dtype: they stay valid."""
    import hashlib

    path = tmp_path / "pool.npy"
    with open(path, "wb") as fh:
        np.save(fh, _matrix(), allow_pickle=False)
    meta = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "scorer": "x", "texts": 5, "version": 1}
    path.with_suffix(".json").write_text(json.dumps(meta))
    loaded = array_cache.load(path, shape=(5, None), dtype=np.float32)
    assert loaded is not None and loaded.shape == (5, 3)
