"""The ``llama-cpp`` generator on the packaged SmolLM2-135M-Instruct GGUF (real weights).

Every test runs in a forked child (``NATIVE``, pytest-isolate): a native crash of llama.cpp
fails that test with its signal, a hang fails it after a time limit, and the rest of the suite
still reports.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mils_core.components import Message, Prompt
from mils_core.errors import ModelUnavailableError
from mils_core.testing.contracts import make_prompt
from mils_llm.llamacpp import LlamaCppGenerator
from mils_llm.options import LlamaCppOptions

#: llama.cpp runs in a forked child (pytest-isolate): a SIGILL or SIGSEGV fails that test with its
#: signal, a hang fails it after 600 s, and the rest of the suite goes on and reports.
NATIVE = pytest.mark.isolate(timeout=600)
pytestmark = [
    NATIVE,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python not installed"),
]


def gen(**kw: object) -> LlamaCppGenerator:
    opts: dict[str, object] = {"max_new_tokens": 24, "n_ctx": 1024, "n_threads": 1, **kw}
    return LlamaCppGenerator(LlamaCppOptions(**opts))  # type: ignore[arg-type]


def test_default_context_is_capped_at_4096() -> None:
    g = LlamaCppGenerator(LlamaCppOptions(max_new_tokens=8, n_threads=1))
    assert g.context_window() == 4096  # SmolLM2 was trained on 8192


def test_count_tokens_matches_the_server_side_count() -> None:
    g = gen()
    prompt = make_prompt(2, seed=1)
    count = g.count_tokens(prompt)
    [out] = g.generate([prompt])
    assert count == out.prompt_tokens > 0
    assert g.render(prompt).startswith("<|im_start|>system\n")


def test_too_long_prompt_is_measurable_and_fails_alone() -> None:
    g = gen(n_ctx=256)
    body = " ".join(f"a dog on a beach number {i}" for i in range(120))
    long = Prompt((Message("user", body),), (), 3, 0)
    count = g.count_tokens(long)
    assert count is not None and count > g.context_window()  # type: ignore[operator]
    out = g.generate([make_prompt(1), long])
    assert out[0].error is None
    assert out[1].error is not None and "exceed context window" in out[1].error
    assert out[1].prompt_tokens == count


def test_seed_per_prompt() -> None:
    g = gen(temperature=1.0, top_p=1.0)
    a, b, c = g.generate([make_prompt(2, seed=5), make_prompt(2, seed=5), make_prompt(2, seed=6)])
    assert a.text == b.text
    assert a.error is None and c.error is None


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        gen(model=str(tmp_path / "missing.gguf")).ensure_loaded()
    with pytest.raises(ModelUnavailableError, match="exactly one .gguf"):
        gen(model=str(tmp_path)).ensure_loaded()
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF not really")
    with pytest.raises(ModelUnavailableError) as info:
        gen(model=str(bad)).ensure_loaded()
    assert "\n" not in str(info.value)
    with pytest.raises(ModelUnavailableError, match="HF_HUB_OFFLINE"):
        gen(model="some-org/some-gguf-repo", gguf_file="model.Q4_0.gguf").ensure_loaded()


def test_dtype_is_fixed_by_the_file() -> None:
    with pytest.raises(ValueError, match="quantisation"):
        LlamaCppOptions(dtype="float16")


def test_every_opened_model_is_closed_by_the_exit_hook() -> None:
    """Left to interpreter shutdown, llama-cpp-python's finalizers print a TypeError; the exit hook
    closes every model this process opened first, including ones no longer in the cache."""
    import subprocess
    import sys

    script = (
        "import atexit\n"
        "from mils_llm import llamacpp\n"
        "from mils_llm.options import LlamaCppOptions\n"
        "gen = llamacpp.LlamaCppGenerator(LlamaCppOptions(n_ctx=256))\n"
        "gen.ensure_loaded()\n"
        "llamacpp.clear_model_cache()\n"
        "other = llamacpp.LlamaCppGenerator(LlamaCppOptions(n_ctx=512))\n"
        "other.ensure_loaded()\n"
        "assert gen.llm._model.model is not None and other.llm._model.model is not None\n"
        "atexit._run_exitfuncs()\n"
        "print('closed', gen.llm._model.model is None, other.llm._model.model is None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "closed True True" in done.stdout, done.stdout


def test_extra_buffer_types_are_off_by_default_and_can_be_turned_on() -> None:
    off = gen()
    off.ensure_loaded()
    assert off.llm.model_params.use_extra_bufts is False
    on = gen(use_extra_bufts=True)
    on.ensure_loaded()
    assert on.llm.model_params.use_extra_bufts is True
    assert on.llm is not off.llm  # another setting is another model, not the cached one
    [reply] = on.generate([make_prompt(2, seed=3)])
    assert reply.error is None and reply.completion_tokens > 0


def test_the_cpu_check_runs_before_the_first_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from mils_llm import llamacpp

    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(llamacpp, "check_runs_here",
                        lambda path, *, use_extra_bufts, **kw: seen.append((Path(path).name, use_extra_bufts)))
    llamacpp.clear_model_cache()
    gen(n_ctx=512).ensure_loaded()
    assert seen == [("SmolLM2-135M-Instruct.Q4_1.gguf", False)]
    gen(n_ctx=512, check_cpu=False).ensure_loaded()
    assert len(seen) == 1


def test_a_failed_cpu_check_stops_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from mils_llm import llamacpp

    def crash(path: Path, **kw: object) -> None:
        raise ModelUnavailableError("llama-cpp: llama-cpp-python crashed with SIGILL (illegal instruction)")

    opened: list[object] = []
    monkeypatch.setattr(llamacpp, "check_runs_here", crash)
    monkeypatch.setattr(llamacpp, "open_llama", lambda *a, **k: opened.append(a))
    llamacpp.clear_model_cache()
    with pytest.raises(ModelUnavailableError, match="SIGILL"):
        gen(n_ctx=384).ensure_loaded()
    assert opened == []
