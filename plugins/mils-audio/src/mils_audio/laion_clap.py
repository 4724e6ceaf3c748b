"""The ``clap`` scorer: LAION-CLAP through the ``laion-clap`` package's own model code (``clap_module``).

Checkpoints load by path (``/models/630k-audioset-best.pt``) or by release name (``630k-audioset-best.pt``,
``630k-audioset-fusion-best.pt``, ``music_speech_audioset_epoch_15_esc_89.98.pt``, ...; fetched from the
hub repo ``lukewys/laion_clap`` through the core's hub rules). The audio tower (HTSAT tiny/base/large) and
fusion on/off are read from the checkpoint's weights unless given.

**Offline safety.** ``import laion_clap`` runs ``training/data.py``, which loads three tokenizers from
the hub at import time: offline it hangs in retries, or with ``HF_HUB_OFFLINE=1`` on transformers 5 it
silently builds *empty* tokenizers, so every text gets the same tokens and the scores are garbage.
``CLAP_Module(...)`` also downloads roberta-base's weights (then overwritten by the checkpoint). This
scorer therefore never imports ``laion_clap`` itself: it locates the installed package without
importing it, imports its ``clap_module`` (the model code, which makes no hub call at import), builds
the RoBERTa text tower from the shapes in the checkpoint instead of downloading it, and loads the
tokenizer named by ``text_tokenizer`` (a hub name or a folder) through the core's hub rules, so a
missing tokenizer fails fast in one line. A tokenizer that tokenizes a probe sentence to unknown
tokens only (an empty one) is refused.

Checkpoints are read with ``torch.load(weights_only=True)``; Python objects pickled beside the tensors
are replaced by inert stand-ins, never imported or run. Audio is resampled to 48 kHz and cut into
10 s windows by :func:`mils_core.media.audio.windows` (repeat-padded when shorter: CLAP's
``repeatpad``; several windows, averaged, when longer), then quantised to 16 bits as laion-clap does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_audio.common import pooled, window_batch
from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import PAD_MODES
from mils_core.model_source import first_line, hub_access, hub_file, looks_like_path, missing_path_error

__all__ = ["CHECKPOINTS", "ClapOptions", "ClapScorer", "build_clap_model", "clap_module", "read_state_dict"]

log = structlog.get_logger("mils.audio")

INSTALL = "pip install --no-deps laion-clap==1.1.7 && pip install torchlibrosa librosa h5py scikit-learn"
HUB_REPO = "lukewys/laion_clap"
#: Released checkpoints: name -> (audio model, fusion).
CHECKPOINTS: dict[str, tuple[str, bool]] = {
    "630k-best.pt": ("HTSAT-tiny", False),
    "630k-audioset-best.pt": ("HTSAT-tiny", False),
    "630k-fusion-best.pt": ("HTSAT-tiny", True),
    "630k-audioset-fusion-best.pt": ("HTSAT-tiny", True),
    "music_audioset_epoch_15_esc_90.14.pt": ("HTSAT-base", False),
    "music_speech_epoch_15_esc_89.25.pt": ("HTSAT-base", False),
    "music_speech_audioset_epoch_15_esc_89.98.pt": ("HTSAT-base", False),
}
#: HTSAT's patch-embedding width by audio model (how the audio tower is read from a checkpoint).
_HTSAT_WIDTH = {96: "HTSAT-tiny", 128: "HTSAT-base", 256: "HTSAT-large"}
RATE = 48000
WINDOW = 480000
_BUILD_LOCK = threading.Lock()
_PROBE = "a dog barks in the distance"


@attrs.frozen
class ClapOptions:
    """Options of the ``clap`` scorer."""

    #: A checkpoint file (``.pt``) or a released checkpoint's name (fetched from ``lukewys/laion_clap``).
    checkpoint: str = "630k-audioset-best.pt"
    #: ``HTSAT-tiny``/``HTSAT-base``/``HTSAT-large`` (or another laion-clap audio config); None: read from the weights.
    audio_model: str | None = None
    #: Fusion on or off; None: read from the weights.
    fusion: bool | None = None
    #: The RoBERTa tokenizer: a hub name or a local folder (saved with ``save_pretrained``).
    text_tokenizer: str = "roberta-base"
    #: Windows a long clip is cut into (at most), their embeddings averaged.
    max_windows: int = attrs.field(default=4, validator=v.positive_int)
    #: How a clip shorter than 10 s is filled: ``repeat`` (laion-clap's repeatpad) or ``zero``.
    pad: str = attrs.field(default="repeat", validator=v.one_of(PAD_MODES))
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=8, validator=v.positive_int)


def clap_module() -> Any:
    """laion-clap's model package ``clap_module``, imported without running ``laion_clap/__init__.py``
    (whose import loads tokenizers from the hub). One-line error when laion-clap is not installed."""
    if "clap_module" in sys.modules:
        return sys.modules["clap_module"]
    try:
        spec = importlib.util.find_spec("laion_clap")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the clap scorer needs laion-clap, which is not installed; run '{INSTALL}'")
    folder = Path(list(spec.submodule_search_locations)[0]) / "clap_module"
    init = folder / "__init__.py"
    if not init.is_file():
        raise ConfigError(f"laion-clap at {folder.parent} has no clap_module; reinstall it ('{INSTALL}')")
    module_spec = importlib.util.spec_from_file_location("clap_module", init, submodule_search_locations=[str(folder)])
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["clap_module"] = module  # the name laion-clap itself gives it
    try:
        module_spec.loader.exec_module(module)
    except ImportError as exc:
        del sys.modules["clap_module"]
        raise ConfigError(f"laion-clap's model code needs a missing package ({first_line(exc)}); run '{INSTALL}'"
                          ) from exc
    except BaseException:
        del sys.modules["clap_module"]
        raise
    return module


# -- checkpoints -------------------------------------------------------------------------------
def _stub_class(qualified: str) -> type:
    """An inert stand-in for a class pickled beside the tensors: it builds an empty dict, runs nothing."""

    def _new(cls: type, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return {}

    module, _, name = qualified.rpartition(".")
    return type(name or qualified, (), {"__new__": staticmethod(_new), "__module__": module or "stub"})


_GLOBAL = re.compile(r"GLOBAL ([A-Za-z_][\w.]*)")


def read_state_dict(path: Path) -> dict[str, Any]:
    """The model weights in a laion-clap checkpoint (``{"state_dict": ...}`` or bare), ``module.`` prefixes
    removed and ``text_branch.embeddings.position_ids`` dropped, read with ``torch.load(weights_only=True)``."""
    import pickle

    import torch

    stubs: list[Any] = []
    while True:
        try:
            with torch.serialization.safe_globals(stubs):
                obj = torch.load(path, map_location="cpu", weights_only=True)
            break
        except pickle.UnpicklingError as exc:
            found = _GLOBAL.search(str(exc))
            if found is None or len(stubs) >= 16 or found.group(1).startswith(("torch.", "builtins.")):
                raise ConfigError(f"checkpoint {str(path)!r} cannot be read as weights only: {first_line(exc)}; "
                                  "save its state dict alone with torch.save(state_dict, path)") from exc
            stubs.append((_stub_class(found.group(1)), found.group(1)))
        except (RuntimeError, OSError, EOFError) as exc:
            raise ConfigError(f"checkpoint {str(path)!r} cannot be read: {first_line(exc)}") from exc
    state = obj.get("state_dict", obj) if isinstance(obj, dict) else None
    if not isinstance(state, dict) or not any(isinstance(t, torch.Tensor) for t in state.values()):
        raise ConfigError(f"checkpoint {str(path)!r} holds no state dict of tensors; pass a laion-clap checkpoint")
    out = {}
    for key, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            continue
        key = key[len("module."):] if key.startswith("module.") else key
        out[key] = tensor
    out.pop("text_branch.embeddings.position_ids", None)
    if not any(k.startswith("audio_branch.") for k in out) or not any(k.startswith("text_branch.") for k in out):
        raise ConfigError(f"checkpoint {str(path)!r} is not a CLAP checkpoint (no audio_branch/text_branch weights)")
    return out


def infer_layout(state: dict[str, Any]) -> tuple[str, bool]:
    """(audio model, fusion) from a state dict's shapes: HTSAT width and the fusion layers."""
    fusion = any(".fusion_model." in k or k.startswith("audio_branch.mel_conv2d") for k in state)
    weight = state.get("audio_branch.patch_embed.proj.weight")
    if weight is None:
        raise ConfigError("the checkpoint has no HTSAT audio tower (audio_branch.patch_embed); pass audio_model")
    name = _HTSAT_WIDTH.get(int(weight.shape[0]))
    if name is None:
        raise ConfigError(f"no HTSAT audio model has width {int(weight.shape[0])}; pass audio_model")
    return name, fusion


def roberta_config(state: dict[str, Any]) -> Any:
    """A RobertaConfig with the text tower's shapes read from the weights (no download)."""
    from transformers import RobertaConfig

    words = state["text_branch.embeddings.word_embeddings.weight"]
    positions = state["text_branch.embeddings.position_embeddings.weight"]
    types = state.get("text_branch.embeddings.token_type_embeddings.weight")
    layers = {int(m.group(1)) for k in state if (m := re.match(r"text_branch\.encoder\.layer\.(\d+)\.", k))}
    inter = state["text_branch.encoder.layer.0.intermediate.dense.weight"]
    hidden = int(words.shape[1])
    return RobertaConfig(vocab_size=int(words.shape[0]), hidden_size=hidden, num_hidden_layers=len(layers),
                         num_attention_heads=max(1, hidden // 64), intermediate_size=int(inter.shape[0]),
                         max_position_embeddings=int(positions.shape[0]),
                         type_vocab_size=int(types.shape[0]) if types is not None else 1,
                         layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2)


def build_clap_model(audio_model: str, fusion: bool, text_config: Any) -> Any:
    """laion-clap's ``CLAP`` model with a RoBERTa text tower of ``text_config`` (random weights, nothing
    downloaded: the constructor's ``RobertaModel.from_pretrained('roberta-base')`` is answered locally)."""
    module = clap_module()
    from transformers import RobertaModel

    model_mod: Any = sys.modules["clap_module.model"]

    class _LocalRoberta:
        @staticmethod
        def from_pretrained(name: str, *args: Any, **kwargs: Any) -> Any:
            return RobertaModel(text_config, add_pooling_layer=True)

    with _BUILD_LOCK:
        original = model_mod.RobertaModel
        model_mod.RobertaModel = _LocalRoberta
        try:
            model, _ = module.create_model(audio_model, "roberta", precision="fp32", device="cpu",
                                           enable_fusion=fusion, fusion_type="aff_2d" if fusion else "None")
        except RuntimeError as exc:
            raise ConfigError(f"laion-clap cannot build audio model {audio_model!r}: {first_line(exc)}") from exc
        finally:
            model_mod.RobertaModel = original
    return model


def _checkpoint_path(name: str) -> Path:
    path = Path(name).expanduser()
    if path.is_file():
        return path
    if looks_like_path(name) and name not in CHECKPOINTS:
        raise ModelUnavailableError(f"CLAP checkpoint {name!r} does not exist; pass a laion-clap .pt file or a "
                                    f"released name such as 630k-audioset-best.pt")
    if name not in CHECKPOINTS:
        raise ConfigError(f"unknown CLAP checkpoint {name!r}; pass a .pt file or one of {', '.join(CHECKPOINTS)}")
    return hub_file(HUB_REPO, name, what="CLAP checkpoint",
                    fix=f"download {name} from https://huggingface.co/{HUB_REPO} and pass checkpoint = \"/path/{name}\"")


def load_tokenizer(name: str) -> Any:
    """The RoBERTa tokenizer ``name`` (hub name or folder), refused when it is empty."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        source, local_only = str(folder), True
    elif looks_like_path(name):
        raise missing_path_error(name, "tokenizer folder saved with save_pretrained()")
    else:
        access = hub_access(name, ("tokenizer_config.json", "vocab.json", "tokenizer.json"), what="RoBERTa tokenizer",
                            fix="pass a tokenizer folder saved with save_pretrained() as text_tokenizer = \"/path\"")
        source, local_only = name, access.local_files_only
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if Path(source).is_dir():
            raise ConfigError(f"tokenizer folder {source!r} cannot be loaded: {first_line(exc)}") from exc
        raise ModelUnavailableError(f"tokenizer {name!r} cannot be loaded (hub or cache): {first_line(exc)}; pass a "
                                    "folder saved with save_pretrained() as text_tokenizer = \"/path\"") from exc
    ids = tokenizer(_PROBE)["input_ids"]
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    real = [i for i in ids if i not in special]
    if len(tokenizer) < 10 or not real:
        raise ConfigError(f"tokenizer {name!r} is empty (it turns {_PROBE!r} into {len(real)} real tokens); pass a "
                          "complete RoBERTa tokenizer folder as text_tokenizer = \"/path\"")
    return tokenizer


class ClapScorer(EmbeddingScorer[ClapOptions]):
    """Scores captions against audio with LAION-CLAP's text and audio towers (laion-clap's model code)."""

    Options = ClapOptions
    target_media = ("audio",)

    def __init__(self, options: ClapOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._fusion = False
        self._mel: Any = None
        self.counters["windows_encoded"] = 0

    def reset_caches(self) -> None:
        super().reset_caches()
        self.counters["windows_encoded"] = 0

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        clap_module()  # a missing install fails before any download
        tokenizer = load_tokenizer(self.options.text_tokenizer)
        path = _checkpoint_path(self.options.checkpoint)
        state = read_state_dict(path)
        audio_model, fusion = infer_layout(state)
        if self.options.checkpoint in CHECKPOINTS:
            audio_model, fusion = CHECKPOINTS[self.options.checkpoint]
        audio_model = self.options.audio_model or audio_model
        fusion = fusion if self.options.fusion is None else self.options.fusion
        text_config = roberta_config(state)
        if len(tokenizer) > text_config.vocab_size:
            raise ConfigError(f"tokenizer {self.options.text_tokenizer!r} has {len(tokenizer)} tokens but the "
                              f"checkpoint's text tower {text_config.vocab_size}; pass the tokenizer it was trained with")
        model = build_clap_model(audio_model, fusion, text_config)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ConfigError(f"checkpoint {str(path)!r} does not fit laion-clap's {audio_model} "
                              f"(fusion {'on' if fusion else 'off'}): {first_line(exc)[:300]}; set audio_model/fusion"
                              ) from exc
        self._model = model.to(device=self._device, dtype=self._dtype).eval()
        self._tokenizer, self._fusion = tokenizer, fusion
        self._audio_cfg = dict(model.audio_cfg.__dict__) if hasattr(model, "audio_cfg") else {}
        log.info("clap scorer loaded", checkpoint=str(path), audio_model=audio_model, fusion=fusion,
                 device=str(self._device), dtype=str(self._dtype).removeprefix("torch."))

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        batch = self._tokenizer(texts, padding="max_length", truncation=True, max_length=77, return_tensors="pt")
        data = {"input_ids": batch["input_ids"].to(self._device), "attention_mask": batch["attention_mask"].to(self._device)}
        with inference(self._device, self._dtype):
            out = self._model.get_text_embedding(data)
        return np.asarray(to_numpy(out), dtype=np.float32)

    def _mel_fusion(self, waves: Any) -> Any:
        """laion-clap's fusion input for windows of exactly 10 s: the log-mel (torchaudio's HTK mel, power
        2, dB) stacked four times."""
        import torch

        cfg = self._audio_cfg
        n_fft, hop, mels = int(cfg.get("window_size", 1024)), int(cfg.get("hop_size", 480)), int(cfg.get("mel_bins", 64))
        if self._mel is None:
            self._mel = torch.from_numpy(htk_mel_filters(n_fft // 2 + 1, float(cfg.get("fmin", 50)),
                                                         float(cfg.get("fmax", 14000)), mels, RATE))
        spec = torch.stft(waves, n_fft, hop_length=hop, win_length=n_fft, window=torch.hann_window(n_fft),
                          center=True, pad_mode="reflect", onesided=True, return_complex=True).abs() ** 2
        mel = torch.matmul(spec.transpose(1, 2), self._mel)  # (windows, frames, mels)
        mel = 10.0 * torch.log10(torch.clamp(mel, min=1e-10))
        return torch.stack([mel] * 4, dim=1)

    def encode_windows(self, stacked: np.ndarray) -> np.ndarray:
        """Embeddings of 10 s windows at 48 kHz: shape (windows, dim)."""
        import torch

        from mils_core.torch_utils import inference, to_numpy

        self.counters["windows_encoded"] += len(stacked)
        quantised = (np.clip(stacked, -1.0, 1.0) * 32767.0).astype(np.int16).astype(np.float32) / 32767.0
        waves = torch.from_numpy(quantised)
        data: dict[str, Any] = {"waveform": waves, "longer": torch.zeros(len(stacked), dtype=torch.bool)}
        if self._fusion:
            data["mel_fusion"] = self._mel_fusion(waves)
        data = {k: (t.to(self._device, dtype=self._dtype) if t.is_floating_point() else t.to(self._device))
                for k, t in data.items()}
        with inference(self._device, self._dtype):
            out = self._model.audio_projection(self._model.encode_audio(data, device=self._device)["embedding"])
        return np.asarray(to_numpy(out), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        stacked, counts = window_batch(targets, RATE, WINDOW, max_windows=self.options.max_windows, pad=self.options.pad)
        return pooled(self.encode_windows(stacked), counts)


def htk_mel_filters(n_freqs: int, f_min: float, f_max: float, n_mels: int, rate: int) -> np.ndarray:
    """Triangular HTK-scale mel filters, no normalisation, shape (n_freqs, n_mels) (torchaudio's defaults)."""
    freqs = np.linspace(0, rate // 2, n_freqs)

    def mel(f: Any) -> Any:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    points = 700.0 * (10 ** (np.linspace(mel(f_min), mel(f_max), n_mels + 2) / 2595.0) - 1.0)
    diff = np.diff(points)
    slopes = points[None, :] - freqs[:, None]
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    return np.maximum(0.0, np.minimum(down, up)).astype(np.float32)
