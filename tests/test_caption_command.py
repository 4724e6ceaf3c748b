"""``mils caption`` picks the task that reads the inputs' media; mixes and unknown types are one-line errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mils_core.builtin.text_target import TextTarget
from mils_core.caption import caption_config, choose_task
from mils_core.components import Sample
from mils_core.errors import ConfigError, UnknownComponentError
from mils_core.hookspecs import hookimpl


class Pictures(TextTarget):
    file_suffixes = frozenset({".pic", ".pik"})
    presets = {"offline": {"loop": {"top_k": 3}}, "paper": {"loop": {"top_k": 50}}}

    def samples(self, source: Any) -> Iterator[Sample]:
        paths = source if isinstance(source, list) else [source]
        for p in paths:
            yield Sample(Path(p).stem, str(p))


class Clips(TextTarget):
    file_suffixes = frozenset({".clp"})


class Plugin:
    @hookimpl
    def mils_register_tasks(self, register: Any) -> None:
        register("pictures", Pictures)
        register("clips", Clips)


@pytest.fixture
def pm(mils_plugin_manager: Any, mils_register: Any) -> Any:
    mils_register(Plugin())
    return mils_plugin_manager


def files(tmp_path: Path, names: Sequence[str]) -> list[str]:
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    return [str(tmp_path / n) for n in names]


def test_the_task_follows_the_media(pm: Any, tmp_path: Path) -> None:
    assert choose_task(pm, files(tmp_path, ["a.pic", "b.PIK"])) == "pictures"
    assert choose_task(pm, files(tmp_path, ["c.clp"])) == "clips"
    (tmp_path / "folder").mkdir()
    files(tmp_path / "folder", ["d.clp", "notes.txt"])
    assert choose_task(pm, [str(tmp_path / "folder")]) == "clips"
    assert choose_task(pm, [str(tmp_path / "*.pic")]) == "pictures"
    (tmp_path / "m.csv").write_text(f"id,path\nx,{tmp_path / 'c.clp'}\n")
    assert choose_task(pm, [str(tmp_path / "m.csv")]) == "clips"


def test_a_mix_is_refused_and_task_overrides(pm: Any, tmp_path: Path) -> None:
    inputs = files(tmp_path, ["a.pic", "c.clp"])
    with pytest.raises(ConfigError, match=r"the inputs mix media read by clips \(.*c.clp\) and pictures \(.*a.pic\)"):
        choose_task(pm, inputs)
    assert choose_task(pm, inputs, "pictures") == "pictures"
    with pytest.raises(UnknownComponentError, match="no task named 'picturez'"):
        choose_task(pm, inputs, "picturez")


def test_unknown_types_name_what_is_readable(pm: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no installed task reads .*song.xyz.*; the installed tasks read: .*clips \(\.clp\).*pictures \(\.pic \.pik\)"):
        choose_task(pm, files(tmp_path, ["song.xyz"]))


def test_two_tasks_claiming_one_type_ask_for_task(pm: Any, mils_register: Any, tmp_path: Path) -> None:
    class MoreClips(Clips):
        pass

    class Other:
        @hookimpl
        def mils_register_tasks(self, register: Any) -> None:
            register("more-clips", MoreClips)

    mils_register(Other())
    with pytest.raises(ConfigError, match=r"\.clp files are read by clips and more-clips; choose one with --task"):
        choose_task(pm, files(tmp_path, ["c.clp"]))


def test_the_config_takes_the_tasks_preset(pm: Any, tmp_path: Path) -> None:
    inputs = files(tmp_path, ["a.pic", "b.pic"])
    raw = caption_config(pm, inputs, None)
    assert raw["run"]["task"] == "pictures" and raw["run"]["samples"] == inputs and raw["loop"] == {"top_k": 3}
    assert caption_config(pm, inputs, "paper")["loop"] == {"top_k": 50}
    with pytest.raises(ConfigError, match="no preset named 'papr'. Did you mean 'paper'?"):
        caption_config(pm, inputs, "papr")
    assert caption_config(pm, [str(tmp_path)], None)["run"]["samples"] == str(tmp_path)  # a folder stays one source
