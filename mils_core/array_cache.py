"""One checksummed, atomic on-disk cache for numpy arrays (pool embeddings, class embeddings, ...).

An entry is two files side by side:

* ``<name>.npy``: the array (``numpy.save``, no pickles);
* ``<name>.json``: its sidecar, ``{"sha256": <hex of the .npy bytes>, "shape": [...],
  "dtype": "float32", "format": 1, ...caller's meta}``.

:func:`save` writes each file to a temporary name in the same folder, flushes and fsyncs it,
then renames it into place (``os.replace``, atomic on POSIX and Windows): a reader never sees
half a file, a crash leaves at most a stray ``*.tmp`` file of that one write (removed on
failure), and concurrent writers of the same entry each replace it whole. Writing never
raises for I/O problems: a cache that cannot be written is logged and skipped.

:func:`load` returns the array only if both files exist, the checksum matches, the array is
what the sidecar says and what the caller expects (shape, dtype, finiteness, meta); otherwise
``None`` (a missing entry silently, anything else with one structlog warning), and the
caller rebuilds and saves again. Nothing heavy is imported (numpy only).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import structlog

__all__ = ["FORMAT", "load", "remove", "save", "sidecar_path"]

log = structlog.get_logger("mils.array_cache")

#: Version of the sidecar layout.
FORMAT = 1
_CHUNK = 1 << 20
_RESERVED = frozenset({"sha256", "shape", "dtype", "format"})


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """The ``.json`` sidecar of the array file ``path``."""
    return Path(path).with_suffix(".json")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp(folder: Path, name: str) -> tuple[int, Path]:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    return fd, Path(tmp)


def save(path: str | os.PathLike[str], array: np.ndarray, meta: Mapping[str, Any] | None = None) -> bool:
    """Write ``array`` to ``path`` (``.npy``) with its checksummed sidecar, atomically.

    ``meta`` (JSON-serialisable, keys other than ``sha256``, ``shape``, ``dtype``, ``format``)
    is stored in the sidecar for :func:`load`'s ``expect_meta``. Returns True if the entry was
    written, False (after a warning) if it could not be.
    """
    path = Path(path)
    extra = dict(meta or {})
    clash = _RESERVED & set(extra)
    if clash:
        raise ValueError(f"array cache meta may not use the reserved keys {sorted(clash)}")
    data = np.ascontiguousarray(array)
    if data.dtype == object:
        raise ValueError("the array cache stores numeric arrays only (object arrays would need pickles)")
    temps: list[Path] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temp(path.parent, path.name)
        temps.append(tmp)
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, data, allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        record = {"sha256": _sha256_file(tmp), "shape": list(data.shape), "dtype": data.dtype.str,
                  "format": FORMAT, **extra}
        text = json.dumps(record, indent=1, sort_keys=True)
        fd, meta_tmp = _temp(path.parent, sidecar_path(path).name)
        temps.append(meta_tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        temps.remove(tmp)
        os.replace(meta_tmp, sidecar_path(path))
        temps.remove(meta_tmp)
        _fsync_dir(path.parent)
        return True
    except (OSError, TypeError, ValueError) as exc:  # TypeError/ValueError: meta that is not JSON
        log.warning("could not write an array cache entry; continuing without it", path=str(path), error=str(exc))
        return False
    finally:
        for leftover in temps:
            with contextlib.suppress(OSError):
                leftover.unlink()


def _shape_fits(shape: tuple[int, ...], expected: Sequence[int | None]) -> bool:
    return len(shape) == len(expected) and all(e is None or int(e) == s for s, e in zip(shape, expected))


def load(
    path: str | os.PathLike[str],
    *,
    shape: Sequence[int | None] | None = None,
    dtype: Any = None,
    finite: bool = False,
    expect_meta: Mapping[str, Any] | None = None,
) -> np.ndarray | None:
    """The array cached at ``path``, or None when there is none or it cannot be trusted.

    :param shape: the expected shape; ``None`` entries match any length (``(n, None)``).
    :param dtype: the expected dtype (e.g. ``np.float32``).
    :param finite: also require every value to be finite.
    :param expect_meta: sidecar entries that must be equal (e.g. a model fingerprint).
    """
    path = Path(path)
    meta_path = sidecar_path(path)
    if not path.exists() and not meta_path.exists():
        return None
    try:
        if not path.is_file():
            raise ValueError("the array file is missing")
        try:
            record = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError("the checksum file is missing") from None
        if not isinstance(record, dict) or not isinstance(record.get("sha256"), str):
            raise ValueError("the checksum file holds no sha256")
        if _sha256_file(path) != record["sha256"]:
            raise ValueError("checksum mismatch")
        with open(path, "rb") as fh:
            array = np.load(fh, allow_pickle=False)
        if not isinstance(array, np.ndarray):
            raise ValueError("not a single array")
        if "shape" in record and list(array.shape) != list(record["shape"]):
            raise ValueError(f"shape {array.shape} is not the recorded {tuple(record['shape'])}")
        if "dtype" in record and array.dtype.str != record["dtype"]:
            raise ValueError(f"dtype {array.dtype} is not the recorded {record['dtype']}")
        if shape is not None and not _shape_fits(array.shape, shape):
            raise ValueError(f"shape {array.shape} does not fit the expected {tuple(shape)}")
        if dtype is not None and array.dtype != np.dtype(dtype):
            raise ValueError(f"dtype {array.dtype} is not the expected {np.dtype(dtype)}")
        if finite and not np.isfinite(array).all():
            raise ValueError("it holds values that are not finite")
        for key, value in (expect_meta or {}).items():
            if record.get(key) != value:
                raise ValueError(f"its {key!r} is {record.get(key)!r}, not {value!r}")
    except (OSError, ValueError, EOFError, json.JSONDecodeError) as exc:
        log.warning("array cache entry is corrupt or does not fit; rebuilding it", path=str(path), error=str(exc))
        return None
    return array


def remove(path: str | os.PathLike[str]) -> None:
    """Delete an entry (both files), if present."""
    for target in (Path(path), sidecar_path(path)):
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
