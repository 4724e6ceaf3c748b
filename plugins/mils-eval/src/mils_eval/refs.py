"""Reference captions for ``mils eval``: a JSON id → references map, a COCO captions file, or the run itself.

How a record finds its references (first match wins):

1. the record's ``id`` equals a reference key — for a COCO captions file the keys are
   ``str(image_id)``, the image's ``file_name`` and its stem (``COCO_val2014_000000391895``);
2. the file name of the record's ``source`` (``.../COCO_val2014_000000391895.jpg``);
3. the stem of that file name.

The ``coco-karpathy`` reader uses ``str(cocoid)`` as sample id, which is the ``image_id`` of
the official ``captions_val2014.json``, so both reference sources line up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

import attrs

from mils_core.errors import ConfigError
from mils_core.records import SampleRecord


@attrs.frozen
class References:
    """Reference captions by key, plus the other names each key answers to."""

    refs: dict[str, list[str]]
    aliases: dict[str, str] = attrs.field(factory=dict)
    origin: str = ""

    def key_for(self, record: SampleRecord) -> str | None:
        """The reference key a results record belongs to, or None."""
        for name in _names(record):
            if name in self.refs:
                return name
            if name in self.aliases:
                return self.aliases[name]
        return None


def _names(record: SampleRecord) -> Iterable[str]:
    yield record.id
    source = record.source
    if isinstance(source, str) and source and "\n" not in source and len(source) < 1024:
        name = PurePath(source).name
        if name:
            yield name
            yield PurePath(name).stem


def _clean(refs: Iterable[Any]) -> list[str]:
    return [str(r).strip() for r in refs if isinstance(r, str) and str(r).strip()]


def load_references(path: Path | str) -> References:
    """Read a JSON id → [references] object or a COCO-format captions annotation file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"references file {str(path)!r} not found: pass --refs a JSON file (id -> list of captions) "
                          "or a COCO captions annotation file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"references file {str(path)!r} is not valid JSON ({exc}); expected an object mapping sample "
                          "id to a list of captions, or a COCO captions file") from None
    if isinstance(data, dict) and "annotations" in data:
        return _coco(data, path)
    if not isinstance(data, dict):
        raise ConfigError(f"references file {str(path)!r} must be a JSON object (sample id -> list of captions) or a "
                          f"COCO captions file with 'annotations', got a JSON {type(data).__name__}")
    refs: dict[str, list[str]] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"references file {str(path)!r}: the value of {key!r} must be a list of caption strings, "
                              f"got {json.dumps(value)[:80]}")
        refs[str(key)] = _clean(value)
    return References(refs=refs, origin=str(path))


def _coco(data: dict[str, Any], path: Path) -> References:
    anns = data.get("annotations")
    if not isinstance(anns, list):
        raise ConfigError(f"COCO captions file {str(path)!r}: 'annotations' must be a list of {{image_id, caption}}")
    refs: dict[str, list[str]] = {}
    for n, ann in enumerate(anns):
        if not isinstance(ann, dict) or "image_id" not in ann or not isinstance(ann.get("caption"), str):
            raise ConfigError(f"COCO captions file {str(path)!r}: annotation #{n} lacks 'image_id' or a string 'caption'")
        refs.setdefault(str(ann["image_id"]), []).extend(_clean([ann["caption"]]))
    aliases: dict[str, str] = {}
    images = data.get("images", [])
    if isinstance(images, list):
        for img in images:
            if isinstance(img, dict) and "id" in img and isinstance(img.get("file_name"), str):
                key = str(img["id"])
                refs.setdefault(key, [])
                aliases.setdefault(img["file_name"], key)
                aliases.setdefault(PurePath(img["file_name"]).stem, key)
    return References(refs=refs, aliases=aliases, origin=str(path))


def references_from_records(records: Iterable[SampleRecord]) -> References:
    """References carried by the run's own records (``meta.references``, set by the dataset readers)."""
    refs: dict[str, list[str]] = {}
    for record in records:
        found = record.meta.get("references") if isinstance(record.meta, dict) else None
        if isinstance(found, list) and _clean(found):
            refs[record.id] = _clean(found)
    return References(refs=refs, origin="the run's records (meta.references)")
