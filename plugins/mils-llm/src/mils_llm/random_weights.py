"""Random-weight causal LMs at real shapes, for throughput benchmarks without any download.

The model is a ``LlamaForCausalLM`` built from a named shape with random initialisation,
directly on the target device and dtype. Its tokenizer is a byte-level BPE trained in a
second on generic English, so prompt token counts are realistic. Replies are generated to
a fixed token budget (end-of-sequence ignored) and then replaced by synthetic candidate
lines (seeded edits of the shown texts), so the rest of the loop still has texts to score.
"""

from __future__ import annotations

from typing import Any

from mils_core.errors import ConfigError
from mils_core.suggest import did_you_mean

#: Architectures by name: LlamaConfig keyword arguments.
SHAPES: dict[str, dict[str, Any]] = {
    "llama-3.1-8b": {
        "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "max_position_embeddings": 131072,
        "rope_theta": 500000.0, "tie_word_embeddings": False,
    },
    "smollm2-135m": {
        "vocab_size": 49152, "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
        "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 8192,
        "rope_theta": 100000.0, "tie_word_embeddings": True,
    },
    "tiny": {
        "vocab_size": 8192, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096,
        "tie_word_embeddings": True,
    },
}

_CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def _corpus() -> list[str]:
    from mils_core.builtin.vocabulary import generic_pool, targets

    lines = generic_pool(3000) + targets(2000)
    lines += [
        "Write new captions for the same photo that should score higher. Answer with lines numbered 1 to 50.",
        "An image-matching model rated these captions of one photo. Higher scores mean a closer match.",
        "0.1234: a photo of a dog on a beach at sunset, 0.0987: a close-up of a red car in the street",
    ]
    return lines


def random_tokenizer(vocab_size: int = 8000) -> Any:
    """A byte-level BPE tokenizer trained on generic English, with a chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<|end|>", "<|pad|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer)
    fast: Any = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok, eos_token="<|end|>", pad_token="<|pad|>"  # noqa: S106
    )
    fast.chat_template = _CHAT_TEMPLATE
    return fast


def random_model(shape: str, device: Any, dtype: Any) -> tuple[Any, Any]:
    """(model, tokenizer) with random weights at ``shape``, built on ``device`` in ``dtype``."""
    if shape not in SHAPES:
        raise ConfigError(f"random_shape {shape!r} is unknown.{did_you_mean(shape, SHAPES)} Shapes: {', '.join(SHAPES)}")
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(**SHAPES[shape])
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.eval()  # type: ignore[no-untyped-call]
    return model, random_tokenizer()


def synthetic_reply(prompt: Any) -> str:
    """Candidate lines of realistic length for a prompt: seeded edits of the texts it shows."""
    from mils_core.builtin.mutate import Mutate

    return Mutate().reply(prompt)
