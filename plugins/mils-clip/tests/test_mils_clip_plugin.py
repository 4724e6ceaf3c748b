"""Plugin registration, import hygiene, and a GPU run (skipped without CUDA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.testing.helpers import assert_import_is_light


def test_plugin_import_leaves_torch_unimported() -> None:
    assert_import_is_light("mils_clip.plugin", forbidden=("torch", "open_clip", "transformers", "PIL"))


def test_scorers_are_registered_by_the_installed_distribution() -> None:
    from mils_core.plugins import make_plugin_manager

    registry = make_plugin_manager().registry
    for name in ("open-clip", "hf-clip"):
        spec = registry.get("scorer", name)
        assert spec.provenance.distribution == "mils-clip"
        assert spec.build({}).options.device == "auto"  # building loads nothing


def _has_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.gpu
@pytest.mark.skipif(not _has_cuda(), reason="needs a CUDA GPU")
def test_scorers_run_on_cuda_and_agree_with_cpu(build_scorer: Any, open_clip_models: dict[str, Path],
                                               hf_siglip_dir: Path, images: list[Any]) -> None:
    texts = ["a photo of an astronaut", "a cat", "a cup of coffee"]
    pairs = [
        ("open-clip", {"model": "mils-test-tiny-clip", "pretrained": str(open_clip_models["clip_checkpoint"]),
                       "model_config": str(open_clip_models["configs"])}),
        ("hf-clip", {"model": str(hf_siglip_dir)}),
    ]
    for name, options in pairs:
        cpu = build_scorer(name, device="cpu", **options)
        for dtype, tol in (("float32", 1e-3), ("auto", 5e-2)):
            gpu = build_scorer(name, device="cuda", dtype=dtype, **options)
            gpu.ensure_loaded()
            assert str(gpu._device).startswith("cuda")
            got = gpu.score_matrix(gpu.prepare_targets(images), texts)
            want = cpu.score_matrix(cpu.prepare_targets(images), texts)
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, want, atol=tol)
