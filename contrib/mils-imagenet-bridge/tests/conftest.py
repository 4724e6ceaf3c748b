"""Real packaged weights (EfficientNet-Lite0, all-MiniLM-L6-v2) on real photographs from scikit-image."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="session")
def photos() -> dict[str, Any]:
    import skimage.data
    from PIL import Image

    return {n: Image.fromarray(np.asarray(getattr(skimage.data, n)())).convert("RGB")
            for n in ("chelsea", "coffee", "rocket", "astronaut")}


@pytest.fixture(scope="session")
def build_scorer() -> Any:
    """Build ``imagenet-bridge`` through the installed plugin, from a config-style options table."""
    from mils_core.plugins import make_plugin_manager

    spec = make_plugin_manager().registry.get("scorer", "imagenet-bridge")

    def build(**options: Any) -> Any:
        return spec.build({"device": "cpu", **options})

    return build


@pytest.fixture(scope="session")
def bridge(build_scorer: Any) -> Any:
    """One loaded scorer with the default formula, shared by the read-only tests."""
    scorer = build_scorer()
    scorer.ensure_loaded()
    return scorer
