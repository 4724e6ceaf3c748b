"""Write the bundled style-transfer pairs (content/ and style/ images with the same stems) and pairs.csv.

Images come from scikit-image's and scikit-learn's bundled sample images (see LICENSES.md),
resized so the longer side is 256 pixels, saved as JPEG (quality 90). Run from anywhere::

    python examples/style/make_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SIDE = 256


def _skimage(name: str) -> np.ndarray:
    from skimage import data

    return np.asarray(getattr(data, name)())


def _sklearn(name: str) -> np.ndarray:
    from sklearn.datasets import load_sample_image

    return np.asarray(load_sample_image(name))


#: stem -> (content image, style image)
PAIRS = {
    "cat": (("skimage", "chelsea"), ("skimage", "immunohistochemistry")),
    "coffee": (("skimage", "coffee"), ("skimage", "hubble_deep_field")),
    "astronaut": (("skimage", "astronaut"), ("sklearn", "flower.jpg")),
}


def _write(source: tuple[str, str], path: Path) -> None:
    kind, name = source
    array = _skimage(name) if kind == "skimage" else _sklearn(name)
    img = Image.fromarray(array).convert("RGB")
    img.thumbnail((SIDE, SIDE), Image.Resampling.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=90)


def main() -> None:
    rows = ["id,content,style"]
    for stem, (content, style) in PAIRS.items():
        _write(content, HERE / "content" / f"{stem}.jpg")
        _write(style, HERE / "style" / f"{stem}.jpg")
        rows.append(f"{stem},content/{stem}.jpg,style/{stem}.jpg")
    (HERE / "pairs.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(PAIRS)} pairs under {HERE}")


if __name__ == "__main__":
    main()
