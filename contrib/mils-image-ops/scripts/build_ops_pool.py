"""Build the shipped pool of image-ops instructions (``src/mils_image_ops/data/ops_pool.txt``).

Reproducible: a fixed seed draws one to three operations per instruction from the language,
with arguments from a small grid per operation; duplicates are skipped. Run from anywhere::

    python contrib/mils-image-ops/scripts/build_ops_pool.py          # write the file
    python contrib/mils-image-ops/scripts/build_ops_pool.py --check  # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "src" / "mils_image_ops" / "data" / "ops_pool.txt"
SEED = 20241
SIZE = 600

#: Argument grid per operation (one value drawn per use); an empty grid: the bare name.
GRID: dict[str, tuple[str, ...]] = {
    "transfer": ("0.3", "0.5", "0.7", "1"), "match": ("0.3", "0.5", "0.7", "1"), "palette": ("4", "6", "8", "12", "16"),
    "texture": ("0.2", "0.4", "0.6", "0.8"), "blend": ("0.1", "0.2", "0.3", "0.5"), "posterize": ("2", "3", "4", "5"),
    "blur": ("0.5", "1", "2", "3"), "sharpen": ("0.5", "1", "2", "3"), "median": ("3", "5", "7"),
    "pixelate": ("2", "3", "4", "8"), "edges": ("0.3", "0.5", "0.8", "1"), "emboss": ("0.2", "0.4", "0.6"),
    "hue": ("-40", "-20", "15", "30", "60"), "saturation": ("0.5", "0.8", "1.3", "1.6", "2"),
    "contrast": ("0.7", "0.9", "1.2", "1.5"), "brightness": ("0.8", "0.9", "1.1", "1.2"),
    "gamma": ("0.7", "0.85", "1.2", "1.5"), "sepia": ("0.3", "0.6", "1"), "grayscale": (), "invert": (),
    "solarize": ("96", "128", "192"), "noise": ("0.05", "0.1", "0.2"), "vignette": ("0.3", "0.5", "0.8"),
    "swirl": ("1", "2", "4"),
}
#: How often each operation is drawn (style operations and common filters more often).
WEIGHTS: dict[str, int] = {"transfer": 6, "match": 4, "palette": 5, "texture": 4, "blend": 2, "posterize": 4,
                           "blur": 4, "sharpen": 3, "median": 3, "pixelate": 1, "edges": 3, "emboss": 2, "hue": 3,
                           "saturation": 3, "contrast": 3, "brightness": 2, "gamma": 2, "sepia": 2, "grayscale": 1,
                           "invert": 1, "solarize": 1, "noise": 2, "vignette": 2, "swirl": 1}


def build() -> list[str]:
    rng = random.Random(SEED)
    names = sorted(GRID)
    weights = [WEIGHTS[n] for n in names]
    out: list[str] = []
    seen: set[str] = set()
    for name in names:  # every operation alone first
        grid = GRID[name]
        text = f"{name}({grid[len(grid) // 2]})" if grid else name
        seen.add(text)
        out.append(text)
    while len(out) < SIZE:
        k = rng.choice((1, 2, 2, 3, 3))
        ops = []
        used: set[str] = set()
        while len(ops) < k:
            name = rng.choices(names, weights)[0]
            if name in used:
                continue
            used.add(name)
            grid = GRID[name]
            ops.append(f"{name}({rng.choice(grid)})" if grid else name)
        text = "; ".join(ops)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = parser.parse_args()
    text = "\n".join(build()) + "\n"
    if args.check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("ops pool is up to date" if same else f"{OUT} differs from the builder's output")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {SIZE} instructions to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
