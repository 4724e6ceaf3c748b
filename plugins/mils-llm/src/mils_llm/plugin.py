"""Entry point ``llm`` of mils-llm: registers the generators and the benchmark command.

Importing this module is cheap: torch, transformers, llama_cpp and httpx are imported only
when a model is loaded or a request is made.
"""

from __future__ import annotations

import argparse
from typing import Any

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn
from mils_llm.hf import TransformersGenerator
from mils_llm.llamacpp import LlamaCppGenerator
from mils_llm.openai_compat import OpenAIGenerator


@hookimpl
def mils_register_generators(register: RegisterFn) -> None:
    register("transformers", TransformersGenerator, options=TransformersGenerator.Options,
             description="a Hugging Face causal LM: hub name, local folder or .gguf file (default SmolLM2-135M)")
    register("llama-cpp", LlamaCppGenerator, options=LlamaCppGenerator.Options,
             description="a GGUF model run by llama.cpp (default SmolLM2-135M)")
    register("openai", OpenAIGenerator, options=OpenAIGenerator.Options,
             description="any OpenAI-compatible chat-completions server (vLLM, Ollama, OpenAI, ...)")


def _bench(args: argparse.Namespace) -> int:
    from mils_llm.bench import run_from_args

    return run_from_args(args)


@hookimpl
def mils_register_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    from mils_llm.bench import add_arguments

    parser = subparsers.add_parser(
        "bench-generators",
        help="measure load time and throughput of the LLM generators on this machine",
        description="Load time and tokens/s of the transformers and llama-cpp generators on the default "
        "model (or --model), and requests/s of the openai generator against a local fake server.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=_bench)
