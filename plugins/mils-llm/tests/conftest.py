"""Fixtures (the test kit keeps the hub off): a tiny Llama-shaped model saved to disk, the fake chat server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mils_llm.testing_server import FakeChatServer

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

CORPUS = [
    "Reply with a numbered list.",
    "Scores (higher is better):",
    "0.30: a photo of a dog",
    "0.20: a cat on a sofa",
    "Write 3 new short descriptions, one per line, numbered.",
    "a dog on a beach, a plate of food on a table, a city street at night",
    "1. a brown dog running on the sand\n2. a cat sleeping on a red sofa\n3. a busy street with cars",
]


@pytest.fixture(autouse=True)
def _llama_cpp_stays_out_of_the_test_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """llama.cpp runs only in forked tests: a native crash (SIGILL on a CPU it was not built for)
    then fails that test instead of killing the whole test run."""
    before = "llama_cpp" in sys.modules
    yield
    if not before and "llama_cpp" in sys.modules and request.node.get_closest_marker("isolate") is None:
        pytest.fail(f"{request.node.nodeid} loaded llama.cpp into the test process; mark it @pytest.mark.isolate(timeout=...) as test_llamacpp.py does")


def build_tiny_llama(folder: Path, *, chat_template: bool = True, max_positions: int = 1024) -> Path:
    """A randomly initialised Llama-shaped causal LM with a freshly trained byte-level BPE, saved to ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(CORPUS * 20, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token="<|endoftext|>"
    )
    if chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=bpe.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Run torch on one CPU thread for this test.

    On a shared 2-core machine torch's two OpenMP threads spin-wait against other people's
    processes: SmolLM2 generated 3 tokens/s with two threads and 15 tokens/s with one.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny chat model folder (built once per session)."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_llama_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model whose tokenizer has no chat template."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama-plain"), chat_template=False)


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    """A fresh fake chat-completions server on 127.0.0.1."""
    with FakeChatServer() as srv:
        yield srv
