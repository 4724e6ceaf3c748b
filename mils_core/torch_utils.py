"""Torch helpers for plugins: device and precision policy. torch is imported lazily."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mils_core.errors import ConfigError

if TYPE_CHECKING:
    import torch

DTYPES = ("auto", "float32", "bfloat16", "float16")


def require_torch() -> Any:
    """Import torch or raise a one-line error saying how to install it."""
    try:
        import torch
    except ImportError as exc:
        raise ConfigError(
            "this component needs PyTorch, which is not installed; install it with "
            "'pip install mils-core[torch]' (or 'pip install torch')"
        ) from exc
    return torch


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` → first CUDA GPU, else Apple MPS, else CPU; or an explicit ``cpu``/``cuda:N``/``mps``."""
    th = require_torch()
    if name == "auto":
        if th.cuda.is_available():
            return cast("torch.device", th.device("cuda:0"))
        mps = getattr(th.backends, "mps", None)
        if mps is not None and mps.is_available():
            return cast("torch.device", th.device("mps"))
        return cast("torch.device", th.device("cpu"))
    try:
        device = th.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"device {name!r} is not valid; use auto, cpu, cuda, cuda:N or mps") from exc
    if device.type == "cuda" and not th.cuda.is_available():
        raise ConfigError(f"device {name!r} was asked for but no CUDA GPU is visible; use device = \"cpu\"")
    if device.type == "cuda" and device.index is not None and device.index >= th.cuda.device_count():
        raise ConfigError(f"device {name!r} does not exist; this machine has {th.cuda.device_count()} GPU(s)")
    return cast("torch.device", device)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """``auto`` → bfloat16 on GPUs that support it, float16 on other GPUs, float32 on CPU."""
    th = require_torch()
    if name not in DTYPES:
        raise ConfigError(f"dtype {name!r} is not valid; use one of {', '.join(DTYPES)}")
    if name == "auto":
        if device.type == "cuda":
            return cast("torch.dtype", th.bfloat16 if th.cuda.is_bf16_supported() else th.float16)
        return cast("torch.dtype", th.float32)
    return cast("torch.dtype", getattr(th, name))


def cpu_has_fast_bf16() -> bool:
    """True where this CPU computes bfloat16 natively (AVX512-BF16 or AMX-BF16; Linux flags).

    ``MILS_CPU_BF16=0`` (or ``1``) overrides the check, e.g. for outputs identical across machines.
    """
    forced = os.environ.get("MILS_CPU_BF16", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return _cpu_flags_have_bf16()


@functools.lru_cache(maxsize=1)
def _cpu_flags_have_bf16() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            return bool(flags & {"avx512_bf16", "amx_bf16"})
    return False


@contextlib.contextmanager
def inference(device: torch.device, dtype: torch.dtype) -> Iterator[None]:
    """``torch.inference_mode`` plus autocast to ``dtype`` where it is not float32."""
    th = require_torch()
    with th.inference_mode():
        if dtype != th.float32 and device.type in ("cuda", "cpu"):
            with th.autocast(device_type=device.type, dtype=dtype):
                yield
        else:
            yield


def to_numpy(tensor: torch.Tensor) -> Any:
    """A float32 numpy copy of a tensor on any device."""
    return tensor.detach().float().cpu().numpy()


def hf_offline() -> bool:
    """True if the Hugging Face hub must not be contacted (see :func:`mils_core.model_source.hf_offline`)."""
    from mils_core.model_source import hf_offline as offline

    return offline()
