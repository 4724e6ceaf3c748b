"""mils_core.media.image: every odd image a user may have, or a one-line reason.

(Moved here from mils-image's tests when the decoder moved into the core.)
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mils_core.errors import SampleError
from mils_core.media.image import as_rgb_image, load_image


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match=r"image '.*nope.jpg' does not exist"):
        load_image(tmp_path / "nope.jpg")


def test_text_file_renamed_png(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    with pytest.raises(SampleError, match="is not an image that can be read"):
        load_image(path)


def test_truncated_jpeg(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(SampleError, match="truncated or corrupt"):
        load_image(path)


def test_one_pixel(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (200, 10, 10)).save(path)
    img = load_image(path)
    assert img.size == (1, 1) and img.mode == "RGB"


def test_huge_jpeg_is_downscaled_while_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    Image.new("L", (20000, 20000), 128).save(path, quality=50)
    img = load_image(path, max_side=1024)
    assert max(img.size) == 1024 and img.mode == "RGB"


def test_exif_orientation(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    img = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    img.save(path, exif=exif)
    assert load_image(path).size == (20, 40)


@pytest.mark.parametrize("mode", ["L", "1", "P", "RGBA", "LA", "CMYK", "I;16"])
def test_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"img_{mode.replace(';', '')}.{'tif' if mode in ('CMYK', 'I;16') else 'png'}"
    if mode == "I;16":
        Image.fromarray(np.full((8, 8), 40000, dtype=np.uint16)).save(path)
    else:
        Image.new(mode, (8, 8)).save(path)
    img = load_image(path)
    assert img.mode == "RGB" and img.size == (8, 8)
    if mode == "I;16":
        assert np.asarray(img)[0, 0, 0] == pytest.approx(40000 * 255 / 65535, abs=1)


def test_transparency_flattened_on_white(tmp_path: Path) -> None:
    path = tmp_path / "clear.png"
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(path)
    assert np.asarray(load_image(path))[0, 0].tolist() == [255, 255, 255]


def test_as_rgb_image_accepts_every_target_form(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (8, 4), (10, 20, 30, 255))
    assert as_rgb_image(rgba).mode == "RGB" and as_rgb_image(rgba).size == (8, 4)
    path = tmp_path / "wide.png"
    Image.new("RGB", (4000, 1000), (1, 2, 3)).save(path)
    assert as_rgb_image(path, max_side=1000).size == (1000, 250)  # paths go through load_image
    assert as_rgb_image(np.zeros((3, 5), dtype=np.uint8)).size == (5, 3)
    assert as_rgb_image(np.zeros((3, 5, 4), dtype=np.uint8)).mode == "RGB"
    with pytest.raises(SampleError, match="uint8"):
        as_rgb_image(np.zeros((3, 5), dtype=np.float32))
    with pytest.raises(SampleError, match="got int"):
        as_rgb_image(7)
    with pytest.raises(SampleError, match="does not exist"):
        as_rgb_image(str(tmp_path / "gone.jpg"))


def test_importing_the_media_and_source_modules_is_light() -> None:
    code = (
        "import sys, mils_core.media, mils_core.media.image, mils_core.model_source, mils_core.manifest, "
        "mils_core.array_cache, mils_core.model_cache, mils_core.validators, mils_core.seeds\n"
        "heavy = [m for m in ('torch', 'PIL', 'transformers', 'huggingface_hub', 'httpx') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_missing_pillow_is_a_one_line_config_error(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['PIL'] = None  # as if Pillow were not installed\n"
        "from mils_core.errors import ConfigError\n"
        "from mils_core.media.image import load_image\n"
        "try:\n"
        "    load_image(sys.argv[1])\n"
        "except ConfigError as exc:\n"
        "    assert 'mils-core[media]' in str(exc) and '\\n' not in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1)).save(path)
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="is not a file"):
        load_image(tmp_path)
