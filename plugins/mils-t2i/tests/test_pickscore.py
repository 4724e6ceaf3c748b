"""PickScore-style scoring through the ``hf-clip`` scorer (by entry name): rendered images vs the prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.config import config_from_dict
from mils_core.errors import ConfigError
from mils_core.plugins import make_plugin_manager
from mils_core.resolve import resolve_components

pytest.importorskip("mils_clip")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def pickscore_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny CLIPModel folder holding the model only, and a processor folder (tokenizer + image processor),
    laid out as yuvalkirstain/PickScore_v1 and laion/CLIP-ViT-H-14-laion2B-s32B-b79K are."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer

    from mils_core.testing.tiny_models import write_clip_tokenizer

    root = tmp_path_factory.mktemp("pickscore")
    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )
    CLIPModel(config).save_pretrained(root / "model")
    processor = root / "processor"
    CLIPTokenizer.from_pretrained(str(write_clip_tokenizer(root / "tok"))).save_pretrained(processor)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(processor)
    return root / "model", processor


def _config(tmp_path: Path, sdxl_dir: Path, tiny_options: Any, scorer: dict[str, Any]) -> Any:
    return config_from_dict({
        "run": {"task": "t2i-enhancement", "samples": ["a red fox"], "output": str(tmp_path / "run")},
        "renderer": {"name": "sdxl", **tiny_options(sdxl_dir)},
        "scorer": scorer,
        "generator": {"name": "mutate"},
    }, base_dir=tmp_path)


def test_hf_clip_scores_rendered_images_against_the_prompt(pickscore_dirs: tuple[Path, Path], sdxl_dir: Path,
                                                            sdxl_renderer: Any, tiny_options: Any,
                                                            tmp_path: Path) -> None:
    model, processor = pickscore_dirs
    pm = make_plugin_manager()
    scorer_opts = {"name": "hf-clip", "model": str(model), "processor": str(processor), "candidates": "image",
                   "device": "cpu", "target_batch_size": 2}
    components = resolve_components(_config(tmp_path, sdxl_dir, tiny_options, scorer_opts), pm)  # media check passes
    scorer = components.scorer
    handles = scorer.prepare_targets(["a red fox", "a blue boat"])
    images = sdxl_renderer.render_batch(["a red fox", "a blue boat", "a green hill"], [1, 1, 1], None)
    nan = np.full((32, 32, 3), np.nan, np.float32)
    rows = scorer.score(handles, [images[:2] + [nan], images[2:]])
    assert len(rows[0]) == 3 and len(rows[1]) == 1
    assert all(np.isfinite(rows[0][:2])) and np.isnan(rows[0][2])
    assert all(-1.0 <= s <= 1.0 for s in rows[0][:2] + rows[1])
    # the same image scores the same inside any batch
    assert scorer.score(handles[:1], [images[:1]])[0][0] == pytest.approx(rows[0][0], abs=1e-5)


def test_hf_clip_in_its_default_direction_is_refused_before_the_run(sdxl_dir: Path, tiny_options: Any,
                                                                   tmp_path: Path) -> None:
    pm = make_plugin_manager()
    with pytest.raises(ConfigError, match="hf-clip"):
        resolve_components(_config(tmp_path, sdxl_dir, tiny_options, {"name": "hf-clip", "model": str(tmp_path)}), pm)
