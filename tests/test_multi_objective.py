"""Multi-objective scores stay whole from scorer to prompt to record; only ranking scalarises them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mils_core.components import ScoredText, scalarize
from mils_core.config import config_from_dict
from mils_core.errors import ConfigError
from mils_core.loop import Loop
from mils_core.plugins import make_plugin_manager
from mils_core.resolve import resolve_components
from mils_core.results import read_records
from mils_core.runner import execute
from mils_core.testing.render_fakes import render_fakes_plugin

TARGETS = ["a red fox jumps over a low fence", "two grey cats sleep"]


def raw(tmp_path: Path, **loop: Any) -> dict[str, Any]:
    return {
        "run": {"task": "text-target", "samples": TARGETS, "output": str(tmp_path / "run")},
        "task": {"pool_size": 60},
        "scorer": {"name": "fake-loss"},
        "stop": [{"name": "max-iterations", "n": 3}],
        "loop": {"top_k": 6, "n_new": 6, **loop},
    }


def build(tmp_path: Path, **loop: Any) -> tuple[Any, Any, Any]:
    pm = make_plugin_manager(plugins=[render_fakes_plugin])
    cfg = config_from_dict(raw(tmp_path, **loop), base_dir=tmp_path)
    return pm, cfg, resolve_components(cfg, pm)


def test_scalarize() -> None:
    assert scalarize(0.5) == 0.5
    assert scalarize((0.5, 0.25)) == 0.75
    assert scalarize((0.5, 0.25), (1000.0, 1.0)) == 500.25
    with pytest.raises(ValueError, match="2 objective weights given for a score of 3 objectives"):
        scalarize((1.0, 2.0, 3.0), (1.0, 2.0))


def test_label_names_every_objective() -> None:
    assert ScoredText("x", 0.51234).label(2) == "0.51"
    assert ScoredText("x", 0.5, (0.123, 0.4), ("style", "content")).label(2) == "style 0.12, content 0.40"
    assert ScoredText("x", 0.5, (0.1, 0.2)).label(1) == "objective 1 0.1, objective 2 0.2"


def test_losses_are_minimised_with_weights_and_recorded_whole(tmp_path: Path) -> None:
    pm, cfg, components = build(tmp_path, weights=[10.0, 1.0])
    execute(cfg, pm, progress=False, components=components)
    records = read_records(cfg.output_dir())
    assert {r["status"] for r in records} == {"ok"}
    for r in records:
        words, length = r["best_objectives"]["words"], r["best_objectives"]["length"]
        assert r["best_score"] == pytest.approx(10.0 * words + length)  # ranking score, a loss
        assert r["best_score"] <= r["initial_best_score"]  # losses only go down
        assert r["history"] == sorted(r["history"], reverse=True)
        assert len(r["history_objectives"]) == len(r["history"]) and all(len(h) == 2 for h in r["history_objectives"])
        assert r["history_objectives"][-1] == [words, length]


def test_weights_change_the_ranking(tmp_path: Path) -> None:
    pm, cfg, components = build(tmp_path, weights=[1.0, 0.0])
    loop = Loop(cfg, components)
    loop.prepare_pool()
    started, _ = loop.start(list(components.task.samples(TARGETS)))
    by_words = [st.objectives()[0] for st in started[0].ranked]
    assert by_words == sorted(by_words)  # ranked by the first objective alone
    pm2, cfg2, components2 = build(tmp_path / "b", weights=[0.0, 1.0])
    loop2 = Loop(cfg2, components2)
    loop2.prepare_pool()
    started2, _ = loop2.start(list(components2.task.samples(TARGETS)))
    by_length = [st.objectives()[1] for st in started2[0].ranked]
    assert by_length == sorted(by_length)
    assert [s.text for s in started[0].ranked[:6]] != [s.text for s in started2[0].ranked[:6]]


def test_the_prompt_shows_every_objective(tmp_path: Path) -> None:
    pm, cfg, components = build(tmp_path)
    loop = Loop(cfg, components)
    loop.prepare_pool()
    started, _ = loop.start(list(components.task.samples(TARGETS)))
    prompt = loop.build_prompt(started[0], attempt=0)
    body = prompt.messages[-1].content
    best = started[0].ranked[0]
    words, length = best.objectives()
    assert f"words {words:.2f}, length {length:.2f}: {best.text}" in body
    assert all(s.names == ("words", "length") for s in prompt.shown)


def test_weights_must_match_the_objectives(tmp_path: Path) -> None:
    pm, cfg, components = build(tmp_path, weights=[1.0, 2.0, 3.0])
    with pytest.raises(ConfigError, match=r"\[loop\] weights has 3 entries but the scorer has 2 objectives \(words, length\)"):
        Loop(cfg, components)


def test_results_are_plain_json(tmp_path: Path) -> None:
    pm, cfg, components = build(tmp_path)
    execute(cfg, pm, progress=False, components=components)
    for line in (cfg.output_dir() / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["schema"] == 2
