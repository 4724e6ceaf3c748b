"""A small English vocabulary for the built-in text-target demo (written for this project)."""

from __future__ import annotations

import random

SUBJECTS = (
    "dog", "cat", "child", "woman", "man", "bird", "horse", "farmer", "student", "chef",
    "runner", "painter", "fisherman", "girl", "boy", "teacher", "sailor", "musician", "cow", "fox",
    "rabbit", "pilot", "nurse", "baker", "dancer", "goat", "duck", "squirrel", "driver", "climber",
)
ADJECTIVES = (
    "small", "old", "young", "happy", "tired", "brown", "white", "black", "tall", "quiet",
    "busy", "curious", "sleepy", "wet", "muddy", "proud", "lonely", "friendly", "spotted", "grey",
)
VERBS = (
    "runs", "sits", "sleeps", "plays", "walks", "waits", "reads", "eats", "jumps", "swims",
    "sings", "rests", "stands", "works", "dances", "climbs", "looks", "laughs", "paints", "cooks",
)
PREPOSITIONS = ("in", "near", "on", "under", "beside", "behind", "across", "inside")
PLACES = (
    "park", "kitchen", "garden", "river", "beach", "street", "forest", "field", "market", "station",
    "library", "bridge", "harbor", "meadow", "village", "school", "barn", "lake", "hill", "square",
)
TIMES = ("at night", "in the morning", "at noon", "in the rain", "in winter", "at sunset", "in summer", "today")
EXTRA = ("a", "the", "with", "and", "while", "its", "her", "his", "very", "slowly", "quickly", "together")

WORDS: tuple[str, ...] = tuple(
    sorted(set(SUBJECTS + ADJECTIVES + VERBS + PREPOSITIONS + PLACES + EXTRA + tuple(w for t in TIMES for w in t.split())))
)


def sentence(rng: random.Random, *, with_time: bool) -> str:
    """One random sentence such as 'the tired dog sleeps near the river at night'."""
    det = rng.choice(("a", "the"))
    words = [det, rng.choice(ADJECTIVES), rng.choice(SUBJECTS), rng.choice(VERBS)]
    words += [rng.choice(PREPOSITIONS), "the", rng.choice(PLACES)]
    if with_time:
        words.append(rng.choice(TIMES))
    return " ".join(words)


def generic_pool(n: int = 2000, seed: int = 1234) -> list[str]:
    """A deterministic pool of short generic sentences (the text-target initial pool)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    templates = (
        lambda: f"{rng.choice(('a', 'the'))} {rng.choice(SUBJECTS)} {rng.choice(VERBS)}",
        lambda: f"the {rng.choice(PLACES)} {rng.choice(TIMES)}",
        lambda: f"a {rng.choice(ADJECTIVES)} {rng.choice(SUBJECTS)} {rng.choice(PREPOSITIONS)} the {rng.choice(PLACES)}",
        lambda: f"someone {rng.choice(VERBS)} {rng.choice(PREPOSITIONS)} a {rng.choice(PLACES)}",
        lambda: f"a {rng.choice(ADJECTIVES)} day {rng.choice(TIMES)}",
    )
    while len(out) < n:
        text = rng.choice(templates)()
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def targets(n: int, seed: int = 7) -> list[str]:
    """Deterministic target sentences for demos and tests."""
    rng = random.Random(seed)
    return [sentence(rng, with_time=rng.random() < 0.5) for _ in range(n)]
