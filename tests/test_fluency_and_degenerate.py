"""The fluency objective (the generator's own log-likelihood) and the degenerate-candidate filter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from core_helpers import demo_config
from mils_core.builtin.mutate import Mutate
from mils_core.hookspecs import hookimpl
from mils_core.parsing import degenerate_caption, repeated_content_word

SCORED: list[str] = []


class ShortIsFluent(Mutate):
    """A generator whose "model" finds shorter texts more likely: fluency = -(words)."""

    def log_likelihoods(self, texts: Sequence[str]) -> list[float] | None:
        SCORED.extend(texts)
        return [-float(len(t.split())) for t in texts]


class Plugin:
    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("short-is-fluent", ShortIsFluent, options=ShortIsFluent.Options)


def _mean_words(records: Any) -> float:
    return sum(len(r["best_text"].split()) for r in records) / len(records)


def test_fluency_is_an_objective_that_changes_the_ranking(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    mils_register(Plugin())
    SCORED.clear()
    plain = mils_run(demo_config(tmp_path / "a", n=4, generator={"name": "short-is-fluent"}))
    assert not SCORED  # off by default: no likelihoods computed
    fluent = mils_run(demo_config(tmp_path / "b", n=4, generator={"name": "short-is-fluent"}, loop={"fluency": 0.5}))
    assert SCORED and len(SCORED) == len(set(SCORED))  # every text scored once per run
    for record in fluent:
        objectives = record["best_objectives"]
        assert set(objectives) == {"score", "fluency"}
        assert objectives["fluency"] == -len(record["best_text"].split())
        assert record["best_score"] == pytest.approx(objectives["score"] + 0.5 * objectives["fluency"])
        assert all(len(h) == 2 for h in record["history_objectives"])
    assert _mean_words(fluent) < _mean_words(plain)


def test_fluency_is_off_with_a_warning_where_the_generator_cannot_score(tmp_path: Path, mils_run, capsys) -> None:  # type: ignore[no-untyped-def]
    records = mils_run(demo_config(tmp_path, n=2, loop={"fluency": 0.1}))  # Mutate has no log-likelihoods
    assert records.summary["ok"] == 2
    assert all(not r.get("best_objectives") for r in records)
    out = capsys.readouterr()
    assert "fluency is off for this run" in out.out + out.err and "Mutate cannot score texts" in out.out + out.err


@pytest.mark.parametrize(("text", "word"), [
    ("a daisy on a daisy's flower", "daisy"),
    ("a royal palace with a palace of a house", "palace"),
    ("two dogs and a dog bed", "dog"),
    ("a striped cat sleeping on a bed", None),
    ("a black and white photo of a black cat", None),  # colours may repeat
    ("a man and a woman on a bench", None),
])
def test_repeated_content_words(text: str, word: str | None) -> None:
    assert repeated_content_word(text) == word


def test_echoed_instructions_are_degenerate() -> None:
    echo = frozenset({"caption", "score"})
    assert degenerate_caption("captions that score higher", echo) == "echoes the instructions ('captions')"
    assert degenerate_caption("a cup of coffee on a table", echo) is None
    assert degenerate_caption("The baseball you are talking about", echo) == "talks to the reader ('you')"


def test_degenerate_candidates_are_dropped_and_counted(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    from mils_core.builtin.text_target import GuessList
    from mils_core.components import PromptStyle

    class NoRepeats(GuessList):
        def degenerate(self, text: str) -> str | None:
            return degenerate_caption(text)

    class Styles:
        @hookimpl
        def mils_register_prompt_styles(self, register):  # type: ignore[no-untyped-def]
            register("no-repeats", NoRepeats)

    assert issubclass(NoRepeats, PromptStyle)
    mils_register(Styles())
    records = mils_run(demo_config(tmp_path / "on", n=3, iterations=3, prompt={"name": "no-repeats"}))
    dropped = sum(r["counters"]["degenerate_dropped"] for r in records)
    assert dropped > 0
    off = mils_run(demo_config(tmp_path / "off", n=3, iterations=3, prompt={"name": "no-repeats"},
                               loop={"drop_degenerate": False}))
    assert sum(r["counters"]["degenerate_dropped"] for r in off) == 0
