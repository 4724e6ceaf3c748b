"""Parsing candidates out of messy LLM replies."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mils_core.parsing import dedupe, normalize, parse_candidates


def test_numbered_bulleted_quoted_and_noise() -> None:
    reply = """Sure! Here are 6 new captions:

1. A dog running on the beach.
2) "Two cats sleeping on a sofa"
(3) **A red car parked by the road**
#4: a bowl of soup - this one adds food
- a child flying a kite
* 0.412: a city street at night

5. A dog running on the beach
Caption 6: an old bridge over a river
I hope these help!"""
    assert parse_candidates(reply) == [
        "A dog running on the beach.",
        "Two cats sleeping on a sofa",
        "A red car parked by the road",
        "a bowl of soup",
        "a child flying a kite",
        "a city street at night",
        "an old bridge over a river",
    ]


def test_unnumbered_plain_lines_and_headings() -> None:
    assert parse_candidates("New descriptions:\na horse in a field\n\na boat on a lake\n") == [
        "a horse in a field", "a boat on a lake"]


def test_nothing_parsable() -> None:
    assert parse_candidates("") == []
    assert parse_candidates("1.\n2.\n---\n:::") == []


def test_long_lines_dropped() -> None:
    assert parse_candidates("1. " + "word " * 80) == []


def test_normalize_and_dedupe() -> None:
    assert normalize('  "A Dog  runs."  ') == "a dog runs"
    seen = {"a cat"}
    assert dedupe(["A cat.", "a dog", "A DOG", "a bird"], seen, also={"a bird"}) == ["a dog"]
    assert seen == {"a cat", "a dog"}


@given(st.lists(st.text(min_size=1, max_size=40), max_size=20))
def test_parser_never_crashes_and_never_duplicates(lines: list[str]) -> None:
    out = parse_candidates("\n".join(lines))
    assert len({normalize(t) for t in out}) == len(out)
    assert all(t.strip() for t in out)


def test_echoed_scores_and_letter_markers() -> None:
    reply = "0.5400: a portrait of a striped cat\nA: a cat on a mat\nB) two birds\n0. zero-numbered line\n1.5 kg of apples"
    assert parse_candidates(reply) == ["a portrait of a striped cat", "a cat on a mat", "two birds",
                                       "zero-numbered line", "1.5 kg of apples"]
