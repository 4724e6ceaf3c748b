"""Helpers shared by the ``open-clip`` and ``hf-clip`` scorers.

Nothing here imports torch, transformers or open_clip at module import time.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any
from urllib.parse import urlparse

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.torch_utils import DTYPES, hf_offline

_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


# -- option validators (attrs) ----------------------------------------------------------
def check_device(_instance: Any, attribute: Any, value: str) -> None:
    """attrs validator: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``."""
    if not isinstance(value, str) or not _DEVICE.match(value):
        raise ConfigError(f"{attribute.name} {value!r} is not valid; use auto, cpu, cuda, cuda:N or mps")


def check_dtype(_instance: Any, attribute: Any, value: str) -> None:
    """attrs validator: one of ``auto``, ``float32``, ``bfloat16``, ``float16``."""
    if value not in DTYPES:
        raise ConfigError(f"{attribute.name} {value!r} is not valid; use one of {', '.join(DTYPES)}")


def check_positive(_instance: Any, attribute: Any, value: int) -> None:
    """attrs validator: an integer of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{attribute.name} must be an integer of at least 1, got {value!r}")


# -- model outputs ----------------------------------------------------------------------
def features_of(output: Any) -> Any:
    """The embedding tensor from ``get_*_features``: a tensor (transformers 4) or an output object (5)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    pooled = getattr(output, "pooler_output", None)
    if isinstance(pooled, torch.Tensor):
        return pooled
    for key in ("text_embeds", "image_embeds"):
        value = getattr(output, key, None)
        if isinstance(value, torch.Tensor):
            return value
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise TypeError(f"cannot find embeddings in a {type(output).__name__}")


# -- the hub ----------------------------------------------------------------------------
def looks_like_path(value: str) -> bool:
    """True for strings a user means as a file or folder (not a hub id or a tag)."""
    return (
        value.startswith(("/", "./", "../", "~"))
        or (os.sep in value and os.path.exists(os.path.expanduser(value)))
        or value.endswith((".pt", ".pth", ".bin", ".safetensors", ".npz"))
    )


def hub_cached(repo_id: str, filename: str) -> str | None:
    """The local path of ``repo_id/filename`` in the Hugging Face cache, or None."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return None
    try:
        found = try_to_load_from_cache(repo_id, filename, cache_dir=os.environ.get("HF_HUB_CACHE") or None)
    except Exception:  # noqa: BLE001 - a malformed repo id simply is not cached
        return None
    return found if isinstance(found, str) else None


def hub_unreachable_reason(timeout: float = 3.0) -> str | None:
    """Why the hub cannot be used now (``HF_HUB_OFFLINE`` set, or no connection), else None.

    The connection probe is one TCP connect with a short timeout, so an offline machine
    gets a clear error in seconds instead of a minute of download retries. It is skipped
    when a proxy is configured (the proxy may reach the hub when we cannot).
    """
    if hf_offline():
        return "HF_HUB_OFFLINE is set"
    if any(os.environ.get(var) for var in _PROXY_VARS):
        return None
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (443 if parsed.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError:
        return f"{host} cannot be reached"


def unavailable(what: str, name: str, reason: str, local_hint: str) -> ModelUnavailableError:
    """A one-line error: the model is not cached, the hub is not usable, how to pass a local copy."""
    return ModelUnavailableError(
        f"{what} {name!r} is not available offline: it is not in the local Hugging Face cache and "
        f"the hub cannot be used ({reason}); download it on a machine with internet access, or {local_hint}"
    )


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__
