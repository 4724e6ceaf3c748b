"""Parse candidate texts out of free-form LLM replies.

LLMs, small ones above all, answer in many list formats: numbered (``1.``, ``1)``,
``(1)``, ``#1:``), bulleted (``-``, ``*``, ``•``), quoted, with blank lines, with a
score they were not asked for (``0.31: a dog``), or with a preamble and trailing
explanations. The parser keeps what looks like a candidate and drops the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

_LIST_MARKER = re.compile(
    r"""^\s*(?:
        (?:\#\s*)?\(?\d{1,3}\s*[.):\]-](?!\d)\s*   # 1.  1)  (1)  #1:  1 -   (not 0.53)
      | [A-Z][.):]\s+                          # A.  B)  C:
      | [-*•·‣▪–—]\s+                           # bullets
      | (?:caption|description|text|prompt|option)\s*\#?\s*\d{0,3}\s*[:.)-]\s*  # Caption 3:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SCORE_PREFIX = re.compile(r"^\s*\(?[-+]?\d*\.\d+\)?\s*[:|\-–]\s*")
_TRAILING_NOTE = re.compile(r"\s+(?:\((?:score|note|this)[^)]*\)|[-–—]\s*(?:score|this|note)\b.*)$", re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^(?:here (?:are|is)|sure|certainly|okay|ok\b|below|i (?:have|will|'ll|hope)|these|note|the following|"
    r"new (?:captions|descriptions|texts)|output|answer)\b",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’`«»"


def normalize(text: str) -> str:
    """Canonical form used to detect duplicates: NFKC, lowercase, single spaces, no end punctuation."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .!;,:" + _QUOTES)


def clean_candidate(line: str) -> str:
    """Strip list markers, scores, quotes and markdown emphasis from one line."""
    text = line.strip()
    text = _LIST_MARKER.sub("", text, count=1)
    text = _SCORE_PREFIX.sub("", text, count=1)
    text = text.replace("**", "").replace("__", "")
    text = _TRAILING_NOTE.sub("", text)
    text = text.strip().strip(_QUOTES).strip()
    return re.sub(r"\s+", " ", text)


def parse_candidates(reply: str, *, max_words: int = 60, min_words: int = 1) -> list[str]:
    """Candidate texts in ``reply``, in order, without duplicates.

    Lines that are empty, look like a preamble or a heading (ending with ``:``), or are
    longer than ``max_words`` words are dropped.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in reply.replace("\r", "\n").split("\n"):
        if not raw.strip():
            continue
        had_marker = bool(_LIST_MARKER.match(raw))
        text = clean_candidate(raw)
        if not text or text.endswith(":"):
            continue
        if not had_marker and _PREAMBLE.match(text):
            continue
        words = text.split()
        if not (min_words <= len(words) <= max_words):
            continue
        if not any(ch.isalpha() for ch in text):
            continue
        key = normalize(text)
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def dedupe(texts: Iterable[str], seen: set[str], also: AbstractSet[str] = frozenset()) -> list[str]:
    """Texts whose normalised form is in neither ``seen`` (which is updated) nor ``also``, in order."""
    fresh: list[str] = []
    for text in texts:
        key = normalize(text)
        if key and key not in seen and key not in also:
            seen.add(key)
            fresh.append(text)
    return fresh
