"""Write the held-out captioning set: 22 packaged images (none of the tuning examples) + references.

The references in ``references.jsonl`` were written by hand, before any tuning, and are never
used for tuning: they only judge whether captions get better, not just higher-scoring. The
images come from scikit-image and scikit-learn's bundled samples (no download). Usage:

    .venv/bin/python plugins/mils-image/scripts/heldout/make_heldout.py OUT_DIR

writes ``OUT_DIR/<id>.png`` and ``OUT_DIR/manifest.jsonl`` (``id``, ``path``, ``references``),
which ``mils run`` (``[run] samples``) and ``mils eval`` (``[dataset] name = "manifest"``) read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent


def load(source: str) -> np.ndarray:
    """The image array named by a ``source`` entry of references.jsonl."""
    if source.startswith("skimage.data."):
        import skimage.data

        return np.asarray(getattr(skimage.data, source.removeprefix("skimage.data."))())
    if source.startswith("sklearn.datasets.load_sample_images "):
        from sklearn.datasets import load_sample_image

        return np.asarray(load_sample_image(source.split()[-1]))
    raise ValueError(f"unknown image source {source!r}")


def to_image(array: np.ndarray) -> Image.Image:
    if array.dtype != np.uint8:
        values = array.astype(np.float64)
        array = (255 * (values - values.min()) / max(1e-9, values.max() - values.min())).astype(np.uint8)
    image = Image.fromarray(array)
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.split()[3])
        image = flat
    return image.convert("RGB")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for line in (HERE / "references.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        path = out / f"{entry['id']}.png"
        to_image(load(entry["source"])).save(path)
        rows.append({"id": entry["id"], "path": path.name, "references": entry["references"]})
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} images and manifest.jsonl -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
