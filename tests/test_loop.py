"""The MILS loop: lockstep batching, retries, NaN handling, determinism, observer hooks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core_helpers import demo_config
from mils_core.components import Generation, Prompt
from mils_core.hookspecs import hookimpl
from mils_core.plugins import make_plugin_manager
from mils_core.testing.fakes import FakeGenerator
from mils_core.testing.helpers import run_config


def _strip_timings(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "timings"}


def test_demo_improves_over_the_initial_pool(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    records = mils_run(demo_config(tmp_path, n=20, iterations=6))
    assert records.summary["ok"] == 20 and records.summary["failed"] == 0 and len(records) == 20
    initial = sum(r["initial_best_score"] for r in records) / len(records)
    final = sum(r["best_score"] for r in records) / len(records)
    assert final > initial + 0.05
    for r in records:
        assert r["history"][0] == r["initial_best_score"]
        assert len(r["history"]) == r["iterations"] + 1 == 7
        assert r["tokens"]["prompt"] > 0 and r["tokens"]["completion"] > 0


def test_result_does_not_depend_on_batch_composition(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    ra = {r["id"]: _strip_timings(r) for r in mils_run(demo_config(tmp_path / "a", n=9, loop={"batch_samples": 1}))}
    rb = {r["id"]: _strip_timings(r) for r in mils_run(demo_config(tmp_path / "b", n=9, loop={"batch_samples": 7}))}
    assert len(ra) == 9 and ra == rb


def test_embedding_scores_do_not_depend_on_batch_composition(tmp_path: Path, mils_run, mils_register) -> None:  # type: ignore[no-untyped-def]
    """With an embedding scorer (a matrix product over the pool) the records are the same, to the bit."""
    import mils_core.testing.fixed_cost as fixed_cost

    mils_register(fixed_cost)
    parts = {"scorer": {"name": "fixed-cost", "dim": 64}, "generator": {"name": "fixed-cost"}}
    ra = {r["id"]: _strip_timings(r) for r in mils_run(demo_config(tmp_path / "a", n=13, loop={"batch_samples": 13}, **parts))}
    rb = {r["id"]: _strip_timings(r) for r in mils_run(demo_config(tmp_path / "b", n=13, loop={"batch_samples": 3}, **parts))}
    assert len(ra) == 13 and ra == rb


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), exploration=st.sampled_from([0.0, 0.3]), n_new=st.integers(1, 12))
def test_best_score_never_decreases(tmp_path_factory, seed: int, exploration: float, n_new: int) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("prop")
    config = demo_config(tmp, n=4, iterations=4,
                         run={"task": "text-target", "samples": "targets.txt", "output": "out", "seed": seed},
                         loop={"exploration": exploration, "n_new": n_new, "top_k": 5})
    records = run_config(config, tmp, pm=make_plugin_manager())
    assert len(records) == 4
    for record in records:
        history = record["history"]
        assert all(b >= a for a, b in zip(history, history[1:])), history
        assert record["best_score"] == history[-1]


class _Scripted:
    """Registers a generator whose replies a test scripts."""

    def __init__(self, respond: Any) -> None:
        self.respond = respond

    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("scripted", lambda opts: FakeGenerator(respond=self.respond))


def test_unparsable_replies_are_retried_then_the_sample_continues(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def respond(prompt: Prompt) -> str:
        calls.append(prompt.seed)
        return "   \n\n:::\n"

    mils_register(_Scripted(respond))
    records = mils_run(demo_config(tmp_path, n=2, iterations=2, generator={"name": "scripted"}, loop={"reply_retries": 2}))
    assert records.summary["ok"] == 2
    for record in records:
        assert record["counters"]["unparsable_replies"] == 6  # 2 iterations x (1 + 2 retries)
        assert record["best_score"] == record["initial_best_score"]
    assert len(set(calls)) == len(calls)  # each retry uses a fresh seed


def test_generator_errors_fail_only_that_sample(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    bad_target = "the proud goat climbs across the hill"

    def respond(prompt: Prompt) -> Any:
        if any("goat" in s.text for s in prompt.shown[:1]):
            return Generation("", error="HTTP 500 from http://127.0.0.1:1/v1 after 3 attempts")
        return "1. a dog runs\n2. the tired cat sleeps in the park"

    mils_register(_Scripted(respond))
    config = demo_config(tmp_path, n=3, iterations=2, generator={"name": "scripted"})
    (tmp_path / "targets.txt").write_text(f"a dog runs in the park\n{bad_target}\nthe cat sleeps\n")
    run = mils_run(config)
    records = {r["source"]: r for r in run}
    assert run.summary["failed"] == 1 and run.summary["ok"] == 2
    failed = records[bad_target]
    assert failed["status"] == "failed" and "HTTP 500" in failed["error"]
    assert records["the cat sleeps"]["status"] == "ok"


def test_nan_scores_are_dropped_and_counted(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    from mils_core.builtin.word_overlap import WordOverlap

    class NanOverlap(WordOverlap):
        def score(self, handles, texts):  # type: ignore[no-untyped-def]
            rows = super().score(handles, texts)
            return [[math.nan if "the" in t.split() else s for t, s in zip(group, row)] for group, row in zip(texts, rows)]

    class Plugin:
        @hookimpl
        def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
            register("nan-overlap", NanOverlap)

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=3, iterations=2, scorer={"name": "nan-overlap"}))
    assert records.summary["ok"] == 3
    for record in records:
        assert record["counters"]["nan_dropped"] > 0
        assert all(math.isfinite(s) for _, s in record["top"])
        assert "the" not in record["best_text"].split()


def test_prompt_shrinks_to_fit_the_context_window(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    shown_counts: list[int] = []

    class Small(FakeGenerator):
        def context_window(self) -> int:
            return 220

        def max_new_tokens(self) -> int:
            return 20

        def count_tokens(self, prompt: Prompt) -> int:
            return sum(len(m.content.split()) for m in prompt.messages)

        def generate(self, prompts):  # type: ignore[no-untyped-def]
            for p in prompts:
                assert self.count_tokens(p) <= 200
                shown_counts.append(len(p.shown))
            return super().generate(prompts)

    class Plugin:
        @hookimpl
        def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
            register("small-context", lambda o: Small())

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=2, iterations=2, generator={"name": "small-context"}, loop={"top_k": 30}))
    assert shown_counts and max(shown_counts) < 30
    assert len(records) == 2 and all(r["counters"]["prompt_shrinks"] > 0 for r in records)


def test_observer_hooks_are_called(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, list[Any]] = {"started": [], "iteration": [], "sample": [], "finished": []}

    class Observer:
        @hookimpl
        def mils_run_started(self, run):  # type: ignore[no-untyped-def]
            seen["started"].append(run.output_dir)

        @hookimpl
        def mils_iteration_finished(self, run, sample_id, iteration, best_score):  # type: ignore[no-untyped-def]
            seen["iteration"].append((sample_id, iteration))

        @hookimpl
        def mils_sample_finished(self, run, record):  # type: ignore[no-untyped-def]
            seen["sample"].append(record["id"])

        @hookimpl
        def mils_run_finished(self, run, summary):  # type: ignore[no-untyped-def]
            seen["finished"].append(summary["ok"])

    mils_register(Observer())
    records = mils_run(demo_config(tmp_path, n=3, iterations=2))
    assert seen["started"] == [records.output]
    assert len(seen["iteration"]) == 6 and len(seen["sample"]) == 3 and seen["finished"] == [3]


def test_unreadable_sample_becomes_a_failed_record(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "t.jsonl").write_text('{"id": "a", "text": "a dog runs"}\nnot json\n{"id": "c", "text": "the cat"}\n')
    records = mils_run(demo_config(tmp_path, n=1, run={"task": "text-target", "samples": "t.jsonl", "output": "o"}))
    assert (records.summary["ok"], records.summary["failed"]) == (2, 1)
    failed = [r for r in records if r["status"] == "failed"]
    assert "t.jsonl:2 is not a JSON object" in failed[0]["error"]


@pytest.mark.parametrize("rule,expected", [
    ({"name": "max-iterations", "n": 2}, 2),
    ({"name": "target-score", "score": 0.0}, 0),
    ({"name": "time-budget", "seconds": 1e-9}, 1),
])
def test_stop_rules_in_a_run(tmp_path: Path, mils_run, rule: dict[str, Any], expected: int) -> None:  # type: ignore[no-untyped-def]
    records = mils_run(demo_config(tmp_path, n=2, stop=[rule, {"name": "max-iterations", "n": 5}]))
    assert [r["iterations"] for r in records] == [expected, expected]


def test_a_third_party_pool_replaces_the_tasks_by_name(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    from mils_core.components import PoolSource

    class OwnPool(PoolSource[Any]):
        def texts(self):  # type: ignore[no-untyped-def]
            return ["nothing like it at all"]

        def for_sample(self, sample):  # type: ignore[no-untyped-def]
            return [f"{sample.source} extra", "nothing like it"]

    class Plugin:
        @hookimpl
        def mils_register_pools(self, register):  # type: ignore[no-untyped-def]
            register("own-pool", OwnPool)

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=3, iterations=1, pool={"name": "own-pool"}))
    assert len(records) == 3
    for record in records:
        assert record["initial_best_text"] == f"{record['source']} extra"
        assert record["initial_best_score"] > 0.9


def test_a_third_party_prompt_style_replaces_the_tasks_by_name(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    from mils_core.builtin.text_target import GuessList

    seen: list[str] = []

    class Terse(GuessList):
        def build(self, sample, shown, n_new, seed):  # type: ignore[no-untyped-def]
            prompt = super().build(sample, shown, n_new, seed)
            seen.append(prompt.messages[-1].content)
            return prompt

    class Plugin:
        @hookimpl
        def mils_register_prompt_styles(self, register):  # type: ignore[no-untyped-def]
            register("terse", Terse)

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=2, iterations=2, prompt={"name": "terse"}))
    assert len(records) == 2 and seen  # the run asked through the selected style


def test_several_prompts_per_sample_in_one_call(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    calls: list[list[Prompt]] = []

    def respond(prompt: Prompt) -> str:
        return "\n".join(f"{i + 1}. guess {prompt.seed % 997} {i}" for i in range(prompt.n_new))

    class Recording(FakeGenerator):
        def generate(self, prompts):  # type: ignore[no-untyped-def]
            calls.append(list(prompts))
            return super().generate(prompts)

    class Plugin:
        @hookimpl
        def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
            register("recording", lambda o: Recording(respond=respond))

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=2, iterations=1, generator={"name": "recording"},
                                   loop={"prompts_per_sample": 3, "n_new": 10, "batch_samples": 2}))
    assert len(calls) == 1 and len(calls[0]) == 6  # 2 samples x 3 prompts, one generator call
    assert {p.n_new for p in calls[0]} == {4}  # ceil(10 / 3)
    assert len({p.seed for p in calls[0]}) == 6
    assert [r["counters"]["candidates_scored"] for r in records] == [12, 12]
