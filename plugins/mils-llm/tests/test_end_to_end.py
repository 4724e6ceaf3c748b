"""A real MILS run: task text-target, the transformers generator on the packaged SmolLM2 (GGUF)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TARGETS = [
    "a brown dog runs along the beach",
    "a red car parked on a quiet city street",
    "two children play football in a green park",
]


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_text_target_with_smollm2(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("gguf")
    raw = {
        "run": {"task": "text-target", "samples": TARGETS, "output": str(tmp_path / "run"),
                "cache_dir": str(tmp_path / "cache"), "seed": 0},
        # A 135M model needs more tries and more randomness than the paper's 8B one: four short
        # prompts per sample (4 guesses each) at temperature 1.0.
        "generator": {"name": "transformers", "max_new_tokens": 80, "device": "cpu", "temperature": 1.0},
        "stop": [{"name": "max-iterations", "n": 3}],
        "loop": {"n_new": 16, "top_k": 8, "prompts_per_sample": 4},
    }
    records = mils_run(raw)
    summary = records.summary
    assert summary["ok"] == 3 and summary["failed"] == 0
    assert len(records) == 3
    for rec in records:
        assert rec["status"] == "ok" and rec["iterations"] == 3
        assert rec["tokens"]["completion"] > 0 and rec["tokens"]["prompt"] > 0
        assert rec["counters"]["generator_errors"] == 0
        assert rec["counters"]["candidates_scored"] > 0  # the LLM's replies parsed into new candidates
    best = sum(r["best_score"] for r in records) / 3
    initial = sum(r["initial_best_score"] for r in records) / 3
    report = {
        "mean_best": round(best, 4),
        "mean_initial_best": round(initial, 4),
        "rose": best > initial,
        "per_sample": [[r["initial_best_score"], r["best_score"], r["best_text"]] for r in records],
        "seconds": summary["seconds"],
    }
    print("\nend-to-end:", json.dumps(report))
    assert all(r["best_score"] >= r["initial_best_score"] for r in records)  # parents are kept
    assert best > initial, report  # the LLM's guesses beat the initial pool
