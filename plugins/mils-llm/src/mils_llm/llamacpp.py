"""The ``llama-cpp`` generator: GGUF models through llama-cpp-python.

llama.cpp answers one prompt at a time, so prompts are answered in turn; each uses the
model's own chat template (``create_chat_completion``) and its own seed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import structlog

from mils_core.components import Generation, Generator, Prompt
from mils_core.config import default_cache_dir
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_cache import close_at_exit, models
from mils_core.seeds import derive_seed
from mils_llm.common import chat_messages, merge_system, one_line, plain_prompt
from mils_llm.llama_probe import check_runs_here
from mils_llm.models import gguf_path
from mils_llm.options import LlamaCppOptions

log = structlog.get_logger("mils.llm")

DEFAULT_N_CTX = 4096

_NAMESPACE = "mils-llm/llama-cpp"
_PARAMS_LOCK = threading.Lock()


def clear_model_cache() -> None:
    """Forget every llama.cpp model loaded by this process (they are still closed at exit)."""
    models.clear(_NAMESPACE)


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise ConfigError(
            "the llama-cpp generator needs llama-cpp-python, which is not installed; run "
            "'pip install mils-llm[llama-cpp]' (it compiles from source, several minutes) or use the "
            "transformers generator"
        ) from exc
    return llama_cpp


def _placement(device: str, llama_cpp: Any) -> tuple[int, int]:
    """(n_gpu_layers, main_gpu) for a device option."""
    if device == "cpu":
        return 0, 0
    if device not in ("auto", "mps") and not device.startswith("cuda"):
        raise ConfigError(f"llama-cpp device {device!r} is not valid; use auto, cpu, cuda, cuda:N or mps")
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    if not gpu:
        if device != "auto":
            raise ConfigError(
                f"device {device!r} was asked for but this llama-cpp-python build has no GPU support; "
                "rebuild it with CMAKE_ARGS=\"-DGGML_CUDA=on\" (or -DGGML_METAL=on) or use device = \"cpu\""
            )
        return 0, 0
    index = int(device.split(":", 1)[1]) if device.startswith("cuda:") else 0
    return -1, index


@contextlib.contextmanager
def _model_params(llama_cpp: Any, use_extra_bufts: bool) -> Iterator[None]:
    """Make ``Llama(...)`` load with ``use_extra_bufts`` set (its constructor has no such argument).

    ``Llama.__init__`` starts from the low-level ``llama_model_default_params()``; that function
    is wrapped for the duration of one construction.
    """
    lowlevel: Any = getattr(sys.modules.get(getattr(llama_cpp.Llama, "__module__", ""), None), "llama_cpp", None)
    original = getattr(lowlevel, "llama_model_default_params", None)
    if original is None:
        yield
        return

    def params() -> Any:
        value = original()
        if "use_extra_bufts" in {field[0] for field in getattr(type(value), "_fields_", ())}:
            value.use_extra_bufts = use_extra_bufts
        else:
            log.warning("this llama-cpp-python has no use_extra_bufts model parameter; option ignored")
        return value

    with _PARAMS_LOCK:
        lowlevel.llama_model_default_params = params
        try:
            yield
        finally:
            lowlevel.llama_model_default_params = original


def open_llama(
    llama_cpp: Any,
    path: Path,
    *,
    n_ctx: int,
    n_batch: int,
    n_threads: int,
    n_gpu_layers: int,
    main_gpu: int,
    seed: int,
    use_extra_bufts: bool,
) -> Any:
    """A ``llama_cpp.Llama`` for ``path`` (the generator and its CPU check open models alike)."""
    try:
        with _model_params(llama_cpp, use_extra_bufts):
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                n_gpu_layers=n_gpu_layers,
                main_gpu=main_gpu,
                seed=seed & 0x7FFFFFFF,
                verbose=False,
            )
    except ValueError as exc:
        raise ModelUnavailableError(
            f"llama.cpp cannot load {str(path)!r}: {one_line(exc)}; check that it is a complete GGUF "
            "file this llama-cpp-python version supports"
        ) from exc
    return llm


class LlamaCppGenerator(Generator[LlamaCppOptions]):
    """A GGUF model run by llama.cpp (CPU or GPU); SmolLM2-135M by default."""

    Options = LlamaCppOptions

    def __init__(self, options: LlamaCppOptions | None = None) -> None:
        super().__init__(options)
        self.llm: Any = None
        self.path: Path | None = None
        self.device = ""
        self.load_seconds = 0.0
        self._formatter: Any = None
        self._system_ok = True

    def load(self) -> None:
        llama_cpp = _import_llama_cpp()
        opts = self.options
        self.path = gguf_path(opts.model, opts.gguf_file)
        n_threads = opts.n_threads or os.cpu_count() or 1
        n_gpu_layers, main_gpu = _placement(opts.device, llama_cpp)
        self.device = "cpu" if n_gpu_layers == 0 else f"gpu {main_gpu} (all layers offloaded)"
        key = (str(self.path), opts.n_ctx, n_threads, n_gpu_layers, main_gpu, opts.batch_size, opts.use_extra_bufts)
        if opts.check_cpu:
            check_runs_here(self.path, use_extra_bufts=opts.use_extra_bufts, n_gpu_layers=n_gpu_layers,
                            cache_dir=default_cache_dir())
        t0 = time.perf_counter()

        def load_model() -> Any:
            log.info("loading model", model=str(self.path), n_threads=n_threads, n_gpu_layers=n_gpu_layers)
            opened = self._open(llama_cpp, opts.n_ctx or DEFAULT_N_CTX, n_threads, n_gpu_layers, main_gpu)
            trained = int(opened._model.n_ctx_train())
            if opts.n_ctx is None and 0 < trained < opened.n_ctx():
                opened = self._open(llama_cpp, trained, n_threads, n_gpu_layers, main_gpu)
            return opened

        llm = models.get_or_load(_NAMESPACE, key, load_model)
        self.llm = llm
        self.load_seconds = time.perf_counter() - t0
        template = llm.metadata.get("tokenizer.chat_template")
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            model = llm._model
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=model.token_get_text(llm.token_eos()) if llm.token_eos() >= 0 else "",
                bos_token=model.token_get_text(llm.token_bos()) if llm.token_bos() >= 0 else "",
            )
        log.info("model ready", model=str(self.path), seconds=round(self.load_seconds, 2), n_ctx=llm.n_ctx(),
                 chat_template=bool(template))

    def _open(self, llama_cpp: Any, n_ctx: int, n_threads: int, n_gpu_layers: int, main_gpu: int) -> Any:
        assert self.path is not None
        llm = open_llama(llama_cpp, self.path, n_ctx=n_ctx, n_batch=min(self.options.batch_size, n_ctx),
                         n_threads=n_threads, n_gpu_layers=n_gpu_layers, main_gpu=main_gpu, seed=self.options.seed,
                         use_extra_bufts=self.options.use_extra_bufts)
        # Left to interpreter shutdown, llama-cpp-python's finalizers run after its C bindings are
        # torn down and print "TypeError: 'NoneType' object is not callable": close models first.
        close_at_exit(llm, lambda m: m.close())
        return llm

    # -- prompt handling ------------------------------------------------------------------
    def _messages(self, prompt: Prompt) -> list[dict[str, str]]:
        return chat_messages(prompt) if self._system_ok else merge_system(prompt.messages)

    def render(self, prompt: Prompt) -> str:
        """The exact text fed to the model (chat template applied, or the plain prompt)."""
        self.ensure_loaded()
        if self._formatter is None:
            return plain_prompt(prompt)
        return str(self._with_system_fallback(prompt, lambda msgs: self._formatter(messages=msgs).prompt))

    def _with_system_fallback(self, prompt: Prompt, fn: Any) -> Any:
        from jinja2.exceptions import TemplateError

        try:
            return fn(self._messages(prompt))
        except TemplateError:
            if not self._system_ok or not any(m.role == "system" for m in prompt.messages):
                raise
            self._system_ok = False
            return fn(self._messages(prompt))

    # -- Generator API --------------------------------------------------------------------
    def context_window(self) -> int | None:
        self.ensure_loaded()
        return int(self.llm.n_ctx())

    def max_new_tokens(self) -> int:
        return self.options.max_new_tokens

    def count_tokens(self, prompt: Prompt) -> int | None:
        text = self.render(prompt)
        # as llama-cpp-python does: templates carry their own special tokens, plain prompts get a BOS
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=self._formatter is None, special=True))

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        if not prompts:
            return []
        self.ensure_loaded()
        return [self._one(p) for p in prompts]

    def _one(self, prompt: Prompt) -> Generation:
        opts = self.options
        t0 = time.perf_counter()
        sampling: dict[str, Any] = {
            "temperature": opts.temperature,
            "top_p": opts.top_p,
            "max_tokens": opts.max_new_tokens,
            "seed": derive_seed(opts.seed, prompt.seed, bits=31),
        }
        try:
            if self._formatter is not None:
                reply = self._with_system_fallback(
                    prompt, lambda msgs: self.llm.create_chat_completion(messages=msgs, **sampling)
                )
                text = reply["choices"][0]["message"].get("content") or ""
            else:
                reply = self.llm.create_completion(plain_prompt(prompt), **sampling)
                text = reply["choices"][0].get("text") or ""
        except ValueError as exc:
            if "exceed context window" not in str(exc):
                raise
            return Generation(
                "",
                prompt_tokens=self.count_tokens(prompt) or 0,
                seconds=time.perf_counter() - t0,
                error=(
                    f"llama-cpp: {one_line(exc)} of {self.path}; show fewer texts (loop.top_k) or raise n_ctx"
                ),
            )
        usage = reply.get("usage") or {}
        return Generation(
            str(text).strip(),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - t0,
        )
