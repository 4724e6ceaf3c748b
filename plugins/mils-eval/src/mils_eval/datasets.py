"""Dataset readers for benchmark splits the user has downloaded (nothing is downloaded here).

Every reader takes the paths of files the user already has, validates them in ``check()``
(one line per problem, naming the path and where to get the file) and yields samples whose
``source`` is the media file's path and whose ``meta["references"]`` holds the reference
captions. Relative paths are taken from the current working directory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from mils_core.components import Dataset, Sample
from mils_core.errors import ConfigError
from mils_core.manifest import ManifestRow, read_manifest

KARPATHY_URL = "https://cs.stanford.edu/people/karpathy/deepimagesent/caption_datasets.zip"
COCO_URL = "https://cocodataset.org/#download"
MSRVTT_WHERE = "the official MSR-VTT release (Xu et al., CVPR 2016)"
CLOTHO_URL = "https://zenodo.org/records/4783391"
VIDEO_EXTENSIONS = (".mp4", ".avi", ".webm", ".mkv", ".mov")

_limit = attrs.validators.optional(attrs.validators.ge(1))


def _shown(path: Path) -> str:
    return repr(str(path))


def _read_json(path: Path, what: str, fix: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} {_shown(path)} is not valid JSON (line {exc.lineno}: {exc.msg}): {fix}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {_shown(path)} is not UTF-8 text: {fix}") from None
    except OSError as exc:
        raise ConfigError(f"{what} {_shown(path)} cannot be read ({exc.strerror}): {fix}") from None


def _raise(problems: Sequence[str]) -> None:
    if problems:
        raise ConfigError("\n".join(problems))


def _missing_files(missing: list[tuple[str, Path]], total: int, what: str, folder: Path, fix: str) -> str:
    first = ", ".join(f"{sid} -> {_shown(p)}" for sid, p in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return f"{len(missing)} of {total} {what} not found under {_shown(folder)} ({first}{more}): {fix}"


# --------------------------------------------------------------------------- COCO (Karpathy)


@attrs.frozen
class CocoKarpathyOptions:
    """Options of the ``coco-karpathy`` dataset."""

    images: str = ""
    split_file: str = ""
    split: Literal["test", "val", "train", "restval"] = "test"
    limit: int | None = attrs.field(default=None, validator=_limit)


class CocoKarpathy(Dataset[CocoKarpathyOptions]):
    """MSCOCO captions, Karpathy split (test = 5,000 val2014 images, 5 references each)."""

    sample_media = "image"

    Options = CocoKarpathyOptions
    path_options = ("images", "split_file")

    def __init__(self, options: CocoKarpathyOptions | None = None) -> None:
        super().__init__(options)
        self._entries: list[dict[str, Any]] | None = None

    def _split_fix(self) -> str:
        return (f"download the Karpathy splits release ({KARPATHY_URL}, file dataset_coco.json) "
                "and pass split_file = '<path>/dataset_coco.json'")

    def _images_fix(self) -> str:
        folder = "val2014" if self.options.split != "train" else "train2014"
        return (f"download {folder}.zip from {COCO_URL}, unzip it and pass images = '<path>/{folder}' "
                "(or the folder holding val2014/ and train2014/)")

    def _load_entries(self) -> list[dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        path = Path(self.options.split_file)
        data = _read_json(path, "COCO Karpathy split file", self._split_fix())
        images = data.get("images") if isinstance(data, dict) else None
        if not isinstance(images, list) or not all(isinstance(e, dict) and "filename" in e for e in images[:50]):
            raise ConfigError(
                f"COCO Karpathy split file {_shown(path)} is not a Karpathy split file (expected an 'images' list of "
                f"objects with 'filename', 'split', 'cocoid' and 'sentences'): {self._split_fix()}"
            )
        if images and "cocoid" not in images[0]:
            raise ConfigError(
                f"COCO Karpathy split file {_shown(path)} has no 'cocoid' fields (dataset_flickr8k/30k.json?): "
                f"{self._split_fix()}"
            )
        chosen = [e for e in images if e.get("split") == self.options.split]
        if not chosen:
            present = sorted({str(e.get("split")) for e in images})
            raise ConfigError(
                f"COCO Karpathy split file {_shown(path)} has no images in split {self.options.split!r} "
                f"(splits present: {', '.join(present) or 'none'}): {self._split_fix()}"
            )
        if self.options.limit:
            chosen = chosen[: self.options.limit]
        self._entries = chosen
        return chosen

    def _image_path(self, entry: dict[str, Any]) -> Path:
        root = Path(self.options.images)
        nested = root / str(entry.get("filepath", "")) / str(entry["filename"])
        return nested if entry.get("filepath") and nested.exists() else root / str(entry["filename"])

    def check(self) -> None:
        problems: list[str] = []
        images_ok = split_ok = False
        if not self.options.images:
            problems.append(f"coco-karpathy needs images = '<folder>' (the MSCOCO images): {self._images_fix()}")
        elif not Path(self.options.images).is_dir():
            problems.append(f"COCO images folder {_shown(Path(self.options.images))} not found: {self._images_fix()}")
        else:
            images_ok = True
        if not self.options.split_file:
            problems.append(f"coco-karpathy needs split_file = '<path>/dataset_coco.json': {self._split_fix()}")
        elif not Path(self.options.split_file).is_file():
            problems.append(f"COCO Karpathy split file {_shown(Path(self.options.split_file))} not found: {self._split_fix()}")
        else:
            try:
                self._load_entries()
                split_ok = True
            except ConfigError as exc:
                problems.append(str(exc))
        if images_ok and split_ok:
            entries = self._load_entries()
            missing = [(str(e["cocoid"]), p) for e in entries if not (p := self._image_path(e)).is_file()]
            if missing:
                problems.append(_missing_files(missing, len(entries), f"images of split {self.options.split!r}",
                                               Path(self.options.images), self._images_fix()))
        _raise(problems)

    def samples(self) -> Iterator[Sample]:
        for entry in self._load_entries():
            refs = [str(s.get("raw", "")).strip() for s in entry.get("sentences", []) if isinstance(s, dict)]
            yield Sample(
                id=str(entry["cocoid"]),
                source=str(self._image_path(entry)),
                meta={"references": [r for r in refs if r], "file_name": str(entry["filename"]),
                      "dataset": "coco-karpathy", "split": self.options.split},
            )


# --------------------------------------------------------------------------- MSR-VTT


@attrs.frozen
class MsrVttOptions:
    """Options of the ``msrvtt`` dataset."""

    videos: str = ""
    annotations: str = ""
    split: Literal["test", "validate", "train", "all"] = "test"
    limit: int | None = attrs.field(default=None, validator=_limit)


class MsrVtt(Dataset[MsrVttOptions]):
    """MSR-VTT (test split: 2,990 videos, 20 references each)."""

    sample_media = "video"

    Options = MsrVttOptions
    path_options = ("videos", "annotations")

    def __init__(self, options: MsrVttOptions | None = None) -> None:
        super().__init__(options)
        self._videos: list[tuple[str, list[str]]] | None = None

    def _ann_fix(self) -> str:
        return (f"download the MSR-VTT annotations (test_videodatainfo.json from {MSRVTT_WHERE}, or MSRVTT_data.json "
                "of the CLIP4Clip/ClipBERT data) and pass annotations = '<path>'")

    def _videos_fix(self) -> str:
        return f"download the MSR-VTT videos (TestVideo/ of {MSRVTT_WHERE}) and pass videos = '<folder>'"

    def _load(self) -> list[tuple[str, list[str]]]:
        if self._videos is not None:
            return self._videos
        path = Path(self.options.annotations)
        data = _read_json(path, "MSR-VTT annotation file", self._ann_fix())
        if not isinstance(data, dict) or not isinstance(data.get("videos"), list) or not isinstance(data.get("sentences"), list):
            raise ConfigError(
                f"MSR-VTT annotation file {_shown(path)} lacks the 'videos' and 'sentences' lists "
                f"(expected test_videodatainfo.json or MSRVTT_data.json): {self._ann_fix()}"
            )
        videos = [v for v in data["videos"] if isinstance(v, dict) and "video_id" in v]
        if self.options.split != "all":
            videos = [v for v in videos if v.get("split", self.options.split) == self.options.split]
        if not videos:
            raise ConfigError(f"MSR-VTT annotation file {_shown(path)} has no videos in split {self.options.split!r}: "
                              f"{self._ann_fix()}")
        caps: dict[str, list[tuple[int, str]]] = {}
        for n, s in enumerate(data["sentences"]):
            if isinstance(s, dict) and "video_id" in s and "caption" in s:
                caps.setdefault(str(s["video_id"]), []).append((int(s.get("sen_id", n)), str(s["caption"]).strip()))
        out = [(str(v["video_id"]), [c for _, c in sorted(caps.get(str(v["video_id"]), []))]) for v in videos]
        if self.options.limit:
            out = out[: self.options.limit]
        self._videos = out
        return out

    def _video_path(self, video_id: str) -> Path:
        root = Path(self.options.videos)
        for ext in VIDEO_EXTENSIONS:
            if (root / f"{video_id}{ext}").is_file():
                return root / f"{video_id}{ext}"
        return root / f"{video_id}.mp4"

    def check(self) -> None:
        problems: list[str] = []
        videos_ok = ann_ok = False
        if not self.options.videos:
            problems.append(f"msrvtt needs videos = '<folder>': {self._videos_fix()}")
        elif not Path(self.options.videos).is_dir():
            problems.append(f"MSR-VTT videos folder {_shown(Path(self.options.videos))} not found: {self._videos_fix()}")
        else:
            videos_ok = True
        if not self.options.annotations:
            problems.append(f"msrvtt needs annotations = '<path>': {self._ann_fix()}")
        elif not Path(self.options.annotations).is_file():
            problems.append(f"MSR-VTT annotation file {_shown(Path(self.options.annotations))} not found: {self._ann_fix()}")
        else:
            try:
                self._load()
                ann_ok = True
            except ConfigError as exc:
                problems.append(str(exc))
        if videos_ok and ann_ok:
            videos = self._load()
            missing = [(vid, p) for vid, _ in videos if not (p := self._video_path(vid)).is_file()]
            if missing:
                problems.append(_missing_files(missing, len(videos), f"videos of split {self.options.split!r}",
                                               Path(self.options.videos), self._videos_fix()))
        _raise(problems)

    def samples(self) -> Iterator[Sample]:
        for vid, refs in self._load():
            yield Sample(id=vid, source=str(self._video_path(vid)),
                         meta={"references": refs, "dataset": "msrvtt", "split": self.options.split})


# --------------------------------------------------------------------------- Clotho


@attrs.frozen
class ClothoOptions:
    """Options of the ``clotho`` dataset."""

    audio: str = ""
    captions: str = ""
    limit: int | None = attrs.field(default=None, validator=_limit)


class Clotho(Dataset[ClothoOptions]):
    """Clotho evaluation split (1,045 clips, 5 references each)."""

    sample_media = "audio"

    Options = ClothoOptions
    path_options = ("audio", "captions")

    def __init__(self, options: ClothoOptions | None = None) -> None:
        super().__init__(options)
        self._rows: list[tuple[str, list[str]]] | None = None

    def _csv_fix(self) -> str:
        return f"download clotho_captions_evaluation.csv from Clotho on Zenodo ({CLOTHO_URL}) and pass captions = '<path>'"

    def _audio_fix(self) -> str:
        return (f"download clotho_audio_evaluation.7z from Clotho on Zenodo ({CLOTHO_URL}), extract it and pass "
                "audio = '<path>/evaluation'")

    def _load(self) -> list[tuple[str, list[str]]]:
        if self._rows is not None:
            return self._rows
        path = Path(self.options.captions)
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = list(reader.fieldnames or [])
                cap_cols = sorted((f for f in fields if f.startswith("caption_")), key=lambda f: (len(f), f))
                if "file_name" not in fields or not cap_cols:
                    raise ConfigError(
                        f"Clotho captions file {_shown(path)} lacks the columns file_name, caption_1..caption_5 "
                        f"(found: {', '.join(fields) or 'none'}): {self._csv_fix()}"
                    )
                rows = [(r["file_name"].strip(), [(r[c] or "").strip() for c in cap_cols]) for r in reader if r.get("file_name")]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ConfigError(f"Clotho captions file {_shown(path)} cannot be read ({exc}): {self._csv_fix()}") from None
        if not rows:
            raise ConfigError(f"Clotho captions file {_shown(path)} has no rows: {self._csv_fix()}")
        out = [(name, [c for c in caps if c]) for name, caps in rows]
        if self.options.limit:
            out = out[: self.options.limit]
        self._rows = out
        return out

    def check(self) -> None:
        problems: list[str] = []
        audio_ok = csv_ok = False
        if not self.options.audio:
            problems.append(f"clotho needs audio = '<folder>': {self._audio_fix()}")
        elif not Path(self.options.audio).is_dir():
            problems.append(f"Clotho audio folder {_shown(Path(self.options.audio))} not found: {self._audio_fix()}")
        else:
            audio_ok = True
        if not self.options.captions:
            problems.append(f"clotho needs captions = '<path>/clotho_captions_evaluation.csv': {self._csv_fix()}")
        elif not Path(self.options.captions).is_file():
            problems.append(f"Clotho captions file {_shown(Path(self.options.captions))} not found: {self._csv_fix()}")
        else:
            try:
                self._load()
                csv_ok = True
            except ConfigError as exc:
                problems.append(str(exc))
        if audio_ok and csv_ok:
            rows = self._load()
            root = Path(self.options.audio)
            missing = [(Path(n).stem, root / n) for n, _ in rows if not (root / n).is_file()]
            if missing:
                problems.append(_missing_files(missing, len(rows), "audio clips", root, self._audio_fix()))
        _raise(problems)

    def samples(self) -> Iterator[Sample]:
        root = Path(self.options.audio)
        for name, refs in self._load():
            yield Sample(id=Path(name).stem, source=str(root / name),
                         meta={"references": refs, "file_name": name, "dataset": "clotho"})


# --------------------------------------------------------------------------- manifest


@attrs.frozen
class ManifestOptions:
    """Options of the ``manifest`` dataset."""

    manifest: str = ""
    root: str | None = None
    limit: int | None = attrs.field(default=None, validator=_limit)


class Manifest(Dataset[ManifestOptions]):
    """Your own samples: a CSV or JSONL file with ``id``, ``path`` and optional ``references``.

    The format is the core's (:mod:`mils_core.manifest`): in CSV, ``references`` are separated
    by ``|``; in JSONL they are a JSON list of strings. Relative paths are taken from ``root``
    (default: the manifest's folder). Other columns or keys go into the sample's ``meta``.
    """

    Options = ManifestOptions
    path_options = ("manifest", "root")

    def __init__(self, options: ManifestOptions | None = None) -> None:
        super().__init__(options)
        self._rows: list[ManifestRow] | None = None

    def _root(self) -> Path:
        return Path(self.options.root) if self.options.root else Path(self.options.manifest).parent

    def _load(self) -> list[ManifestRow]:
        if self._rows is None:
            rows = read_manifest(self.options.manifest, root=self._root())
            self._rows = rows[: self.options.limit] if self.options.limit else rows
        return self._rows

    def check(self) -> None:
        if not self.options.manifest:
            raise ConfigError("manifest needs manifest = '<path>.csv' or '<path>.jsonl' (columns id, path, references)")
        path = Path(self.options.manifest)
        if not path.is_file():
            raise ConfigError(f"manifest file {_shown(path)} not found: pass manifest = '<path>' of your CSV or JSONL file")
        if self.options.root and not Path(self.options.root).is_dir():
            raise ConfigError(f"manifest root folder {_shown(Path(self.options.root))} not found")
        rows = self._load()
        missing = [(row.line, row.id, row.path) for row in rows if not row.path.exists()]
        if missing:
            first = "; ".join(f"line {ln}: id {sid!r} -> {_shown(m)}" for ln, sid, m in missing[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            raise ConfigError(
                f"manifest {_shown(path)}: {len(missing)} of {len(rows)} files not found ({first}{more}); fix the 'path' "
                f"column (relative paths are taken from {_shown(self._root())}) or set root = '<folder>'"
            )

    def samples(self) -> Iterator[Sample]:
        for row in self._load():
            yield Sample(id=row.id, source=str(row.path), meta={**row.meta, "references": list(row.references)})
