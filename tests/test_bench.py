"""mils bench in the core: any task, its presets and bundled samples; every variant runs, the
ratios and counters say what each saving is worth, and savings that cannot apply are skipped."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import mils_core.bench as bench_module
import mils_core.cli as cli
from mils_core.bench import ABLATIONS, ALL_OFF, WARM, bench, format_table
from mils_core.builtin.text_target import TextTarget
from mils_core.builtin.vocabulary import targets
from mils_core.cli import main
from mils_core.components import Prompt
from mils_core.hookspecs import hookimpl
from mils_core.plugins import MilsPluginManager, make_plugin_manager
from mils_core.testing.fakes import FakeGenerator, FakeScorer
from mils_core.testing.helpers import assert_import_is_light

WORDS = "a the small old dog cat man boat runs sleeps in on garden lake rain night".split()


def respond(prompt: Prompt) -> str:
    rng = random.Random(prompt.seed)
    return "\n".join(f"{i + 1}. " + " ".join(rng.choice(WORDS) for _ in range(6)) for i in range(prompt.n_new))


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


QUICK: dict[str, Any] = {
    "generator": {"name": "fake-list-stop"},
    "scorer": {"name": "fake-embed"},
    "loop": {"top_k": 8, "n_new": 8, "batch_samples": 4, "pool_size": 300},
    "stop": [{"name": "max-iterations", "n": 4}, {"name": "plateau", "patience": 1, "min_delta": 0.0}],
}


class BenchText(TextTarget):
    """text-target with presets and a bundled samples file (what a task plugin declares)."""

    presets = {"quick": QUICK, "plain": {"loop": {"pool_size": 200}}}
    example_file: Path | None = None

    @classmethod
    def examples(cls) -> list[Path]:
        return [cls.example_file] if cls.example_file else []


class BareText(TextTarget):
    """text-target's behaviour with no presets and no bundled samples, whatever the built-in one gains."""

    presets: dict[str, Any] = {}

    @classmethod
    def examples(cls) -> list[Path]:
        return []


class Fakes:
    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("fake-list-stop", ListStopGenerator, options=StopOptions)

    @hookimpl
    def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
        register("fake-embed", FakeScorer, options=FakeScorer.Options)

    @hookimpl
    def mils_register_tasks(self, register):  # type: ignore[no-untyped-def]
        register("bench-text", BenchText, options=BenchText.Options)
        register("bare-text", BareText, options=BareText.Options)


@pytest.fixture
def pm(tmp_path: Path) -> Iterator[MilsPluginManager]:
    path = tmp_path / "bundled" / "targets.txt"
    path.parent.mkdir()
    path.write_text("\n".join(targets(3)) + "\n")
    BenchText.example_file = path
    yield make_plugin_manager(plugins=[Fakes()])
    BenchText.example_file = None


@pytest.fixture
def cli_pm(pm: MilsPluginManager, monkeypatch: pytest.MonkeyPatch) -> MilsPluginManager:
    monkeypatch.setattr(cli, "make_plugin_manager", lambda: pm)
    return pm


def test_every_variant_runs_on_a_task_preset_and_its_bundled_samples(pm: MilsPluginManager, tmp_path: Path) -> None:
    partial: list[tuple[int, bool]] = []
    SEEN_STOP_FLAGS.clear()
    report = bench(pm, task="bench-text", preset="quick", iterations=3, ablate=["all"], workdir=tmp_path / "w",
                   on_variant=lambda r: partial.append((len(r["variants"]), r["complete"])))
    rows = {r["variant"]: r for r in report["variants"]}
    assert list(rows) == ["full", WARM, *(f"no-{a}" for a in ABLATIONS), ALL_OFF]
    assert report["skipped"] == {} and report["task"] == "bench-text" and report["preset"] == "quick"
    assert report["samples"] == [str(BenchText.example_file)]  # the bundled file, read by the task
    # the report is handed over after every variant, complete only after the last
    assert partial == [(i, i == len(rows)) for i in range(1, len(rows) + 1)]
    full, no_pool = rows["full"], rows["no-pool-cache"]
    assert full["samples"] == 3 and full["failed"] == 0 and full["slowdown_vs_full"] == 1.0
    # the pool is encoded once for the run in the full system, once per sample without the cache
    assert full["pool_encodes_per_sample"] == 100 and no_pool["pool_encodes_per_sample"] == 300
    # every run after the first reads the pool from disk: no pool encodes at all, same answers
    assert rows[WARM]["pool_encodes_per_sample"] == 0 and rows[WARM]["mean_best"] == pytest.approx(full["mean_best"])
    assert full["candidate_encodes_per_sample"] <= full["new_candidates_per_sample"]
    assert rows["no-score-cache"]["cache_hit_rate"] == 0 and rows["no-score-cache"]["mean_best"] == pytest.approx(full["mean_best"])
    assert rows["no-batching"]["mean_best"] == pytest.approx(full["mean_best"])  # same answers (up to float rounding)
    assert rows["no-early-stop"]["iterations_per_sample"] == 3 >= full["iterations_per_sample"]
    assert rows[ALL_OFF]["iterations_per_sample"] == 3
    # the generator ablation ran a differently configured generator, after the full system
    assert True in SEEN_STOP_FLAGS and False in SEEN_STOP_FLAGS
    assert SEEN_STOP_FLAGS[0] is True
    for row in rows.values():
        assert set(row["stage_s_per_sample"]) == {"load", "initial", "generate", "score", "other"}
        assert row["samples_per_hour"] and row["peak_rss_mb"] > 0 and row["target_encodes_per_sample"] == 1
    table = format_table(report)
    assert "task bench-text, preset quick, 3 samples" in table and ALL_OFF in table and "x full" in table
    json.dumps(report)  # serialisable


def test_builtin_text_target_runs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--task", "text-target", "--samples", *targets(2), "--iterations", "1",
                 "--set", "loop.pool_size=100"]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["complete"] and report["variants"][0]["samples"] == 2 and report["variants"][0]["failed"] == 0
    assert report["components"]["generator"]["name"] == "mutate" and report["components"]["scorer"]["name"] == "word-overlap"


def test_text_task_without_presets_skips_what_does_not_apply(cli_pm: MilsPluginManager, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    written: list[bool] = []
    real_write = bench_module.atomic_write_text

    def spy(path: Path, text: str) -> None:
        written.append(json.loads(text)["complete"])
        real_write(path, text)

    monkeypatch.setattr(bench_module, "atomic_write_text", spy)
    code = main(["bench", "--task", "bare-text", "--samples", *targets(3), "--ablate", "all", "--iterations", "2",
                 "--set", "loop.pool_size=150", "--out", "out/bench.json"])
    assert code == 0
    report = json.loads((tmp_path / "out" / "bench.json").read_text())
    assert report["complete"] is True and report["preset"] is None and len(report["samples"]) == 3
    # word-overlap takes no savings switches, mutate has no list stop, max-iterations alone never stops early
    assert set(report["skipped"]) == {"pool-cache", "score-cache", "length-sort", "early-stop", "list-stop"}
    assert "word-overlap" in report["skipped"]["pool-cache"] and "mutate" in report["skipped"]["list-stop"]
    assert [r["variant"] for r in report["variants"]] == ["full", "no-batching"]
    assert written == [False, True, True]  # after each variant, then the final save
    full = report["variants"][0]
    assert full["samples"] == 3 and full["iterations_per_sample"] == 2 and 0 < full["mean_best"] <= 1
    assert full["text_encodes_per_sample"] >= 150  # the pool is scored for each sample
    out = capsys.readouterr().out
    assert "task bare-text, the task's defaults, 3 samples" in out
    assert "skipped no-pool-cache: the scorer 'word-overlap'" in out and "written: out/bench.json" in out


def test_text_samples_file_and_default_preset(cli_pm: MilsPluginManager, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.txt").write_text("\n".join(targets(2)) + "\n")
    assert main(["bench", "--task", "bench-text", "--samples", "t.txt", "--iterations", "1", "--out", "b.json"]) == 0
    report = json.loads((tmp_path / "b.json").read_text())
    assert report["preset"] == "quick"  # the task's first preset
    assert report["samples"] == [str(tmp_path / "t.txt")] and report["variants"][0]["samples"] == 2
    assert report["components"]["scorer"]["name"] == "fake-embed"


def _error(capsys) -> str:  # type: ignore[no-untyped-def]
    lines = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    return lines[-1]


def test_one_line_errors(cli_pm: MilsPluginManager, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--task", "text-targt", "--samples", "a b"]) == 2
    assert _error(capsys).startswith("mils: error: no task named 'text-targt'. Did you mean 'text-target'?")
    assert main(["bench", "--task", "bench-text", "--preset", "quik"]) == 2
    assert _error(capsys) == ("mils: error: task 'bench-text': no preset named 'quik'. Did you mean 'quick'? "
                              "Presets: quick, plain.")
    assert main(["bench", "--task", "bare-text", "--preset", "quick", "--samples", "a b"]) == 2
    assert "task 'bare-text' has no presets; omit --preset" in _error(capsys)
    assert main(["bench", "--task", "bare-text"]) == 2
    assert _error(capsys).startswith("mils: error: mils bench: task 'bare-text' bundles no example samples; pass --samples")
    assert main(["bench", "--task", "text-target", "--samples", "a b", "--ablate", "pool-cach"]) == 2
    assert "unknown ablation 'pool-cach'; choose from all, pool-cache" in _error(capsys)
    assert not (tmp_path / "bench.json").exists()


def test_cli_lists_every_ablation_and_stays_light() -> None:
    assert cli.BENCH_ABLATIONS == tuple(ABLATIONS)
    assert_import_is_light("mils_core.bench", forbidden=("torch", "numpy"))
    assert_import_is_light("mils_core.cli", forbidden=("torch", "numpy", "mils_core.bench"))


def test_samples_value_forms(tmp_path: Path) -> None:
    from mils_core.bench import samples_value

    (tmp_path / "a.jpg").write_bytes(b"")
    (tmp_path / "b.jpg").write_bytes(b"")
    assert samples_value([str(tmp_path / "a.jpg")]) == str(tmp_path / "a.jpg")  # one file: as it is
    assert samples_value([str(tmp_path)]) == str(tmp_path)  # a folder
    assert samples_value([str(tmp_path / "*.jpg")]) == str(tmp_path / "*.jpg")  # a glob the task expands
    assert samples_value([str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")]) == [str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")]
    assert samples_value(["a dog runs"]) == ["a dog runs"]  # a text sample, not a path
