"""Tiny random-weight diffusers pipelines built locally (tests, ``mils bench``, the GPU check).

Each builder saves a real pipeline folder with ``save_pretrained`` (``model_index.json`` plus
one sub-folder per component), which the renderers load through the same ``from_pretrained``
path a user's checkpoint takes. The CLIP tokenizer is the real 49,408-token CLIP BPE
(:func:`mils_core.testing.tiny_models.write_clip_tokenizer`); the models are a few MB.
``scale`` > 1 widens the models (the GPU check uses SDXL-shaped widths).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from mils_core.testing.tiny_models import write_clip_tokenizer

VOCAB = 49408
BOS, EOS = 49406, 49407


def _tokenizer(folder: Path) -> Any:
    from transformers import CLIPTokenizer

    path = folder / "_clip_tokenizer" / "tokenizer"
    if not path.is_dir():
        write_clip_tokenizer(folder / "_clip_tokenizer")
    return CLIPTokenizer.from_pretrained(str(path))


def _clip_config(hidden: int, projection: int, layers: int = 2) -> Any:
    from transformers import CLIPTextConfig

    return CLIPTextConfig(vocab_size=VOCAB, hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                          num_attention_heads=max(1, hidden // 16), max_position_embeddings=77, bos_token_id=BOS,
                          eos_token_id=EOS, pad_token_id=EOS, projection_dim=projection, hidden_act="gelu")


def _t5_config(d_model: int) -> Any:
    from transformers import T5Config

    return T5Config(vocab_size=VOCAB, d_model=d_model, d_kv=8, d_ff=d_model * 2, num_layers=1, num_heads=4,
                    pad_token_id=EOS, eos_token_id=EOS, decoder_start_token_id=0)  # type: ignore[call-arg]


def build_sdxl(folder: Path, *, seed: int = 0, scale: int = 1) -> Path:
    """A tiny StableDiffusionXLPipeline saved in ``folder`` (returned)."""
    import torch
    d: Any = importlib.import_module("diffusers")
    AutoencoderKL = d.AutoencoderKL
    EulerDiscreteScheduler = d.EulerDiscreteScheduler
    StableDiffusionXLPipeline = d.StableDiffusionXLPipeline
    UNet2DConditionModel = d.UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    h1, h2 = 32 * scale, 32 * scale
    unet = UNet2DConditionModel(
        block_out_channels=(32 * scale, 64 * scale), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=8 * 6 + h2, cross_attention_dim=h1 + h2, norm_num_groups=32,
    )
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, sample_size=64)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    tok = _tokenizer(folder.parent)
    pipe = StableDiffusionXLPipeline(
        vae=vae, text_encoder=CLIPTextModel(_clip_config(h1, h1)), tokenizer=tok,
        text_encoder_2=CLIPTextModelWithProjection(_clip_config(h2, h2)), tokenizer_2=tok, unet=unet,
        scheduler=scheduler,
    )
    pipe.save_pretrained(folder)
    return folder


def build_sd3(folder: Path, *, seed: int = 0) -> Path:
    """A tiny StableDiffusion3Pipeline (two CLIP encoders and a tiny T5 read with the CLIP tokenizer) in ``folder``."""
    import torch
    d: Any = importlib.import_module("diffusers")
    AutoencoderKL = d.AutoencoderKL
    FlowMatchEulerDiscreteScheduler = d.FlowMatchEulerDiscreteScheduler
    SD3Transformer2DModel = d.SD3Transformer2DModel
    StableDiffusion3Pipeline = d.StableDiffusion3Pipeline
    from transformers import CLIPTextModelWithProjection, T5EncoderModel

    torch.manual_seed(seed)
    transformer = SD3Transformer2DModel(sample_size=32, patch_size=1, in_channels=4, num_layers=1, attention_head_dim=8,
                                        num_attention_heads=4, caption_projection_dim=32, joint_attention_dim=64,
                                        pooled_projection_dim=64, out_channels=4)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, sample_size=64, shift_factor=0.0609, scaling_factor=1.5035,
                        use_quant_conv=False, use_post_quant_conv=False)
    tok = _tokenizer(folder.parent)
    pipe = StableDiffusion3Pipeline(
        transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae,
        text_encoder=CLIPTextModelWithProjection(_clip_config(32, 32)), tokenizer=tok,
        text_encoder_2=CLIPTextModelWithProjection(_clip_config(32, 32)), tokenizer_2=tok,
        text_encoder_3=T5EncoderModel(_t5_config(64)), tokenizer_3=tok,
    )
    pipe.save_pretrained(folder)
    return folder


def build_flux(folder: Path, *, seed: int = 0) -> Path:
    """A tiny FluxPipeline (CLIP + a tiny T5 encoder read with the CLIP tokenizer) saved in ``folder``."""
    import torch
    d: Any = importlib.import_module("diffusers")
    AutoencoderKL = d.AutoencoderKL
    FlowMatchEulerDiscreteScheduler = d.FlowMatchEulerDiscreteScheduler
    FluxPipeline = d.FluxPipeline
    FluxTransformer2DModel = d.FluxTransformer2DModel
    from transformers import CLIPTextModel, T5EncoderModel

    torch.manual_seed(seed)
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                         attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                         pooled_projection_dim=32, axes_dims_rope=[4, 4, 8])
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=1, sample_size=64, shift_factor=0.0609, scaling_factor=1.5035,
                        use_quant_conv=False, use_post_quant_conv=False)
    t5 = T5EncoderModel(_t5_config(32))
    tok = _tokenizer(folder.parent)
    pipe = FluxPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae,
                        text_encoder=CLIPTextModel(_clip_config(32, 32)), tokenizer=tok, text_encoder_2=t5,
                        tokenizer_2=tok, transformer=transformer)
    pipe.save_pretrained(folder)
    return folder
