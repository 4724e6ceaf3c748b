#!/usr/bin/env python3
"""Write the example clips bundled with mils-video: slow pans and zooms over the bundled CC0 photos.

Each clip is 3 s at 12 frames/s, 256x256, H.264 (yuv420p), made from one photo of
``plugins/mils-image/src/mils_image/data/examples`` (public-domain images from scikit-image's data,
see LICENSES.md there) by moving and scaling a crop window. Deterministic: the same inputs give the
same frames. Usage: ``python make_example_clips.py [--out FOLDER]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PHOTOS = ROOT / "plugins" / "mils-image" / "src" / "mils_image" / "data" / "examples"
OUT = Path(__file__).resolve().parents[1] / "src" / "mils_video" / "data" / "examples"
CLIPS = {"rocket-pan.mp4": "rocket.jpg", "coffee-zoom.mp4": "coffee.jpg"}
SIZE, FPS, SECONDS = 256, 12, 3


def frames(photo: Path, zoom: bool) -> list[object]:
    """The clip's frames: a crop window moving across (pan) or closing in on (zoom) the photo."""
    from PIL import Image

    image = Image.open(photo).convert("RGB")
    w, h = image.size
    n = FPS * SECONDS
    out = []
    for i in range(n):
        t = i / (n - 1)
        side = int(min(w, h) * ((1.0 - 0.35 * t) if zoom else 0.8))
        x = (w - side) // 2 if zoom else int((w - side) * t)
        y = (h - side) // 2
        out.append(image.crop((x, y, x + side, y + side)).resize((SIZE, SIZE), Image.Resampling.LANCZOS))
    return out


def write(path: Path, images: list[object]) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width = stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "28", "preset": "medium"}
        for image in images:
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, photo in CLIPS.items():
        write(args.out / name, frames(PHOTOS / photo, zoom="zoom" in name))
        print(args.out / name, (args.out / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
