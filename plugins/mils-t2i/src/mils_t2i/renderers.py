"""Diffusers text-to-image renderers: ``sdxl``, ``sd3``, ``flux`` and the generic ``diffusers``.

Each renders a batch of prompts with one ``torch.Generator`` per image, seeded with the
sample's fixed render seed, so an image depends on its prompt and seed only (not on which
prompts share its batch). The core :class:`~mils_core.rendering.RenderStage` batches calls
across candidates and samples, halves the batch on out-of-memory and caches every image by
(renderer identity, prompt, seed). The search renders at ``width`` x ``height``; when
``final_size`` is set, the loop asks :meth:`DiffusersRenderer.render_final` for the best prompt
and the user's prompt once more at that size.

Images come back as PIL RGB images. An image with non-finite pixels (an fp16 overflow gives a
NaN/black frame) comes back as a float array of NaNs, which image scorers score NaN, so the
loop drops it and counts it; the renderer counts it in ``stats()["nan_images"]``.

torch and diffusers are imported in :meth:`DiffusersRenderer.load` only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import structlog

from mils_core import validators as v
from mils_core.components import Renderer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_source import first_line, hub_access, looks_like_path, missing_path_error

log = structlog.get_logger("mils.t2i")

#: Scheduler names accepted by ``scheduler`` (any diffusers scheduler class name also works).
SCHEDULER_HINT = "a diffusers scheduler class name such as 'EulerDiscreteScheduler' or 'DPMSolverMultistepScheduler'"


def _size(_instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 8 or value % 8:
        raise ConfigError(f"{attribute.name} must be a multiple of 8 of at least 8 pixels, got {value!r}")


@attrs.frozen
class DiffusersOptions:
    """Options of the diffusers renderers (each renderer changes the defaults of the first four)."""

    #: A hub id or a local pipeline folder (``save_pretrained`` output, with ``model_index.json``).
    model: str = ""
    steps: int = attrs.field(default=25, validator=v.positive_int)
    #: Classifier-free guidance scale; None: the pipeline's own default; 0: no guidance (turbo / schnell).
    guidance: float | None = attrs.field(default=None, validator=v.optional(v.non_negative))
    width: int = attrs.field(default=256, validator=_size)
    height: int = attrs.field(default=256, validator=_size)
    #: The best and the original prompt are rendered once more at this square size (0: not at all).
    final_size: int = attrs.field(default=0, validator=v.non_negative_int)
    #: Steps of the final render (0: ``steps``).
    final_steps: int = attrs.field(default=0, validator=v.non_negative_int)
    negative_prompt: str = ""
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    device: str = attrs.field(default="auto", validator=v.device)
    #: Keep the pipeline's models on the CPU and move each to the GPU while it runs (diffusers' model offload).
    cpu_offload: bool = False
    #: Replace the pipeline's scheduler by this diffusers class (same config); empty: keep it.
    scheduler: str = ""
    batch_size: int = attrs.field(default=8, validator=v.positive_int)
    #: Longest T5 prompt (SD3, FLUX); 0: the pipeline's default.
    max_sequence_length: int = attrs.field(default=0, validator=v.non_negative_int)
    #: A folder keeping every render as a PNG keyed by (renderer identity, prompt, seed, size), so an
    #: interrupted or repeated run renders nothing twice; empty: renders live in the run's memory only.
    cache_dir: str = ""


@attrs.frozen
class SdxlOptions(DiffusersOptions):
    """``sdxl``: SDXL base by default; for SDXL-Turbo use model ``stabilityai/sdxl-turbo``, steps 1, guidance 0."""

    model: str = "stabilityai/stable-diffusion-xl-base-1.0"
    steps: int = attrs.field(default=25, validator=v.positive_int)
    guidance: float | None = attrs.field(default=5.0, validator=v.optional(v.non_negative))


@attrs.frozen
class Sd3Options(DiffusersOptions):
    """``sd3``: SD3-medium, 28 steps (the paper's setting)."""

    model: str = "stabilityai/stable-diffusion-3-medium-diffusers"
    steps: int = attrs.field(default=28, validator=v.positive_int)
    guidance: float | None = attrs.field(default=7.0, validator=v.optional(v.non_negative))


@attrs.frozen
class FluxOptions(DiffusersOptions):
    """``flux``: FLUX.1-schnell, 4 steps, no guidance (the paper's setting); FLUX.1-dev takes ~28 steps, guidance 3.5."""

    model: str = "black-forest-labs/FLUX.1-schnell"
    steps: int = attrs.field(default=4, validator=v.positive_int)
    guidance: float | None = attrs.field(default=0.0, validator=v.optional(v.non_negative))


@attrs.frozen
class GenericOptions(DiffusersOptions):
    """``diffusers``: any text-to-image pipeline; ``model`` is required."""


def pipeline_source(name: str) -> tuple[str, bool]:
    """What to pass to ``from_pretrained`` for a pipeline ``name`` and whether to stay off the hub."""
    if not name:
        raise ConfigError("renderer option model is empty; give a hub id or a pipeline folder saved with save_pretrained()")
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model_index.json").is_file():
            raise ConfigError(
                f"pipeline folder {name!r} has no model_index.json; save the pipeline with pipeline.save_pretrained()"
            )
        return str(path), True
    if looks_like_path(name):
        raise missing_path_error(name, "pipeline folder saved with save_pretrained()")
    access = hub_access(name, ("model_index.json",), what="diffusers pipeline",
                        fix="pass a local pipeline folder as [renderer] model = \"/path/to/folder\"")
    return name, access.local_files_only


def folder_class(source: str) -> str | None:
    """The pipeline class a local folder's ``model_index.json`` names (None for hub names)."""
    index = Path(source) / "model_index.json"
    if not index.is_file():
        return None
    try:
        name = json.loads(index.read_text(encoding="utf-8")).get("_class_name")
    except (OSError, ValueError):
        return None
    return str(name) if name else None


def to_image(array: np.ndarray) -> Any:
    """A (H, W, 3) float image in [0, 1] as a PIL image, or a NaN array if any pixel is not finite."""
    from PIL import Image

    if not np.all(np.isfinite(array)):
        return np.full(array.shape, np.nan, dtype=np.float32)
    data = np.clip(np.rint(array * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(data, mode="RGB")


class DiffusersRenderer(Renderer[DiffusersOptions]):
    """A diffusers text-to-image pipeline as a MILS renderer; see the module docstring."""

    Options: ClassVar[type] = GenericOptions
    produces = "image"
    suffix = ".png"
    identity_ignores = frozenset({"batch_size", "device", "cpu_offload", "final_size", "final_steps", "cache_dir"})
    #: One render seed per sample, shared by all its candidates (read by the core render stage).
    seed_per_sample: ClassVar[bool] = True
    final_renders: ClassVar[bool] = True
    #: The diffusers pipeline class this renderer loads (None: AutoPipelineForText2Image, then DiffusionPipeline).
    pipeline_class: ClassVar[str | None] = None
    #: The pipeline class names this renderer accepts from a folder's model_index.json (empty: any).
    accepts: ClassVar[tuple[str, ...]] = ()
    renderer_name: ClassVar[str] = "diffusers"

    def __init__(self, options: DiffusersOptions | None = None) -> None:
        super().__init__(options)
        self._pipe: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self._tokenizers: list[Any] = []
        self.counters = {"images": 0, "batches": 0, "nan_images": 0, "truncated_prompts": 0, "final_images": 0,
                         "render_ms": 0, "disk_hits": 0}
        self._warned: set[str] = set()

    # -- loading --------------------------------------------------------------------
    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        opts = self.options
        source, local_only = pipeline_source(opts.model)
        found = folder_class(source)
        if found is not None and self.accepts and found not in self.accepts:
            raise ConfigError(
                f"pipeline {opts.model!r} is a {found}, which renderer {self.renderer_name!r} does not load "
                f"(it loads {', '.join(self.accepts)}); use the 'diffusers' renderer or a matching one"
            )
        try:
            import diffusers
        except ImportError as exc:
            raise ConfigError("the diffusers renderers need diffusers; install it with 'pip install diffusers'") from exc
        self._device = resolve_device(opts.device)
        self._dtype = resolve_dtype(opts.dtype, self._device)
        pipe = self._from_pretrained(diffusers, source, local_only)
        if opts.scheduler:
            scheduler_cls = getattr(diffusers, opts.scheduler, None)
            if scheduler_cls is None or not hasattr(scheduler_cls, "from_config"):
                raise ConfigError(f"renderer option scheduler {opts.scheduler!r} is not a diffusers scheduler; use "
                                  f"{SCHEDULER_HINT}")
            pipe.scheduler = scheduler_cls.from_config(pipe.scheduler.config)
        if opts.cpu_offload and self._device.type == "cuda":
            pipe.enable_model_cpu_offload(device=self._device)
        else:
            if opts.cpu_offload:
                log.info("cpu_offload needs a CUDA device; running on the chosen device", device=str(self._device))
            pipe = pipe.to(self._device)
        pipe.set_progress_bar_config(disable=True)
        self._pipe = pipe
        self._tokenizers = [t for t in (getattr(pipe, "tokenizer", None), getattr(pipe, "tokenizer_2", None)) if t]
        log.info("diffusers pipeline loaded", renderer=self.renderer_name, model=opts.model, pipeline=type(pipe).__name__,
                 device=str(self._device), dtype=str(self._dtype).removeprefix("torch."))

    def _from_pretrained(self, diffusers: Any, source: str, local_only: bool) -> Any:
        import warnings

        with warnings.catch_warnings():  # newer diffusers renamed torch_dtype to dtype; older ones know only torch_dtype
            warnings.filterwarnings("ignore", message=".*torch_dtype.*", category=FutureWarning)
            return self._load_pipeline(diffusers, source, local_only)

    def _load_pipeline(self, diffusers: Any, source: str, local_only: bool) -> Any:
        kwargs = {"torch_dtype": self._dtype, "local_files_only": local_only}
        try:
            if self.pipeline_class is not None:
                return getattr(diffusers, self.pipeline_class).from_pretrained(source, **kwargs)
            try:
                return diffusers.AutoPipelineForText2Image.from_pretrained(source, **kwargs)
            except ValueError:  # not a known text-to-image family: take the pipeline the folder names
                return diffusers.DiffusionPipeline.from_pretrained(source, **kwargs)
        except ImportError as exc:
            raise ConfigError(f"pipeline {self.options.model!r} needs a missing package: {first_line(exc)}") from exc
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            if Path(source).is_dir():
                raise ConfigError(f"diffusers could not load pipeline folder {source!r}: {first_line(exc)}") from exc
            raise ModelUnavailableError(
                f"diffusers could not load {source!r} (hub or cache): {first_line(exc)}; pass a local pipeline folder "
                "as [renderer] model = \"/path/to/folder\""
            ) from exc

    # -- rendering ------------------------------------------------------------------
    def _check_lengths(self, texts: list[str]) -> None:
        """Warn (once per prompt) when a prompt is longer than the CLIP text encoder reads; it is truncated."""
        for tokenizer in self._tokenizers[:1]:
            limit = int(getattr(tokenizer, "model_max_length", 77) or 77)
            for text in texts:
                if text in self._warned:
                    continue
                n = len(tokenizer(text, truncation=False)["input_ids"])
                if n > limit:
                    self._warned.add(text)
                    self.counters["truncated_prompts"] += 1
                    log.warning("prompt is longer than the text encoder reads; the rest is truncated",
                                tokens=n, limit=limit, prompt=text[:60])

    def _disk_path(self, text: str, seed: int, width: int, height: int, steps: int) -> Path | None:
        if not self.options.cache_dir:
            return None
        import hashlib

        key = hashlib.sha256(f"{self.cache_identity()}|{text}|{seed}|{width}x{height}|{steps}".encode()).hexdigest()
        return Path(self.options.cache_dir).expanduser() / "renders" / key[:2] / f"{key}.png"

    def _call(self, texts: list[str], seeds: list[int], width: int, height: int, steps: int) -> list[Any]:
        """Images of ``texts``: from the disk cache where it has them, the rest rendered in one pipeline call."""
        if not self.options.cache_dir:
            return self._render(texts, seeds, width, height, steps)
        from PIL import Image

        from mils_core.rendering import save_artifact

        paths = [self._disk_path(t, s, width, height, steps) for t, s in zip(texts, seeds, strict=True)]
        out: list[Any] = [None] * len(texts)
        for i, path in enumerate(paths):
            if path is not None and path.is_file():
                try:
                    with Image.open(path) as img:
                        out[i] = img.convert("RGB")
                    self.counters["disk_hits"] += 1
                except OSError:
                    out[i] = None  # a damaged file is rendered again
        missing = [i for i, o in enumerate(out) if o is None]
        if missing:
            made = self._render([texts[i] for i in missing], [seeds[i] for i in missing], width, height, steps)
            for i, artifact in zip(missing, made, strict=True):
                out[i] = artifact
                path = paths[i]
                if path is not None and not isinstance(artifact, np.ndarray):
                    save_artifact(self, artifact, path)
        return out

    def _render(self, texts: list[str], seeds: list[int], width: int, height: int, steps: int) -> list[Any]:
        import time

        import torch

        t0 = time.perf_counter()
        self._check_lengths(texts)
        opts = self.options
        kwargs: dict[str, Any] = {
            "prompt": texts, "num_inference_steps": steps, "width": width, "height": height, "output_type": "np",
            "generator": [torch.Generator("cpu").manual_seed(int(s)) for s in seeds],
        }
        if opts.guidance is not None:
            kwargs["guidance_scale"] = float(opts.guidance)
        if opts.negative_prompt and (opts.guidance is None or opts.guidance > 1.0):
            kwargs["negative_prompt"] = [opts.negative_prompt] * len(texts)
        if opts.max_sequence_length:
            kwargs["max_sequence_length"] = opts.max_sequence_length
        with torch.inference_mode():
            out = self._pipe(**kwargs)
        images = np.asarray(out.images, dtype=np.float32)
        self.counters["batches"] += 1
        self.counters["images"] += len(texts)
        self.counters["render_ms"] += int(round((time.perf_counter() - t0) * 1000))
        result = [to_image(img) for img in images]
        nan = sum(isinstance(r, np.ndarray) for r in result)
        if nan:
            self.counters["nan_images"] += nan
            log.warning("rendered images with non-finite pixels are dropped (an fp16 overflow? try dtype bfloat16 or "
                        "float32)", count=nan)
        return result

    def render_batch(self, texts: list[str], seeds: list[int], conditions: list[Any] | None) -> list[Any]:
        self.ensure_loaded()
        return self._call(texts, seeds, self.options.width, self.options.height, self.options.steps)

    def render_final(self, texts: list[str], seeds: list[int]) -> list[Any] | None:
        """The texts rendered at ``final_size`` (None when ``final_size`` is 0): the run's full-size answer."""
        size = self.options.final_size
        if not size:
            return None
        self.ensure_loaded()
        self.counters["final_images"] += len(texts)
        from mils_core.batching import Batcher

        steps = self.options.final_steps or self.options.steps
        batcher = Batcher(min(len(texts), self.batch_size()) or 1, name=f"{type(self).__name__} final renders")
        pairs = list(zip(texts, seeds, strict=True))
        return batcher.map(lambda b: self._call([t for t, _ in b], [s for _, s in b], size, size, steps), pairs)

    def save(self, artifact: Any, path: Path) -> None:
        if isinstance(artifact, np.ndarray):
            raise ValueError("a rendered image with non-finite pixels cannot be saved")
        artifact.save(path, format="PNG")

    def stats(self) -> dict[str, int]:
        """Counters: images rendered, batches, NaN images dropped, prompts truncated, final renders, render time."""
        return dict(self.counters)


class SdxlRenderer(DiffusersRenderer):
    """``sdxl``: StableDiffusionXLPipeline (SDXL base, SDXL-Turbo and fine-tunes)."""

    Options = SdxlOptions
    pipeline_class = "StableDiffusionXLPipeline"
    accepts = ("StableDiffusionXLPipeline",)
    renderer_name = "sdxl"


class Sd3Renderer(DiffusersRenderer):
    """``sd3``: StableDiffusion3Pipeline (SD3 / SD3.5)."""

    Options = Sd3Options
    pipeline_class = "StableDiffusion3Pipeline"
    accepts = ("StableDiffusion3Pipeline",)
    renderer_name = "sd3"


class FluxRenderer(DiffusersRenderer):
    """``flux``: FluxPipeline (FLUX.1-schnell, FLUX.1-dev)."""

    Options = FluxOptions
    pipeline_class = "FluxPipeline"
    accepts = ("FluxPipeline",)
    renderer_name = "flux"
