"""The ``openai`` generator: any OpenAI-compatible chat-completions server.

Many requests are in flight at once (``max_concurrency``, bounded by an ``asyncio.Semaphore``,
spread over ``httpx.AsyncClient`` instances of 8 connections each). 429, 5xx, dropped
connections, timeouts and malformed replies are retried with exponential back-off and
jitter (``Retry-After`` honoured); a prompt whose attempts all fail comes back as a
``Generation`` with ``error`` set, so the core fails that sample only. The API key is read
from the environment and never logged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import email.utils
import math
import os
import random
import time
from collections.abc import Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import attrs
import structlog

from mils_core.batching import Batcher
from mils_core.components import Generation, Generator, Prompt
from mils_core.errors import ConfigError
from mils_core.seeds import derive_seed
from mils_llm.common import chat_messages, one_line
from mils_llm.options import OpenAIOptions

log = structlog.get_logger("mils.llm")

T = TypeVar("T")

#: Statuses worth retrying: rate limits, timeouts, conflicts and server faults.
RETRY_STATUSES = frozenset({408, 409, 425, 429})
MAX_BACKOFF_S = 30.0
MAX_RETRY_AFTER_S = 120.0
#: Connections per httpx client; more clients are opened for higher max_concurrency.
CONNECTIONS_PER_CLIENT = 8


class _Retryable(Exception):
    """One attempt failed in a way that may pass on retry."""

    def __init__(self, what: str, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


class _Fatal(Exception):
    """One attempt failed in a way retrying will not fix (bad key, unknown model, ...)."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = float(when.timestamp()) - time.time()
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_S)


def backoff_delay(attempt: int, base: float, rng: random.Random) -> float:
    """Exponential back-off with "equal jitter": half fixed, half random, capped."""
    step = min(MAX_BACKOFF_S, base * (2.0**attempt))
    return step / 2 + rng.uniform(0, step / 2)


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` -- in a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class _ClientPool:
    """Hands each request the least busy of several clients (all on one event loop)."""

    def __init__(self, clients: list[Any]) -> None:
        self.clients = clients
        self.busy = [0] * len(clients)

    @contextlib.contextmanager
    def lease(self) -> Iterator[Any]:
        i = min(range(len(self.busy)), key=self.busy.__getitem__)
        self.busy[i] += 1
        try:
            yield self.clients[i]
        finally:
            self.busy[i] -= 1


@attrs.define
class RequestStats:
    """Counters for tests and benchmarks."""

    requests: int = 0
    retries: int = 0
    failures: int = 0


class OpenAIGenerator(Generator[OpenAIOptions]):
    """Any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp server, OpenAI, ...)."""

    Options = OpenAIOptions

    def __init__(self, options: OpenAIOptions | None = None) -> None:
        super().__init__(options)
        if not self.options.model:
            raise ConfigError(
                "the openai generator needs a model name: set generator.model to the name the server serves "
                "(e.g. \"meta-llama/Llama-3.1-8B-Instruct\" for vLLM, \"llama3.1\" for Ollama)"
            )
        if not self.options.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"openai base_url {self.options.base_url!r} must start with http:// or https://, "
                "e.g. \"http://127.0.0.1:8000/v1\""
            )
        self.stats = RequestStats()
        self._batcher = Batcher(self.options.batch_size, name="openai generate")
        self._rng = random.Random(self.options.seed)

    # -- Generator API --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The chat-completions endpoint."""
        return self.options.base_url.rstrip("/") + "/chat/completions"

    def context_window(self) -> int | None:
        return self.options.context_window

    def max_new_tokens(self) -> int:
        return self.options.max_new_tokens

    def count_tokens(self, prompt: Prompt) -> int | None:
        """A conservative estimate (3 characters a token) when ``context_window`` is set, else None."""
        if self.options.context_window is None:
            return None
        return sum(math.ceil(len(m.content) / 3) + 4 for m in prompt.messages) + 3

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.options.api_key_env, "").strip()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def load(self) -> None:
        if not os.environ.get(self.options.api_key_env, "").strip():
            log.info("no API key set; sending requests without authorization", api_key_env=self.options.api_key_env,
                     base_url=self.options.base_url)

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        if not prompts:
            return []
        self.ensure_loaded()
        return self._batcher.map(lambda batch: run_coroutine(self._generate_all(batch)), list(prompts))

    # -- requests -------------------------------------------------------------------------
    async def _generate_all(self, prompts: list[Prompt]) -> list[Generation]:
        import httpx

        opts = self.options
        # httpx's connection pool does work proportional to its size on every request, so many
        # connections in one client cost more CPU than the requests themselves: shard them.
        n_clients = math.ceil(opts.max_concurrency / CONNECTIONS_PER_CLIENT)
        per_client = math.ceil(opts.max_concurrency / n_clients)
        limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
        timeout = httpx.Timeout(opts.timeout_s)
        semaphore = asyncio.Semaphore(opts.max_concurrency)
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(headers=self._headers(), timeout=timeout, limits=limits))
                for _ in range(n_clients)
            ]
            pool = _ClientPool(clients)
            return list(await asyncio.gather(*(self._request(pool, semaphore, p) for p in prompts)))

    def _body(self, prompt: Prompt) -> dict[str, Any]:
        opts = self.options
        body: dict[str, Any] = {
            "model": opts.model,
            "messages": chat_messages(prompt),
            "temperature": opts.temperature,
            "top_p": opts.top_p,
            opts.token_limit_field: opts.max_new_tokens,
            "n": 1,
            "stream": False,
        }
        if opts.send_seed:
            body["seed"] = derive_seed(opts.seed, prompt.seed, bits=31)
        return body

    async def _request(self, pool: _ClientPool, semaphore: asyncio.Semaphore, prompt: Prompt) -> Generation:
        opts = self.options
        body = self._body(prompt)
        t0 = time.perf_counter()
        last = ""
        attempts = 0
        for attempt in range(opts.max_retries + 1):
            attempts = attempt + 1
            try:
                async with semaphore:
                    self.stats.requests += 1
                    with pool.lease() as client:
                        text, usage = await asyncio.wait_for(self._attempt(client, body), timeout=opts.timeout_s)
                return Generation(
                    text,
                    prompt_tokens=int(usage.get("prompt_tokens") or 0),
                    completion_tokens=int(usage.get("completion_tokens") or 0),
                    seconds=time.perf_counter() - t0,
                )
            except _Fatal as exc:
                last = str(exc)
                break
            except _Retryable as exc:
                last = exc.what
                retry_after = exc.retry_after
            except TimeoutError:
                last = f"no reply within timeout_s={opts.timeout_s:g}"
                retry_after = None
            if attempt == opts.max_retries:
                break
            self.stats.retries += 1
            delay = backoff_delay(attempt, opts.retry_backoff_s, self._rng)
            if retry_after is not None:
                delay = max(delay, retry_after)
            log.debug("request failed; retrying", url=self.url, attempt=attempts, error=last, delay_s=round(delay, 3))
            await asyncio.sleep(delay)
        self.stats.failures += 1
        message = (
            f"openai generator: POST {self.url} failed after {attempts} attempt(s): {last}; check that the server "
            f"is up and serves model {opts.model!r} (base_url, {opts.api_key_env}), or raise max_retries/timeout_s"
        )
        return Generation("", seconds=time.perf_counter() - t0, error=one_line(message, 600))

    async def _attempt(self, client: Any, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        import httpx

        try:
            response = await client.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__}) after timeout_s={self.options.timeout_s:g}") from exc
        except httpx.RequestError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}: {one_line(exc, 120) or 'no detail'}") from exc
        status = response.status_code
        if status != 200:
            detail = one_line(response.text, 160)
            what = f"HTTP {status} {response.reason_phrase}" + (f": {detail}" if detail else "")
            if status in RETRY_STATUSES or status >= 500:
                raise _Retryable(what, parse_retry_after(response.headers.get("retry-after")))
            hint = {
                401: f"; is {self.options.api_key_env} set to a valid key?",
                403: f"; does the key in {self.options.api_key_env} have access to this model?",
                404: "; does base_url end with /v1 and is the model name right?",
            }.get(status, "")
            raise _Fatal(what + hint)
        try:
            data = response.json()
            message = data["choices"][0]["message"]
            content = message.get("content") or ""
            if not isinstance(content, str):
                raise TypeError("content is not a string")
            usage = data.get("usage") or {}
            if not isinstance(usage, dict):
                usage = {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise _Retryable(f"malformed reply ({type(exc).__name__}): {one_line(response.text, 120)}") from exc
        return content.strip(), usage
