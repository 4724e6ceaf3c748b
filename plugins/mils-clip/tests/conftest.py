"""Tiny image-text models built at test time, saved to disk, and loaded back the way a user's are.

* open_clip: two tiny architectures registered from JSON config files (a CLIP-style one
  using open_clip's own BPE tokenizer, and a SigLIP-style one with a logit bias and a
  local Hugging Face tokenizer folder), saved as ``.pt`` / ``.safetensors`` checkpoints;
* transformers: a tiny ``CLIPModel`` with the real 49,408-token CLIP BPE vocabulary
  (shipped inside open_clip) and a tiny ``SiglipModel`` with a SentencePiece tokenizer
  trained in a second.

Weights are random, so tests check mechanics (loading paths, shapes, caching, padding),
not caption quality.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

TINY_CLIP = "mils-test-tiny-clip"
TINY_SIGLIP = "mils-test-tiny-siglip"
_SENTENCES = [
    "a photo of a cat", "a dog on a beach", "a plate of food on a table", "a city street at night",
    "an astronaut in a white suit", "a cup of coffee on a saucer", "a rocket on a launch pad",
    "two people riding horses", "a red car parked by a wall", "a bowl of soup with bread",
]


@pytest.fixture(scope="session")
def images() -> list[Any]:
    """Three real photographs from scikit-image, as RGB PIL images."""
    import skimage.data
    from PIL import Image

    return [Image.fromarray(np.asarray(getattr(skimage.data, n)())).convert("RGB")
            for n in ("astronaut", "chelsea", "coffee")]


@pytest.fixture(scope="session")
def clip_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real CLIPTokenizer folder written from open_clip's packaged BPE vocabulary."""
    from mils_core.testing.tiny_models import write_clip_tokenizer

    return write_clip_tokenizer(tmp_path_factory.mktemp("clip-tokenizer"))


@pytest.fixture(scope="session")
def siglip_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real SiglipTokenizer folder around a tiny SentencePiece model trained here."""
    import sentencepiece as spm
    from transformers import SiglipTokenizer

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_SENTENCES * 10), model_writer=buf, vocab_size=120, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        hard_vocab_limit=False, minloglevel=2,
    )
    raw = tmp_path_factory.mktemp("spm")
    (raw / "spiece.model").write_bytes(buf.getvalue())
    tokenizer = SiglipTokenizer(vocab_file=str(raw / "spiece.model"), model_max_length=64)
    out = tmp_path_factory.mktemp("siglip-tokenizer")
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def hf_clip_dir(tmp_path_factory: pytest.TempPathFactory, clip_tokenizer_dir: Path) -> Path:
    """A tiny transformers CLIPModel folder (model, real CLIP tokenizer, image processor)."""
    import torch
    from transformers import AutoTokenizer, CLIPConfig, CLIPImageProcessor, CLIPModel

    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )
    out = tmp_path_factory.mktemp("hf-clip")
    CLIPModel(config).save_pretrained(out)
    AutoTokenizer.from_pretrained(clip_tokenizer_dir).save_pretrained(out)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def hf_siglip_dir(tmp_path_factory: pytest.TempPathFactory, siglip_tokenizer_dir: Path) -> Path:
    """A tiny transformers SiglipModel folder (model, SentencePiece tokenizer, image processor)."""
    import torch
    from transformers import AutoTokenizer, SiglipConfig, SiglipImageProcessor, SiglipModel

    tokenizer = AutoTokenizer.from_pretrained(siglip_tokenizer_dir)
    torch.manual_seed(0)
    config = SiglipConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=64, pad_token_id=0, eos_token_id=1,
                         bos_token_id=None),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
    )
    out = tmp_path_factory.mktemp("hf-siglip")
    SiglipModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    SiglipImageProcessor(size={"height": 32, "width": 32}).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def open_clip_models(tmp_path_factory: pytest.TempPathFactory, siglip_tokenizer_dir: Path) -> dict[str, Path]:
    """Tiny open_clip architectures as JSON config files, plus checkpoints of random weights."""
    import torch
    from open_clip.model import CLIP, CustomTextCLIP
    from safetensors.torch import save_file

    root = tmp_path_factory.mktemp("open-clip")
    configs = root / "configs"
    configs.mkdir()
    clip_cfg = {
        "embed_dim": 16,
        "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "head_width": 16, "patch_size": 8},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
    }
    siglip_cfg = {
        "embed_dim": 16,
        "init_logit_bias": -10,
        "custom_text": True,
        "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "head_width": 16, "patch_size": 8},
        "text_cfg": {
            "context_length": 64, "vocab_size": 120, "width": 32, "heads": 2, "layers": 2,
            "hf_tokenizer_name": str(siglip_tokenizer_dir), "tokenizer_kwargs": {"clean": "canonicalize"},
            "no_causal_mask": True, "pool_type": "last", "proj_bias": True,
        },
    }
    (configs / f"{TINY_CLIP}.json").write_text(json.dumps(clip_cfg))
    siglip_file = root / f"{TINY_SIGLIP}.json"  # given to the scorer on its own, as a single file
    siglip_file.write_text(json.dumps(siglip_cfg))
    # Instantiate the architectures directly: registering the configs is the scorer's job.
    torch.manual_seed(0)
    clip = CLIP(**clip_cfg)
    torch.save(clip.state_dict(), root / "tiny-clip.pt")
    siglip = CustomTextCLIP(**{k: v for k, v in siglip_cfg.items() if k != "custom_text"})
    weights_dir = root / "siglip-weights"
    weights_dir.mkdir()
    state = {k: v.contiguous() for k, v in siglip.state_dict().items()}
    save_file(state, str(weights_dir / "open_clip_model.safetensors"))
    return {
        "configs": configs,
        "clip_checkpoint": root / "tiny-clip.pt",
        "siglip_config": siglip_file,
        "siglip_weights_dir": weights_dir,
    }


@pytest.fixture(scope="session")
def build_scorer() -> Any:
    """Build a scorer by name through installed plugins, from a config-style options table."""
    from mils_core.plugins import make_plugin_manager

    registry = make_plugin_manager().registry

    def build(name: str, **options: Any) -> Any:
        return registry.get("scorer", name).build(options)

    return build

