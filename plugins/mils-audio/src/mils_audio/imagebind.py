"""The ``imagebind`` scorer: ImageBind's text and audio towers (the paper's audio scorer), official weights.

**Which code.** The model code is ``imagebind-unofficial`` 0.1.1's copy of Meta's ImageBind
(``imagebind.models.imagebind_model``); its package ``__init__`` imports ``imagebind.data``, which
needs pytorchvideo, ``pkg_resources`` and ``torchaudio.load`` (torchcodec + FFmpeg), none of which
scoring needs. So this module registers the installed package folder as ``imagebind`` *without*
running its ``__init__`` (located with ``find_spec``, nothing executed) and imports only the model
modules; ``imagebind.data`` stays importable for anyone who wants it. Audio decoding is the core's
(:func:`mils_core.media.audio.load_audio`: soundfile/PyAV, soxr), not ``torchaudio.load``.

**Which weights.** The official ``imagebind_huge.pth`` (a bare state dict), by path, or by the name
``imagebind_huge`` (downloaded once from dl.fbaipublicfiles.com into the mils model cache when the
network allows; offline it fails in one line). The other modalities' towers are built at a token
size (64 wide, one block) and dropped, so the 630M-parameter vision tower is never built; the text
and audio weights are assigned from the checkpoint (``strict``; the file is memory-mapped, and only
its text and audio tensors are kept). Widths and depths
are read from the weights; heads are width / 64 (ImageBind-huge: text 1024/16, audio 768/12).

**Audio as its authors cut it** (``imagebind.data.load_and_transform_audio_data``): resampled to
16 kHz, ``clips`` (3) clips of 2 s spread evenly from the start to the end (all the same clip for a
file of 2 s or less), each clip's mean removed, a 128-bin Kaldi fbank (25 ms Hann frames every 10 ms,
HTK mel) padded or cut to 204 frames, normalised with mean -4.268 and std 9.138; the model averages
the clips' normalised embeddings. Texts: ImageBind's CLIP BPE, 77 tokens.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
import types
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import as_waveform
from mils_core.model_source import first_line, hf_offline

__all__ = ["ImageBindOptions", "ImageBindScorer", "audio_clips", "build_towers", "imagebind_models",
           "infer_shapes", "melspec"]

log = structlog.get_logger("mils.audio")

INSTALL = "pip install --no-deps imagebind-unofficial==0.1.1 && pip install iopath einops timm ftfy regex torchaudio"
OFFICIAL_URL = "https://dl.fbaipublicfiles.com/imagebind/imagebind_huge.pth"
RATE = 16000
MEL_BINS = 128
TARGET_FRAMES = 204
CLIP_SECONDS = 2.0
MEAN, STD = -4.268, 9.138
_LOCK = threading.Lock()


@attrs.frozen
class ImageBindOptions:
    """Options of the ``imagebind`` scorer."""

    #: ``imagebind_huge`` (the official checkpoint, downloaded once) or a path to an ImageBind ``.pth``.
    checkpoint: str = "imagebind_huge"
    #: Clips of 2 s per file, spread evenly over it, their embeddings averaged (the authors' 3).
    clips: int = attrs.field(default=3, validator=v.positive_int)
    #: Random weights of ``random_shape`` instead of a checkpoint (``mils bench --random-weights``: paper-scale
    #: cost with no download; scores are meaningless).
    random_weights: bool = False
    #: ``huge`` (ImageBind-huge's text and audio towers) or ``tiny`` (for tests).
    random_shape: str = attrs.field(default="huge", validator=v.one_of(("huge", "tiny")))
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=128, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=8, validator=v.positive_int)


def imagebind_models() -> Any:
    """``imagebind.models.imagebind_model`` from imagebind-unofficial, without running ``imagebind/__init__``."""
    name = "imagebind.models.imagebind_model"
    if name in sys.modules:
        return sys.modules[name]
    with _LOCK:
        if "imagebind" not in sys.modules:
            try:
                spec = importlib.util.find_spec("imagebind")
            except (ImportError, ValueError):
                spec = None
            if spec is None or not spec.submodule_search_locations:
                raise ConfigError(f"the imagebind scorer needs imagebind-unofficial, which is not installed; run '{INSTALL}'")
            package = types.ModuleType("imagebind")
            package.__path__ = list(spec.submodule_search_locations)
            package.__file__ = spec.origin
            package.__spec__ = spec
            sys.modules["imagebind"] = package  # the package, its __init__ (and imagebind.data) not run
        try:
            return importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"ImageBind's model code needs a missing package ({first_line(exc)}); run '{INSTALL}'"
                              ) from exc


def _blocks(state: dict[str, Any], prefix: str) -> int:
    return len({int(m.group(1)) for k in state if (m := re.match(re.escape(prefix) + r"\.(\d+)\.", k))})


def infer_shapes(state: dict[str, Any]) -> dict[str, int]:
    """ImageBindModel arguments for the text and audio towers, read from the weights."""
    try:
        text_dim = int(state["modality_preprocessors.text.token_embedding.weight"].shape[1])
        audio_dim = int(state["modality_preprocessors.audio.cls_token"].shape[-1])
        out_dim = int(state["modality_heads.text.proj.1.weight"].shape[0])
        kernel = state["modality_preprocessors.audio.rgbt_stem.proj.weight"]
    except KeyError as exc:
        raise ConfigError(f"the checkpoint has no ImageBind text/audio weights ({exc.args[0]}); pass an ImageBind "
                          "checkpoint such as imagebind_huge.pth") from None
    return {
        "text_embed_dim": text_dim, "text_num_blocks": _blocks(state, "modality_trunks.text.blocks"),
        "text_num_heads": max(1, text_dim // 64), "audio_embed_dim": audio_dim,
        "audio_num_blocks": _blocks(state, "modality_trunks.audio.blocks"), "audio_num_heads": max(1, audio_dim // 64),
        "out_embed_dim": out_dim, "audio_kernel_size": int(kernel.shape[-1]),
    }


#: Shapes of the towers that are dropped (built at a token size, then removed).
_UNUSED = {"vision_embed_dim": 64, "vision_num_blocks": 1, "vision_num_heads": 1, "depth_embed_dim": 64,
           "depth_num_blocks": 1, "depth_num_heads": 1, "thermal_embed_dim": 64, "thermal_num_blocks": 1,
           "thermal_num_heads": 1, "imu_embed_dim": 64, "imu_num_blocks": 1, "imu_num_heads": 1}
_KEEP = ("text", "audio")
#: Text and audio tower shapes for random weights.
RANDOM_SHAPES = {
    "huge": {"text_embed_dim": 1024, "text_num_blocks": 24, "text_num_heads": 16, "audio_embed_dim": 768,
             "audio_num_blocks": 12, "audio_num_heads": 12, "out_embed_dim": 1024, "audio_kernel_size": 16},
    "tiny": {"text_embed_dim": 64, "text_num_blocks": 1, "text_num_heads": 1, "audio_embed_dim": 64,
             "audio_num_blocks": 1, "audio_num_heads": 1, "out_embed_dim": 16, "audio_kernel_size": 16},
}


def build_towers(shapes: dict[str, int], *, device: str = "cpu") -> Any:
    """An ImageBindModel holding only its text and audio towers (other modalities removed)."""
    import torch

    module = imagebind_models()
    with torch.device(device):
        model = module.ImageBindModel(**{**_UNUSED, **shapes, "audio_drop_path": 0.0, "imu_drop_path": 0.0})
    for table in (model.modality_preprocessors, model.modality_trunks, model.modality_heads,
                  model.modality_postprocessors):
        for key in list(table.keys()):
            if key not in _KEEP:
                del table[key]
    return model


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The text and audio weights of an ImageBind checkpoint (``torch.load(weights_only=True)``)."""
    import torch

    try:
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)  # the 4.5 GB file: map it
        except RuntimeError:
            obj = torch.load(path, map_location="cpu", weights_only=True)  # a legacy (non-zip) file cannot be mapped
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file; one line says which
        raise ConfigError(f"ImageBind checkpoint {str(path)!r} cannot be read as weights only: "
                          f"{type(exc).__name__}: {first_line(exc)}") from exc
    state = obj.get("model", obj) if isinstance(obj, dict) else None
    if not isinstance(state, dict):
        raise ConfigError(f"ImageBind checkpoint {str(path)!r} holds no state dict")
    keep = tuple(f"{table}.{m}." for table in ("modality_preprocessors", "modality_trunks", "modality_heads",
                                                "modality_postprocessors") for m in _KEEP)
    return {k.removeprefix("module."): t for k, t in state.items()
            if isinstance(t, torch.Tensor) and k.removeprefix("module.").startswith(keep)}


def _official_checkpoint() -> Path:
    """torch hub's checkpoint folder copy of imagebind_huge.pth, downloaded once when the network allows."""
    import socket

    import torch

    target = Path(torch.hub.get_dir()) / "checkpoints" / "imagebind_huge.pth"
    if target.is_file():
        return target
    why = "downloads are switched off (HF_HUB_OFFLINE=1)" if hf_offline() else None
    if why is None:
        try:
            socket.create_connection(("dl.fbaipublicfiles.com", 443), timeout=3.0).close()
        except OSError:
            why = "dl.fbaipublicfiles.com cannot be reached from this machine"
    if why is not None:
        raise ModelUnavailableError(
            f"ImageBind checkpoint 'imagebind_huge' is not available offline: it is not at {target} and {why}; "
            f"download {OFFICIAL_URL} where the network is reachable and pass checkpoint = \"/path/imagebind_huge.pth\"")

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        torch.hub.download_url_to_file(OFFICIAL_URL, str(target), progress=True)
    except Exception as exc:  # noqa: BLE001 - urllib raises many types; one line says which
        raise ModelUnavailableError(f"cannot download {OFFICIAL_URL}: {type(exc).__name__}: {first_line(exc)}; "
                                    "download it elsewhere and pass checkpoint = \"/path/imagebind_huge.pth\"") from exc
    return target


def clip_spans(n_samples: int, clips: int, rate: int = RATE, seconds: float = CLIP_SECONDS) -> list[tuple[int, int]]:
    """(start, end) sample indices of the authors' clips: ``clips`` of ``seconds`` spread evenly
    (pytorchvideo's ConstantClipsPerVideoSampler), cut as ``imagebind.data`` cuts them."""
    from fractions import Fraction

    length = Fraction(seconds).limit_denominator(1000)
    latest = max(Fraction(n_samples, rate) - length, Fraction(0))
    step = latest / max(clips - 1, 1)
    return [(int(i * step * rate), int((i * step + length) * rate)) for i in range(clips)]


def melspec(clip: Any) -> Any:
    """ImageBind's input for one clip: (1, 128, 204), normalised (``imagebind.data.waveform2melspec``)."""
    import torch
    from torchaudio.compliance import kaldi

    clip = clip - clip.mean()
    fbank = kaldi.fbank(clip[None], htk_compat=True, sample_frequency=RATE, use_energy=False, window_type="hanning",
                        num_mel_bins=MEL_BINS, dither=0.0, frame_length=25, frame_shift=10).transpose(0, 1)
    pad = TARGET_FRAMES - fbank.shape[1]
    fbank = torch.nn.functional.pad(fbank, (0, pad)) if pad > 0 else fbank[:, :TARGET_FRAMES]
    return ((fbank - MEAN) / STD)[None]


def audio_clips(samples: np.ndarray, clips: int) -> Any:
    """(clips, 1, 128, 204) for mono 16 kHz ``samples``."""
    import torch

    wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
    parts = []
    for start, end in clip_spans(len(wave), clips):
        piece = wave[start:end]
        if piece.numel() < 400:  # shorter than one 25 ms frame: zero-pad to one frame
            piece = torch.nn.functional.pad(piece, (0, 400 - piece.numel()))
        parts.append(melspec(piece))
    return torch.stack(parts)


class ImageBindScorer(EmbeddingScorer[ImageBindOptions]):
    """Scores captions against audio with ImageBind's text and audio towers."""

    Options = ImageBindOptions
    target_media = ("audio",)

    def __init__(self, options: ImageBindOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self.counters["clips_encoded"] = 0

    def reset_caches(self) -> None:
        super().reset_caches()
        self.counters["clips_encoded"] = 0

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        module = imagebind_models()
        name = self.options.checkpoint
        if self.options.random_weights:
            import torch

            torch.manual_seed(0)
            shapes = dict(RANDOM_SHAPES[self.options.random_shape])
            model = build_towers(shapes)
            path: Path | str = f"random weights ({self.options.random_shape})"
        else:
            if name == "imagebind_huge":
                path = _official_checkpoint()
            else:
                path = Path(name).expanduser()
                if not path.is_file():
                    raise ModelUnavailableError(f"ImageBind checkpoint {name!r} does not exist; pass an ImageBind .pth "
                                                "(e.g. imagebind_huge.pth) or checkpoint = \"imagebind_huge\"")
            state = read_checkpoint(path)
            shapes = infer_shapes(state)
            model = build_towers(shapes)
            try:
                model.load_state_dict(state, strict=True, assign=True)
            except RuntimeError as exc:
                raise ConfigError(f"ImageBind checkpoint {str(path)!r} does not fit its text/audio towers: "
                                  f"{first_line(exc)[:300]}") from exc
        self._model = model.to(device=self._device, dtype=self._dtype).eval()
        package: Any = sys.modules["imagebind"]
        bpe = Path(list(package.__path__)[0]) / "bpe"
        vocab = next(iter(sorted(bpe.glob("bpe_simple_vocab_16e6.txt.gz"))), None)
        if vocab is None:
            raise ConfigError(f"imagebind-unofficial has no BPE vocabulary under {bpe}; reinstall it ('{INSTALL}')")
        self._tokenizer = module.SimpleTokenizer(bpe_path=str(vocab)) if hasattr(module, "SimpleTokenizer") else (
            sys.modules["imagebind.models.multimodal_preprocessors"].SimpleTokenizer(bpe_path=str(vocab)))
        log.info("imagebind scorer loaded", checkpoint=str(path), **shapes, device=str(self._device),
                 dtype=str(self._dtype).removeprefix("torch."))

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        tokens = self._tokenizer(list(texts))
        tokens = (tokens[None] if tokens.ndim == 1 else tokens).to(self._device)
        with inference(self._device, self._dtype):
            out = self._model({"text": tokens})["text"]
        return np.asarray(to_numpy(out), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        import torch

        from mils_core.torch_utils import inference, to_numpy

        batch = torch.stack([audio_clips(as_waveform(t, RATE), self.options.clips) for t in targets])
        self.counters["clips_encoded"] += int(batch.shape[0] * batch.shape[1])
        batch = batch.to(self._device, dtype=self._dtype)
        with inference(self._device, self._dtype):
            out = self._model({"audio": batch})["audio"]
        rows = np.asarray(to_numpy(out), dtype=np.float32)
        if not np.isfinite(rows).all():
            from mils_core.errors import SampleError

            raise SampleError("ImageBind produced non-finite embeddings for this clip")
        return rows
