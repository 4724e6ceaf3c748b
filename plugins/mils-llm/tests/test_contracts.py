"""Every generator passes the core's generator contract, through its real loading code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mils_core.components import Generation, Prompt
from mils_core.testing.contracts import GeneratorContract, replies_n_new
from mils_llm.hf import TransformersGenerator
from mils_llm.llamacpp import LlamaCppGenerator
from mils_llm.openai_compat import OpenAIGenerator
from mils_llm.options import LlamaCppOptions, OpenAIOptions, TransformersOptions
from mils_llm.testing_server import FakeChatServer

#: llama.cpp runs in a forked child (pytest-isolate): a SIGILL or SIGSEGV fails that test with its
#: signal, a hang fails it after 600 s, and the rest of the suite goes on and reports.
NATIVE = pytest.mark.isolate(timeout=600)



class TestTransformersContract(GeneratorContract):
    """A tiny random Llama with a trained BPE and a chat template, loaded back by path."""

    @pytest.fixture
    def generator(self, tiny_llama: Path) -> TransformersGenerator:
        return TransformersGenerator(TransformersOptions(model=str(tiny_llama), max_new_tokens=12, device="cpu"))


@NATIVE  # a native crash fails these tests alone (see test_llamacpp.py)
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

    @pytest.fixture
    def reply_fits_prompt(self) -> Callable[[Prompt, Generation], bool]:
        return replies_n_new  # the server answers with as many texts as the prompt asks for
