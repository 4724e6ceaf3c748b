"""Tiny diffusers pipelines built once per test session, saved with save_pretrained and loaded back the way a
user's checkpoint is (through the renderers' from_pretrained path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SIZE = 32


@pytest.fixture(scope="session")
def pipelines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders of a tiny SDXL, SD3 and FLUX pipeline (built on first use)."""
    pytest.importorskip("diffusers")
    return {}


def _built(pipelines: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    if name not in pipelines:
        from mils_t2i import tiny

        root = tmp_path_factory.getbasetemp() / "t2i-pipelines"
        root.mkdir(exist_ok=True)
        pipelines[name] = getattr(tiny, f"build_{name}")(root / name)
    return pipelines[name]


@pytest.fixture(scope="session")
def sdxl_dir(pipelines: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(pipelines, tmp_path_factory, "sdxl")


@pytest.fixture(scope="session")
def sd3_dir(pipelines: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(pipelines, tmp_path_factory, "sd3")


@pytest.fixture(scope="session")
def flux_dir(pipelines: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(pipelines, tmp_path_factory, "flux")


def renderer_options(folder: Path, **extra: Any) -> dict[str, Any]:
    return {"model": str(folder), "steps": 2, "width": SIZE, "height": SIZE, "device": "cpu", "dtype": "float32",
            **extra}


@pytest.fixture(scope="session")
def tiny_options() -> Any:
    """:func:`renderer_options` (test modules cannot import this conftest)."""
    return renderer_options


@pytest.fixture(scope="session")
def sdxl_renderer(sdxl_dir: Path) -> Any:
    """One loaded tiny SDXL renderer shared by the tests that only render."""
    from mils_t2i.renderers import SdxlOptions, SdxlRenderer

    renderer = SdxlRenderer(SdxlOptions(**renderer_options(sdxl_dir)))
    renderer.ensure_loaded()
    return renderer
