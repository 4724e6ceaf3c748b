"""The real InstructPix2Pix loading and editing code on a tiny pipeline built at test time (2 steps, 32-48 px)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("diffusers")

from mils_style.pix2pix import InstructPix2Pix, InstructPix2PixOptions, edit_size  # noqa: E402

from mils_core.testing.contracts import RendererContract  # noqa: E402


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A StableDiffusionInstructPix2PixPipeline with random tiny weights: UNet with 8 input channels
    (4 noise latents + 4 image latents), a VAE, a CLIP text encoder and the real CLIP tokenizer."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerAncestralDiscreteScheduler,
        StableDiffusionInstructPix2PixPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from mils_core.testing.tiny_models import write_clip_tokenizer

    root = tmp_path_factory.mktemp("pix2pix")
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=8, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16, attention_head_dim=4, norm_num_groups=4,
    )
    vae = AutoencoderKL(
        block_out_channels=(8, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    )
    text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                        num_attention_heads=2, max_position_embeddings=77, projection_dim=16))
    tokenizer = CLIPTokenizer.from_pretrained(str(write_clip_tokenizer(root / "tok")))
    pipe = StableDiffusionInstructPix2PixPipeline(
        vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet,
        scheduler=EulerAncestralDiscreteScheduler(beta_schedule="scaled_linear"),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    folder = root / "pipeline"
    pipe.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def content() -> Any:
    import skimage.data
    from PIL import Image

    return Image.fromarray(np.asarray(skimage.data.chelsea())).convert("RGB").resize((60, 45))


def _renderer(folder: Path, **kw: Any) -> InstructPix2Pix:
    return InstructPix2Pix(InstructPix2PixOptions(model=str(folder), steps=2, size=32, device="cpu", **kw))


@pytest.mark.slow
class TestContract(RendererContract):
    @pytest.fixture
    def renderer(self, tiny_pipeline: Path) -> InstructPix2Pix:
        return _renderer(tiny_pipeline)

    @pytest.fixture
    def condition(self, content: Any) -> Any:
        return content


@pytest.mark.slow
def test_edits_are_batched_seeded_and_sized(tiny_pipeline: Path, content: Any) -> None:
    from mils_style.pair import StylePair

    renderer = _renderer(tiny_pipeline, batch_size=4)
    renderer.ensure_loaded()
    assert type(renderer._pipe.scheduler).__name__ == "EulerAncestralDiscreteScheduler"
    pair = StylePair(content, content)
    tall = content.resize((30, 60))
    texts = ["make it a watercolor", "make it cubism", "make it a watercolor", "add neon glow"]
    out = renderer.render_batch(texts, [5, 5, 5, 6], [pair, pair, pair, tall])
    assert [im.size for im in out] == [(32, 24), (32, 24), (32, 24), (16, 32)]
    assert renderer.calls == 2  # one pipeline call per image size
    a, b, c = (np.asarray(im, dtype=np.int16) for im in out[:3])
    assert np.array_equal(a, c)  # the same instruction and seed give the same image
    assert not np.array_equal(a, b)  # another instruction gives another image
    again = renderer.render_batch(["make it a watercolor"], [5], [pair])[0]
    assert np.array_equal(np.asarray(again, dtype=np.int16), a)  # batch-independent
    other_seed = renderer.render_batch(["make it a watercolor"], [9], [pair])[0]
    assert not np.array_equal(np.asarray(other_seed, dtype=np.int16), a)


def test_edit_size() -> None:
    assert edit_size(640, 480, 512) == (512, 384)
    assert edit_size(100, 1000, 64) == (8, 64)


def test_missing_folder_and_offline_hub_name_fail_in_one_line(tmp_path: Path) -> None:
    from mils_core.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError) as info:
        _renderer(tmp_path / "nope").ensure_loaded()
    assert "\n" not in str(info.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match="no model_index.json"):
        _renderer(tmp_path / "empty").ensure_loaded()
    with pytest.raises(ModelUnavailableError, match="not available offline"):
        InstructPix2Pix(InstructPix2PixOptions(model="timbrooks/instruct-pix2pix", device="cpu")).ensure_loaded()
