"""Load a transformers model with its tokenizer and image processor, by hub name or local folder.

One place for what every transformers-based scorer needs: the hub/folder rule
(:func:`mils_core.model_source.pretrained_source`), a check that the model has the methods the
scorer calls, and one-line errors (a missing package, a broken folder, a hub or cache failure).
transformers is imported only when a model is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_source import first_line, pretrained_source

__all__ = ["Pretrained", "load_pretrained"]

FOLDER_FIX = "pass a local folder saved with save_pretrained() as model = \"/path/to/folder\""


@attrs.frozen
class Pretrained:
    """A loaded model (on the CPU, in float32, as transformers gives it), its tokenizer and image processor."""

    model: Any
    tokenizer: Any
    image_processor: Any
    source: str


def load_pretrained(name: str, *, what: str, needs: tuple[str, ...], use: str) -> Pretrained:
    """Load ``name`` (hub repo or folder) with ``AutoModel``, ``AutoTokenizer`` and ``AutoImageProcessor``.

    :param what: what the model is, for messages ("X-CLIP model").
    :param needs: methods the model must have (e.g. ``("get_text_features", "get_video_features")``).
    :param use: what to use instead when it lacks them ("an X-CLIP model").
    """
    source, local_only = pretrained_source(name, what)
    from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

    try:
        model = AutoModel.from_pretrained(source, local_files_only=local_only)
        missing = [m for m in needs if not hasattr(model, m)]
        if missing:
            raise ConfigError(f"model {name!r} is a {type(model).__name__}, which has no {'/'.join(needs)}; use {use}")
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
        image_processor = AutoImageProcessor.from_pretrained(source, local_files_only=local_only)  # type: ignore[no-untyped-call]
    except ConfigError:
        raise
    except ImportError as exc:
        raise ConfigError(f"model {name!r} needs a missing package: {first_line(exc)}") from exc
    except (OSError, ValueError, KeyError) as exc:
        if Path(source).is_dir():
            raise ConfigError(f"transformers could not load {source!r}: {first_line(exc)}") from exc
        raise ModelUnavailableError(
            f"transformers could not load {source!r} (hub or cache): {first_line(exc)}; {FOLDER_FIX}"
        ) from exc
    return Pretrained(model, tokenizer, image_processor, source)
