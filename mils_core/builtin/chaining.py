"""Runs that feed runs: dataset readers over earlier runs' records.

* ``run-records``: every record of a run folder becomes a sample of the next run; its source is
  the record's answer (``best_text``), its meta keeps where it came from (run, id, score, the
  input it answered and its artifacts as absolute paths).
* ``combinations``: rows of a CSV or JSON-lines table (one combination per row, e.g. ``image``,
  ``audio``, ``text`` columns); a column mapped to an earlier run is replaced by that run's answer
  for the row's input, other columns are taken as text. A row whose input failed (or was never
  run) becomes a failed sample that names the input and the reason; the others go on.

A pipeline (:mod:`mils_core.pipeline`) fills in the run folders from stage names.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs

from mils_core.components import Dataset, Sample
from mils_core.errors import ConfigError
from mils_core.records import SampleRecord
from mils_core.results import RESULTS_FILE, read_sample_records


def _run_folder(value: str, what: str) -> Path:
    folder = Path(value).expanduser()
    if not value:
        raise ConfigError(f"{what} needs the folder of an earlier run (run = \"runs/captions\")")
    if not (folder / RESULTS_FILE).is_file():
        raise ConfigError(f"{what}: {str(folder)!r} holds no {RESULTS_FILE}; run that stage first (or fix the path)")
    return folder


def _artifacts(folder: Path, record: SampleRecord) -> dict[str, str]:
    return {name: str(folder / rel) for name, rel in record.artifacts.items()}


@attrs.frozen
class RunRecordsOptions:
    """Options of ``run-records``.

    :param run: the earlier run's folder.
    :param include_failed: also pass on failed records (as failed samples naming their error).
    """

    run: str = ""
    include_failed: bool = False


class RunRecords(Dataset[RunRecordsOptions]):
    """An earlier run's answers as samples (source = its ``best_text``)."""

    Options = RunRecordsOptions
    path_options: ClassVar[tuple[str, ...]] = ("run",)
    sample_media: ClassVar[str | None] = "text"

    def check(self) -> None:
        _run_folder(self.options.run, "dataset run-records")

    def samples(self) -> Iterator[Sample]:
        folder = _run_folder(self.options.run, "dataset run-records")
        for record in read_sample_records(folder):
            meta: dict[str, Any] = {"from_run": str(folder), "input": record.source, "input_score": record.best_score,
                                    "artifacts": _artifacts(folder, record)}
            if record.ok:
                yield Sample(id=record.id, source=record.best_text, meta=meta)
            elif self.options.include_failed:
                yield Sample(id=record.id, source=None,
                             meta={**meta, "error": f"its input failed in {folder.name}: {record.error}"})


@attrs.frozen
class CombinationsOptions:
    """Options of ``combinations``.

    :param rows: a ``.csv`` or ``.jsonl`` table, one combination per row (an ``id`` column is
        optional; else the row number).
    :param runs: column → folder of the run whose answer replaces the column's input.
    :param columns: the columns to combine, in order (default: every column but ``id``).
    """

    rows: str = ""
    runs: dict[str, str] = attrs.field(factory=dict)
    columns: tuple[str, ...] = ()


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV (header line) or JSON-lines table, values as stripped strings."""
    try:
        if path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"combinations {str(path)!r} line {n} is not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise ConfigError(f"combinations {str(path)!r} line {n} is not a JSON object")
            rows.append({str(k): str(v).strip() for k, v in obj.items() if v is not None})
        return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"combinations table {str(path)!r} cannot be read ({exc})") from None


def _key(value: Any, base: Path | None = None) -> str:
    text = str(value)
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return text


class _Answers:
    """One earlier run's records, found by the input they answered (path or id)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_input: dict[str, SampleRecord] = {}
        self.by_id: dict[str, SampleRecord] = {}
        for record in read_sample_records(folder):
            self.by_id[record.id] = record
            if isinstance(record.source, str):
                self.by_input[record.source] = record
                self.by_input[_key(record.source)] = record

    def find(self, value: str, base: Path) -> SampleRecord | None:
        """The record that answered ``value``: the same input text, the same file, or that sample id."""
        return self.by_input.get(value) or self.by_input.get(_key(value, base)) or self.by_id.get(value)


class Combinations(Dataset[CombinationsOptions]):
    """Rows of inputs whose mapped columns are replaced by earlier runs' answers."""

    Options = CombinationsOptions
    path_options: ClassVar[tuple[str, ...]] = ("rows",)
    sample_media: ClassVar[str | None] = "texts"

    def _table(self) -> Path:
        path = Path(self.options.rows).expanduser()
        if not self.options.rows or not path.is_file():
            raise ConfigError(f"dataset combinations: rows table {self.options.rows!r} does not exist "
                              "(a .csv or .jsonl file, one combination per row)")
        return path

    def check(self) -> None:
        self._table()
        for column, folder in self.options.runs.items():
            _run_folder(folder, f"dataset combinations (column {column!r})")

    def samples(self) -> Iterator[Sample]:
        table = self._table()
        rows = read_rows(table)
        if not rows:
            raise ConfigError(f"dataset combinations: {str(table)!r} has no rows")
        answers = {col: _Answers(_run_folder(f, f"dataset combinations (column {col!r})"))
                   for col, f in self.options.runs.items()}
        columns = list(self.options.columns) or [c for c in rows[0] if c != "id"]
        missing = [c for c in columns if c not in rows[0]]
        if missing:
            raise ConfigError(f"dataset combinations: {str(table)!r} has no column {missing[0]!r} "
                              f"(columns: {', '.join(rows[0])})")
        for n, row in enumerate(rows, 1):
            yield self._sample(n, row, columns, answers, table.parent)

    def _sample(self, n: int, row: Mapping[str, str], columns: list[str], answers: Mapping[str, _Answers],
                base: Path) -> Sample:
        sid = row.get("id") or f"row-{n:04d}"
        texts: list[str] = []
        inputs: dict[str, str] = {}
        artifacts: dict[str, dict[str, str]] = {}
        for column in columns:
            value = row.get(column, "")
            if not value:
                continue
            inputs[column] = value
            if column not in answers:
                texts.append(value)
                continue
            record = answers[column].find(value, base)
            stage = answers[column].folder.name
            if record is None:
                return Sample(id=sid, source=None, meta={"inputs": inputs, "error":
                              f"{column} input {value!r} has no record in {stage}; run that stage on it first"})
            if not record.ok or not record.best_text:
                return Sample(id=sid, source=None, meta={"inputs": inputs, "error":
                              f"{column} input {value!r} failed in {stage}: {record.error}"})
            texts.append(record.best_text)
            artifacts[column] = _artifacts(answers[column].folder, record)
        if not texts:
            return Sample(id=sid, source=None, meta={"inputs": inputs, "error": f"row {n} has no inputs"})
        return Sample(id=sid, source=tuple(texts), meta={"inputs": inputs, "input_artifacts": artifacts})


def combination_id(inputs: Mapping[str, str]) -> str:
    """A stable id for a combination of inputs (for callers that write the rows table)."""
    text = json.dumps(dict(sorted(inputs.items())), ensure_ascii=False)
    return "combo-" + hashlib.sha256(text.encode()).hexdigest()[:10]
