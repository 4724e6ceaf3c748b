"""The ``open-clip`` scorer: cosine similarity in any open_clip model's joint space.

The paper's scorer is ``ViT-SO400M-14-SigLIP`` with the ``webli`` weights. Any other
open_clip architecture and tag works, and so does a local checkpoint file or folder
(``pretrained = "/path/to/open_clip_model.safetensors"``), an ``hf-hub:org/repo`` or
``local-dir:/path`` model, or a custom architecture described by a JSON config file
(``model_config``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.components import Score
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.image import as_rgb_image
from mils_core.model_source import (
    ModelPathError,
    first_line,
    hub_access,
    hub_unavailable_reason,
    looks_like_path,
    unavailable_error,
)
from mils_core.suggest import did_you_mean

log = structlog.get_logger("mils.clip")

_CHECKPOINT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".npz")
_PREFERRED_CHECKPOINTS = (
    "open_clip_model.safetensors",
    "open_clip_pytorch_model.safetensors",
    "open_clip_pytorch_model.bin",
    "model.safetensors",
    "pytorch_model.bin",
    "model.pt",
    "model.pth",
)
_NO_WEIGHTS = ("", "none", "random")


@attrs.frozen
class OpenClipOptions:
    """Options of the ``open-clip`` scorer."""

    #: An open_clip architecture name (``open_clip.list_models()``), ``hf-hub:org/repo``,
    #: ``local-dir:/path`` or a local folder holding ``open_clip_config.json`` and weights.
    model: str = "ViT-SO400M-14-SigLIP"
    #: A pretrained tag of that architecture, a local checkpoint file or folder, or
    #: ``"none"`` for random weights (throughput measurements only).
    pretrained: str = "webli"
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    #: Texts per text-encoder batch (halved automatically on out-of-memory).
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    #: Images per image-encoder batch.
    target_batch_size: int = attrs.field(default=32, validator=v.positive_int)
    #: A JSON model config file, or a folder of them, registered with
    #: ``open_clip.add_model_config`` (custom architectures; the file stem is the model name).
    model_config: str | None = None
    #: Report ``exp(logit_scale) * cosine + logit_bias`` instead of the cosine (same ranking).
    use_logit_scale: bool = False
    #: Random weights at the architecture's real shape and a local tokenizer: no download at
    #: all (throughput benchmarks at paper scale on machines without hub access).
    random_weights: bool = False


class _LocalTokenizer:
    """open_clip's bundled CLIP BPE, padded to the model's context and folded into its vocabulary.

    Only for random-weight benchmarks: token counts and shapes are realistic, meanings are not.
    """

    def __init__(self, open_clip: Any, name: str) -> None:
        text_cfg = (open_clip.get_model_config(name) or {}).get("text_cfg", {})
        self.context_length = int(text_cfg.get("context_length", 77))
        self.vocab_size = int(text_cfg.get("vocab_size", 49408))
        self.inner = open_clip.tokenizer.SimpleTokenizer(context_length=self.context_length)

    def __call__(self, texts: list[str]) -> Any:
        return self.inner(texts, context_length=self.context_length) % self.vocab_size


def _find_checkpoint(folder: Path) -> Path | None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _CHECKPOINT_SUFFIXES)
    for name in _PREFERRED_CHECKPOINTS:
        for path in files:
            if path.name == name:
                return path
    return files[0] if len(files) == 1 else None


class OpenClipScorer(EmbeddingScorer[OpenClipOptions]):
    """Scores captions against images with an open_clip model (SigLIP, CLIP, EVA, ...)."""

    target_media = ("image",)

    Options = OpenClipOptions
    identity_ignores: ClassVar[frozenset[str]] = EmbeddingScorer.identity_ignores | {"use_logit_scale"}

    def __init__(self, options: OpenClipOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._preprocess: Any = None
        self._tokenizer: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._scale = 1.0
        self._bias = 0.0

    # -- resolving what to load -----------------------------------------------------
    def _register_config(self, open_clip: Any) -> None:
        path_text = self.options.model_config
        if not path_text:
            return
        path = Path(path_text).expanduser()
        if not path.exists():
            raise ConfigError(f"model_config {path_text!r} does not exist; give a JSON model config file or a folder")
        if path.is_file() and path.suffix != ".json":
            raise ConfigError(f"model_config {path_text!r} must be a .json file or a folder of them")
        open_clip.add_model_config(path)
        if path.is_file() and self.options.model != path.stem and self.options.model not in open_clip.list_models():
            raise ConfigError(
                f"model_config {path_text!r} registers the model {path.stem!r}; set model = {path.stem!r}"
            )

    def _model_name(self, open_clip: Any) -> tuple[str, str | None]:
        """The name to hand open_clip and, for hub/built-in names, the schema (hf-hub or None)."""
        model = self.options.model
        if model.startswith("hf-hub:"):
            return model, "hf-hub"
        if model.startswith("local-dir:"):
            folder = Path(model[len("local-dir:") :]).expanduser()
        elif looks_like_path(model) or Path(model).expanduser().is_dir():
            folder = Path(model).expanduser()
        else:
            name = model.replace("/", "-")
            if name not in open_clip.list_models():
                raise ConfigError(
                    f"open_clip has no model named {model!r}.{did_you_mean(name, open_clip.list_models())} "
                    "Use a name from open_clip.list_models(), 'hf-hub:org/repo', a local folder, "
                    "or register a JSON config with model_config"
                )
            return name, None
        if not (folder / "open_clip_config.json").is_file():
            raise ConfigError(f"model folder {str(folder)!r} has no open_clip_config.json (or does not exist)")
        return f"local-dir:{folder.resolve()}", "local-dir"

    def _pretrained(self, open_clip: Any, name: str) -> tuple[str | None, dict[str, Any]]:
        """The ``pretrained`` value for open_clip and the tag's config ({} for files)."""
        value = self.options.pretrained.strip()
        if value.lower() in _NO_WEIGHTS:
            log.warning("open-clip scorer uses RANDOM weights (pretrained = 'none'); scores are meaningless",
                        model=name)
            return None, {}
        path = Path(value).expanduser()
        if path.is_dir():
            found = _find_checkpoint(path)
            if found is None:
                raise ConfigError(
                    f"pretrained folder {value!r} holds no single checkpoint; name the file "
                    f"(one of {', '.join(_CHECKPOINT_SUFFIXES)})"
                )
            return str(found), {}
        if path.is_file():
            return str(path), {}
        tag_cfg: dict[str, Any] = open_clip.get_pretrained_cfg(name, value)
        if tag_cfg:
            return value, tag_cfg
        if looks_like_path(value):
            raise ModelPathError(f"pretrained checkpoint {value!r} does not exist; pass an existing checkpoint file or a tag")
        tags = open_clip.list_pretrained_tags_by_model(name)
        known = f"known tags: {', '.join(tags)}" if tags else "it has no known tags"
        raise ConfigError(
            f"pretrained {value!r} is neither a file nor a known tag of open_clip model {name!r} "
            f"({known}); pass a tag or a local checkpoint path"
        )

    def _check_available(self, open_clip: Any, name: str, schema: str | None, tag_cfg: dict[str, Any]) -> None:
        """Fail fast, in one line, when hub files are needed and neither cached nor reachable."""
        from open_clip.constants import HF_SAFE_WEIGHTS_NAME, HF_WEIGHTS_NAME

        hint = "pass a local checkpoint with pretrained = \"/path/to/open_clip_model.safetensors\""
        needed: list[tuple[str, str, str, list[str], str]] = []  # (what, label, repo, candidate files, fix)
        if schema == "hf-hub":
            folder_hint = "pass a local folder with model = \"/path/to/folder\" (open_clip_config.json and weights)"
            needed.append(("open_clip model", name, name[len("hf-hub:") :], ["open_clip_config.json"], folder_hint))
        elif tag_cfg:
            hub = str(tag_cfg.get("hf_hub") or "")
            label = f"{name}/{self.options.pretrained}"
            if hub:
                repo, filename = os.path.split(hub)  # 'org/repo/' means the default file names
                files = [filename] if filename else [HF_SAFE_WEIGHTS_NAME, HF_WEIGHTS_NAME]
                if filename.endswith((".bin", ".pth")):
                    files.insert(0, filename[:-4] + ".safetensors")
                needed.append(("open_clip weights", label, repo, files, hint))
            elif tag_cfg.get("url") and not tag_cfg.get("file"):
                url = str(tag_cfg["url"])
                cached = Path("~/.cache/clip").expanduser() / os.path.basename(url)
                reason = None if cached.is_file() else hub_unavailable_reason()
                if reason:
                    raise unavailable_error(label, reason, hint, what="open_clip weights",
                                            download=f"download {url} into ~/.cache/clip")
        if schema is None:
            text_cfg = (open_clip.get_model_config(name) or {}).get("text_cfg", {})
            tok = text_cfg.get("hf_tokenizer_name")
            if tok and not Path(str(tok)).expanduser().exists():
                tok_hint = (
                    "pass a local tokenizer folder as text_cfg.hf_tokenizer_name in a JSON config "
                    "given with model_config, or a local model folder"
                )
                needed.append(("open_clip tokenizer", str(tok), str(tok), ["tokenizer_config.json"], tok_hint))
        for what, label, repo, files, fix in needed:
            # open_clip cannot be told local_files_only: it would retry downloads of cached files
            hub_access(repo, files, fix=fix, what=what, name=label, loader_stays_local=False)

    def _preprocess_overrides(self, open_clip: Any, name: str, tag_cfg: dict[str, Any], pretrained: str | None) -> (
        dict[str, Any]
    ):
        """For a local checkpoint of a built-in model, the preprocessing its published tags share."""
        if tag_cfg or pretrained is None or name.startswith(("hf-hub:", "local-dir:")):
            return {}
        seen = set()
        for tag in open_clip.list_pretrained_tags_by_model(name):
            cfg = open_clip.get_pretrained_cfg(name, tag)
            seen.add((tuple(cfg.get("mean", ())), tuple(cfg.get("std", ())), cfg.get("interpolation"),
                      cfg.get("resize_mode")))
        if len(seen) != 1:
            return {}
        mean, std, interpolation, resize_mode = seen.pop()
        out: dict[str, Any] = {}
        if mean:
            out["image_mean"] = mean
        if std:
            out["image_std"] = std
        if interpolation:
            out["image_interpolation"] = interpolation
        if resize_mode:
            out["image_resize_mode"] = resize_mode
        return out

    # -- Component API --------------------------------------------------------------
    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        import open_clip

        self._register_config(open_clip)
        name, schema = self._model_name(open_clip)
        if self.options.random_weights:
            self._load_random(open_clip, name)
            return
        pretrained, tag_cfg = (None, {}) if schema else self._pretrained(open_clip, name)
        self._check_available(open_clip, name, schema, tag_cfg)
        kwargs = self._preprocess_overrides(open_clip, name, tag_cfg, pretrained)
        local = schema == "local-dir" or (pretrained is not None and not tag_cfg)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                name, pretrained=pretrained, device=self._device, **kwargs
            )
            tokenizer = open_clip.get_tokenizer(name)
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            if local:
                raise ConfigError(
                    f"open_clip could not load model {self.options.model!r} from "
                    f"{pretrained or self.options.model!r}: {first_line(exc)}"
                ) from exc
            reason = hub_unavailable_reason()
            if reason:
                raise unavailable_error(f"{name}/{self.options.pretrained}", reason,
                                        "pass a local checkpoint with pretrained = \"/path/to/checkpoint\"",
                                        what="open_clip model") from exc
            raise ModelUnavailableError(
                f"open_clip could not load {name!r} with pretrained {self.options.pretrained!r}: {first_line(exc)}"
            ) from exc
        self._finish(model, preprocess, tokenizer)
        log.info("open-clip scorer loaded", model=name, pretrained=pretrained, device=str(self._device),
                 dtype=str(self._dtype).removeprefix("torch."))

    def _load_random(self, open_clip: Any, name: str) -> None:
        log.warning("open-clip scorer uses RANDOM weights (random_weights = true); scores are meaningless",
                    model=name)
        model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=None, device=self._device)
        self._finish(model, preprocess, _LocalTokenizer(open_clip, name))

    def _finish(self, model: Any, preprocess: Any, tokenizer: Any) -> None:
        import torch

        if self._dtype != torch.float32:
            model = model.to(dtype=self._dtype)
        model.eval()
        self._model, self._preprocess, self._tokenizer = model, preprocess, tokenizer
        scale = getattr(model, "logit_scale", None)
        bias = getattr(model, "logit_bias", None)
        self._scale = float(scale.detach().float().exp().reshape(-1)[0]) if scale is not None else 1.0
        self._bias = float(bias.detach().float().reshape(-1)[0]) if bias is not None else 0.0

    # -- EmbeddingScorer API --------------------------------------------------------
    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        tokens = self._tokenizer(texts).to(self._device)
        with inference(self._device, self._dtype):
            features = self._model.encode_text(tokens)
        return np.asarray(to_numpy(features), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        import torch

        from mils_core.torch_utils import inference, to_numpy

        pixels = torch.stack([self._preprocess(as_rgb_image(t)) for t in targets])
        pixels = pixels.to(self._device, dtype=self._dtype)
        with inference(self._device, self._dtype):
            features = self._model.encode_image(pixels)
        return np.asarray(to_numpy(features), dtype=np.float32)

    # -- optional logit scale -------------------------------------------------------
    def logit_scale_and_bias(self) -> tuple[float, float]:
        """The model's ``exp(logit_scale)`` and ``logit_bias`` (1 and 0 if it has none)."""
        self.ensure_loaded()
        return self._scale, self._bias

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        rows = super().score(handles, texts)
        if not self.options.use_logit_scale:
            return rows
        return [[self._scale * float(v) + self._bias for v in row] for row in rows]  # type: ignore[arg-type]

    def score_matrix(self, handles: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        matrix = super().score_matrix(handles, texts)
        if not self.options.use_logit_scale:
            return matrix
        return matrix * self._scale + self._bias
