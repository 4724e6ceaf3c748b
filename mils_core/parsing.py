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
_NUMBERED_AGAIN = re.compile(r"^\d{1,3}[.)]\s+(?=\S)")
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
    text = _NUMBERED_AGAIN.sub("", text, count=1)  # "1. 1. a dog": a numbered line numbered again
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


#: Function words a caption may repeat freely.
_STOPWORDS = frozenset(
    "a an the and or of in on at to with by for from near next into onto over under above below behind "
    "beside between its it is are was were be been his her their this that these those some two three "
    "one who which while as up down out off".split()
    # colours and sizes repeat in good captions ("a black and white photo of a black cat")
    + "black white red blue green yellow brown gray grey orange pink purple dark light small large big little".split()
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    word = word.removesuffix("'s").removesuffix("'")
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def repeated_content_word(text: str) -> str | None:
    """The first content word (not a function word, 3+ letters) used twice, plurals and
    possessives folded ("a daisy on a daisy's flower" -> "daisy"); None if there is none."""
    seen: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if len(word) < 3 or word in _STOPWORDS:
            continue
        stem = _stem(word)
        if stem in seen:
            return stem
        seen.add(stem)
    return None


#: Words by which a reply talks to someone instead of describing something.
_CHATTY = frozenset({"i", "i'm", "i'd", "i'll", "me", "my", "we", "our", "us", "you", "your", "you're"})


#: Words of a caption prompt's own instructions that a caption of the media itself has no reason to use.
CAPTION_ECHO_WORDS = frozenset({"caption", "score", "rated", "rating", "higher", "match", "merged"})


def degenerate_caption(text: str, echo_words: AbstractSet[str] = frozenset()) -> str | None:
    """Why a short caption is degenerate, or None: a repeated content word, a word that talks to
    the reader ("you", "I"), or a word of the prompt's own instructions (``echo_words``, e.g.
    "score", "caption") echoed back."""
    repeated = repeated_content_word(text)
    if repeated is not None:
        return f"repeats {repeated!r}"
    words = _WORD.findall(text.lower())
    chatty = next((w for w in words if w in _CHATTY), None)
    if chatty is not None:
        return f"talks to the reader ({chatty!r})"
    echoed = next((w for w in words if _stem(w) in echo_words), None)
    if echoed is not None:
        return f"echoes the instructions ({echoed!r})"
    return None
