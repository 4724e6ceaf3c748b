"""The ``hf-clap`` scorer: a transformers CLAP model (``ClapModel`` + ``ClapProcessor``) by hub name or folder.

``laion/clap-htsat-unfused``, ``laion/clap-htsat-fused``, ``laion/larger_clap_general``,
``laion/larger_clap_music_and_speech`` and folders saved with ``save_pretrained`` (model, tokenizer
and feature extractor) all load. Audio is resampled to the feature extractor's rate (48 kHz) and cut
into its window (10 s) by :func:`mils_core.media.audio.windows`: shorter clips are repeat-padded,
longer ones give up to ``max_windows`` evenly spread windows whose normalised embeddings are averaged.
Every window is exactly one window long, so the extractor neither crops at random nor fuses, and a
file always gets the same embedding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_audio.common import features_of, pooled, to_device, window_batch
from mils_core import validators as v
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import PAD_MODES
from mils_core.model_source import first_line, pretrained_source

__all__ = ["HfClapOptions", "HfClapScorer"]

log = structlog.get_logger("mils.audio")

FOLDER_FIX = "pass a local folder saved with save_pretrained() (model, tokenizer, feature extractor) as model = \"/path\""


@attrs.frozen
class HfClapOptions:
    """Options of the ``hf-clap`` scorer."""

    #: A Hugging Face hub id or a local folder saved with ``save_pretrained``.
    model: str = "laion/clap-htsat-unfused"
    #: Windows a long clip is cut into (at most), their embeddings averaged.
    max_windows: int = attrs.field(default=4, validator=v.positive_int)
    #: How a clip shorter than the window is filled: ``repeat`` (CLAP's repeatpad) or ``zero``.
    pad: str = attrs.field(default="repeat", validator=v.one_of(PAD_MODES))
    #: Random weights of ``random_shape`` instead of ``model`` (``mils bench --random-weights``: the cost at
    #: that size with no download; scores are meaningless). The tokenizer is a byte-level BPE trained on the pool.
    random_weights: bool = False
    #: ``htsat-unfused`` (laion/clap-htsat-unfused's config: HTSAT-tiny audio, RoBERTa-base text) or ``tiny``.
    random_shape: str = attrs.field(default="htsat-unfused", validator=v.one_of(("htsat-unfused", "tiny")))
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    target_batch_size: int = attrs.field(default=8, validator=v.positive_int)


def random_clap(shape: str) -> tuple[Any, Any, Any]:
    """A ClapModel of ``shape`` with random weights, a byte-level BPE RoBERTa tokenizer trained on the shipped
    pool (a second), and the feature extractor of that shape (48 kHz, 10 s; tiny: 16 kHz, 2 s)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import ClapConfig, ClapFeatureExtractor, ClapModel, RobertaTokenizerFast

    from mils_audio.task import builtin_pool

    vocab = 20000 if shape == "htsat-unfused" else 400
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(builtin_pool()[:6000], trainers.BpeTrainer(
        vocab_size=vocab, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    bpe.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    specials: dict[str, Any] = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
                "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}
    tokenizer = RobertaTokenizerFast(tokenizer_object=bpe, model_max_length=77, **specials)
    torch.manual_seed(0)
    if shape == "htsat-unfused":
        config, extractor = ClapConfig(), ClapFeatureExtractor()
    else:
        config = ClapConfig(
            text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                             num_attention_heads=2, max_position_embeddings=79, pad_token_id=1),
            audio_config=dict(window_size=8, spec_size=64, num_mel_bins=16, patch_embeds_hidden_size=8, depths=[1, 1],
                              num_attention_heads=[1, 2], hidden_size=16, patch_size=4, patch_stride=[4, 4]),
            projection_dim=16)
        extractor = ClapFeatureExtractor(feature_size=16, sampling_rate=16000, max_length_s=2, hop_length=160,
                                         fft_window_size=400, frequency_min=50, frequency_max=8000)
    model: Any = ClapModel(config)
    return model.eval(), tokenizer, extractor


class HfClapScorer(EmbeddingScorer[HfClapOptions]):
    """Scores captions against audio with a transformers CLAP model's text and audio towers."""

    Options = HfClapOptions
    target_media = ("audio",)

    def __init__(self, options: HfClapOptions | None = None) -> None:
        super().__init__(options)
        self._model: Any = None
        self._tokenizer: Any = None
        self._extractor: Any = None
        self._device: Any = None
        self._dtype: Any = None
        self.sample_rate = 48000
        self.window = 480000
        self._text_length = 77
        self._truncation = "rand_trunc"
        self.counters["windows_encoded"] = 0

    def reset_caches(self) -> None:
        super().reset_caches()
        self.counters["windows_encoded"] = 0

    def load(self) -> None:
        from mils_core.torch_utils import resolve_device, resolve_dtype

        self._device = resolve_device(self.options.device)
        self._dtype = resolve_dtype(self.options.dtype, self._device)
        name = self.options.model
        if self.options.random_weights:
            model, tokenizer, extractor = random_clap(self.options.random_shape)
            name = f"random weights ({self.options.random_shape})"
        else:
            model, tokenizer, extractor = self._load_pretrained(name)
        self._setup(name, model, tokenizer, extractor)

    def _load_pretrained(self, name: str) -> tuple[Any, Any, Any]:
        source, local_only = pretrained_source(name, "CLAP model")
        from transformers import AutoFeatureExtractor, AutoTokenizer, ClapModel

        try:
            model = ClapModel.from_pretrained(source, local_files_only=local_only)
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
            extractor = AutoFeatureExtractor.from_pretrained(source, local_files_only=local_only)  # type: ignore[no-untyped-call]
        except ImportError as exc:
            raise ConfigError(f"CLAP model {name!r} needs a missing package: {first_line(exc)}") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if Path(source).is_dir():
                raise ConfigError(f"transformers could not load CLAP model {source!r}: {first_line(exc)}") from exc
            raise ModelUnavailableError(f"transformers could not load CLAP model {source!r} (hub or cache): "
                                        f"{first_line(exc)}; {FOLDER_FIX}") from exc
        for method in ("get_text_features", "get_audio_features"):
            if not hasattr(model, method):
                raise ConfigError(f"model {name!r} is a {type(model).__name__}, which has no {method}; use a CLAP model")
        return model, tokenizer, extractor

    def _setup(self, name: str, model: Any, tokenizer: Any, extractor: Any) -> None:
        self.sample_rate = int(getattr(extractor, "sampling_rate", 48000))
        seconds = float(getattr(extractor, "max_length_s", 10))
        self.window = int(round(seconds * self.sample_rate))
        positions = getattr(getattr(model.config, "text_config", None), "max_position_embeddings", None)
        limit = int(positions) - 2 if positions else 77  # RoBERTa positions start after the padding index
        tok_max = getattr(tokenizer, "model_max_length", None)
        self._text_length = min(limit, tok_max) if isinstance(tok_max, int) and 0 < tok_max else limit
        # a fused model reads 4 mel channels; an unfused one 1 (windows are exactly one window long,
        # so neither mode crops at random)
        fused = bool(getattr(getattr(model.config, "audio_config", None), "enable_fusion", False))
        self._truncation = "fusion" if fused else "rand_trunc"
        moved: Any = model
        self._model = moved.to(device=self._device, dtype=self._dtype).eval()
        self._tokenizer, self._extractor = tokenizer, extractor
        log.info("hf-clap scorer loaded", model=name, rate=self.sample_rate, window_s=seconds,
                 device=str(self._device), dtype=str(self._dtype).removeprefix("torch."))

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        from mils_core.torch_utils import inference, to_numpy

        batch = to_device(self._tokenizer(texts, padding=True, truncation=True, max_length=self._text_length,
                                          return_tensors="pt"), self._device, self._dtype)
        batch.pop("token_type_ids", None)
        with inference(self._device, self._dtype):
            features = features_of(self._model.get_text_features(**batch))
        return np.asarray(to_numpy(features), dtype=np.float32)

    def encode_windows(self, stacked: np.ndarray) -> np.ndarray:
        """Embeddings of windows that are exactly one window long: shape (windows, dim)."""
        from mils_core.torch_utils import inference, to_numpy

        self.counters["windows_encoded"] += len(stacked)
        features = self._extractor(list(stacked), sampling_rate=self.sample_rate, truncation=self._truncation,
                                   padding="repeatpad", return_tensors="pt")
        batch = to_device(features, self._device, self._dtype)
        kwargs = {"input_features": batch["input_features"]}
        if "is_longer" in batch:
            kwargs["is_longer"] = batch["is_longer"]
        with inference(self._device, self._dtype):
            out = features_of(self._model.get_audio_features(**kwargs))
        return np.asarray(to_numpy(out), dtype=np.float32)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        stacked, counts = window_batch(targets, self.sample_rate, self.window, max_windows=self.options.max_windows,
                                       pad=self.options.pad)
        return pooled(self.encode_windows(stacked), counts)
