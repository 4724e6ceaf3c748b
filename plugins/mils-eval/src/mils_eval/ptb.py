"""A pure-Python stand-in for pycocoevalcap's Java PTB tokenisation (used when no Java is installed).

pycocoevalcap runs Stanford's ``PTBTokenizer -preserveLines -lowerCase`` and then drops the
tokens in its ``PUNCTUATIONS`` list. This module reproduces that for caption-like text:

* lowercase; curly quotes become straight ones, em/en dashes ``--``, ``…`` becomes ``...``;
* ``"`` and quote marks at a word's edges are split off (and then dropped, as PTB's
  ``\\`\\``/``''`` are); ``( ) [ ] { }`` become ``-lrb- -rrb- -lsb- -rsb- -lcb- -rcb-``, which
  pycocoevalcap does *not* drop because ``-lowerCase`` lowercases them;
* ``. , ; : ! ?`` are split off (runs such as ``!!!`` or ``?!`` stay one token, kept as PTB
  keeps them), except commas/colons/periods inside numbers (``1,000``, ``3:45``, ``3.5``) and
  the period of abbreviations (``mr.``, ``st.``, ``e.g.``, ``u.s.a.``, single letters);
* clitics are split the PTB way: ``dog's`` → ``dog 's``, ``isn't`` → ``is n't``,
  ``can't`` → ``ca n't``, ``won't`` → ``wo n't``, ``they're``/``i'd``/``we'll``/``i'm``/``'ve``;
  ``cannot`` → ``can not``, ``gonna`` → ``gon na`` (also ``gotta``, ``wanna``, ``lemme``, ``gimme``);
* ``$ % # * + = ~ ^`` and ``--``/``...`` are separate tokens; a trailing ``/`` is split off.

Known differences from the Java tokenizer (all rare in captions): PTB's abbreviation list is
longer than the one here (an unknown abbreviation followed by more words loses its period
here); URLs and e-mail addresses are kept whole only in their plain forms; emoticons,
SGML/HTML entities, phone numbers and fractions get special treatment in PTB; PTB normalises
more Unicode symbols than the quotes, dashes, ellipsis and non-breaking space handled here.
A test compares this tokenizer with the Java one on the fixture captions and a set of tricky
sentences (contractions, quotes, brackets, abbreviations, numbers, dashes, URLs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: The tokens pycocoevalcap removes after tokenising (its ``PUNCTUATIONS`` list).
PUNCTUATIONS = frozenset(["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
                          ".", "?", "!", ",", ":", "-", "--", "...", ";"])

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr mt ft co corp inc ltd vs etc jan feb mar apr jun jul aug sep sept oct nov dec
    no nos rev gen col lt sgt capt gov sen rep ave blvd rd approx dept est fig""".split()
)
_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-", "{": "-lcb-", "}": "-rcb-"}
_SPECIAL = {"cannot": ["can", "not"], "gonna": ["gon", "na"], "gotta": ["got", "ta"], "wanna": ["wan", "na"],
            "lemme": ["lem", "me"], "gimme": ["gim", "me"]}
_UNICODE = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
                          "\u201a": "'", "\u2014": " -- ", "\u2013": " -- ", "\u2026": " ... ", "\u00a0": " "})
_CLITIC = re.compile(r"^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")
_ACRONYM = re.compile(r"^([a-z]\.)+[a-z]?\.?$|^[a-z]\.$")
_SEPARATE = re.compile(r"(\.\.\.+|--+|[!?]+|[;$%#*+=~^\"()\[\]{}])")
_PROTECTED = re.compile(r"^((https?|ftp)://\S+|www\.\S+\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+)$")
_KEEP_QUOTED = re.compile(r"^'(\d0s|n'?|em|tis)$")
_DIGIT_PUNCT = re.compile(r"(?<!\d)[,:]|[,:](?!\d)")


def _split_clitics(tok: str) -> list[str]:
    out: list[str] = []
    while True:
        m = _CLITIC.match(tok)
        if not m or m.group(1) in ("", "'"):
            break
        tok, clitic = m.group(1), m.group(2)
        out.insert(0, clitic)
    return [tok, *out] if tok else out


def _split_token(tok: str) -> list[str]:
    if tok in _BRACKETS:
        return [_BRACKETS[tok]]
    if tok in _SPECIAL:
        return list(_SPECIAL[tok])
    head: list[str] = []
    tail: list[str] = []
    changed = True
    while changed and len(tok) > 1:
        changed = False
        if tok[-1] in ",;:/":
            tail.insert(0, tok[-1])
            tok, changed = tok[:-1], True
        elif tok.endswith(".") and not tok.endswith("..."):
            stem = tok[:-1]
            if stem in _ABBREVIATIONS or _ACRONYM.match(tok) or re.match(r"^[a-z]$", stem):
                break
            tail.insert(0, ".")
            tok, changed = stem, True
        elif tok.endswith("'") and not _KEEP_QUOTED.match(tok):
            tail.insert(0, "'")
            tok, changed = tok[:-1], True
    # leading quote marks (but keep '90s, 'n', 'em, 'tis)
    while tok[:1] in ("'", "`") and len(tok) > 1 and not _KEEP_QUOTED.match(tok):
        head.append(tok[0])
        tok = tok[1:]
    mid = _split_clitics(tok)
    if len(mid) == 1 and mid[0] in _SPECIAL:
        mid = list(_SPECIAL[mid[0]])
    return head + mid + tail


def tokenize_caption(text: str) -> str:
    """One caption tokenised PTB-style, lowercased, with pycocoevalcap's punctuation removed."""
    tokens: list[str] = []
    for word in text.translate(_UNICODE).lower().split():
        if _PROTECTED.match(word):
            tokens.append(word)
            continue
        word = _DIGIT_PUNCT.sub(lambda m: f" {m.group(0)} ", _SEPARATE.sub(r" \1 ", word))
        for raw in word.split():
            tokens.extend(_split_token(raw))
    return " ".join(t for t in tokens if t not in PUNCTUATIONS and t != '"')


def tokenize(captions_for_image: Mapping[str, Sequence[Mapping[str, str]]]) -> dict[str, list[str]]:
    """The same input and output as ``PTBTokenizer().tokenize`` (``{id: [{"caption": ...}]}`` → ``{id: [str]}``)."""
    return {key: [tokenize_caption(c["caption"]) for c in caps] for key, caps in captions_for_image.items()}
