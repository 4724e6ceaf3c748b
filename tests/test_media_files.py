"""Samples from media files and pool files: the shared readers of the file-based tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.errors import ConfigError
from mils_core.media.files import media_samples, read_pool_file

SUFFIXES = frozenset({".pic"})


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")


def test_folders_globs_lists_and_manifests(tmp_path: Path) -> None:
    touch(tmp_path, "a.pic", "sub/b.PIC", "notes.txt", "other/a.pic")
    folder = media_samples(str(tmp_path), SUFFIXES, task="t", what="pictures")
    assert [s.id for s in folder] == ["a", "other/a", "sub/b"]  # relative to the folder: unique
    globbed = media_samples(str(tmp_path / "**" / "*.pic"), SUFFIXES, task="t", what="pictures")
    assert sorted(s.id for s in globbed) == ["a", "a-2"]  # stems, made unique (b.PIC does not match the glob)
    listed = media_samples([tmp_path / "a.pic", tmp_path / "other/a.pic"], SUFFIXES, task="t", what="pictures")
    assert [s.id for s in listed] == ["a", "a-2"]
    (tmp_path / "m.csv").write_text(f"id,path,references\nx,{tmp_path / 'a.pic'},a cat\n")
    [row] = media_samples(str(tmp_path / "m.csv"), SUFFIXES, task="t", what="pictures")
    assert row.id == "x" and row.meta["references"] == ["a cat"]
    [missing] = media_samples(str(tmp_path / "gone.pic"), SUFFIXES, task="t", what="pictures")
    assert missing.id == "gone"  # fails when it is read, as one failed record


def test_errors_name_the_task_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"t: folder .* holds no pictures \(\.pic\)"):
        media_samples(str(tmp_path / "empty"), SUFFIXES, task="t", what="pictures")
    with pytest.raises(ConfigError, match="t: no pictures match"):
        media_samples(str(tmp_path / "*.pic"), SUFFIXES, task="t", what="pictures")
    with pytest.raises(ConfigError, match="t: manifest .* does not exist"):
        media_samples(str(tmp_path / "m.jsonl"), SUFFIXES, task="t", what="pictures")
    with pytest.raises(ConfigError, match="t: \\[run\\] samples must be"):
        media_samples(42, SUFFIXES, task="t", what="pictures")


def test_pool_files(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("a cat\n\n  a dog \na cat\n")
    assert read_pool_file(tmp_path / "p.txt", "x") == ("a cat", "a dog")
    (tmp_path / "blank.txt").write_text("\n \n")
    with pytest.raises(ConfigError, match="x: pool file .* is empty"):
        read_pool_file(tmp_path / "blank.txt", "x")
    with pytest.raises(ConfigError, match="x: pool file .* cannot be read"):
        read_pool_file(tmp_path / "none.txt", "x")
