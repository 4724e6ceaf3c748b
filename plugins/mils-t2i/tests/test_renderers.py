"""The diffusers renderers on tiny SDXL / SD3 / FLUX pipeline folders (2 steps, 32 px, CPU)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_t2i.renderers import (
    DiffusersRenderer,
    FluxOptions,
    FluxRenderer,
    GenericOptions,
    Sd3Options,
    Sd3Renderer,
    SdxlOptions,
    SdxlRenderer,
    to_image,
)

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.plugins import make_plugin_manager
from mils_core.testing.contracts import RendererContract


def test_plugin_import_leaves_torch_and_diffusers_unimported() -> None:
    code = "import mils_t2i.plugin, sys; assert 'torch' not in sys.modules and 'diffusers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_everything_is_registered() -> None:
    reg = make_plugin_manager().registry
    assert {"sdxl", "sd3", "flux", "diffusers"} <= {s.name for s in reg.specs("renderer")}
    assert "t2i-enhancement" in {s.name for s in reg.specs("task")}
    assert "drawbench" in {s.name for s in reg.specs("dataset")}


class TestSdxlContract(RendererContract):
    @pytest.fixture
    def renderer(self, sdxl_renderer: SdxlRenderer) -> SdxlRenderer:
        return sdxl_renderer


@pytest.mark.slow
def test_sdxl_renders_pil_images_byte_identical_for_the_same_prompt_and_seed(sdxl_dir: Path, tiny_options: Any,
                                                                               sdxl_renderer: SdxlRenderer) -> None:
    texts = ["a red fox in the snow", "a bowl of fruit"]
    first = sdxl_renderer.render_batch(texts, [11, 11], None)
    assert [im.size for im in first] == [(32, 32), (32, 32)] and all(im.mode == "RGB" for im in first)
    fresh = SdxlRenderer(SdxlOptions(**tiny_options(sdxl_dir)))  # another instance, loaded from the folder again
    again = fresh.render_batch(texts, [11, 11], None)
    assert [im.tobytes() for im in first] == [im.tobytes() for im in again]
    other_seed = sdxl_renderer.render_batch(texts[:1], [12], None)[0]
    assert other_seed.tobytes() != first[0].tobytes()


@pytest.mark.slow
@pytest.mark.parametrize(("cls", "opts", "fixture"), [(Sd3Renderer, Sd3Options, "sd3_dir"),
                                                      (FluxRenderer, FluxOptions, "flux_dir")])
def test_sd3_and_flux_render(cls: type[DiffusersRenderer], opts: type, fixture: str, tiny_options: Any,
                             request: pytest.FixtureRequest) -> None:
    folder = request.getfixturevalue(fixture)
    renderer = cls(opts(**tiny_options(folder)))
    out = renderer.render_batch(["a blue car", "a blue car", "a green tree"], [5, 5, 5], None)
    assert [im.size for im in out] == [(32, 32)] * 3
    same, other = (np.asarray(out[i], dtype=np.int16) for i in (1, 2))
    # a prompt renders alike wherever it sits in a batch (CPU kernels may round one step apart per row)
    assert np.abs(np.asarray(out[0], dtype=np.int16) - same).max() <= 2
    assert np.abs(np.asarray(out[0], dtype=np.int16) - other).max() > 2
    alone = renderer.render_batch(["a blue car"], [5], None)[0]
    assert np.abs(np.asarray(alone, dtype=np.int16) - same).max() <= 2
    assert renderer.stats()["images"] == 4


def test_generic_renderer_takes_any_text_to_image_folder(sdxl_dir: Path, tiny_options: Any) -> None:
    renderer = DiffusersRenderer(GenericOptions(**tiny_options(sdxl_dir, scheduler="EulerAncestralDiscreteScheduler")))
    renderer.ensure_loaded()
    assert type(renderer._pipe).__name__ == "StableDiffusionXLPipeline"
    assert type(renderer._pipe.scheduler).__name__ == "EulerAncestralDiscreteScheduler"
    assert renderer.render_batch(["a cat"], [1], None)[0].size == (32, 32)


@pytest.mark.slow
def test_final_render_at_full_size(sdxl_renderer: SdxlRenderer, sdxl_dir: Path, tiny_options: Any) -> None:
    assert sdxl_renderer.render_final(["a cat"], [1]) is None  # final_size 0: nothing to re-render
    big = SdxlRenderer(SdxlOptions(**tiny_options(sdxl_dir, final_size=64)))
    assert big.cache_identity() == sdxl_renderer.cache_identity()  # the search renders are the same
    [image] = big.render_final(["a cat"], [1]) or []
    assert image.size == (64, 64) and big.stats()["final_images"] == 1


def test_an_over_long_prompt_is_truncated_with_a_warning(sdxl_renderer: SdxlRenderer) -> None:
    before = sdxl_renderer.stats()["truncated_prompts"]
    long = " ".join(["a very detailed red lighthouse on a rocky coast"] * 20)
    [image] = sdxl_renderer.render_batch([long], [3], None)
    assert image.size == (32, 32)
    assert sdxl_renderer.stats()["truncated_prompts"] == before + 1


def test_non_finite_pixels_become_a_nan_artifact_that_cannot_be_saved(tmp_path: Path) -> None:
    bad = np.zeros((4, 4, 3), np.float32)
    bad[0, 0, 0] = np.nan
    artifact = to_image(bad)
    assert isinstance(artifact, np.ndarray) and np.isnan(artifact).all()
    with pytest.raises(ValueError, match="non-finite"):
        SdxlRenderer().save(artifact, tmp_path / "x.png")
    assert to_image(np.ones((4, 4, 3), np.float32)).getpixel((0, 0)) == (255, 255, 255)


def test_errors_are_one_line_and_fast(tmp_path: Path, sd3_dir: Path, tiny_options: Any) -> None:
    cases = [
        (SdxlOptions(model=str(tmp_path / "missing")), ConfigError, "save_pretrained"),
        (SdxlOptions(model=str(tmp_path)), ConfigError, "model_index.json"),
        (SdxlOptions(**tiny_options(sd3_dir)), ConfigError, "StableDiffusion3Pipeline"),
        (SdxlOptions(model="nobody/no-such-pipeline"), ModelUnavailableError, "not available offline"),
        (SdxlOptions(**tiny_options(sd3_dir, scheduler="NoSuchScheduler")), ConfigError, "scheduler"),
    ]
    for opts, error, words in cases:
        renderer = SdxlRenderer(opts) if "scheduler" not in words else Sd3Renderer(Sd3Options(**tiny_options(
            sd3_dir, scheduler="NoSuchScheduler")))
        t0 = time.perf_counter()
        with pytest.raises(error) as info:
            renderer.ensure_loaded()
        assert time.perf_counter() - t0 < 10
        assert words in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="multiple of 8"):
        SdxlOptions(width=30)


def test_the_disk_cache_renders_nothing_twice_across_instances(sdxl_dir: Path, tiny_options: Any,
                                                              tmp_path: Path) -> None:
    opts = SdxlOptions(**tiny_options(sdxl_dir, cache_dir=str(tmp_path / "cache")))
    first = SdxlRenderer(opts)
    images = first.render_batch(["a red kite", "a green hill"], [4, 4], None)
    assert first.stats()["images"] == 2 and first.stats()["disk_hits"] == 0
    second = SdxlRenderer(opts)  # a resumed or repeated run: a fresh process's renderer
    again = second.render_batch(["a green hill", "a red kite", "a blue sea"], [4, 4, 4], None)
    assert second.stats()["disk_hits"] == 2 and second.stats()["images"] == 1
    assert again[1].tobytes() == images[0].tobytes() and again[0].tobytes() == images[1].tobytes()
    assert len(list((tmp_path / "cache" / "renders").rglob("*.png"))) == 3
    assert not list((tmp_path / "cache").rglob(".*tmp*"))
