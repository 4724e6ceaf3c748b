"""Check in a child process that llama.cpp runs on this CPU, before this process trusts it.

A llama-cpp-python build compiled for another CPU (pip caches the wheel it built with
``-march=native`` and reuses it on the next machine), or a kernel that faults here (ggml's
AMX path for repacked weights), kills the whole process with SIGILL or SIGSEGV: no
exception, no message. So the generator first opens the model and evaluates one token in a
child process with the same settings. A success is remembered on disk, keyed by the
library's build, this CPU and the model file, so the check costs about a second once.

``python -m mils_llm.llama_probe [MODEL] [--no-extra-bufts] [--gpu-layers N] [--module NAME]``
runs the check by hand (exit code 0: this CPU runs it); MODEL defaults to the packaged SmolLM2.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import structlog

from mils_core.errors import ModelUnavailableError

log = structlog.get_logger("mils.llm")

#: Bump when what the child checks changes, so old successes are not trusted.
PROBE_VERSION = 1
DEFAULT_TIMEOUT_S = 180.0
#: CMAKE_ARGS of the portable build scripts/setup.sh makes (x86-64-v3: AVX2, FMA, F16C, BMI2).
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON "
    "-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)

_MEMO: dict[str, None] = {}
_MEMO_LOCK = threading.Lock()


def cpu_fingerprint() -> str:
    """A short hash of this CPU's model and instruction-set flags."""
    info = ""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "model name", "Features", "CPU part") and value.strip():
            info += f"{key.strip()}={' '.join(sorted(value.split()))};"
    if not info:  # not Linux
        info = f"{platform.machine()};{platform.processor()}"
    return hashlib.sha256(info.encode()).hexdigest()[:16]


def library_fingerprint(module: str = "llama_cpp") -> str:
    """A short hash of the native libraries of ``module`` (paths, sizes, modification times)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "missing"
    root = Path(spec.origin).parent
    parts = [str(root)]
    for lib in sorted(root.rglob("*")):
        if lib.suffix in (".so", ".dylib", ".dll") or ".so." in lib.name:
            stat = lib.stat()
            parts.append(f"{lib.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _file_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def probe_key(model: Path, *, use_extra_bufts: bool, n_gpu_layers: int, module: str = "llama_cpp") -> str:
    """What a remembered success depends on."""
    parts = (PROBE_VERSION, module, library_fingerprint(module), cpu_fingerprint(), _file_key(model),
             use_extra_bufts, n_gpu_layers)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _marker(cache_dir: Path, key: str) -> Path:
    return cache_dir / "llama-probe" / f"{key}.json"


def _signal_name(returncode: int) -> str:
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"
    meaning = {"SIGILL": "illegal instruction", "SIGSEGV": "segmentation fault", "SIGBUS": "bus error",
               "SIGABRT": "aborted", "SIGFPE": "arithmetic fault"}.get(name)
    return f"{name} ({meaning})" if meaning else name


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " ".join(lines[-1].split())[:200] if lines else ""


def _library_label(module: str) -> str:
    if module != "llama_cpp":
        return module
    try:
        from importlib.metadata import version

        return f"llama-cpp-python {version('llama-cpp-python')}"
    except Exception:  # noqa: BLE001 - only a label
        return "llama-cpp-python"


def check_runs_here(
    model: Path,
    *,
    use_extra_bufts: bool,
    n_gpu_layers: int = 0,
    cache_dir: Path | None = None,
    module: str = "llama_cpp",
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> None:
    """Raise :class:`ModelUnavailableError` (one line) unless ``model`` runs one token in a child.

    :param cache_dir: where successes are remembered; None remembers them in this process only.
    :param module: the Python module of the llama.cpp bindings (tests point it at a fake).
    """
    key = probe_key(model, use_extra_bufts=use_extra_bufts, n_gpu_layers=n_gpu_layers, module=module)
    with _MEMO_LOCK:
        if key in _MEMO:
            return
    marker = _marker(cache_dir, key) if cache_dir is not None else None
    if marker is not None and marker.is_file():
        with _MEMO_LOCK:
            _MEMO[key] = None
        return
    cmd = [sys.executable, "-m", "mils_llm.llama_probe", str(model), "--gpu-layers", str(n_gpu_layers),
           "--module", module]
    if not use_extra_bufts:
        cmd.append("--no-extra-bufts")
    log.info("checking that llama.cpp runs on this CPU", model=str(model), use_extra_bufts=use_extra_bufts)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ModelUnavailableError(
            f"llama-cpp: the check that {_library_label(module)} runs {model.name} on this CPU did not finish "
            f"within {timeout_s:.0f} s; run 'python -m mils_llm.llama_probe {model}' to see where it hangs"
        ) from exc
    if done.returncode != 0:
        raise ModelUnavailableError(_failure_message(done, model, module, use_extra_bufts))
    if marker is not None:
        _remember(marker, key)
    with _MEMO_LOCK:
        _MEMO[key] = None


def _failure_message(done: subprocess.CompletedProcess[str], model: Path, module: str, use_extra_bufts: bool) -> str:
    label = _library_label(module)
    avoid = (" or set the llama-cpp option use_extra_bufts = false (no weight repacking, which avoids the AMX "
             "kernels)") if use_extra_bufts else ""
    rebuild = (f"rebuild it portably: CMAKE_ARGS=\"{PORTABLE_CMAKE_ARGS}\" pip install --force-reinstall --no-deps "
               "--no-cache-dir llama-cpp-python (scripts/setup.sh --test does this in a mils checkout)")
    if done.returncode < 0:
        return (f"llama-cpp: {label} crashed with {_signal_name(done.returncode)} running one token of {model.name} "
                f"on this CPU (it was built for another CPU, or one of its kernels faults here); {rebuild}{avoid}")
    detail = _last_line(done.stderr) or f"exit code {done.returncode}"
    return f"llama-cpp: {label} failed to run one token of {model.name} on this CPU: {detail}; {rebuild}{avoid}"


def _remember(marker: Path, key: str) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"key": key, "cpu": cpu_fingerprint(), "ok": True}) + "\n", encoding="utf-8")
        os.replace(tmp, marker)
    except OSError as exc:  # the check then simply runs again next time
        log.warning("could not remember the llama.cpp check", path=str(marker), error=str(exc))


def _run_one_token(model: str, module: str, use_extra_bufts: bool, n_gpu_layers: int) -> None:
    """The child's work: open the model as the generator does and evaluate a few tokens."""
    import importlib

    from mils_llm.llamacpp import open_llama

    lib: Any = importlib.import_module(module)
    llm = open_llama(lib, Path(model), n_ctx=256, n_batch=64, n_threads=1, n_gpu_layers=n_gpu_layers, main_gpu=0,
                     seed=0, use_extra_bufts=use_extra_bufts)
    llm.create_completion("The sky is", max_tokens=1, temperature=0.0)
    llm.close()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry of the child process."""
    parser = argparse.ArgumentParser(prog="python -m mils_llm.llama_probe", description=__doc__)
    parser.add_argument("model", nargs="?", help="a .gguf file (default: the packaged SmolLM2-135M-Instruct)")
    parser.add_argument("--module", default="llama_cpp")
    parser.add_argument("--gpu-layers", type=int, default=0)
    parser.add_argument("--no-extra-bufts", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.model is None:
            from mils_llm.models import default_gguf

            args.model = str(default_gguf())
        _run_one_token(args.model, args.module, not args.no_extra_bufts, args.gpu_layers)
    except Exception as exc:  # noqa: BLE001 - reported to the parent on stderr
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
