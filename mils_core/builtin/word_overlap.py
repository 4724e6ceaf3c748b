"""The ``word-overlap`` scorer: F1 of the words a candidate shares with the target."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from mils_core.components import Score, Scorer

_WORD = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=65536)
def words(text: str) -> Counter[str]:
    """Lowercased word counts."""
    return Counter(_WORD.findall(text.lower()))


def f1(candidate: Counter[str], target: Counter[str]) -> float:
    """Harmonic mean of word precision and recall (multiset overlap)."""
    get = target.get
    common = 0
    for word, count in candidate.items():
        other = get(word)
        if other:
            common += count if count < other else other
    if common == 0:
        return 0.0
    return 2.0 * common / (candidate.total() + target.total())


class WordOverlap(Scorer[Any]):
    """Word-overlap F1 between a candidate and the hidden target sentence (no model)."""

    target_media = ("text",)

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.counters = {"text_encodes": 0, "target_encodes": 0}

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        self.counters["target_encodes"] += len(targets)
        return [words(str(t)) for t in targets]

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        out: list[list[Score]] = []
        for handle, group in zip(handles, texts, strict=True):
            self.counters["text_encodes"] += len(group)
            out.append([f1(words(t), handle) for t in group])
        return out

    def stats(self) -> dict[str, int]:
        return dict(self.counters)
