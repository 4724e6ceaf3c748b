"""Build ``src/mils_audio/data/audio_pool.txt``: short, generic descriptions of sounds.

Deterministic: the vocabularies in ``audio_vocab.toml`` (written for this project; sound-event class
*names* from AudioSet, ESC-50 and UrbanSound8K are facts) are combined by fixed templates with a fixed
seed, deduplicated, and written in a fixed order, so rerunning gives a byte-identical file.

Each description is a sound source doing something (``a dog barks``), optionally with an acoustic
quality (``loudly``, ``in the distance``), a place that suits the source, a background sound, a
second source at the same time, or a follow-up action; plus scene descriptions (``the sound of rain
on a roof at night``) and class-name descriptions (``a recording of a chainsaw``).

    python plugins/mils-audio/scripts/build_audio_pool.py           # write the file
    python plugins/mils-audio/scripts/build_audio_pool.py --check   # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOCAB = HERE / "audio_vocab.toml"
OUT = HERE.parent / "src" / "mils_audio" / "data" / "audio_pool.txt"
SEED = 20261202
SIZE = 24000
MAX_WORDS = 18
#: Endings of class-name descriptions ("chainsaw sounds in the distance").
CLASS_TAILS = ("", "in the distance", "nearby", "up close", "in the background", "indoors", "outdoors", "at night")


def _sources(vocab: dict) -> list[tuple[str, str, list[str], list[str]]]:
    """(setting, noun phrase, verbs, places) for every source, in file order."""
    out = []
    for setting, table in vocab["sources"].items():
        for noun, verbs in table["items"]:
            out.append((setting, noun, list(verbs), list(table["places"])))
    return out


def _clean(text: str) -> str:
    return " ".join(text.split())


def build(size: int = SIZE, seed: int = SEED, vocab_path: Path = VOCAB) -> list[str]:
    """``size`` distinct descriptions, in a fixed order."""
    vocab = tomllib.loads(vocab_path.read_text(encoding="utf-8"))
    sources = _sources(vocab)
    by_setting: dict[str, list[tuple[str, str, list[str], list[str]]]] = {}
    for item in sources:
        by_setting.setdefault(item[0], []).append(item)
    qualities = vocab["qualities"]["general"]
    backgrounds = vocab["qualities"]["backgrounds"]
    leads = vocab["qualities"]["scene_leads"]
    tails = vocab["qualities"]["scene_tails"]
    phrases = vocab["phrases"]["sound_of"]
    classes = sorted({c for names in vocab["classes"].values() for c in names})
    rng = random.Random(seed)
    seen: dict[str, None] = {}

    def add(text: str) -> None:
        text = _clean(text)
        if not text or len(text.split()) > MAX_WORDS:
            return
        # one sense of distance and one room per description ("nearby in the distance" is not natural)
        distance = sum(text.count(w) for w in ("in the distance", "nearby", "far away", "close to the microphone"))
        rooms = sum(text.count(w) for w in (" room", "in a kitchen", "in a house", "indoors", "in an apartment"))
        if distance > 1 or rooms > 1 or text.count(" in the background") > 1:
            return
        seen.setdefault(text, None)

    # every source and action once, plain: the pool always holds the basic events
    for _, noun, verbs, _ in sources:
        for verb in verbs:
            add(f"{noun} {verb}")
    attempts = 0
    while len(seen) < size:
        attempts += 1
        if attempts > size * 60:
            raise RuntimeError("the vocabularies are too small for this pool size")
        setting, noun, verbs, places = rng.choice(sources)
        verb = rng.choice(verbs)
        roll = rng.random()
        if roll < 0.16:
            add(f"{noun} {verb} {rng.choice(qualities)}")
        elif roll < 0.36:
            add(f"{noun} {verb} {rng.choice(places)}")
        elif roll < 0.46:
            add(f"{noun} {verb} {rng.choice(qualities)} {rng.choice(places)}")
        elif roll < 0.60:
            add(f"{noun} {verb} {rng.choice(places)} {rng.choice(backgrounds)}")
        elif roll < 0.68:
            add(f"{noun} {verb} {rng.choice(backgrounds)}")
        elif roll < 0.80:
            other = rng.choice(by_setting[rng.choice([setting, setting, rng.choice(sorted(by_setting))])])
            if other[1] != noun:
                add(f"{noun} {verb} while {other[1]} {rng.choice(other[2])}")
        elif roll < 0.86:
            second = rng.choice(verbs)
            if second != verb and not second.startswith(verb) and not verb.startswith(second):
                add(f"{noun} {verb} and then {second}")
        elif roll < 0.95:
            tail = rng.choice(tails)
            add(f"{rng.choice(leads)} {rng.choice(phrases)} {tail}")
        else:
            add(f"{rng.choice(classes)} sounds {rng.choice(CLASS_TAILS)}")
    return list(seen)[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs from a fresh build")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default: the package's data file)")
    args = parser.parse_args(argv)
    text = "\n".join(build()) + "\n"
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale; run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    print(f"wrote {len(text.splitlines())} descriptions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
