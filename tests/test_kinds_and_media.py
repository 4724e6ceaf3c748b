"""The kinds table drives registry, config, resolution and CLI; declared media are checked at resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mils_core import cli, hookspecs
from mils_core.components import Dataset, Sample
from mils_core.config import SECTIONS, config_from_dict
from mils_core.errors import ConfigError
from mils_core.hookspecs import hookimpl
from mils_core.kinds import KINDS, kind
from mils_core.plugins import make_plugin_manager
from mils_core.registry import Registry
from mils_core.resolve import resolve_components
from mils_core.runner import select_samples
from mils_core.testing.render_fakes import render_fakes_plugin


def test_every_kind_has_a_hookspec_a_config_section_and_a_registry_slot() -> None:
    registry = Registry()
    for k in KINDS:
        assert hasattr(hookspecs, k.hook), k.hook
        assert k.section in SECTIONS
        assert registry.specs(k.name) == []
    with pytest.raises(ValueError, match="unknown component kind 'scorerr'"):
        kind("scorerr")


def test_mils_list_accepts_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    for k in KINDS:
        assert cli.main(["list", k.plural]) == 0
    assert cli.main(["list", "scorers"]) == 0
    out = capsys.readouterr().out
    assert "word-overlap" in out and "(targets: text, candidates: text)" in out


class OldStylePlugin:
    """A plugin whose hooks take no argument at all: pluggy passes only what an implementation names."""

    def __init__(self) -> None:
        self.called = 0

    @hookimpl
    def mils_register_scorers(self) -> None:
        self.called += 1


class TwoScorers:
    @hookimpl
    def mils_register_scorers(self, register: Any) -> None:
        from mils_core.builtin.word_overlap import WordOverlap

        register("overlap-two", WordOverlap)


def test_registration_hooks_go_through_pluggy_one_plugin_at_a_time() -> None:
    old = OldStylePlugin()
    pm = make_plugin_manager(plugins=[old, TwoScorers()])
    spec = pm.registry.get("scorer", "overlap-two")
    assert old.called == 1
    assert "TwoScorers" in str(spec.provenance)  # recorded with the plugin that registered it
    assert pm.registry.get("scorer", "word-overlap").provenance.distribution == "mils-core"


def resolve(raw: dict[str, Any], tmp_path: Path) -> Any:
    pm = make_plugin_manager(plugins=[render_fakes_plugin])
    return resolve_components(config_from_dict({"run": {"task": "text-target", "samples": ["x y"]}, **raw},
                                               base_dir=tmp_path), pm)


def test_a_scorer_of_other_targets_fails_at_resolution(tmp_path: Path) -> None:
    class ImageOnly(render_fakes_plugin.__class__):  # reuse the registrations, add one image-target scorer
        @hookimpl
        def mils_register_scorers(self, register: Any) -> None:
            from mils_core.testing.render_fakes import FakeImageScorer

            class PhotoScorer(FakeImageScorer):
                target_media = ("image",)
                candidate_media = ("text",)

            register("photo-scorer", PhotoScorer)

    pm = make_plugin_manager(plugins=[ImageOnly()])
    cfg = config_from_dict({"run": {"task": "text-target", "samples": ["x"]}, "scorer": {"name": "photo-scorer"}},
                           base_dir=tmp_path)
    with pytest.raises(ConfigError) as info:
        resolve_components(cfg, pm)
    message = str(info.value)
    assert "\n" not in message
    assert "scorer 'photo-scorer' takes image targets, but task 'text-target' gives text targets" in message


def test_an_artifact_scorer_without_a_renderer_fails_at_resolution(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scorer 'fake-image-scorer' scores image candidates, but task 'text-target' "
                                          "has no renderer"):
        resolve({"scorer": {"name": "fake-image-scorer"}}, tmp_path)


def test_a_text_scorer_after_a_renderer_fails_at_resolution(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scorer 'word-overlap' scores text candidates, but renderer 'fake-render' "
                                          "makes image"):
        resolve({"renderer": {"name": "fake-render"}, "scorer": {"name": "word-overlap"}}, tmp_path)


def test_matching_media_resolve(tmp_path: Path) -> None:
    components = resolve({"renderer": {"name": "fake-edit"}, "scorer": {"name": "fake-image-scorer"}}, tmp_path)
    assert components.renderer is not None and components.specs["renderer"].name == "fake-edit"


class AudioClips(Dataset[Any]):
    sample_media = "audio"

    def check(self) -> None:
        pass

    def samples(self) -> Any:
        yield Sample("clip", "clip.wav")


class AudioDatasets:
    @hookimpl
    def mils_register_datasets(self, register: Any) -> None:
        register("audio-clips", AudioClips)


def test_a_dataset_of_other_media_fails_before_any_sample_is_read(tmp_path: Path) -> None:
    pm = make_plugin_manager(plugins=[AudioDatasets()])
    cfg = config_from_dict({"run": {"task": "text-target"}, "dataset": {"name": "audio-clips"}}, base_dir=tmp_path)
    components = resolve_components(cfg, pm)
    with pytest.raises(ConfigError, match="dataset 'audio-clips' holds audio samples, but task 'text-target' reads text"):
        select_samples(cfg, pm, components)


def test_a_factory_that_builds_the_wrong_kind_is_named(tmp_path: Path) -> None:
    class Wrong:
        @hookimpl
        def mils_register_renderers(self, register: Any) -> None:
            from mils_core.builtin.word_overlap import WordOverlap

            register("not-a-renderer", WordOverlap)

    pm = make_plugin_manager(plugins=[Wrong()])
    cfg = config_from_dict({"run": {"task": "text-target", "samples": ["x"]}, "renderer": {"name": "not-a-renderer"}},
                           base_dir=tmp_path)
    with pytest.raises(ConfigError, match="renderer 'not-a-renderer' from .* built a WordOverlap, not a Renderer"):
        resolve_components(cfg, pm)


def test_a_run_binds_every_component_to_its_registry(tmp_path: Path) -> None:
    from mils_core.builtin.word_overlap import WordOverlap

    bound: list[Any] = []

    class Binding(WordOverlap):
        def bind(self, registry: Any) -> None:
            bound.append(registry)

    class Plugin:
        @hookimpl
        def mils_register_scorers(self, register: Any) -> None:
            register("binding", Binding)

    pm = make_plugin_manager(plugins=[Plugin()])
    cfg = config_from_dict({"run": {"task": "text-target", "samples": ["x"]}, "scorer": {"name": "binding"}},
                           base_dir=tmp_path)
    resolve_components(cfg, pm)
    assert bound == [pm.registry]
