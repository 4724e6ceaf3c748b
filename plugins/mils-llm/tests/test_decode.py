"""The batched decode loop: same tokens as decoding alone, prefix reuse changes nothing, exact nucleus."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.components import Message, Prompt
from mils_llm.decode import DecodeSettings, DecodeStats, PrefixStore, _nucleus_sample, decode, shared_prefix_length
from mils_llm.hf import TransformersGenerator
from mils_llm.options import TransformersOptions

HEAD = "Reply with a numbered list. Scores (higher is better): 0.30: a photo of a dog 0.20: a cat on a sofa "
TAILS = ["a dog on a beach", "a plate of food on a table, a city street at night", "1.", "a busy street with cars and"]


@pytest.fixture(scope="module")
def model_and_prompts(tiny_llama: Path) -> tuple[object, list[list[int]]]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype=torch.float32).eval()
    prompts = [tok(HEAD + tail)["input_ids"] for tail in TAILS]
    return model, prompts


def test_shared_prefix_leaves_each_row_a_token() -> None:
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 9]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3]]) == 2
    assert shared_prefix_length([[7], [7, 8]]) == 0


def test_greedy_batched_equals_each_prompt_alone_and_generate(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    settings = DecodeSettings(max_new_tokens=12, min_shared_prefix=4)
    stats = DecodeStats()
    with torch.inference_mode():
        batched = decode(model, prompts, settings, [0] * len(prompts), stats=stats)
        assert stats.shared_prefix >= 10  # the common head was encoded once
        for i, ids in enumerate(prompts):
            alone = decode(model, [ids], settings, [0])[0]
            reference = model.generate(torch.tensor([ids]), max_new_tokens=12, do_sample=False,  # type: ignore[attr-defined]
                                       pad_token_id=0, eos_token_id=None)[0, len(ids):].tolist()
            assert batched[i] == alone == reference


def test_prefix_reuse_changes_no_output(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    sampled = DecodeSettings(max_new_tokens=10, temperature=1.0, top_p=0.9, min_shared_prefix=4)
    plain = DecodeSettings(max_new_tokens=10, temperature=1.0, top_p=0.9, share_prefix=False)
    store = PrefixStore()
    seeds = [11, 12, 13, 14]
    with torch.inference_mode():
        without = decode(model, prompts, plain, seeds)
        first = decode(model, prompts, sampled, seeds, prefixes=store)
        again = decode(model, prompts, sampled, seeds, prefixes=store)
    assert store.hits == 1
    assert without == first == again


def test_a_sampled_reply_does_not_depend_on_its_batch(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    settings = DecodeSettings(max_new_tokens=10, temperature=1.0, top_p=0.95)
    with torch.inference_mode():
        together = decode(model, prompts, settings, [5, 6, 7, 8])
        alone = decode(model, [prompts[2]], settings, [7])[0]
        other_seed = decode(model, [prompts[2]], settings, [99])[0]
    assert together[2] == alone
    assert other_seed != alone


def test_finished_rows_stop_and_are_dropped(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    stats = DecodeStats()
    lengths = {0: 2, 1: 3, 2: 20, 3: 4}
    with torch.inference_mode():
        out = decode(model, prompts, DecodeSettings(max_new_tokens=20), [0] * 4,
                     stop=lambda row, tokens: len(tokens) >= lengths[row], stats=stats)
    assert [len(t) for t in out] == [2, 3, 20, 4]
    assert stats.row_steps < 4 * 20  # finished rows stopped costing steps


def test_nucleus_sampling_is_exact_with_or_without_the_full_sort() -> None:
    import torch

    from mils_llm import decode as decode_module

    torch.manual_seed(0)
    probs = torch.softmax(torch.randn(6, 1000) * 3, dim=-1)
    uniforms = torch.rand(6)
    fast = _nucleus_sample(probs, 0.8, uniforms)
    old = decode_module.NUCLEUS_SEARCH
    decode_module.NUCLEUS_SEARCH = 1000  # the whole vocabulary searched: a full sort
    try:
        full = _nucleus_sample(probs, 0.8, uniforms)
    finally:
        decode_module.NUCLEUS_SEARCH = old
    assert fast.tolist() == full.tolist()
    # every pick lies inside its row's nucleus
    for row, token in enumerate(fast.tolist()):
        ranked = torch.sort(probs[row], descending=True)
        position = ranked.indices.tolist().index(token)
        assert float(ranked.values[:position].sum()) < 0.8


def test_generator_decoders_agree_when_greedy(tiny_llama: Path) -> None:
    prompts = [Prompt((Message("system", "Reply with a numbered list."), Message("user", f"Write {n} texts about {t}")),
                      n_new=3, seed=n) for n, t in ((2, "a dog"), (3, "a cat on a sofa"), (2, "a street"))]
    replies = {}
    for decoder in ("batched", "generate"):
        gen = TransformersGenerator(TransformersOptions(model=str(tiny_llama), temperature=0.0, max_new_tokens=16,
                                                        dtype="float32", decoder=decoder))
        replies[decoder] = [g.text for g in gen.generate(prompts)]
    assert replies["batched"] == replies["generate"]
    assert any(replies["batched"])


def test_auto_dtype_is_bf16_only_where_the_cpu_has_it(tiny_llama: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from mils_llm.hf import clear_model_cache

    for forced, dtype in (("1", torch.bfloat16), ("0", torch.float32)):
        monkeypatch.setenv("MILS_CPU_BF16", forced)
        clear_model_cache()
        gen = TransformersGenerator(TransformersOptions(model=str(tiny_llama), device="cpu", max_new_tokens=6))
        gen.ensure_loaded()
        assert gen.dtype == dtype and gen.model.dtype == dtype
        reply = gen.generate([Prompt((Message("user", "Write 2 texts about a dog"),), n_new=2, seed=1)])[0]
        assert reply.error is None and reply.completion_tokens > 0
    clear_model_cache()


def test_no_repeat_ngram_bans_exactly_the_completing_tokens() -> None:
    from mils_llm.decode import _banned_next

    assert _banned_next([1, 2, 3, 1, 2], 3) == [3]
    assert _banned_next([1, 2, 3, 1, 2, 9, 1, 2], 3) == [3, 9]
    assert _banned_next([1, 2], 3) == [] and _banned_next([1, 2, 1, 2], 0) == []


def test_no_repeat_ngram_reply_has_no_repeated_span(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    with torch.inference_mode():
        plain = decode(model, prompts, DecodeSettings(max_new_tokens=40), [0] * 4)
        blocked = decode(model, prompts, DecodeSettings(max_new_tokens=40, no_repeat_ngram=3), [0] * 4)

    def repeats(tokens: list[int], n: int) -> int:
        grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return len(grams) - len(set(grams))

    assert sum(repeats(t, 3) for t in plain) > 0  # a random tiny model loops without the ban
    assert all(repeats(t, 3) == 0 for t in blocked)


def test_bad_decoder_options_are_one_line_errors() -> None:
    from mils_core.errors import ConfigError

    with pytest.raises((ConfigError, ValueError), match=r"decoder.*'batched'.*'generate'") as info:
        TransformersOptions(decoder="fast")
    assert "\n" not in str(info.value) and "Attribute(" not in str(info.value)
    with pytest.raises((ConfigError, ValueError), match="no_repeat_ngram_size"):
        TransformersOptions(no_repeat_ngram_size=-1)


def test_preallocated_cache_layer_appends_in_place_like_concatenation(model_and_prompts: tuple[object, list[list[int]]]
                                                                     ) -> None:
    import torch

    from mils_llm.decode import preallocated_cache

    model, _ = model_and_prompts
    cache = preallocated_cache(model, capacity=3)
    layer = cache.layers[0]
    parts = [torch.randn(4, 2, n, 8) for n in (2, 1, 2)]  # the third update outgrows the capacity
    for part in parts:
        keys, values = layer.update(part, part * 2)
    expected = torch.cat(parts, dim=2)
    assert torch.equal(keys, expected) and torch.equal(values, expected * 2)
    assert layer.get_seq_length() == 5 and cache.get_seq_length() == 5
    buffer = layer.key_buffer
    layer.update(torch.zeros(4, 2, 1, 8), torch.zeros(4, 2, 1, 8))
    assert layer.key_buffer is buffer  # grown to double, so the next token needed no new buffer
    layer.batch_select_indices(torch.tensor([2, 0]))
    assert torch.equal(layer.keys[:, :, :5], expected[[2, 0]]) and layer.keys.shape[2] == 6
    layer.crop(-3)
    assert layer.get_seq_length() == 3 and torch.equal(layer.keys, expected[[2, 0], :, :3])
    with pytest.raises(ValueError, match="negative"):
        layer.crop(2)


def test_identical_prompts_are_read_once_and_sampled_apart(model_and_prompts: tuple[object, list[list[int]]]) -> None:
    import torch

    model, prompts = model_and_prompts
    batch = [prompts[1], prompts[0], prompts[1], prompts[1]]
    settings = DecodeSettings(max_new_tokens=8, min_shared_prefix=4)
    once, twice = DecodeStats(), DecodeStats()
    with torch.inference_mode():
        greedy = decode(model, batch, settings, [0] * 4, stats=once)
        decode(model, prompts[:2], settings, [0, 0], stats=twice)
        assert once.prompt_tokens_encoded == twice.prompt_tokens_encoded  # two distinct prompts read
        assert greedy[0] == greedy[2] == greedy[3] == decode(model, [prompts[1]], settings, [0])[0]
        assert greedy[1] == decode(model, [prompts[0]], settings, [0])[0]
        hot = DecodeSettings(max_new_tokens=8, temperature=1.5, min_shared_prefix=4)
        sampled = decode(model, batch, hot, [1, 2, 3, 4])
        assert sampled[2] == decode(model, [prompts[1]], hot, [3])[0]  # its own seed, as if alone
        assert len({tuple(r) for r in (sampled[0], sampled[2], sampled[3])}) > 1
