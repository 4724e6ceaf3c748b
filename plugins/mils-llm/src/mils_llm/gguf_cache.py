"""A disk cache of GGUF models converted for transformers.

transformers rebuilds the tokenizer and de-quantizes every tensor each time it opens a ``.gguf``
file (about 27 s for SmolLM2-135M on two CPU cores). The converted model is saved once as
safetensors under the mils cache folder and later loads read that copy (well under a second).
The key covers the file's path, size and modification time, the dtype and the transformers
version, so a changed file or library never reuses a stale copy. Writes go to a temporary folder
renamed into place, so an interrupted save leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import structlog

from mils_core.config import default_cache_dir
from mils_llm.common import one_line

log = structlog.get_logger("mils.llm")

#: Marker written last: a folder without it is incomplete and ignored.
DONE = "mils-converted.json"


def converted_folder(gguf_path: Path, dtype: Any, root: Path | None = None) -> Path:
    """Where the converted copy of ``gguf_path`` at ``dtype`` lives (it may not exist yet)."""
    import transformers

    stat = gguf_path.stat()
    ident = f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{dtype}|{transformers.__version__}"
    key = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return (root or default_cache_dir()) / "converted-gguf" / f"{gguf_path.stem}-{key}"


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished conversion."""
    return (folder / DONE).is_file()


def discard(folder: Path) -> None:
    """Remove a cached conversion (e.g. one that no longer loads); missing folders are fine."""
    shutil.rmtree(folder, ignore_errors=True)


def store(model: Any, tokenizer: Any, folder: Path, source: str) -> bool:
    """Save a GGUF-loaded model and tokenizer to ``folder`` (atomically); False if that failed.

    A failed save is logged and otherwise ignored: the model in memory is unaffected.
    """
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    quantizer = getattr(model, "hf_quantizer", None)
    had_qconfig = hasattr(model.config, "quantization_config")
    qconfig = getattr(model.config, "quantization_config", None)
    try:
        # The weights are already de-quantized; the GGUF marker only blocks serialisation.
        model.hf_quantizer = None
        if had_qconfig:
            del model.config.quantization_config
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / DONE).write_text(json.dumps({"source": source}) + "\n", encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:
            if not is_complete(folder):  # another process may have finished first; that copy is as good
                raise
            shutil.rmtree(tmp, ignore_errors=True)
        log.info("converted model cached", model=source, folder=str(folder))
        return True
    except Exception as exc:  # noqa: BLE001 - caching is an optimisation; the loaded model still works
        log.warning("could not cache the converted model", model=source, folder=str(folder), error=one_line(exc))
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    finally:
        model.hf_quantizer = quantizer
        if had_qconfig:
            model.config.quantization_config = qconfig
