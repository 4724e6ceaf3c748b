"""The ``viclip`` scorer: ViCLIP (InternVid, Wang et al. 2023), implemented here and loaded from the official file.

ViCLIP is a CLIP ViT-L/14 whose vision tower attends over the tokens of all frames at once
(spatio-temporal attention) and a CLIP text tower. This module is this project's own
implementation of that architecture, written from the published model description and the
layout of the released checkpoints; parameter names follow the checkpoint, so the official
state dict loads with ``load_state_dict(strict=True)``.

Vision tower (``vision_encoder.*``), for a clip of ``T`` frames of ``S x S`` pixels:

1. ``conv1``: a 3-D convolution without bias whose kernel and stride are
   ``(kernel_size, patch, patch)`` (``kernel_size`` = 1 for the released models): ``T/kernel_size``
   temporal positions times ``(S/patch)^2`` patches, each a ``width``-vector;
2. ``positional_embedding`` (``(S/patch)^2 + 1`` rows): row 0 is added to ``class_embedding``,
   the other rows to the patches of every frame;
3. ``temporal_positional_embedding`` (``1 x frames x width``): row ``t`` is added to every patch
   of temporal position ``t`` (a single temporal position gets the mean of the rows);
4. the sequence is the class token followed by the patch tokens ordered patch-major
   (all temporal positions of patch 0, then of patch 1, ...); ``ln_pre``;
5. ``transformer.resblocks.N``: pre-LayerNorm blocks, ``x + attn(ln_1(x))`` then
   ``x + mlp(ln_2(x))`` with a 4x MLP (``c_fc``, QuickGELU, ``c_proj``) and multi-head attention
   stored as one packed ``in_proj_weight``/``in_proj_bias`` (q, k, v rows) and ``out_proj``;
   no attention mask;
6. ``ln_post`` on the class token, times ``proj`` (``width x embed_dim``).

Text tower (``text_encoder.*``): ``token_embedding`` plus ``positional_embedding``
(``context_length`` rows: 32 for the released models), the same blocks under a causal mask,
``ln_final`` (computed in float32), the row of the end-of-text token (the largest id in the
sequence) times ``text_projection``. Tokens are CLIP's BPE (the same 49,408-token vocabulary
and text cleaning, taken from ``open_clip.tokenizer.SimpleTokenizer``): start token, the text,
end token, truncated to ``context_length`` with the end token kept last.

``temp`` (a scalar, the training temperature; logits are cosine / temp) is loaded but plays no
part in embeddings: this scorer's scores are cosines.

Nothing here imports torch at module import time.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError
from mils_core.media.video import as_frames
from mils_core.model_source import ModelPathError, first_line, hub_file, looks_like_path, missing_path_error

__all__ = [
    "CLIP_MEAN",
    "CLIP_STD",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "VARIANT_FILES",
    "VICLIP_L14",
    "ViClipConfig",
    "ViClipOptions",
    "ViClipScorer",
    "build_model",
    "config_from_state_dict",
    "preprocess_frames",
    "read_state_dict",
    "tokenize",
]

log = structlog.get_logger("mils.video")

#: The hub repo of the official ViCLIP weights (gated: accept its terms on the hub, then log in).
HUB_REPO = "OpenGVLab/ViCLIP"
#: The official checkpoint file of each variant. The 10M-FLT file is in the hub repo; the 200M
#: file was published on the authors' object store (see :data:`VARIANT_URLS`), not the hub.
VARIANT_FILES = {"10m-flt": "ViClip-InternVid-10M-FLT.pth", "200m": "ViCLIP-L_InternVid-200M.pth"}
VARIANT_URLS = {
    "10m-flt": f"https://huggingface.co/{HUB_REPO}/resolve/main/ViClip-InternVid-10M-FLT.pth",
    "200m": "https://pjlab-gvm-data.oss-cn-shanghai.aliyuncs.com/internvideo/viclip/ViCLIP-L_InternVid-200M.pth",
}

#: The normalisation of the authors' ViCLIP demo (``Data/InternVid/viclip/__init__.py`` of
#: OpenGVLab/InternVideo, ``normalize``): ImageNet's mean and std, on RGB values in [0, 1].
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: OpenAI CLIP's normalisation (its ``_transform``), offered as ``normalize = "clip"``.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
_NORMS = {"imagenet": (IMAGENET_MEAN, IMAGENET_STD), "clip": (CLIP_MEAN, CLIP_STD)}

#: Checkpoint wrappers: the state dict may sit under one of these keys (nested any depth).
_WRAPPER_KEYS = ("model", "state_dict", "module", "model_state")
_PREFIXES = ("module.", "model.")
_HEAD_DIM = 64


@attrs.frozen
class ViClipConfig:
    """The shapes of a ViCLIP model (defaults: the released ViCLIP-L/14)."""

    vision_width: int = 1024
    vision_layers: int = 24
    vision_heads: int = 16
    patch_size: int = 14
    image_size: int = 224
    #: Temporal positions of the vision tower (frames / kernel_size): rows of the temporal embedding.
    frames: int = 8
    #: Frames per tubelet (temporal kernel and stride of ``conv1``).
    kernel_size: int = 1
    embed_dim: int = 768
    text_width: int = 768
    text_layers: int = 12
    text_heads: int = 12
    context_length: int = 32
    vocab_size: int = 49408
    text_embed_dim: int = 768


VICLIP_L14 = ViClipConfig()


# -- the torch modules (built on first use, so that importing this module stays light) --------
@functools.cache
def _modules() -> Any:
    import torch
    import torch.nn.functional as F
    from torch import nn

    class LayerNorm(nn.LayerNorm):
        """LayerNorm computed in float32, returned in the input's dtype."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = F.layer_norm(x.float(), self.normalized_shape, self.weight.float(), self.bias.float(), self.eps)
            result: torch.Tensor = out.to(x.dtype)
            return result

    class QuickGELU(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * torch.sigmoid(1.702 * x)

    class Attention(nn.Module):
        """Multi-head self-attention with packed q/k/v projections (batch first)."""

        def __init__(self, width: int, heads: int) -> None:
            super().__init__()
            if heads < 1 or width % heads:
                raise ConfigError(f"a width of {width} cannot be split into {heads} attention heads; "
                                  "set vision_heads / text_heads to a divisor of the width")
            self.heads = heads
            self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
            self.out_proj = nn.Linear(width, width)

        def forward(self, x: torch.Tensor, causal: bool) -> torch.Tensor:
            batch, length, width = x.shape
            qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
            qkv = qkv.view(batch, length, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4)
            out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=causal)
            result: torch.Tensor = self.out_proj(out.transpose(1, 2).reshape(batch, length, width))
            return result

    class Mlp(nn.Module):
        def __init__(self, width: int) -> None:
            super().__init__()
            self.c_fc = nn.Linear(width, 4 * width)
            self.gelu = QuickGELU()
            self.c_proj = nn.Linear(4 * width, width)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = self.c_proj(self.gelu(self.c_fc(x)))
            return result

    class Block(nn.Module):
        def __init__(self, width: int, heads: int) -> None:
            super().__init__()
            self.attn = Attention(width, heads)
            self.ln_1 = LayerNorm(width)
            self.mlp = Mlp(width)
            self.ln_2 = LayerNorm(width)

        def forward(self, x: torch.Tensor, causal: bool) -> torch.Tensor:
            x = x + self.attn(self.ln_1(x), causal)
            result: torch.Tensor = x + self.mlp(self.ln_2(x))
            return result

    class Stack(nn.Module):
        def __init__(self, width: int, layers: int, heads: int) -> None:
            super().__init__()
            self.resblocks = nn.ModuleList(Block(width, heads) for _ in range(layers))

        def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
            for block in self.resblocks:
                x = block(x, causal)
            return x

    class VisionTower(nn.Module):
        def __init__(self, cfg: ViClipConfig) -> None:
            super().__init__()
            width, grid = cfg.vision_width, cfg.image_size // cfg.patch_size
            self.kernel_size = cfg.kernel_size
            kernel = (cfg.kernel_size, cfg.patch_size, cfg.patch_size)
            self.conv1 = nn.Conv3d(3, width, kernel, kernel, bias=False)
            scale = width**-0.5
            self.class_embedding = nn.Parameter(scale * torch.randn(width))
            self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
            self.temporal_positional_embedding = nn.Parameter(torch.zeros(1, cfg.frames, width))
            self.ln_pre = LayerNorm(width)
            self.transformer = Stack(width, cfg.vision_layers, cfg.vision_heads)
            self.ln_post = LayerNorm(width)
            self.proj = nn.Parameter(scale * torch.randn(width, cfg.embed_dim))

        def forward(self, video: torch.Tensor) -> torch.Tensor:
            """(B, T, 3, S, S) normalised frames -> (B, embed_dim) (not normalised)."""
            x = self.conv1(video.permute(0, 2, 1, 3, 4))  # (B, width, T', grid, grid)
            batch, width, steps = x.shape[:3]
            x = x.flatten(3).permute(0, 2, 3, 1)  # (B, T', patches, width)
            x = x + self.positional_embedding[1:].to(x.dtype)
            temporal = self.temporal_positional_embedding[0].to(x.dtype)
            if steps == 1:
                x = x + temporal.mean(0)
            else:
                x = x + temporal[:, None, :]
            x = x.transpose(1, 2).reshape(batch, -1, width)  # patch-major: (p0 t0, p0 t1, ..., p1 t0, ...)
            cls = (self.class_embedding + self.positional_embedding[0]).to(x.dtype).expand(batch, 1, width)
            x = self.ln_pre(torch.cat([cls, x], dim=1))
            x = self.transformer(x)
            result: torch.Tensor = self.ln_post(x[:, 0]) @ self.proj.to(x.dtype)
            return result

    class TextTower(nn.Module):
        def __init__(self, cfg: ViClipConfig) -> None:
            super().__init__()
            self.context_length = cfg.context_length
            self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.text_width)
            self.positional_embedding = nn.Parameter(0.01 * torch.randn(cfg.context_length, cfg.text_width))
            self.transformer = Stack(cfg.text_width, cfg.text_layers, cfg.text_heads)
            self.ln_final = LayerNorm(cfg.text_width)
            self.text_projection = nn.Parameter(cfg.text_width**-0.5 * torch.randn(cfg.text_width, cfg.text_embed_dim))

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            """(B, L <= context_length) token ids, zero-padded -> (B, text_embed_dim) (not normalised)."""
            length = tokens.shape[1]
            x = self.token_embedding(tokens) + self.positional_embedding[:length]
            x = self.ln_final(self.transformer(x, causal=True))
            eot = tokens.argmax(dim=-1)
            result: torch.Tensor = x[torch.arange(x.shape[0], device=x.device), eot] @ self.text_projection.to(x.dtype)
            return result

    class ViClip(nn.Module):
        def __init__(self, cfg: ViClipConfig) -> None:
            super().__init__()
            self.config = cfg
            self.vision_encoder = VisionTower(cfg)
            self.text_encoder = TextTower(cfg)
            self.temp = nn.Parameter(torch.tensor(0.01))
            for block in [*self.vision_encoder.transformer.resblocks, *self.text_encoder.transformer.resblocks]:
                nn.init.normal_(block.attn.in_proj_weight, std=block.attn.out_proj.in_features**-0.5)

        def encode_video(self, video: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = self.vision_encoder(video)
            return result

        def encode_text(self, tokens: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = self.text_encoder(tokens)
            return result

    return ViClip


def build_model(config: ViClipConfig = VICLIP_L14) -> Any:
    """A randomly initialised ViCLIP torch module of these shapes (parameter names as the official checkpoint)."""
    return _modules()(config)


# -- checkpoints ---------------------------------------------------------------------------------
def _stub_class(qualified: str) -> type:
    """An inert stand-in for a Python class pickled in a checkpoint beside its tensors (a training
    config, say): "constructing" it gives an empty ``OrderedDict`` that takes the pickled items and
    attributes; nothing of the original class is imported or run."""
    from collections import OrderedDict

    def _new(cls: type, *args: Any, **kwargs: Any) -> OrderedDict[Any, Any]:
        return OrderedDict()

    module, _, name = qualified.rpartition(".")
    return type(name or qualified, (), {"__new__": staticmethod(_new), "__module__": module or "stub"})


_GLOBAL = re.compile(r"GLOBAL ([A-Za-z_][\w.]*)")
_MAX_STUBS = 16


def _torch_load(path: Path) -> Any:
    """``torch.load(weights_only=True)``; Python classes pickled beside the tensors (the 200M file
    has some) are replaced by inert stand-ins, never imported or run."""
    import pickle

    import torch

    stubs: list[Any] = []
    while True:
        try:
            with torch.serialization.safe_globals(stubs):
                return torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            found = _GLOBAL.search(str(exc))
            if found is None or len(stubs) >= _MAX_STUBS or found.group(1).startswith(("torch.", "builtins.")):
                raise ConfigError(f"checkpoint {str(path)!r} cannot be read as weights only: {first_line(exc)}; "
                                  "save its state dict alone with torch.save(state_dict, path)") from exc
            log.info("checkpoint pickles a Python class beside its weights; read as an inert stand-in",
                     path=str(path), name=found.group(1))
            stubs.append((_stub_class(found.group(1)), found.group(1)))


def _find_state_dict(obj: Any, depth: int = 0) -> dict[str, Any] | None:
    import torch

    if not isinstance(obj, dict) or depth > 3:
        return None
    tensors = {k: t for k, t in obj.items() if isinstance(k, str) and isinstance(t, torch.Tensor)}
    if any(k.startswith(("vision_encoder.", "text_encoder.")) or k.startswith(_PREFIXES) for k in tensors):
        return tensors
    for key in _WRAPPER_KEYS:
        found = _find_state_dict(obj.get(key), depth + 1)
        if found is not None:
            return found
    return None


def read_state_dict(path: str | Path) -> dict[str, Any]:
    """The ViCLIP state dict in a checkpoint file (under ``model``/``state_dict``/... when wrapped,
    ``module.``/``model.`` prefixes removed), read with ``torch.load(..., weights_only=True)``."""
    path = Path(path)
    try:
        obj = _torch_load(path)
    except ConfigError:
        raise
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise ConfigError(f"cannot read ViCLIP checkpoint {str(path)!r}: {first_line(exc)}") from exc
    state = _find_state_dict(obj)
    if state is None:
        raise ConfigError(f"{str(path)!r} holds no ViCLIP weights (no vision_encoder.* / text_encoder.* tensors); "
                          "pass the official ViClip-InternVid-10M-FLT.pth or a file saved the same way")
    for prefix in _PREFIXES:
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: t for k, t in state.items()}
    return state


def _layers(state: dict[str, Any], prefix: str) -> int:
    found = {int(m.group(1)) for k in state if (m := re.match(re.escape(prefix) + r"(\d+)\.", k))}
    return max(found) + 1 if found else 0


def config_from_state_dict(state: dict[str, Any], *, vision_heads: int | None = None,
                           text_heads: int | None = None) -> ViClipConfig:
    """The shapes of the model a state dict belongs to. Head counts are not stored in the weights:
    by default ``width / 64`` (16 and 12 for ViCLIP-L/14, as released)."""
    try:
        conv = state["vision_encoder.conv1.weight"]  # (width, 3, kernel, patch, patch)
        positions = state["vision_encoder.positional_embedding"].shape[0] - 1
        vision_width, patch = int(conv.shape[0]), int(conv.shape[-1])
        text_width = int(state["text_encoder.token_embedding.weight"].shape[1])
        grid = round(positions**0.5)
        if grid * grid != positions:
            raise ConfigError(f"the vision positional embedding has {positions} patch rows, not a square grid")
        return ViClipConfig(
            vision_width=vision_width, vision_layers=_layers(state, "vision_encoder.transformer.resblocks."),
            vision_heads=vision_heads or max(1, vision_width // _HEAD_DIM), patch_size=patch, image_size=grid * patch,
            frames=int(state["vision_encoder.temporal_positional_embedding"].shape[1]),
            kernel_size=int(conv.shape[2]), embed_dim=int(state["vision_encoder.proj"].shape[1]),
            text_width=text_width, text_layers=_layers(state, "text_encoder.transformer.resblocks."),
            text_heads=text_heads or max(1, text_width // _HEAD_DIM),
            context_length=int(state["text_encoder.positional_embedding"].shape[0]),
            vocab_size=int(state["text_encoder.token_embedding.weight"].shape[0]),
            text_embed_dim=int(state["text_encoder.text_projection"].shape[1]),
        )
    except KeyError as exc:
        raise ConfigError(f"not a ViCLIP state dict: it has no {exc.args[0]!r}") from exc


def _fit_temporal(state: dict[str, Any], steps: int) -> dict[str, Any]:
    """Adapt the temporal embedding to ``steps`` temporal positions as the authors' loader does
    (fewer: the first rows; more: linear interpolation over time)."""
    import torch.nn.functional as F

    key = "vision_encoder.temporal_positional_embedding"
    old = state[key]
    if old.shape[1] == steps:
        return state
    if steps < old.shape[1]:
        new = old[:, :steps]
    else:
        new = F.interpolate(old.float().transpose(1, 2), size=steps, mode="linear").transpose(1, 2).to(old.dtype)
    log.info("temporal embedding adapted", frames_in_checkpoint=int(old.shape[1]), frames=steps)
    return {**state, key: new.contiguous()}


# -- tokens and pixels ---------------------------------------------------------------------------
@functools.cache
def _tokenizer() -> Any:
    try:
        from open_clip.tokenizer import SimpleTokenizer
    except ImportError as exc:
        raise ConfigError("the viclip scorer needs open_clip's CLIP tokenizer; run 'pip install open_clip_torch'") from exc
    return SimpleTokenizer()


def tokenize(texts: list[str], context_length: int, *, pad_to: int | None = None) -> np.ndarray:
    """CLIP BPE ids: start token, text, end token; truncated to ``context_length`` (end token kept
    last); zero-padded to ``pad_to`` (default: the longest in the batch)."""
    tok = _tokenizer()
    rows = []
    for text in texts:
        ids = [tok.sot_token_id, *tok.encode(text), tok.eot_token_id]
        if len(ids) > context_length:
            ids = [*ids[: context_length - 1], tok.eot_token_id]
        rows.append(ids)
    width = pad_to or max((len(r) for r in rows), default=1)
    out = np.zeros((len(rows), width), dtype=np.int64)
    for i, ids in enumerate(rows):
        out[i, : len(ids)] = ids
    return out


def preprocess_frames(stack: np.ndarray, size: int, *, resize: str = "stretch", normalize: str = "imagenet") -> Any:
    """uint8 (T, H, W, 3) RGB frames -> float32 (T, 3, size, size): resized bilinearly (``stretch``: to
    size x size as the authors' demo does; ``center-crop``: shorter side to size, then the centre),
    scaled to [0, 1] and normalised with ``normalize``'s mean and std."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(stack)).permute(0, 3, 1, 2).float()
    height, width = x.shape[-2:]
    if resize == "center-crop":
        scale = size / min(height, width)
        new = (max(size, round(height * scale)), max(size, round(width * scale)))
        if new != (height, width):
            x = F.interpolate(x, size=new, mode="bilinear", align_corners=False, antialias=True)
        top, left = (new[0] - size) // 2, (new[1] - size) // 2
        x = x[..., top : top + size, left : left + size]
    elif (height, width) != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    mean, std = _NORMS[normalize]
    x = x / 255.0
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


# -- the scorer ----------------------------------------------------------------------------------
@attrs.frozen
class ViClipOptions:
    """Options of the ``viclip`` scorer."""

    #: The hub repo of the official weights, a local checkpoint file (.pth), or a folder holding the variant's file.
    model: str = HUB_REPO
    #: Which official checkpoint: ``10m-flt`` (InternVid-10M-FLT, the paper's) or ``200m`` (InternVid-200M).
    variant: str = attrs.field(default="10m-flt", validator=v.one_of(tuple(VARIANT_FILES)))
    #: Frames per clip (the released models were trained with 8; other counts adapt the temporal embedding).
    frames: int = attrs.field(default=8, validator=v.positive_int)
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=4, validator=v.positive_int)
    #: ``stretch`` (to the model's size, as the authors' demo) or ``center-crop`` (aspect kept).
    resize: str = attrs.field(default="stretch", validator=v.one_of(("stretch", "center-crop")))
    #: Pixel normalisation: ``imagenet`` (the authors' demo) or ``clip`` (OpenAI CLIP's mean/std).
    normalize: str = attrs.field(default="imagenet", validator=v.one_of(tuple(_NORMS)))
    #: Attention heads, for custom checkpoints and tests only (default: width / 64, as released).
    vision_heads: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))
    text_heads: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))


class ViClipScorer(EmbeddingScorer[ViClipOptions]):
    """Scores captions against videos with ViCLIP's video and text embeddings (cosine)."""

    Options = ViClipOptions
    target_media = ("video",)

    def __init__(self, options: ViClipOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._config: ViClipConfig | None = None

    @property
    def config(self) -> ViClipConfig | None:
        """The loaded model's shapes (None before loading)."""
        return self._config

    def checkpoint_path(self) -> Path:
        """The checkpoint file to read: a local file, the variant's file in a local folder, or the hub's copy."""
        name, filename = self.options.model, VARIANT_FILES[self.options.variant]
        path = Path(name).expanduser()
        if path.is_file():
            return path
        if path.is_dir():
            if (path / filename).is_file():
                return path / filename
            others = sorted(p for p in path.iterdir() if p.suffix in (".pth", ".pt") and p.is_file())
            if len(others) == 1:
                return others[0]
            raise ModelPathError(f"model folder {name!r} has no {filename} (variant {self.options.variant!r})"
                                 + (f" and {len(others)} other checkpoints" if others else "")
                                 + "; pass the checkpoint file itself as model = \"/path/to/file.pth\"")
        if looks_like_path(name):
            raise missing_path_error(name, f"ViCLIP checkpoint file ({filename})")
        fix = (f"download {VARIANT_URLS[self.options.variant]} and pass the file as model = \"/path/{filename}\""
               + (" (the hub repo is gated: accept its terms and log in first)" if name == HUB_REPO else ""))
        return hub_file(name, filename, fix=fix, what="ViCLIP checkpoint")

    def load(self) -> None:
        from mils_core.torch_utils import require_torch, resolve_device, resolve_dtype

        require_torch()
        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        path = self.checkpoint_path()
        state = read_state_dict(path)
        cfg = config_from_state_dict(state, vision_heads=self.options.vision_heads, text_heads=self.options.text_heads)
        if self.options.frames % cfg.kernel_size:
            raise ConfigError(f"frames = {self.options.frames} is not a multiple of the checkpoint's temporal "
                              f"kernel ({cfg.kernel_size} frames per tubelet)")
        steps = self.options.frames // cfg.kernel_size
        cfg = attrs.evolve(cfg, frames=steps)
        state = _fit_temporal(state, steps)
        model = build_model(cfg)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ConfigError(f"checkpoint {str(path)!r} does not match the ViCLIP layout: {first_line(exc)}") from exc
        self._model = model.to(device=self._device, dtype=self._dtype).eval()
        self._config = cfg
        _tokenizer()
        log.info("viclip scorer loaded", path=str(path), variant=self.options.variant, frames=self.options.frames,
                 width=cfg.vision_width, layers=cfg.vision_layers, device=str(self._device),
                 dtype=str(self._dtype).removeprefix("torch."))

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        from mils_core.torch_utils import inference, to_numpy

        assert self._config is not None
        tokens = torch.from_numpy(tokenize(texts, self._config.context_length)).to(self._device)
        with inference(self._device, self._dtype):
            features = self._model.encode_text(tokens)
        return np.asarray(to_numpy(features), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        import torch

        from mils_core.torch_utils import inference, to_numpy

        cfg = self._config
        assert cfg is not None
        frames = self.options.frames
        videos = torch.stack([
            preprocess_frames(as_frames(t, frames), cfg.image_size, resize=self.options.resize,
                              normalize=self.options.normalize)
            for t in targets
        ]).to(self._device, dtype=self._dtype)
        with inference(self._device, self._dtype):
            features = self._model.encode_video(videos)
        return np.asarray(to_numpy(features), dtype=np.float32)

