"""The ``transformers`` generator: any Hugging Face causal LM, batched across samples.

Prompts of many samples go through one ``generate`` call per batch (left padding); the
core's :class:`~mils_core.batching.Batcher` owns chunking and halves the batch on
out-of-memory. Loaded models are shared within a process, keyed by (model, device, dtype).
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import structlog

from mils_core.batching import Batcher
from mils_core.components import Generation, Generator, Prompt
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_cache import models
from mils_core.parsing import normalize
from mils_core.seeds import derive_seed
from mils_core.torch_utils import cpu_has_fast_bf16, inference, require_torch, resolve_device, resolve_dtype
from mils_llm import gguf_cache
from mils_llm.common import chat_messages, merge_system, one_line, plain_prompt
from mils_llm.decode import (
    ContextState,
    DecodeSettings,
    DecodeStats,
    PrefixStore,
    decode,
    encode_context,
    mean_log_probs,
)
from mils_llm.list_stop import list_stopper, new_items, newline_token_ids
from mils_llm.models import ModelSource, transformers_source
from mils_llm.options import TransformersOptions

log = structlog.get_logger("mils.llm")

#: The namespace of this generator's (model, tokenizer) pairs in the core's process-wide model
#: cache, keyed by (location, gguf file, device, dtype, trust_remote_code).
CACHE_NAMESPACE = "mils-llm/transformers"
#: Newline-bearing token ids per loaded tokenizer (for the list stop check).
_NEWLINE_IDS: dict[int, frozenset[int]] = {}

#: The request a text is scored as the reply to, for fluency (chat models).
FLUENCY_REQUEST = "Write one short description."
#: Texts per forward pass when scoring fluency.
LIKELIHOOD_BATCH = 32

_CONTEXT_ATTRS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def clear_model_cache() -> None:
    """Forget every model loaded by this process (frees memory once no generator holds it)."""
    models.clear(CACHE_NAMESPACE)


def _local_gguf(source: ModelSource) -> Path | None:
    """The local .gguf file ``source`` names, if it names one."""
    if source.gguf_file is None or source.local_files_only is False:
        return None
    path = Path(source.location) / source.gguf_file
    return path if path.is_file() else None


@contextlib.contextmanager
def _quiet_conversion() -> Iterator[None]:
    """No GGUF conversion bar or dtype advice from transformers while the CLI keeps a clean screen
    (it sets ``HF_HUB_DISABLE_PROGRESS_BARS=1`` unless ``--debug``)."""
    if os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS") != "1":
        yield
        return
    import importlib

    gguf_utils: Any = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    hf_logging: Any = importlib.import_module("transformers.utils.logging")

    bar = getattr(gguf_utils, "tqdm", None)
    level = hf_logging.get_verbosity()
    if bar is not None:
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar
        hf_logging.set_verbosity(level)


def _load(source: ModelSource, device: Any, dtype: Any, trust_remote_code: bool, cache_converted: bool) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {"local_files_only": source.local_files_only, "trust_remote_code": trust_remote_code}
    location = source.location
    gguf = _local_gguf(source) if cache_converted else None
    converted = gguf_cache.converted_folder(gguf, dtype) if gguf is not None else None
    if converted is not None and gguf_cache.is_complete(converted):
        try:
            tokenizer = AutoTokenizer.from_pretrained(converted, local_files_only=True, trust_remote_code=trust_remote_code)
            model: Any = AutoModelForCausalLM.from_pretrained(
                converted, dtype=dtype, local_files_only=True, trust_remote_code=trust_remote_code
            )
            log.info("using cached conversion", model=source.name, folder=str(converted))
            return _ready(model, tokenizer, device)
        except Exception as exc:  # noqa: BLE001 - any damage to a cache copy means: rebuild it
            log.warning("cached conversion is unreadable; converting the GGUF file again",
                        folder=str(converted), error=one_line(exc))
            gguf_cache.discard(converted)
    if source.gguf_file is not None:
        kwargs["gguf_file"] = source.gguf_file
    try:
        with _quiet_conversion():
            tokenizer = AutoTokenizer.from_pretrained(location, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(location, dtype=dtype, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailableError(
            f"transformers cannot load model {source.name!r}: {type(exc).__name__}: {one_line(exc)}; "
            "check that it is a causal LM folder (config.json, weights, tokenizer), a .gguf file, or a hub name"
        ) from exc
    if converted is not None and "gguf_file" in kwargs:
        gguf_cache.store(model, tokenizer, converted, source.name)
    return _ready(model, tokenizer, device)


def _ready(model: Any, tokenizer: Any, device: Any) -> tuple[Any, Any]:
    model.to(device)
    model.eval()
    return model, tokenizer


class TransformersGenerator(Generator[TransformersOptions]):
    """A Hugging Face causal LM (hub name, local folder or .gguf file); SmolLM2-135M by default."""

    Options = TransformersOptions

    def __init__(self, options: TransformersOptions | None = None) -> None:
        super().__init__(options)
        check_options(self.options)
        self.model: Any = None
        self.tokenizer: Any = None
        self.device: Any = None
        self.dtype: Any = None
        self.source: ModelSource | None = None
        self.load_seconds = 0.0
        self._templated = False
        self._system_ok = True
        self._pad_id = 0
        self._eos_ids: set[int] = set()
        self._prefixes = PrefixStore()
        self._fluency_context: ContextState | None = None
        #: What the batched decoder did so far (prompt tokens read, shared prefix, row-steps).
        self.decode_stats = DecodeStats()
        self._batcher = Batcher(self.options.batch_size, sort_key=self._length_key, name="transformers generate")

    # -- loading --------------------------------------------------------------------------
    def load(self) -> None:
        require_torch()
        opts = self.options
        self.device = resolve_device(opts.device)
        self.dtype = resolve_dtype(opts.dtype, self.device)
        if opts.dtype == "auto" and self.device.type == "cpu" and cpu_has_fast_bf16():
            self.dtype = require_torch().bfloat16  # 2-3x the float32 speed where the CPU has bf16 units
        if opts.random_weights:
            self.source = ModelSource(name=f"random {opts.random_shape}", location=f"random:{opts.random_shape}",
                                      gguf_file=None, local_files_only=True)
        else:
            self.source = transformers_source(opts.model, opts.gguf_file)
        key = (self.source.location, self.source.gguf_file, str(self.device), str(self.dtype), opts.trust_remote_code)
        t0 = time.perf_counter()
        source = self.source

        def load_pair() -> tuple[Any, Any]:
            log.info("loading model", model=source.name, device=str(self.device), dtype=str(self.dtype))
            if opts.random_weights:
                from mils_llm.random_weights import random_model

                return random_model(opts.random_shape, self.device, self.dtype)
            return _load(source, self.device, self.dtype, opts.trust_remote_code, opts.cache_converted)

        self.model, self.tokenizer = models.get_or_load(CACHE_NAMESPACE, key, load_pair)
        self._fluency_context = None  # belongs to the model just loaded
        self.load_seconds = time.perf_counter() - t0
        tok = self.tokenizer
        tok.padding_side = "left"
        self._templated = bool(getattr(tok, "chat_template", None))
        self._eos_ids = self._find_eos_ids()
        pad = tok.pad_token_id
        if pad is None:
            pad = next(iter(sorted(self._eos_ids)), None)
        if pad is None:
            pad = tok.unk_token_id if tok.unk_token_id is not None else 0
        self._pad_id = int(pad)
        log.info("model ready", model=self.source.name, seconds=round(self.load_seconds, 2),
                 chat_template=self._templated, context_window=self._model_window())

    def _find_eos_ids(self) -> set[int]:
        ids: set[int] = set()
        cfg = getattr(self.model, "generation_config", None)
        for value in (getattr(cfg, "eos_token_id", None), self.tokenizer.eos_token_id):
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, (list, tuple)):
                ids.update(int(v) for v in value)
        return ids

    # -- prompt handling ------------------------------------------------------------------
    @staticmethod
    def _length_key(prompt: Prompt) -> int:
        return sum(len(m.content) for m in prompt.messages)

    def render(self, prompt: Prompt) -> str:
        """The exact text fed to the model: the chat template applied, or the plain prompt."""
        self.ensure_loaded()
        if not self._templated:
            return plain_prompt(prompt)
        from jinja2.exceptions import TemplateError

        messages = chat_messages(prompt) if self._system_ok else merge_system(prompt.messages)
        try:
            text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        except TemplateError:
            if not self._system_ok or not any(m.role == "system" for m in prompt.messages):
                raise
            self._system_ok = False  # e.g. Gemma: no system role; fold it into the user turn
            text = self.tokenizer.apply_chat_template(
                merge_system(prompt.messages), tokenize=False, add_generation_prompt=True
            )
        return str(text)

    def _newline_ids(self) -> frozenset[int]:
        key = id(self.tokenizer)
        if key not in _NEWLINE_IDS:
            _NEWLINE_IDS[key] = newline_token_ids(self.tokenizer)
        return _NEWLINE_IDS[key]

    def _encode(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=not self._templated)["input_ids"]
        return [int(i) for i in ids]

    # -- Generator API --------------------------------------------------------------------
    def context_window(self) -> int | None:
        if self.options.context_window is not None:
            return self.options.context_window
        self.ensure_loaded()
        return self._model_window()

    def _model_window(self) -> int | None:
        config = self.model.config
        text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
        for attr in _CONTEXT_ATTRS:
            value = getattr(text_config, attr, None)
            if isinstance(value, int) and value > 0:
                return value
        limit = getattr(self.tokenizer, "model_max_length", None)
        return limit if isinstance(limit, int) and 0 < limit < 10_000_000 else None

    def max_new_tokens(self) -> int:
        return self.options.max_new_tokens

    def count_tokens(self, prompt: Prompt) -> int | None:
        return len(self._encode(self.render(prompt)))

    def log_likelihoods(self, texts: Sequence[str]) -> list[float] | None:
        """Mean log-probability per token of each text as the model's reply to a request for one
        short description (chat models) or after a start token (plain models); batched."""
        if not texts:
            return []
        self.ensure_loaded()
        torch = require_torch()
        tok = self.tokenizer
        context = self._likelihood_context()
        texts_ids = [[int(i) for i in tok(text, add_special_tokens=False)["input_ids"]] for text in texts]
        if context and self._plain_cache():
            return self._continuation_log_probs(context, texts_ids)
        rows = [context + ids for ids in texts_ids]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        out: list[float] = [float("nan")] * len(rows)
        for begin in range(0, len(order), LIKELIHOOD_BATCH):
            chunk = order[begin:begin + LIKELIHOOD_BATCH]
            width = max(len(rows[i]) for i in chunk)
            ids = torch.full((len(chunk), width), self._pad_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, i in enumerate(chunk):
                ids[r, : len(rows[i])] = torch.tensor(rows[i], dtype=torch.long)
                mask[r, : len(rows[i])] = 1
            with inference(self.device, self.dtype):
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
                logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
                picked = logp.gather(-1, ids[:, 1:].to(self.device).unsqueeze(-1)).squeeze(-1)
                weight = mask[:, 1:].clone()
                weight[:, : max(0, len(context) - 1)] = 0  # only the text's own tokens count
                weight = weight.to(self.device).float()
                means = (picked * weight).sum(-1) / weight.sum(-1).clamp(min=1)
            for r, i in enumerate(chunk):
                out[i] = float(means[r]) if len(rows[i]) > max(1, len(context)) else float("nan")
        return out

    def _plain_cache(self) -> bool:
        types = getattr(self.model.config, "layer_types", None) or [None]
        return all(t in ("full_attention", None) for t in types)

    def _continuation_log_probs(self, context: list[int], texts_ids: list[list[int]]) -> list[float]:
        """The texts after a context encoded once per process (its keys and values are shared)."""
        state = self._fluency_context
        with inference(self.device, self.dtype):
            if state is None or state.tokens != tuple(context):
                state = self._fluency_context = encode_context(self.model, context, device=self.device)
            order = sorted(range(len(texts_ids)), key=lambda i: len(texts_ids[i]))
            out: list[float] = [float("nan")] * len(texts_ids)
            for begin in range(0, len(order), LIKELIHOOD_BATCH):
                chunk = order[begin:begin + LIKELIHOOD_BATCH]
                means = mean_log_probs(self.model, state, [texts_ids[i] for i in chunk], device=self.device,
                                       pad_id=self._pad_id)
                for i, value in zip(chunk, means, strict=True):
                    out[i] = value
        return out

    def _likelihood_context(self) -> list[int]:
        tok = self.tokenizer
        if self._templated:
            text = tok.apply_chat_template([{"role": "user", "content": FLUENCY_REQUEST}], tokenize=False,
                                           add_generation_prompt=True)
            return self._encode(str(text))
        start = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        return [int(start)] if start is not None else []

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        if not prompts:
            return []
        self.ensure_loaded()
        return self._batcher.map(self._generate_batch, list(prompts))

    def _generate_batch(self, batch: list[Prompt]) -> list[Generation]:
        opts = self.options
        t0 = time.perf_counter()
        encoded = [self._encode(self.render(p)) for p in batch]
        window = self.context_window()
        out: list[Generation | None] = [None] * len(batch)
        fit: list[int] = []
        for i, ids in enumerate(encoded):
            if window is not None and len(ids) >= window:
                out[i] = Generation(
                    "",
                    prompt_tokens=len(ids),
                    error=(
                        f"prompt has {len(ids)} tokens but model {self.source.name if self.source else '?'} has a "
                        f"context window of {window}; show fewer texts (loop.top_k) or use a longer-context model"
                    ),
                )
            else:
                fit.append(i)
        if fit:
            width = max(len(encoded[i]) for i in fit)
            new_tokens = opts.max_new_tokens if window is None else max(1, min(opts.max_new_tokens, window - width))
            if opts.decoder == "batched":
                replies, stopped_at = self._decode(batch, encoded, fit, new_tokens)
            else:
                replies, stopped_at = self._hf_generate(batch, encoded, fit, width, new_tokens)
            for row, i in enumerate(fit):
                tokens = replies[row]
                if stopped_at[row] is not None:  # ended by the list check; padding follows
                    tokens = tokens[: stopped_at[row]]
                stop = next((k for k, t in enumerate(tokens) if t in self._eos_ids), None)
                content = tokens if stop is None else tokens[:stop]
                used = len(tokens) if stop is None else stop + 1
                if opts.random_weights:
                    from mils_llm.random_weights import synthetic_reply

                    text = synthetic_reply(batch[i])
                else:
                    text = self.tokenizer.decode(content, skip_special_tokens=True)
                out[i] = Generation(str(text).strip(), prompt_tokens=len(encoded[i]), completion_tokens=used)
        share = (time.perf_counter() - t0) / len(batch)
        result: list[Generation] = []
        for gen in out:
            if gen is None:  # pragma: no cover - every slot is filled above
                raise RuntimeError("transformers generator: a prompt got no reply")
            result.append(Generation(gen.text, gen.prompt_tokens, gen.completion_tokens, share, gen.error))
        return result

    def _stop_check(self, batch: list[Prompt], fit: list[int]) -> Any:
        """``stop(row, tokens)`` for :func:`~mils_llm.decode.decode`: true once a row's list holds
        as many new lines as its prompt asked for (lines echoing the shown texts do not count)."""
        newline = self._newline_ids()
        wanted = [batch[i].n_new for i in fit]
        known = [frozenset(normalize(s.text) for s in batch[i].shown) for i in fit]

        def stop(row: int, tokens: list[int]) -> bool:
            if tokens[-1] not in newline or wanted[row] <= 0:
                return False
            return new_items(self.tokenizer.decode(tokens, skip_special_tokens=True), known[row]) >= wanted[row]

        return stop

    def _decode(self, batch: list[Prompt], encoded: list[list[int]], fit: list[int],
                new_tokens: int) -> tuple[list[list[int]], list[int | None]]:
        opts = self.options
        settings = DecodeSettings(
            max_new_tokens=new_tokens,
            temperature=opts.temperature,
            top_p=opts.top_p,
            eos_ids=frozenset() if opts.random_weights else frozenset(self._eos_ids),
            no_repeat_ngram=opts.no_repeat_ngram_size,
        )
        stop = self._stop_check(batch, fit) if opts.stop_after_list and not opts.random_weights else None
        seeds = [derive_seed(opts.seed, batch[i].seed) for i in fit]
        with inference(self.device, self.dtype):
            replies = decode(self.model, [encoded[i] for i in fit], settings, seeds, stop=stop, device=self.device,
                             stats=self.decode_stats, prefixes=self._prefixes)
        return replies, [None] * len(fit)

    def _hf_generate(self, batch: list[Prompt], encoded: list[list[int]], fit: list[int], width: int,
                     new_tokens: int) -> tuple[list[list[int]], list[int | None]]:
        torch = require_torch()
        opts = self.options
        input_ids = torch.full((len(fit), width), self._pad_id, dtype=torch.long)
        mask = torch.zeros((len(fit), width), dtype=torch.long)
        for row, i in enumerate(fit):
            ids = encoded[i]
            input_ids[row, width - len(ids):] = torch.tensor(ids, dtype=torch.long)
            mask[row, width - len(ids):] = 1
        kwargs: dict[str, Any] = {
            "max_new_tokens": new_tokens,
            "pad_token_id": self._pad_id,
            "eos_token_id": sorted(self._eos_ids) or None,
        }
        if opts.random_weights:
            kwargs["min_new_tokens"] = new_tokens  # a fixed token budget: end-of-sequence is ignored
        if opts.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = opts.no_repeat_ngram_size  # over prompt and reply, as transformers does
        if opts.temperature > 0:
            kwargs.update(do_sample=True, temperature=opts.temperature, top_p=opts.top_p, top_k=None)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        stopped_at: list[int | None] = [None] * len(fit)
        if opts.stop_after_list and not opts.random_weights:
            criterion, stopped_at = list_stopper(self.tokenizer, width, [batch[i].n_new for i in fit], self._newline_ids())
            from transformers import StoppingCriteriaList

            kwargs["stopping_criteria"] = StoppingCriteriaList([criterion])
        torch.manual_seed(derive_seed(opts.seed, *(batch[i].seed for i in fit)))
        with inference(self.device, self.dtype):
            sequences = self.model.generate(
                input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device), **kwargs
            )
        return sequences[:, width:].tolist(), stopped_at


def check_options(options: TransformersOptions) -> None:
    """Cheap validation at config time (no model is touched)."""
    if options.gguf_file is not None and not options.gguf_file.lower().endswith(".gguf"):
        raise ConfigError(f"gguf_file {options.gguf_file!r} must name a .gguf file")
