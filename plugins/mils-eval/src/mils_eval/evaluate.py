"""``mils eval``: score a run's final captions against references and write ``metrics.json``.

Which samples count:

* **evaluated** — ``ok`` records with references; the metrics average over these only;
* **failed** — ``failed`` records (listed with their errors, never scored, never dropped silently);
* **missing** — reference ids with no record in the run (e.g. the run was interrupted or sharded);
* **no_references** — ``ok`` records with no references (not scored).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog

from mils_core.errors import ConfigError
from mils_core.records import SampleRecord
from mils_core.results import RESULTS_FILE, atomic_write_text, read_sample_records
from mils_eval import __version__
from mils_eval.metrics import DEFAULT_METRICS, METRIC_KEYS, compute_metrics
from mils_eval.refs import References, load_references, references_from_records

log = structlog.get_logger("mils.eval")

METRICS_FILE = "metrics.json"
#: Keys of ``metrics.json["metrics"]`` in display order.
ORDER = (*(k for group in METRIC_KEYS.values() for k in group), "SPIDEr")


def check_run_dir(run_dir: Path | str) -> Path:
    """The run folder, or a ConfigError saying what is wrong with it."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise ConfigError(f"run folder {str(folder)!r} not found (pass the [run] output folder of 'mils run')")
    if not (folder / RESULTS_FILE).is_file():
        raise ConfigError(f"run folder {str(folder)!r} has no {RESULTS_FILE}; is it the output folder of 'mils run'?")
    return folder


def unique_records(records: Sequence[SampleRecord]) -> list[SampleRecord]:
    """One record per id (an ``ok`` one wins over a ``failed`` one), in file order."""
    chosen: dict[str, SampleRecord] = {}
    for record in records:
        if record.id not in chosen or (not chosen[record.id].ok and record.ok):
            chosen[record.id] = record
    return list(chosen.values())


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def evaluate_run(
    run_dir: Path | str,
    refs_path: Path | str | None = None,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    spice_corenlp: str | Path | None = None,
    write: bool = True,
) -> dict[str, Any]:
    """Evaluate a run folder; return (and by default write) the ``metrics.json`` content."""
    folder = check_run_dir(run_dir)
    records = unique_records(read_sample_records(folder))
    refs: References = load_references(refs_path) if refs_path else references_from_records(records)
    if not any(refs.refs.values()):
        where = f"references file {str(refs_path)!r}" if refs_path else f"run {str(folder)!r}"
        hint = "" if refs_path else " (its samples carry no meta.references); pass --refs FILE"
        raise ConfigError(f"{where} has no reference captions{hint}")
    gts: dict[str, list[str]] = {}
    res: dict[str, str] = {}
    failed: list[dict[str, Any]] = []
    no_refs: list[str] = []
    used: set[str] = set()
    for record in records:
        sid = record.id
        key = refs.key_for(record)
        if key is not None:
            used.add(key)
        if not record.ok:
            failed.append({"id": sid, "error": str(record.error or "failed (no error recorded)")})
            continue
        if key is None or not refs.refs.get(key):
            no_refs.append(sid)
            continue
        gts[sid] = list(refs.refs[key])
        res[sid] = str(record.best_text or "")
    missing = sorted(k for k, v in refs.refs.items() if v and k not in used)
    out: dict[str, Any] = {
        "run": str(folder.resolve()),
        "references": refs.origin,
        "metrics": {},
        "skipped": {},
        "counts": {"records": len(records), "evaluated": len(gts), "failed": len(failed), "missing": len(missing),
                   "no_references": len(no_refs)},
        "failed": failed,
        "missing": missing,
        "no_references": no_refs,
        "tokenizer": None,
        "warnings": [],
        "per_sample": {},
        "mils_eval": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if failed:
        log.warning("failed samples are not scored", failed=len(failed))
    if missing:
        log.warning("reference ids with no record in the run", missing=len(missing), first=missing[:3])
    if gts:
        result = compute_metrics(gts, res, metrics, spice_corenlp=spice_corenlp)
        out["metrics"] = {k: result.scores[k] for k in ORDER if k in result.scores}
        out.update(out["metrics"])  # also flat, under pycocoevalcap's names (Bleu_1 ... CIDEr, SPIDEr)
        out["skipped"] = result.skipped
        out["tokenizer"] = result.tokenizer
        out["warnings"] = result.warnings
        out["per_sample"] = result.per_sample
        out["seconds"] = result.seconds
    else:
        message = "no sample could be evaluated (no ok record has references)"
        log.warning(message)
        out["warnings"] = [message]
    out = _finite(out)
    if write:
        atomic_write_text(folder / METRICS_FILE, json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return out


def format_table(result: dict[str, Any]) -> str:
    """The terminal table of ``mils eval``."""
    lines = [f"{'metric':<10} {'score':>8} {'x100':>8}", f"{'-' * 10} {'-' * 8} {'-' * 8}"]
    for name, value in result["metrics"].items():
        lines.append(f"{name:<10} {value:>8.4f} {value * 100:>8.2f}" if value is not None else f"{name:<10} {'nan':>8}")
    for name, why in result["skipped"].items():
        lines.append(f"{name:<10} {'skipped':>8}  {why}")
    c = result["counts"]
    lines.append("")
    lines.append(f"evaluated {c['evaluated']} of {c['records']} records; failed {c['failed']}, missing {c['missing']}, "
                 f"without references {c['no_references']} (metrics average over evaluated samples only)")
    if result["tokenizer"]:
        lines.append(f"tokenizer: {result['tokenizer']}; references: {result['references']}")

    def listing(label: str, items: list[str]) -> None:
        if items:
            more = f" ... and {len(items) - 10} more" if len(items) > 10 else ""
            lines.append(f"{label}: {', '.join(items[:10])}{more}")

    listing("failed", [f"{f['id']} ({f['error'][:80]})" for f in result["failed"]])
    listing("missing", result["missing"])
    listing("without references", result["no_references"])
    return "\n".join(lines)
