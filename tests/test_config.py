"""Config files, overrides and option validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.config import apply_overrides, config_from_dict, load_config, parse_shard
from mils_core.errors import ConfigError
from mils_core.resolve import resolve_components
from mils_core.runner import resolved_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_issue_example_config_loads(tmp_path: Path, mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    cfg = load_config(write(tmp_path, """
[run]
task = "text-target"
samples = "targets.txt"
output = "runs/demo"
seed = 0

[generator]
name = "mutate"

[scorer]
name = "word-overlap"

[[stop]]
name = "max-iterations"
n = 10
"""))
    assert cfg.run.task == "text-target" and cfg.stop[0].options == {"n": 10}
    assert cfg.output_dir() == (tmp_path / "runs/demo").resolve()
    comps = resolve_components(cfg, mils_plugin_manager)
    resolved = resolved_config(cfg, comps)
    assert resolved["generator"]["name"] == "mutate" and resolved["generator"]["max_edits"] == 2
    assert resolved["loop"]["top_k"] == 20 and resolved["stop"] == [{"name": "max-iterations", "n": 10}]


@pytest.mark.parametrize("text,message", [
    ("[run\ntask=1", "is not valid TOML"),
    ('[runn]\ntask = "x"', r"unknown config section \[runn\]. Did you mean 'run'\?"),
    ("[loop]\ntop_k = 3", r"needs a \[run\] table with task"),
    ('[run]\ntask = "text-target"\nseed = "zero"', r"\[run\] option 'seed' must be an integer"),
    ('[run]\ntask = "text-target"\n[loop]\ntopk = 3', r"unknown option 'topk'. Did you mean 'top_k'\? Valid options:"),
    ('[run]\ntask = "text-target"\n[loop]\ntop_k = 0', r"\[loop\]"),
    ('[run]\ntask = "text-target"\n[scorer]\nmodel = "x"', "needs a 'name'"),
    ('[run]\ntask = "text-target"\nshard = "3/2"', "need 0 <= i < n"),
])
def test_malformed_configs_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_component_options_are_validated(tmp_path: Path, mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    cfg = config_from_dict({"run": {"task": "text-target"}, "generator": {"name": "mutate", "max_edit": 3}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"\[generator\] 'mutate': unknown option 'max_edit'. Did you mean 'max_edits'\?"):
        resolve_components(cfg, mils_plugin_manager)


def test_overrides() -> None:
    raw = {"run": {"task": "t", "seed": 0}, "stop": [{"name": "max-iterations", "n": 10}]}
    out = apply_overrides(raw, ["run.seed=5", "stop.0.n=2", "scorer.name=clip", "scorer.model=ViT-B-32", "loop.exploration=0.25"])
    assert out["run"]["seed"] == 5 and out["stop"][0]["n"] == 2
    assert out["scorer"] == {"name": "clip", "model": "ViT-B-32"} and out["loop"]["exploration"] == 0.25
    assert raw["run"]["seed"] == 0  # the input is not modified
    with pytest.raises(ConfigError, match="section.key=value"):
        apply_overrides(raw, ["seed"])
    with pytest.raises(ConfigError, match="not an existing list index"):
        apply_overrides(raw, ["stop.3.n=1"])


def test_parse_shard() -> None:
    assert parse_shard("1/4") == (1, 4)
    with pytest.raises(ConfigError, match="i/n"):
        parse_shard("half")
