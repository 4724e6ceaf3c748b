"""Samples from media files, and pool files: what every task that reads files of one media type shares.

:func:`media_samples` turns a ``[run] samples`` value — a folder (searched recursively), a glob,
one file, a list of paths, or a CSV/JSONL manifest (:mod:`mils_core.manifest`) — into samples of
the files with the given suffixes. Ids are the file stems (paths relative to a folder), made
unique with ``-2``, ``-3``, ...; a missing single file becomes a sample that fails when it is read.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from mils_core.components import Sample
from mils_core.errors import ConfigError
from mils_core.manifest import is_manifest, read_manifest

__all__ = ["media_samples", "read_pool_file"]


def _sample_id(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root).with_suffix(""))
        except ValueError:
            pass
    return path.stem


def _unique(samples: Iterable[Sample]) -> list[Sample]:
    counts: dict[str, int] = {}
    out = []
    for s in samples:
        n = counts.get(s.id, 0)
        counts[s.id] = n + 1
        out.append(s if n == 0 else attrs.evolve(s, id=f"{s.id}-{n + 1}"))
    return out


def media_samples(source: Any, suffixes: frozenset[str], *, task: str, what: str) -> list[Sample]:
    """Samples of the ``suffixes`` files named by ``source``; ``task`` and ``what`` ("images") name them in errors."""
    if isinstance(source, (list, tuple)):
        return _unique(Sample(_sample_id(Path(str(p)), None), Path(str(p))) for p in source)
    if not isinstance(source, (str, Path)):
        raise ConfigError(f"{task}: [run] samples must be a folder, a glob, a file, a manifest or a list of paths")
    text = str(source)
    if any(ch in text for ch in "*?["):
        paths = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).suffix.lower() in suffixes)
        if not paths:
            raise ConfigError(f"{task}: no {what} match {text!r}")
        return _unique(Sample(_sample_id(p, None), p) for p in paths)
    path = Path(text).expanduser()
    if path.is_dir():
        paths = sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
        if not paths:
            raise ConfigError(f"{task}: folder {text!r} holds no {what} ({', '.join(sorted(suffixes))})")
        return [Sample(_sample_id(p, path), p) for p in paths]
    if is_manifest(path):
        if not path.exists():
            raise ConfigError(f"{task}: manifest {text!r} does not exist")
        # ids are unique: the manifest reader rejects repeated ones
        return [Sample(row.id, row.path, {**row.meta, "references": list(row.references)}) for row in read_manifest(path)]
    return [Sample(_sample_id(path, None), path)]


def read_pool_file(path: str | Path, owner: str) -> tuple[str, ...]:
    """The distinct non-blank lines of a UTF-8 pool file, in order; ``owner`` names the component in errors."""
    try:
        lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{owner}: pool file {str(path)!r} cannot be read: {exc.strerror}") from None
    pool = tuple(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if not pool:
        raise ConfigError(f"{owner}: pool file {str(path)!r} is empty")
    return pool
