"""Sounds synthesised with espeak-ng and sox, and a tiny transformers CLAP model built at test time,
saved with save_pretrained and loaded back the way a user's folder is."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest


def sox(*args: str) -> None:
    subprocess.run(["sox", "-R", *args], check=True, capture_output=True)


@pytest.fixture(scope="session")
def sound_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """speech.wav (espeak-ng), tone.flac (stereo 44.1 kHz), noise.ogg, silence.wav, dc.wav, long.wav (40 s)."""
    pytest.importorskip("soundfile")
    for tool in ("sox", "espeak-ng"):
        if shutil.which(tool) is None:
            if os.environ.get("CI"):  # CI must run these tests: scripts/setup.sh --test installs the tools
                pytest.fail(f"{tool} is not installed; scripts/setup.sh --test installs it (apt-get install {tool})")
            pytest.skip(f"{tool} is not installed")
    import soundfile as sf

    folder = tmp_path_factory.mktemp("sounds")
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(folder / "speech.wav"), "a dog barks in the park"], check=True,
                       capture_output=True)
    else:
        sox("-n", "-r", "22050", str(folder / "speech.wav"), "synth", "1.5", "sine", "200-900")
    sox("-n", "-r", "44100", "-c", "2", str(folder / "tone.flac"), "synth", "1.5", "sine", "440", "vol", "0.5")
    sox("-n", "-r", "16000", str(folder / "noise.ogg"), "synth", "1", "pinknoise", "vol", "0.4")
    sox("-n", "-r", "16000", str(folder / "silence.wav"), "trim", "0", "1")
    sox("-n", "-r", "8000", str(folder / "long.wav"), "synth", "40", "sine", "300", "vol", "0.4")
    sf.write(folder / "dc.wav", np.full(8000, 0.3, np.float32), 8000, subtype="FLOAT")
    return folder


def write_roberta_tokenizer(folder: Path, texts: list[str] | None = None, vocab_size: int = 400) -> Path:
    """A real byte-level BPE RoBERTa tokenizer (trained in a second by ``tokenizers``), saved to ``folder``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import RobertaTokenizerFast

    corpus = texts or ["a dog barks in the park", "rain falls on a roof", "a man speaks", "birds chirp",
                       "a car passes by", "a bell rings", "water runs from a tap", "people talk and laugh"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus * 20, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    fast = RobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                model_max_length=77)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def roberta_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    return write_roberta_tokenizer(tmp_path_factory.mktemp("roberta"))


def build_tiny_clap(out: Path, tokenizer_dir: Path, *, fusion: bool = False) -> Path:
    """A tiny ClapModel (HTSAT audio tower, RoBERTa text tower) with its tokenizer and a 16 kHz, 2 s extractor."""
    import torch
    from transformers import AutoTokenizer, ClapConfig, ClapFeatureExtractor, ClapModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = ClapConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=79, pad_token_id=1, bos_token_id=0,
                         eos_token_id=2),
        audio_config=dict(window_size=8, spec_size=64, num_mel_bins=16, patch_embeds_hidden_size=8, depths=[1, 1],
                          num_attention_heads=[1, 2], hidden_size=16, patch_size=4, patch_stride=[4, 4],
                          enable_fusion=fusion),
        projection_dim=16,
    )
    torch.manual_seed(0)
    ClapModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    ClapFeatureExtractor(feature_size=16, sampling_rate=16000, max_length_s=2, hop_length=160, fft_window_size=400,
                         frequency_min=50, frequency_max=8000).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def clap_dir(tmp_path_factory: pytest.TempPathFactory, roberta_dir: Path) -> Path:
    pytest.importorskip("torch")
    return build_tiny_clap(tmp_path_factory.mktemp("tiny-clap"), roberta_dir)


@pytest.fixture(scope="session")
def clips(sound_dir: Path) -> list[Any]:
    from mils_core.media.audio import load_audio

    return [load_audio(sound_dir / name) for name in ("speech.wav", "tone.flac", "noise.ogg")]


@pytest.fixture(scope="session")
def make_clap() -> Any:
    """:func:`build_tiny_clap` (test modules cannot import this conftest under importlib import mode)."""
    pytest.importorskip("torch")
    return build_tiny_clap


def build_tiny_laion_clap(path: Path, *, vocab_size: int, fusion: bool = False, seed: int = 0, text_layers: int = 1,
                          text_intermediate: int = 64) -> Path:
    """A laion-clap CLAP model (HTSAT-tiny audio tower, a one-layer RoBERTa text tower) with random weights,
    saved the way the released checkpoints are: ``{"epoch", "state_dict": {"module.<key>": tensor}}`` in a .pt."""
    import torch
    from mils_audio.laion_clap import build_clap_model
    from transformers import RobertaConfig

    config = RobertaConfig(vocab_size=vocab_size, hidden_size=768, num_hidden_layers=text_layers, num_attention_heads=12,
                           intermediate_size=text_intermediate, max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5,
                           pad_token_id=1)
    torch.manual_seed(seed)
    model = build_clap_model("HTSAT-tiny", fusion, config)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    torch.save({"epoch": 45, "name": "tiny", "state_dict": state}, path)
    return path


@pytest.fixture(scope="session")
def laion_ckpt(tmp_path_factory: pytest.TempPathFactory, roberta_dir: Path) -> Path:
    """A tiny non-fusion laion-clap checkpoint (needs laion-clap installed)."""
    pytest.importorskip("torch")
    import importlib.util

    if importlib.util.find_spec("laion_clap") is None:
        pytest.skip("laion-clap is not installed")
    from transformers import AutoTokenizer

    vocab = len(AutoTokenizer.from_pretrained(roberta_dir))
    return build_tiny_laion_clap(tmp_path_factory.mktemp("laion") / "tiny-630k-best.pt", vocab_size=vocab)


@pytest.fixture(scope="session")
def make_laion_clap() -> Any:
    """:func:`build_tiny_laion_clap`."""
    return build_tiny_laion_clap


def build_tiny_imagebind(path: Path, *, seed: int = 0) -> Path:
    """A full ImageBindModel (imagebind-unofficial's code) with tiny dims, its state dict saved bare in a .pth
    as the official imagebind_huge.pth is."""
    import torch
    from mils_audio.imagebind import imagebind_models

    torch.manual_seed(seed)
    small = {f"{m}_{k}": v for m in ("vision", "depth", "thermal", "imu")
             for k, v in (("embed_dim", 32), ("num_blocks", 1), ("num_heads", 1))}
    model = imagebind_models().ImageBindModel(**small, text_embed_dim=64, text_num_blocks=2, text_num_heads=1,
                                              audio_embed_dim=64, audio_num_blocks=2, audio_num_heads=1,
                                              out_embed_dim=16)
    torch.save(model.state_dict(), path)
    return path


@pytest.fixture(scope="session")
def imagebind_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("torchaudio")
    import importlib.util

    if importlib.util.find_spec("imagebind") is None:
        pytest.skip("imagebind-unofficial is not installed")
    return build_tiny_imagebind(tmp_path_factory.mktemp("imagebind") / "tiny_imagebind.pth")
