"""Every generator passes the core's generator contract, through its real loading code."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.testing.contracts import GeneratorContract
from mils_llm.hf import TransformersGenerator
from mils_llm.llamacpp import LlamaCppGenerator
from mils_llm.openai_compat import OpenAIGenerator
from mils_llm.options import LlamaCppOptions, OpenAIOptions, TransformersOptions
from mils_llm.testing_server import FakeChatServer


class TestTransformersContract(GeneratorContract):
    """A tiny random Llama with a trained BPE and a chat template, loaded back by path."""

    @pytest.fixture
    def generator(self, tiny_llama: Path) -> TransformersGenerator:
        return TransformersGenerator(TransformersOptions(model=str(tiny_llama), max_new_tokens=12, device="cpu"))


class TestLlamaCppContract(GeneratorContract):
    """The packaged SmolLM2-135M-Instruct GGUF (real weights)."""

    @pytest.fixture
    def generator(self) -> LlamaCppGenerator:
        pytest.importorskip("llama_cpp")
        # one thread: llama.cpp threads spin-wait, so on a busy 2-core machine 1 beats 2 by 3-5x
        return LlamaCppGenerator(LlamaCppOptions(max_new_tokens=48, n_ctx=1024, n_threads=1))


class TestOpenAIContract(GeneratorContract):
    """A real HTTP server on 127.0.0.1 speaking the chat-completions protocol."""

    @pytest.fixture
    def generator(self, server: FakeChatServer) -> OpenAIGenerator:
        return OpenAIGenerator(OpenAIOptions(model="fake-model", base_url=server.base_url, timeout_s=5))
