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
from mils_audio.tiny import build_tiny_clap, write_roberta_tokenizer


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


@pytest.fixture(scope="session")
def roberta_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("transformers")
    return write_roberta_tokenizer(tmp_path_factory.mktemp("roberta"))


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
