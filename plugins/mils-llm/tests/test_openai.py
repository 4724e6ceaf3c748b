"""The ``openai`` generator against a real HTTP server on 127.0.0.1 with injected faults."""

from __future__ import annotations

import asyncio
import time

import pytest

from mils_core.components import Message, Prompt
from mils_core.errors import ConfigError
from mils_core.options import build_options
from mils_llm.openai_compat import OpenAIGenerator, parse_retry_after
from mils_llm.options import OpenAIOptions
from mils_llm.testing_server import FakeChatServer


def tagged(tag: str, seed: int = 0) -> Prompt:
    user = f"[[{tag}]] Scores:\n0.3: a dog\nWrite 2 new short descriptions, numbered."
    return Prompt((Message("system", "Reply with a numbered list."), Message("user", user)), (), 2, seed)


def make(server: FakeChatServer, **kw: object) -> OpenAIGenerator:
    opts: dict[str, object] = {"model": "fake-model", "base_url": server.base_url, "timeout_s": 5.0,
                               "retry_backoff_s": 0.01, "api_key_env": "MILS_TEST_NO_SUCH_KEY", **kw}
    return OpenAIGenerator(OpenAIOptions(**opts))  # type: ignore[arg-type]


def test_faults_lose_no_prompt_and_keep_order(server: FakeChatServer) -> None:
    server.hang_s = 20
    server.plan("p1", ["429", "429", "ok"])
    server.plan("p2", ["500", "503", "ok"])
    server.plan("p3", ["drop", "ok"])
    server.plan("p4", ["hang", "ok"])
    server.plan("p5", ["malformed", "ok"])
    server.plan("p6", ["500"] * 10)
    gen = make(server, max_retries=3, timeout_s=0.75, max_concurrency=4)
    t0 = time.perf_counter()
    out = gen.generate([tagged(f"p{i}", seed=i) for i in range(8)])
    elapsed = time.perf_counter() - t0
    assert len(out) == 8
    for i, g in enumerate(out):
        if i == 6:
            continue
        assert g.error is None, (i, g.error)
        assert g.text.startswith(f"1. reply p{i} ")  # each reply is its own prompt's, in order
        assert g.prompt_tokens > 0 and g.completion_tokens > 0
    failed = out[6]
    assert failed.text == "" and failed.error is not None
    assert "\n" not in failed.error
    assert server.base_url + "/chat/completions" in failed.error
    assert "4 attempt(s)" in failed.error and "HTTP 500" in failed.error and "fake-model" in failed.error
    assert server.actions_for("p1") == ["429", "429", "ok"]
    assert server.actions_for("p4") == ["hang", "ok"]
    assert server.actions_for("p6") == ["500"] * 4  # 1 try + max_retries
    assert gen.stats.failures == 1
    assert elapsed < 10


def test_hung_reply_times_out_then_errors(server: FakeChatServer) -> None:
    server.hang_s = 20
    server.plan("h", ["hang"] * 5)
    t0 = time.perf_counter()
    [g] = make(server, max_retries=1, timeout_s=0.3).generate([tagged("h")])
    assert time.perf_counter() - t0 < 5
    assert g.error is not None and "timeout_s=0.3" in g.error


def test_retry_after_is_honoured(server: FakeChatServer) -> None:
    server.retry_after = "1"
    server.plan("r", ["429", "ok"])
    t0 = time.perf_counter()
    [g] = make(server).generate([tagged("r")])
    assert g.error is None
    assert time.perf_counter() - t0 >= 0.95


def test_malformed_json_is_retried_then_reported(server: FakeChatServer) -> None:
    server.plan("m", ["malformed"] * 3)
    [g] = make(server, max_retries=2).generate([tagged("m")])
    assert g.error is not None and "malformed reply" in g.error


def test_server_down_is_an_error_not_a_crash() -> None:
    with FakeChatServer() as srv:
        gen = make(srv, max_retries=1)
    out = gen.generate([tagged("x"), tagged("y")])  # the server is gone now
    assert [g.error is not None for g in out] == [True, True]
    assert "connection error" in (out[0].error or "")


def test_api_key_from_env_is_sent_and_never_logged(
    server: FakeChatServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "sk-test-123456789"
    server.require_key = secret
    monkeypatch.setenv("MY_LLM_KEY", secret)
    gen = make(server, api_key_env="MY_LLM_KEY")
    [g] = gen.generate([tagged("k")])
    assert g.error is None
    assert server.log[-1][2] is True
    assert secret not in gen.cache_identity()
    monkeypatch.delenv("MY_LLM_KEY")
    [bad] = make(server, api_key_env="MY_LLM_KEY").generate([tagged("k2")])
    assert bad.error is not None and "HTTP 401" in bad.error and "MY_LLM_KEY" in bad.error
    assert server.actions_for("k2") == ["401"]  # a 401 is not retried
    assert server.log[-1][2] is False  # no Authorization header without a key
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err


def test_requests_run_concurrently_within_the_limit(server: FakeChatServer) -> None:
    server.delay_s = 0.2
    gen = make(server, max_concurrency=8)
    t0 = time.perf_counter()
    out = gen.generate([tagged(f"c{i}") for i in range(16)])
    elapsed = time.perf_counter() - t0
    assert all(g.error is None for g in out)
    assert 2 <= server.max_in_flight <= 8
    assert elapsed < 16 * 0.2 / 2


def test_many_in_flight_are_spread_over_several_clients(server: FakeChatServer) -> None:
    server.delay_s = 0.1
    gen = make(server, max_concurrency=20)  # three clients of at most 7 connections
    out = gen.generate([tagged(f"s{i}") for i in range(40)])
    assert all(g.error is None for g in out)
    assert [g.text.split()[2] for g in out] == [f"s{i}" for i in range(40)]
    assert 8 < server.max_in_flight <= 20  # more than one client's worth of connections at once


def test_works_inside_a_running_event_loop(server: FakeChatServer) -> None:
    gen = make(server)

    async def main() -> list[str]:
        return [g.text for g in gen.generate([tagged("a"), tagged("b")])]

    texts = asyncio.run(main())
    assert texts[0].startswith("1. reply a ") and texts[1].startswith("1. reply b ")


def test_context_window_only_when_configured(server: FakeChatServer) -> None:
    prompt = tagged("w")
    assert make(server).context_window() is None
    assert make(server).count_tokens(prompt) is None
    sized = make(server, context_window=4096, max_new_tokens=100)
    assert sized.context_window() == 4096 and sized.max_new_tokens() == 100
    count = sized.count_tokens(prompt)
    assert count is not None and count > 0


def test_token_limit_field_is_configurable(server: FakeChatServer) -> None:
    make(server, max_new_tokens=77).generate([tagged("a")])
    make(server, max_new_tokens=55, token_limit_field="max_completion_tokens").generate([tagged("b")])
    first, second = server.bodies
    assert first["max_tokens"] == 77 and "max_completion_tokens" not in first
    assert second["max_completion_tokens"] == 55 and "max_tokens" not in second
    with pytest.raises(ConfigError, match="token_limit_field"):
        build_options(OpenAIOptions, {"model": "m", "token_limit_field": "max_length"}, "[generator] (openai)")


def test_parse_retry_after() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("  0.5 ") == 0.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert parse_retry_after("100000") == 120.0  # capped


def test_option_errors() -> None:
    with pytest.raises(ConfigError, match="needs a model name"):
        OpenAIGenerator(OpenAIOptions())
    with pytest.raises(ConfigError, match="http"):
        OpenAIGenerator(OpenAIOptions(model="m", base_url="localhost:8000/v1"))
    with pytest.raises(ValueError, match="server decides"):
        OpenAIOptions(model="m", device="cuda")
