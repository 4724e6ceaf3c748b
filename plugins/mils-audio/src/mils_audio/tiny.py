"""Tiny audio–text models built at test time and saved the way real checkpoints are (for tests and demos).

Random weights: the real loading code runs, the scores mean nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["build_tiny_clap", "write_roberta_tokenizer"]


def write_roberta_tokenizer(folder: Path, texts: list[str] | None = None, vocab_size: int = 400) -> Path:
    """A real byte-level BPE RoBERTa tokenizer (trained in a second by ``tokenizers``), saved to ``folder``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import RobertaTokenizerFast

    corpus = texts or ["a dog barks in the park", "rain falls on a roof", "a man speaks", "birds chirp",
                       "a car passes by", "a bell rings", "water runs from a tap", "people talk and laugh"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus * 20, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    specials: dict[str, Any] = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
                "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}  # token names, not secrets
    fast = RobertaTokenizerFast(tokenizer_object=tok, model_max_length=77, **specials)
    fast.save_pretrained(folder)
    return folder


def build_tiny_clap(out: Path, tokenizer_dir: Path, *, fusion: bool = False) -> Path:
    """A tiny ClapModel (HTSAT audio tower, RoBERTa text tower) with its tokenizer and a 16 kHz, 2 s extractor."""
    import torch
    from transformers import AutoTokenizer, ClapConfig, ClapFeatureExtractor, ClapModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = ClapConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=79, pad_token_id=1, bos_token_id=0,
                         eos_token_id=2),
        audio_config=dict(window_size=8, spec_size=64, num_mel_bins=16, patch_embeds_hidden_size=8, depths=[1, 1],
                          num_attention_heads=[1, 2], hidden_size=16, patch_size=4, patch_stride=[4, 4],
                          enable_fusion=fusion),
        projection_dim=16,
    )
    torch.manual_seed(0)
    ClapModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    ClapFeatureExtractor(feature_size=16, sampling_rate=16000, max_length_s=2, hop_length=160, fft_window_size=400,
                         frequency_min=50, frequency_max=8000).save_pretrained(out)
    return out
