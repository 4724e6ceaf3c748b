"""What a run writes: one :class:`SampleRecord` per line of ``results.jsonl``, and a :class:`RunSummary`.

Every reader (the runner's resume, ``mils eval``, ``mils report``, ``mils caption --json``)
goes through these classes. ``schema`` is the record's version; records written before it
existed (version 1) still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from mils_core.errors import ResultsError

SCHEMA_VERSION = 2


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


@attrs.define
class SampleRecord:
    """The result of one sample.

    :param best_score: the best text's ranking score in the scorer's orientation (losses stay losses).
    :param best_objectives: every objective of the best text's score, by the scorer's objective names.
    :param history: the best ranking score after the initial pool and after each iteration.
    :param history_objectives: every objective of that best, per entry of ``history``.
    :param artifacts: files of this sample in the run folder, relative to it (``best`` → the
        best text's artifact; ``iteration-N`` → the best after iteration N when asked for).
    """

    id: str
    status: str
    source: Any = None
    best_text: str | None = None
    best_score: float | None = None
    best_objectives: dict[str, float] = attrs.field(factory=dict)
    initial_best_text: str | None = None
    initial_best_score: float | None = None
    history: list[float] = attrs.field(factory=list)
    history_mean: list[float] = attrs.field(factory=list)
    history_objectives: list[list[float]] = attrs.field(factory=list)
    iterations: int = 0
    stop_reason: str = ""
    top: list[list[Any]] = attrs.field(factory=list)
    counters: dict[str, int] = attrs.field(factory=dict)
    tokens: dict[str, int] = attrs.field(factory=dict)
    timings: dict[str, float] = attrs.field(factory=dict)
    meta: dict[str, Any] = attrs.field(factory=dict)
    artifacts: dict[str, str] = attrs.field(factory=dict)
    error: str | None = None
    schema: int = SCHEMA_VERSION

    @property
    def ok(self) -> bool:
        """True if the sample has a best text."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict written to ``results.jsonl`` (empty optional parts left out)."""
        out = attrs.asdict(self, recurse=False)
        for key in ("error", "best_objectives", "history_objectives", "artifacts"):
            if not out[key]:
                del out[key]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SampleRecord:
        """Read a record of any schema version; unknown keys (from newer writers) are kept in ``meta``."""
        if "id" not in data or "status" not in data:
            raise ResultsError(f"a results record lacks 'id' or 'status': {str(dict(data))[:120]}")
        fields = {f.name for f in attrs.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["id"] = str(values["id"])
        values["schema"] = int(data.get("schema", 1))
        if "best_score_parts" in data and "best_objectives" not in data:  # schema 1
            values["best_objectives"] = {f"objective_{i}": float(v) for i, v in enumerate(data["best_score_parts"])}
        for key in ("best_score", "initial_best_score"):
            try:
                values[key] = _opt_float(values.get(key))
            except (TypeError, ValueError):
                raise ResultsError(f"record {values['id']!r}: {key} {values.get(key)!r} is not a number") from None
        for field in attrs.fields(cls):  # a JSON null where a list or table belongs reads as empty
            if values.get(field.name, 0) is None and isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                values[field.name] = field.default.factory()
        extra = {k: v for k, v in data.items() if k not in fields and k != "best_score_parts"}
        if extra:
            values["meta"] = {**dict(values.get("meta") or {}), **extra}
        return cls(**values)


@attrs.define
class RunSummary:
    """``summary.json``: counts and timings of one run (or of its latest resume)."""

    ok: int
    failed: int
    skipped: int
    total: int
    seconds: float
    output: str
    scorer_stats: dict[str, int] = attrs.field(factory=dict)
    render_stats: dict[str, int] = attrs.field(factory=dict)
    pool_prepare_s: float = 0.0
    #: How the samples ran when not in this process, e.g. ``{"name": "ray", "workers": 2, "retried_samples": 3}``.
    executor: dict[str, Any] = attrs.field(factory=dict)
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict."""
        return attrs.asdict(self, recurse=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSummary:
        """Read a summary of any schema version."""
        fields = {f.name for f in attrs.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values.setdefault("schema", 1)
        return cls(**values)
