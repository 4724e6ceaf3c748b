"""The CPU check of the llama-cpp generator: a native crash in the child becomes one line here."""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap
from pathlib import Path

import pytest

from mils_core.errors import ModelUnavailableError
from mils_llm import llama_probe
from mils_llm.llama_probe import check_runs_here

FAKES = {
    "fake_sigill_llama": """
        import os, signal
        class Llama:
            def __init__(self, **kwargs):
                os.kill(os.getpid(), signal.SIGILL)
    """,
    "fake_segv_llama": """
        import ctypes
        class Llama:
            def __init__(self, **kwargs):
                ctypes.string_at(0)
    """,
    "fake_broken_llama": """
        class Llama:
            def __init__(self, **kwargs):
                raise RuntimeError("ggml_backend_cpu_init failed: no usable CPU backend")
    """,
    "fake_hung_llama": """
        import time
        class Llama:
            def __init__(self, **kwargs):
                time.sleep(60)
    """,
    "fake_good_llama": """
        class Llama:
            def __init__(self, **kwargs):
                self.kwargs = kwargs
            def create_completion(self, prompt, **kwargs):
                return {"choices": [{"text": " blue"}]}
            def close(self):
                pass
    """,
}


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of fake llama.cpp binding modules, on the child's PYTHONPATH; returns a model file."""
    lib = tmp_path / "fakelibs"
    lib.mkdir()
    for name, body in FAKES.items():
        (lib / f"{name}.py").write_text(textwrap.dedent(body))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(lib), os.environ.get("PYTHONPATH", "")]))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    llama_probe._MEMO.clear()
    return model


def test_sigill_in_the_child_is_one_line_and_the_parent_survives(fakes: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError) as info:
        check_runs_here(fakes, use_extra_bufts=True, cache_dir=tmp_path / "cache", module="fake_sigill_llama")
    message = str(info.value)
    assert "\n" not in message
    assert "crashed with SIGILL (illegal instruction)" in message
    assert "model.gguf" in message
    assert "GGML_NATIVE=OFF" in message and "--no-cache-dir" in message  # the rebuild command
    assert "use_extra_bufts = false" in message  # the option that avoids the repacking path
    assert not (tmp_path / "cache" / "llama-probe").exists()  # a failure is not remembered


def test_the_avoiding_option_is_not_suggested_when_already_off(fakes: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="SIGSEGV") as info:
        check_runs_here(fakes, use_extra_bufts=False, module="fake_segv_llama")
    assert "use_extra_bufts" not in str(info.value)


def test_a_python_error_in_the_child_names_its_cause(fakes: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="ggml_backend_cpu_init failed: no usable CPU backend"):
        check_runs_here(fakes, use_extra_bufts=False, module="fake_broken_llama")


def test_a_hung_child_times_out(fakes: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="did not finish within 2 s"):
        check_runs_here(fakes, use_extra_bufts=False, module="fake_hung_llama", timeout_s=2)


def test_a_success_is_remembered_on_disk(fakes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    check_runs_here(fakes, use_extra_bufts=False, cache_dir=cache, module="fake_good_llama")
    assert len(list((cache / "llama-probe").glob("*.json"))) == 1
    llama_probe._MEMO.clear()

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("the check ran again")

    monkeypatch.setattr(llama_probe.subprocess, "run", no_child)
    check_runs_here(fakes, use_extra_bufts=False, cache_dir=cache, module="fake_good_llama")
    # another setting is another check
    with pytest.raises(AssertionError, match="ran again"):
        check_runs_here(fakes, use_extra_bufts=True, cache_dir=cache, module="fake_good_llama")


def test_the_key_follows_library_cpu_and_model(fakes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = llama_probe.probe_key(fakes, use_extra_bufts=False, n_gpu_layers=0, module="fake_good_llama")
    assert base == llama_probe.probe_key(fakes, use_extra_bufts=False, n_gpu_layers=0, module="fake_good_llama")
    assert base != llama_probe.probe_key(fakes, use_extra_bufts=True, n_gpu_layers=0, module="fake_good_llama")
    monkeypatch.setattr(llama_probe, "cpu_fingerprint", lambda: "another-cpu")
    assert base != llama_probe.probe_key(fakes, use_extra_bufts=False, n_gpu_layers=0, module="fake_good_llama")
    monkeypatch.undo()
    fakes.write_bytes(b"GGUF another model")
    assert base != llama_probe.probe_key(fakes, use_extra_bufts=False, n_gpu_layers=0, module="fake_good_llama")


def test_cpu_fingerprint_is_stable() -> None:
    assert llama_probe.cpu_fingerprint() == llama_probe.cpu_fingerprint()
    assert len(llama_probe.cpu_fingerprint()) == 16


needs_llama = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python not installed")


@needs_llama
def test_the_installed_library_runs_here() -> None:
    """The real check on the packaged SmolLM2 GGUF: what the generator does before its first load."""
    from mils_llm.models import default_gguf

    llama_probe._MEMO.clear()
    check_runs_here(default_gguf(), use_extra_bufts=False)
    check_runs_here(default_gguf(), use_extra_bufts=True)


@needs_llama
@pytest.mark.skipif(bool(os.environ.get("MILS_LLAMA_CMAKE_ARGS")), reason="llama.cpp was built with the user's own flags")
def test_the_installed_library_is_the_portable_build() -> None:
    """scripts/setup.sh installs llama.cpp built for x86-64-v3, not for the CPU it was compiled on.

    Checked in a child process: the test process never loads llama.cpp (see conftest).
    """
    import subprocess

    if os.uname().machine not in ("x86_64", "AMD64"):
        pytest.skip("the portable flag set is for x86-64")
    code = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    info = done.stdout
    assert "AVX2 = 1" in info, info
    for feature in ("AVX512 = 1", "AMX_INT8 = 1", "AVX512_VNNI = 1"):
        assert feature not in info, f"llama.cpp was compiled for this CPU ({feature}): {info}"
