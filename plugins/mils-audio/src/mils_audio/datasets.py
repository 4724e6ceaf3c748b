"""The ``audiocaps`` dataset: AudioCaps test (or val/train) captions with the clips a user downloaded.

AudioCaps publishes captions only (``test.csv``: ``audiocap_id,youtube_id,start_time,caption``, five
captions per test clip); the audio is cut from YouTube by the user, and files go by several names.
A clip is found under ``audio`` as ``<youtube_id>``, ``Y<youtube_id>``, ``<youtube_id>_<start_time>``
or ``<audiocap_id>`` with any audio suffix (``.wav``, ``.flac``, ...). Captions of the same clip are
its references. Clips no longer on YouTube are common: ``skip_missing = true`` leaves them out
(logged) instead of failing ``check()``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import attrs
import structlog

from mils_core import validators as v
from mils_core.components import Dataset, Sample
from mils_core.errors import ConfigError
from mils_core.media.audio import AUDIO_SUFFIXES

__all__ = ["AudioCaps", "AudioCapsOptions"]

log = structlog.get_logger("mils.audio")

URL = "https://github.com/cdjkim/audiocaps (dataset/test.csv)"
_COLUMNS = ("audiocap_id", "youtube_id", "start_time", "caption")


@attrs.frozen
class AudioCapsOptions:
    """Options of the ``audiocaps`` dataset."""

    #: The folder of downloaded clips.
    audio: str = ""
    #: The captions CSV (``test.csv``, ``val.csv`` or ``train.csv``).
    captions: str = ""
    #: Leave out clips whose audio is not found (instead of failing the check).
    skip_missing: bool = False
    limit: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))


@attrs.frozen
class _Clip:
    youtube_id: str
    start: str
    ids: tuple[str, ...]
    references: tuple[str, ...]


class AudioCaps(Dataset[AudioCapsOptions]):
    """AudioCaps captions (grouped per clip) and the user's downloaded audio."""

    Options = AudioCapsOptions
    sample_media = "audio"
    path_options = ("audio", "captions")

    def __init__(self, options: AudioCapsOptions | None = None) -> None:
        super().__init__(options)
        self._clips: list[_Clip] | None = None
        self._index: dict[str, Path] | None = None

    def _fix(self) -> str:
        return f"download the captions from {URL} and pass captions = '<path>/test.csv'"

    def _load(self) -> list[_Clip]:
        if self._clips is not None:
            return self._clips
        path = Path(self.options.captions)
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = list(reader.fieldnames or [])
                if any(c not in fields for c in _COLUMNS):
                    raise ConfigError(f"AudioCaps file {str(path)!r} lacks the columns {', '.join(_COLUMNS)} (found: "
                                      f"{', '.join(fields) or 'none'}): {self._fix()}")
                grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
                for row in reader:
                    key = ((row["youtube_id"] or "").strip(), (row["start_time"] or "").strip())
                    if not key[0]:
                        continue
                    ids, refs = grouped.setdefault(key, ([], []))
                    ids.append((row["audiocap_id"] or "").strip())
                    if (row["caption"] or "").strip():
                        refs.append(row["caption"].strip())
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ConfigError(f"AudioCaps file {str(path)!r} cannot be read ({exc}): {self._fix()}") from None
        if not grouped:
            raise ConfigError(f"AudioCaps file {str(path)!r} has no rows: {self._fix()}")
        clips = [_Clip(y, s, tuple(ids), tuple(refs)) for (y, s), (ids, refs) in grouped.items()]
        self._clips = clips[: self.options.limit] if self.options.limit else clips
        return self._clips

    def _files(self) -> dict[str, Path]:
        if self._index is None:
            root = Path(self.options.audio)
            self._index = {p.stem: p for p in sorted(root.rglob("*")) if p.suffix.lower() in AUDIO_SUFFIXES}
        return self._index

    def _find(self, clip: _Clip) -> Path | None:
        files = self._files()
        start = clip.start.split(".")[0]
        names = [clip.youtube_id, f"Y{clip.youtube_id}", f"{clip.youtube_id}_{clip.start}", f"{clip.youtube_id}_{start}",
                 f"Y{clip.youtube_id}_{start}", *clip.ids]
        return next((files[n] for n in names if n in files), None)

    def check(self) -> None:
        problems = []
        if not self.options.captions or not Path(self.options.captions).is_file():
            problems.append(f"audiocaps needs captions = '<path>/test.csv' (not found: {self.options.captions!r}): "
                            f"{self._fix()}")
        if not self.options.audio or not Path(self.options.audio).is_dir():
            problems.append(f"audiocaps needs audio = '<folder of downloaded clips>' (not found: {self.options.audio!r});"
                            " AudioCaps audio comes from YouTube: cut each youtube_id at start_time, 10 s")
        if problems:
            raise ConfigError("; ".join(problems))
        clips = self._load()
        missing = [c for c in clips if self._find(c) is None]
        if missing and not self.options.skip_missing:
            first = ", ".join(c.youtube_id for c in missing[:3])
            raise ConfigError(f"{len(missing)} of {len(clips)} AudioCaps clips not found under {self.options.audio!r} "
                              f"({first}{' ...' if len(missing) > 3 else ''}); name them <youtube_id>.wav (or "
                              "<youtube_id>_<start_time>.wav), or set skip_missing = true")

    def samples(self) -> Iterator[Sample]:
        skipped = 0
        for clip in self._load():
            path = self._find(clip)
            if path is None:
                if self.options.skip_missing:
                    skipped += 1
                    continue
                path = Path(self.options.audio) / f"{clip.youtube_id}.wav"  # fails when read, with its reason
            yield Sample(id=clip.youtube_id, source=str(path),
                         meta={"references": list(clip.references), "audiocap_ids": list(clip.ids),
                               "start_time": clip.start, "dataset": "audiocaps"})
        if skipped:
            log.info("audiocaps clips without audio left out", skipped=skipped)
