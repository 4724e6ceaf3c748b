"""Shared fixtures: the bundled example pairs (examples/style) and small synthetic images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "style"


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def cat_pair() -> Any:
    from mils_style.pair import StylePair
    from PIL import Image

    content = Image.open(EXAMPLES / "content" / "cat.jpg").convert("RGB")
    style = Image.open(EXAMPLES / "style" / "cat.jpg").convert("RGB")
    return StylePair(content, style, str(EXAMPLES / "content" / "cat.jpg"), str(EXAMPLES / "style" / "cat.jpg"))


@pytest.fixture(scope="session")
def effnet_scorer() -> Any:
    """The real gram-style scorer on EfficientNet-Lite0 (packaged weights), built through the plugin, at 96 px."""
    from mils_core.plugins import make_plugin_manager

    scorer = make_plugin_manager().registry.get("scorer", "gram-style").build(
        {"network": "efficientnet-lite0", "image_size": 96, "device": "cpu"})
    scorer.ensure_loaded()
    return scorer


@pytest.fixture(scope="session")
def write_image() -> Any:
    """``write_image(path, (w, h), mode="RGB", seed=0)``: a random-noise image file."""
    return _write_image


def _write_image(path: Path, size: tuple[int, int], mode: str = "RGB", seed: int = 0) -> Path:
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    channels = 3 if mode == "RGB" else 1
    arr = rng.integers(0, 256, size=(h, w, channels), dtype=np.uint8)
    img = Image.fromarray(arr[..., 0] if channels == 1 else arr, mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path
