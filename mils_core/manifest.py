"""One reader for sample manifests: a CSV or JSON-lines file listing media files.

Format (one set of rules for every task and dataset):

* **File types**: ``.csv`` (UTF-8, a byte-order mark is allowed, first line is the header) or
  ``.jsonl`` / ``.ndjson`` (one JSON object per line; blank lines are skipped).
* **path** (required): the media file. ``~`` is expanded; a relative path is taken from
  ``root`` (default: the manifest's own folder). An empty path is an error.
* **id** (optional): the sample id; empty or missing means the file name without its suffix.
  Ids must be unique: a repeated id is an error that names both lines.
* **references** (optional): reference texts. In CSV, one cell with texts separated by ``|``;
  in JSONL, a list of strings (a single string is one reference). Texts are stripped and
  empty ones dropped.
* **Other columns / keys** go to :attr:`ManifestRow.meta` unchanged (CSV cells stripped).
* A manifest with no rows is an error.

Every problem is a :class:`~mils_core.errors.ConfigError` with one line that names the file
(and the line) and says what a row needs. Whether the media files exist is not checked here
(a dataset checks it up front; a task may let a missing file fail its one sample).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from mils_core.errors import ConfigError

__all__ = ["MANIFEST_SUFFIXES", "ManifestRow", "is_manifest", "read_manifest"]

#: The file suffixes :func:`read_manifest` reads.
MANIFEST_SUFFIXES = (".csv", ".jsonl", ".ndjson")
_NEEDS = "each row needs a 'path' (and an 'id', else the file name stem is used)"


@attrs.frozen
class ManifestRow:
    """One sample of a manifest."""

    #: The line of the manifest file the row is on (1-based; the first CSV row is line 2, after the header).
    line: int
    id: str
    #: The media file: absolute, or relative to the current folder when ``root`` was relative.
    path: Path
    references: tuple[str, ...] = ()
    #: The row's other columns or keys.
    meta: Mapping[str, Any] = attrs.field(factory=dict)


def is_manifest(path: str | Path) -> bool:
    """True if ``path`` has a manifest suffix (whether or not it exists)."""
    return Path(path).suffix.lower() in MANIFEST_SUFFIXES


def _shown(path: Path) -> str:
    return repr(str(path))


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in (reader.fieldnames or []) if c]
        if "path" not in columns:
            raise ConfigError(
                f"manifest {_shown(path)} has no 'path' column (columns: {', '.join(columns) or 'none'}); "
                "give it the columns 'id' and 'path' (and optionally 'references')"
            )
        for row in reader:
            rec: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            cell = rec.pop("references", "")
            refs = [r.strip() for r in cell.split("|") if r.strip()] if cell else []
            yield reader.line_num, rec, refs


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    with open(path, encoding="utf-8-sig") as fh:
        for n, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"manifest {_shown(path)} line {n} is not valid JSON ({exc.msg}): {_NEEDS}") from None
            if not isinstance(rec, dict) or "path" not in rec:
                raise ConfigError(f"manifest {_shown(path)} line {n} is not a JSON object with a 'path': {_NEEDS}")
            refs = rec.pop("references", [])
            if refs is None:
                refs = []
            if isinstance(refs, str):
                refs = [refs]
            if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
                raise ConfigError(f"manifest {_shown(path)} line {n}: 'references' must be a list of strings")
            yield n, rec, [r.strip() for r in refs if r.strip()]


def read_manifest(path: str | Path, *, root: str | Path | None = None) -> list[ManifestRow]:
    """The rows of the manifest at ``path`` (rules in the module docstring).

    :param root: the folder relative media paths are taken from (default: the manifest's folder).
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in MANIFEST_SUFFIXES:
        raise ConfigError(f"manifest {_shown(path)} must be a .csv or .jsonl file")
    if not path.is_file():
        raise ConfigError(f"manifest {_shown(path)} does not exist or is not a file")
    base = Path(root).expanduser() if root is not None else path.parent
    reader = _csv_rows if suffix == ".csv" else _jsonl_rows
    rows: list[ManifestRow] = []
    seen: dict[str, int] = {}
    try:
        for line, rec, refs in reader(path):
            rel = rec.pop("path")
            if not isinstance(rel, str):
                raise ConfigError(f"manifest {_shown(path)} line {line}: 'path' must be a string, got {rel!r}")
            rel = rel.strip()
            if not rel:
                raise ConfigError(f"manifest {_shown(path)} line {line} has an empty 'path': {_NEEDS}")
            media = Path(rel).expanduser()
            media = media if media.is_absolute() else base / media
            raw_id = rec.pop("id", None)
            if isinstance(raw_id, (dict, list, bool)):
                raise ConfigError(f"manifest {_shown(path)} line {line}: 'id' must be a string or a number")
            sid = "" if raw_id is None else str(raw_id).strip()
            sid = sid or Path(rel).stem
            if sid in seen:
                raise ConfigError(
                    f"manifest {_shown(path)}: id {sid!r} appears on lines {seen[sid]} and {line}; ids must be unique"
                )
            seen[sid] = line
            rows.append(ManifestRow(line, sid, media, tuple(refs), rec))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"manifest {_shown(path)} cannot be read ({exc})") from None
    if not rows:
        raise ConfigError(f"manifest {_shown(path)} has no rows: {_NEEDS}")
    return rows
