"""mils bench: every variant runs, the ratios and counters say what each saving is worth."""

from __future__ import annotations

import json
import random
from pathlib import Path

import attrs

from mils_core.components import Prompt
from mils_core.hookspecs import hookimpl
from mils_core.plugins import make_plugin_manager
from mils_core.testing.fakes import FakeGenerator, FakeScorer
from mils_image.bench import ABLATIONS, WARM, bench, format_table

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "images"


def respond(prompt: Prompt) -> str:
    rng = random.Random(prompt.seed)
    words = "a cat dog on the sofa grey tabby sleeping photo of".split()
    return "\n".join(f"{i + 1}. " + " ".join(rng.choice(words) for _ in range(6)) for i in range(prompt.n_new))


class Fakes:
    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("fake-words", lambda o: FakeGenerator(respond=respond))

    @hookimpl
    def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
        register("fake-embed", FakeScorer, options=FakeScorer.Options)


@attrs.frozen
class StopOptions:
    stop_after_list: bool = True


SEEN_STOP_FLAGS: list[bool] = []


class ListStopGenerator(FakeGenerator):
    """A fake generator with the transformers generator's list-stop switch; records the flag it ran with."""

    def __init__(self, options: StopOptions) -> None:
        super().__init__(None, respond=respond)
        self.flag = options.stop_after_list

    def generate(self, prompts):  # type: ignore[no-untyped-def]
        SEEN_STOP_FLAGS.append(self.flag)
        return super().generate(prompts)


class StopFakes:
    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("fake-list-stop", ListStopGenerator, options=StopOptions)


def test_generator_option_ablation_runs_a_differently_configured_generator(tmp_path: Path) -> None:
    pm = make_plugin_manager(plugins=[Fakes(), StopFakes()])
    samples = sorted(str(p) for p in EXAMPLES.glob("*.jpg"))[:2]
    SEEN_STOP_FLAGS.clear()
    report = bench(pm, preset="offline", samples=samples, iterations=1, ablate=["list-stop"], random_weights=False,
                   overrides=["task.pool_size=50"], workdir=tmp_path, generator="fake-list-stop", scorer="fake-embed")
    assert [r["variant"] for r in report["variants"]] == ["full", "no-list-stop"]
    assert True in SEEN_STOP_FLAGS and False in SEEN_STOP_FLAGS
    assert SEEN_STOP_FLAGS == sorted(SEEN_STOP_FLAGS, reverse=True)  # the full system ran first, with the stop on


def test_bench_all_ablations(tmp_path: Path) -> None:
    pm = make_plugin_manager(plugins=[Fakes()])
    samples = sorted(str(p) for p in EXAMPLES.glob("*.jpg"))[:3]
    partial: list[tuple[int, bool]] = []
    report = bench(pm, preset="offline", samples=samples, iterations=2, ablate=["all"], random_weights=False,
                   overrides=["task.pool_size=500"], workdir=tmp_path, generator="fake-words", scorer="fake-embed",
                   on_variant=lambda r: partial.append((len(r["variants"]), r["complete"])))
    rows = {r["variant"]: r for r in report["variants"]}
    assert set(rows) == {"full", WARM, "reference-like (all off)", *(f"no-{a}" for a in ABLATIONS)}
    # the report is handed over after every variant, complete only after the last
    assert partial == [(i, i == len(rows)) for i in range(1, len(rows) + 1)]
    # every run after the first reads the pool from disk: no pool encodes at all
    assert rows[WARM]["pool_encodes_per_sample"] == 0 and rows[WARM]["mean_best"] == rows["full"]["mean_best"]
    full, no_pool = rows["full"], rows["no-pool-cache"]
    assert full["samples"] == 3 and full["slowdown_vs_full"] == 1.0
    # the pool is encoded once for the run in the full system, once per sample without the cache
    assert full["pool_encodes_per_sample"] == round(500 / 3, 2)
    assert no_pool["pool_encodes_per_sample"] == 500
    # scorer text encodes per sample never exceed the new candidates the generator produced
    assert full["candidate_encodes_per_sample"] <= full["new_candidates_per_sample"]
    assert rows["no-batching"]["mean_best"] == full["mean_best"]  # same answers, only slower or not
    table = format_table(report)
    assert "reference-like (all off)" in table and "x full" in table
    json.dumps(report)  # serialisable
