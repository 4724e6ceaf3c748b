"""Build the shipped pool of style-edit instructions (``src/mils_style/data/edit_pool.txt``).

The instructions are written for an instruction-following image editor (InstructPix2Pix):
short imperative sentences from templates filled with vocabularies of art movements, media,
palettes, textures and lighting (names of movements and media are facts, not anyone's text).
Reproducible: a fixed seed, no duplicates, a fixed size::

    python plugins/mils-style/scripts/build_edit_pool.py          # write the file
    python plugins/mils-style/scripts/build_edit_pool.py --check  # exit 1 if the file differs
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "src" / "mils_style" / "data" / "edit_pool.txt"
SEED = 1717
SIZE = 520

MOVEMENTS = ("impressionism", "post-impressionism", "expressionism", "cubism", "fauvism", "surrealism", "pop art",
             "art nouveau", "art deco", "baroque", "rococo", "romanticism", "pointillism", "futurism",
             "constructivism", "minimalism", "abstract expressionism", "ukiyo-e", "bauhaus", "der blaue reiter",
             "symbolism", "op art", "dada", "precisionism", "propaganda poster art", "psychedelic art",
             "pre-raphaelite art", "gothic manuscript illumination", "byzantine icons",
             "renaissance fresco")
MEDIA = ("oil paint", "watercolor", "gouache", "acrylic paint", "charcoal", "graphite pencil", "colored pencil",
         "pastel", "ink wash", "pen and ink", "woodcut", "linocut", "etching", "lithograph", "screen print",
         "mosaic tiles", "stained glass", "tempera", "encaustic wax", "spray paint", "crayon", "felt-tip marker",
         "collage", "embroidery", "fresco plaster", "cross-hatching", "paper cut-out")
PALETTES = ("warm ochre and sienna", "cool blues and teals", "muted earth tones", "vivid primary colors",
            "pastel pinks and mint", "neon magenta and cyan", "black and gold", "sepia browns", "monochrome indigo",
            "complementary orange and blue", "deep crimson and violet", "soft greys", "autumn oranges",
            "emerald and jade greens", "burnt umber and cream", "high-contrast black and white",
            "sunset purples and oranges", "desaturated olive tones")
TEXTURES = ("thick impasto brush strokes", "visible canvas weave", "fine stippled dots", "swirling brush strokes",
            "rough paper grain", "crackled varnish", "bold flat color areas", "loose wet washes", "heavy outlines",
            "halftone dots", "hatched pencil lines", "palette-knife smears", "dripping paint", "soft blended edges",
            "geometric facets", "tiny mosaic tesserae", "woodgrain texture", "chalky smudges")
LIGHTING = ("golden hour light", "moonlight", "candlelight", "harsh noon sun", "soft overcast light",
            "dramatic chiaroscuro", "neon glow", "foggy diffuse light", "stage spotlight", "backlit silhouettes",
            "stormy light", "dawn haze")

TEMPLATES = (
    "make it a {movement} painting",
    "turn it into {movement}",
    "paint it in the style of {movement}",
    "make it look like {medium}",
    "redo it in {medium}",
    "render it as a {medium} artwork",
    "make it a {movement} painting in {medium}",
    "use a palette of {palette}",
    "recolor it with {palette}",
    "add {texture}",
    "make it {medium} with {texture}",
    "make it {movement} with {texture}",
    "paint it with {texture} in {palette}",
    "make it a {medium} picture in {palette}",
    "make it {movement} in {palette}",
    "bathe it in {lighting}",
    "make it a {movement} scene under {lighting}",
    "make it {medium} under {lighting}",
    "give it {texture} and {lighting}",
    "turn it into {medium}, {palette}, {texture}",
)


def build() -> list[str]:
    rng = random.Random(SEED)
    vocab = {"movement": MOVEMENTS, "medium": MEDIA, "palette": PALETTES, "texture": TEXTURES, "lighting": LIGHTING}
    out: list[str] = []
    seen: set[str] = set()
    for movement in MOVEMENTS:  # every movement once in the simplest form
        text = f"paint it in the style of {movement}"
        seen.add(text)
        out.append(text)
    while len(out) < SIZE:
        template = rng.choice(TEMPLATES)
        text = template.format(**{k: rng.choice(v) for k, v in vocab.items()})
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = parser.parse_args()
    text = "\n".join(build()) + "\n"
    if args.check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("edit pool is up to date" if same else f"{OUT} differs from the builder's output")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {SIZE} instructions to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
