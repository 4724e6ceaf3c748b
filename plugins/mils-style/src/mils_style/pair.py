"""Style-transfer samples: a (content image, style image) pair, where they come from, how they are read.

``[run] samples`` (and ``mils stylize``) may be:

* a mapping ``{content = "c.jpg", style = "s.jpg"}`` (optional ``id``), or a list of them, or a
  list of ``[content, style]`` pairs;
* a CSV or JSON-lines manifest with ``content`` and ``style`` columns (optional ``id``; other
  columns go to the sample's meta). Relative paths are taken from the manifest's folder;
* a folder holding ``content/`` and ``style/`` sub-folders: each content image is paired with
  the style image of the same file stem, or with the only style image when ``style/`` holds one.

Sample ids are ``<content stem>+<style stem>`` unless given. Reading a pair
(:func:`load_pair`) fails that sample with one line when an image is missing, unreadable or
smaller than ``min_side`` pixels; a grayscale style image is used as RGB and noted in the
sample's meta (``style_grayscale``). The two images may differ in size: the scorer resizes every
image to its own square input size and the editors keep the content image's size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.components import Sample
from mils_core.errors import ConfigError, SampleError
from mils_core.media.image import IMAGE_SUFFIXES

log = structlog.get_logger("mils.style")

__all__ = ["StylePair", "load_pair", "pair_samples"]

TASK = "style-transfer"


@attrs.frozen(eq=False)
class StylePair:
    """A sample's target: the content image (edited) and the style image (imitated), both RGB PIL images."""

    content: Any
    style: Any
    content_path: str = ""
    style_path: str = ""

    @property
    def key(self) -> str:
        """A short identity of the pair (for logs and caches)."""
        return f"{self.content_path}|{self.style_path}"


def _pair_sample(content: Path, style: Path, sample_id: str | None = None,
                 meta: Mapping[str, Any] | None = None) -> Sample:
    sid = sample_id or f"{content.stem}+{style.stem}"
    return Sample(sid, str(content), {**(meta or {}), "content": str(content), "style": str(style)})


def _unique(samples: Iterable[Sample]) -> list[Sample]:
    counts: dict[str, int] = {}
    out = []
    for s in samples:
        n = counts.get(s.id, 0)
        counts[s.id] = n + 1
        out.append(s if n == 0 else attrs.evolve(s, id=f"{s.id}-{n + 1}"))
    return out


def _from_mapping(item: Mapping[str, Any], where: str, root: Path | None = None) -> Sample:
    content, style = item.get("content"), item.get("style")
    if not content or not style:
        raise ConfigError(f"{TASK}: {where} needs both 'content' and 'style' image paths")
    base = root or Path.cwd()
    c, s = Path(str(content)).expanduser(), Path(str(style)).expanduser()
    c = c if c.is_absolute() else base / c
    s = s if s.is_absolute() else base / s
    meta = {k: v for k, v in item.items() if k not in ("content", "style", "id")}
    sid = str(item["id"]).strip() if item.get("id") not in (None, "") else None
    return _pair_sample(c, s, sid, meta)


def _read_manifest(path: Path) -> list[Sample]:
    if not path.is_file():
        raise ConfigError(f"{TASK}: manifest {str(path)!r} does not exist")
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        if path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = [f.strip().lower() for f in reader.fieldnames or []]
                if "content" not in fields or "style" not in fields:
                    raise ConfigError(f"{TASK}: manifest {str(path)!r} needs 'content' and 'style' columns "
                                      f"(has: {', '.join(fields) or 'none'})")
                for i, row in enumerate(reader, start=2):
                    rows.append((i, {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}))
        else:
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{TASK}: {str(path)!r} line {i} is not JSON: {exc.msg}") from None
                if not isinstance(obj, dict):
                    raise ConfigError(f"{TASK}: {str(path)!r} line {i} must be a JSON object with content and style")
                rows.append((i, obj))
    except OSError as exc:
        raise ConfigError(f"{TASK}: manifest {str(path)!r} cannot be read: {exc.strerror}") from None
    if not rows:
        raise ConfigError(f"{TASK}: manifest {str(path)!r} has no rows")
    samples = [_from_mapping(row, f"{str(path)!r} line {i}", path.parent) for i, row in rows]
    seen: dict[str, int] = {}
    for (i, _row), sample in zip(rows, samples, strict=True):
        if sample.id in seen:
            raise ConfigError(f"{TASK}: {str(path)!r} repeats sample id {sample.id!r} (lines {seen[sample.id]} and {i})")
        seen[sample.id] = i
    return samples


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _read_folder(folder: Path) -> list[Sample]:
    content_dir, style_dir = folder / "content", folder / "style"
    if not content_dir.is_dir() or not style_dir.is_dir():
        raise ConfigError(f"{TASK}: folder {str(folder)!r} must hold 'content/' and 'style/' sub-folders of images "
                          "(or pass a manifest with content,style columns)")
    contents, styles = _images(content_dir), _images(style_dir)
    if not contents or not styles:
        empty = content_dir if not contents else style_dir
        raise ConfigError(f"{TASK}: {str(empty)!r} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if len(styles) == 1:
        return [_pair_sample(c, styles[0]) for c in contents]
    by_stem = {p.stem: p for p in styles}
    out = []
    for c in contents:
        if c.stem not in by_stem:
            raise ConfigError(f"{TASK}: content image {c.name!r} has no style image named {c.stem}.* in {str(style_dir)!r}")
        out.append(_pair_sample(c, by_stem[c.stem], c.stem))
    return out


def pair_samples(source: Any) -> list[Sample]:
    """Samples of the pairs named by ``source`` (see the module docstring)."""
    if isinstance(source, Mapping):
        return [_from_mapping(source, "[run] samples")]
    if isinstance(source, (list, tuple)):
        out = []
        for i, item in enumerate(source):
            if isinstance(item, Mapping):
                out.append(_from_mapping(item, f"[run] samples item {i + 1}"))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                out.append(_from_mapping({"content": item[0], "style": item[1]}, f"[run] samples item {i + 1}"))
            else:
                raise ConfigError(f"{TASK}: [run] samples item {i + 1} must be {{content, style}} or [content, style]")
        if not out:
            raise ConfigError(f"{TASK}: [run] samples is empty")
        return _unique(out)
    if not isinstance(source, (str, Path)):
        raise ConfigError(f"{TASK}: [run] samples must be a content/style mapping, a list of pairs, a CSV/JSONL "
                          "manifest with content,style columns, or a folder with content/ and style/")
    path = Path(str(source)).expanduser()
    if path.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
        return _read_manifest(path)
    if path.is_dir():
        return _read_folder(path)
    raise ConfigError(f"{TASK}: {str(source)!r} is neither a manifest (.csv, .jsonl) nor a folder with content/ and "
                      "style/; pass both images, e.g. mils stylize CONTENT STYLE")


def _read(path: str, role: str, max_side: int, min_side: int) -> tuple[Any, str]:
    from mils_core.media.image import require_pillow

    image_mod = require_pillow()
    from mils_core.media.image import load_image

    p = Path(path)
    if not p.exists():
        raise SampleError(f"{role} image {path!r} does not exist")
    mode = ""
    try:
        with image_mod.open(p) as probe:
            mode = probe.mode
    except Exception:  # noqa: BLE001,S110 - load_image gives the one-line reason below
        pass
    try:
        img = load_image(p, max_side=max_side)
    except SampleError as exc:
        raise SampleError(f"{role} image: {exc}") from None
    if min(img.size) < min_side:
        raise SampleError(f"{role} image {path!r} is {img.width}x{img.height}: too small for style transfer "
                          f"(each side needs at least {min_side} pixels)")
    return img, mode


def load_pair(sample: Sample, *, max_side: int = 512, min_side: int = 16) -> StylePair:
    """Read a sample's two images (see the module docstring); :class:`SampleError` with one line if they cannot be used."""
    content_path = sample.meta.get("content") or str(sample.source)
    style_path = sample.meta.get("style")
    if not style_path:
        raise SampleError(f"sample {sample.id!r} has no style image; give one (content,style columns, or "
                          "mils stylize CONTENT STYLE)")
    content, _mode = _read(str(content_path), "content", max_side, min_side)
    style, style_mode = _read(str(style_path), "style", max_side, min_side)
    if style_mode in ("L", "LA", "1", "I", "I;16", "F"):
        sample.meta["style_grayscale"] = True
        log.warning("the style image is grayscale; it is used as RGB, so edits can only match its tones",
                    sample=sample.id, style=str(style_path))
    return StylePair(content, style, str(content_path), str(style_path))
