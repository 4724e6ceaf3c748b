"""Build ``src/mils_video/data/video_pool.txt``: generic one-sentence descriptions of video clips.

Deterministic (a fixed seed, word lists below written for this project): rerunning it gives the
same file. Each description joins a subject doing an action (with its motion), a scene, and
sometimes a camera move or a shot type.

    python plugins/mils-video/scripts/build_video_pool.py           # write the file
    python plugins/mils-video/scripts/build_video_pool.py --check   # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "mils_video" / "data" / "video_pool.txt"
SEED = 20261201
SIZE = 6000

#: (subject, actions it can plausibly do). Actions are present-tense verb phrases.
SUBJECTS: dict[str, list[str]] = {
    "a man": ["walks down", "runs along", "talks on the phone in", "rides a bicycle through", "cooks food in",
              "plays a guitar in", "dances in", "lifts weights in", "reads a book in", "fixes a car in"],
    "a woman": ["walks down", "jogs along", "sings into a microphone in", "rides a horse through", "paints a picture in",
                "practises yoga in", "shops for fruit in", "waves at the camera in", "types on a laptop in",
                "plays the piano in"],
    "a child": ["plays with a ball in", "runs around", "jumps on a trampoline in", "builds a sand castle on",
                "rides a scooter through", "laughs and claps in", "swings on a swing in", "splashes water in"],
    "two people": ["talk to each other in", "shake hands in", "dance together in", "play tennis on",
                   "walk side by side through", "argue loudly in", "cook together in", "hug in"],
    "a group of people": ["cheer and clap in", "march through", "sit around a table in", "play football on",
                          "wait in line at", "sing together in", "dance at a party in", "listen to a speaker in"],
    "a crowd": ["moves slowly through", "gathers in", "waves flags in", "watches a concert in"],
    "a dog": ["runs across", "catches a frisbee in", "swims in", "chases its tail in", "barks at something in",
              "sleeps in", "digs a hole in"],
    "a cat": ["jumps onto a table in", "plays with a toy in", "walks slowly through", "sleeps in", "watches birds from"],
    "a bird": ["flies over", "lands on a branch in", "pecks at the ground in", "flaps its wings in"],
    "a horse": ["gallops across", "trots through", "grazes in"],
    "a car": ["drives along", "speeds down", "parks in", "turns a corner in", "races around"],
    "a truck": ["drives along", "backs up in", "unloads boxes in"],
    "a train": ["passes through", "pulls into", "crosses a bridge over"],
    "a boat": ["sails across", "speeds over", "drifts along"],
    "an airplane": ["takes off from", "lands at", "flies over"],
    "a cyclist": ["rides fast along", "climbs a hill in", "does tricks in"],
    "a skateboarder": ["does a jump in", "rolls down", "grinds a rail in"],
    "a chef": ["chops vegetables in", "stirs a pot in", "plates a dish in", "flips a pancake in"],
    "a reporter": ["speaks to the camera in", "interviews a man in", "reports the news from"],
    "a teacher": ["explains something at a whiteboard in", "talks to students in"],
    "a band": ["plays music on a stage in", "performs a song in"],
    "a football player": ["kicks the ball across", "scores a goal on", "runs down"],
    "a basketball player": ["dunks the ball in", "dribbles the ball across"],
    "a swimmer": ["swims laps in", "dives into"],
    "a cartoon character": ["jumps around", "talks in", "runs away through"],
    "a person": ["demonstrates how to use a phone in", "unboxes a package in", "applies makeup in",
                 "plays a video game in", "folds clothes in", "cleans the floor in", "climbs a wall in",
                 "skis down", "surfs a wave at", "films themselves in"],
}

#: Scenes, phrased to follow the action's trailing preposition.
SCENES = [
    "a busy city street", "a quiet park", "a small kitchen", "a living room", "an office", "a classroom",
    "a gym", "a beach", "a forest", "a snowy mountain", "a desert road", "a parking lot", "a shopping mall",
    "a market", "a stadium", "a concert hall", "a studio", "a garage", "a garden", "a backyard", "a river",
    "a lake", "a swimming pool", "a farm field", "a train station", "an airport", "a highway", "a bridge",
    "a harbour", "a village", "a playground", "a restaurant", "a bedroom", "a hospital corridor", "a race track",
    "a field at sunset", "a street at night", "a rainy street", "a tennis court", "a basketball court",
]

CAMERA = [
    "while the camera pans slowly", "as the camera follows", "in a close-up shot", "in a wide shot",
    "filmed from above", "in slow motion", "filmed with a shaky handheld camera", "as the camera zooms in",
    "in a time-lapse", "filmed from a moving car", "seen from far away", "in a long steady shot",
]

LEADS = ["", "", "", "", "in this video ", "in this clip ", "in the footage "]


def build(size: int = SIZE, seed: int = SEED) -> list[str]:
    """``size`` distinct descriptions, in a fixed order."""
    rng = random.Random(seed)
    subjects = sorted(SUBJECTS)
    seen: dict[str, None] = {}
    attempts = 0
    while len(seen) < size:
        attempts += 1
        if attempts > size * 50:
            raise RuntimeError("the word lists are too small for this pool size")
        subject = rng.choice(subjects)
        action = rng.choice(SUBJECTS[subject])
        scene = rng.choice(SCENES)
        text = f"{rng.choice(LEADS)}{subject} {action} {scene}"
        if rng.random() < 0.45:
            text += " " + rng.choice(CAMERA)
        seen.setdefault(text, None)
    return list(seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs from a fresh build")
    args = parser.parse_args(argv)
    text = "\n".join(build()) + "\n"
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale; run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} descriptions to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
