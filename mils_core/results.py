"""The results store: one ``results.jsonl`` per run, appended atomically, resumable.

Each finished sample appends exactly one JSON line in a single write, followed by
flush and fsync. On open, a truncated last line (an interrupted write) is cut off and
any other unparsable line is moved to ``results.corrupt.jsonl``; the file is rewritten
atomically (write a temporary file, then rename) when anything had to be repaired.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog

from mils_core.records import SampleRecord

log = structlog.get_logger("mils.results")

RESULTS_FILE = "results.jsonl"
CORRUPT_FILE = "results.corrupt.jsonl"


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (parents created) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class ResultsStore:
    """Append-only JSONL records keyed by sample id."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / RESULTS_FILE
        self.records: dict[str, dict[str, Any]] = {}
        self.repaired = 0
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        tail = lines.pop()  # bytes after the last newline: empty if the file ended cleanly
        good: list[bytes] = []
        bad: list[bytes] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or "id" not in record:
                    raise ValueError("record without an id")
            except ValueError:
                bad.append(line)
                continue
            if record["id"] in self.records:
                bad.append(line)
                continue
            self.records[str(record["id"])] = record
            good.append(line)
        if tail.strip():
            log.warning("results file ends with a half-written record; dropping it", path=str(self.path))
            bad.append(tail)
        if bad:
            self.repaired = len(bad)
            with open(self.folder / CORRUPT_FILE, "ab") as fh:
                fh.write(b"".join(b + b"\n" for b in bad))
            atomic_write_text(self.path, "".join(g.decode("utf-8") + "\n" for g in good))
            log.warning("repaired results file", path=str(self.path), moved_lines=len(bad), kept=len(good))

    def __contains__(self, sample_id: str) -> bool:
        return sample_id in self.records

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records.values())

    def append(self, record: dict[str, Any]) -> None:
        """Append one record durably (one write, flush, fsync)."""
        sample_id = str(record["id"])
        if sample_id in self.records:
            raise ValueError(f"sample {sample_id!r} already has a record in {self.path}")
        line = json.dumps(_json_safe(record), ensure_ascii=False, allow_nan=False) + "\n"
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            data = line.encode("utf-8")
            written = os.write(fd, data)
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        self.records[sample_id] = record

    def drop_failed(self) -> int:
        """Forget failed records (so they are retried); return how many."""
        failed = [k for k, r in self.records.items() if r.get("status") != "ok"]
        if failed:
            for key in failed:
                del self.records[key]
            atomic_write_text(
                self.path,
                "".join(json.dumps(_json_safe(r), ensure_ascii=False) + "\n" for r in self.records.values()),
            )
        return len(failed)


def read_records(folder: Path) -> list[dict[str, Any]]:
    """Every valid record of a run folder (read-only; tolerates a truncated last line)."""
    path = Path(folder) / RESULTS_FILE
    if not path.exists():
        return []
    out: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            out.append(record)
    return out


def read_sample_records(folder: Path) -> list[SampleRecord]:
    """Every valid record of a run folder as typed :class:`~mils_core.records.SampleRecord` objects
    (records of any schema version; a truncated last line is skipped)."""
    return [SampleRecord.from_dict(r) for r in read_records(folder) if "status" in r]
