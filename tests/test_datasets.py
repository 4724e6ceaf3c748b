"""A [dataset] table supplies a run's samples; sharding splits them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from core_helpers import demo_config
from mils_core.components import Dataset, Sample
from mils_core.errors import ConfigError
from mils_core.hookspecs import hookimpl
from mils_core.runner import execute
from mils_core.testing.contracts import DatasetContract


@attrs.frozen
class LinesOptions:
    path: str = ""


class Lines(Dataset[LinesOptions]):
    Options = LinesOptions
    path_options = ("path",)

    def check(self) -> None:
        if not Path(self.options.path).is_file():
            raise ConfigError(f"lines dataset: {self.options.path!r} not found; pass path = <file>")

    def samples(self) -> Iterator[Sample]:
        for i, line in enumerate(Path(self.options.path).read_text().splitlines()):
            yield Sample(f"s{i}", line, {"references": [line]})


class Plugin:
    @hookimpl
    def mils_register_datasets(self, register):  # type: ignore[no-untyped-def]
        register("lines", Lines, options=LinesOptions)


class TestLinesContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Lines:
        (tmp_path / "data.txt").write_text("a dog runs\nthe cat sleeps\na bird sings\n")
        return Lines(LinesOptions(str(tmp_path / "data.txt")))


def test_dataset_supplies_samples_and_references(tmp_path: Path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    mils_register(Plugin())
    data = tmp_path / "data.txt"
    data.write_text("a dog runs\nthe cat sleeps\na bird sings\nthe goat climbs\n")
    config = demo_config(tmp_path, n=1, dataset={"name": "lines", "path": "data.txt"})  # relative to the config
    records = mils_run(config)
    assert records.summary["ok"] == 4
    assert {r["id"]: r["meta"]["references"] for r in records} == {
        "s0": ["a dog runs"], "s1": ["the cat sleeps"], "s2": ["a bird sings"], "s3": ["the goat climbs"]}
    assert 'path = "data.txt"' in (config.output_dir() / "config.toml").read_text()
    dataset = Lines(LinesOptions(str(data)))
    assert dataset.references()["s1"] == ["the cat sleeps"]


def test_dataset_check_error(tmp_path: Path, mils_plugin_manager, mils_register) -> None:  # type: ignore[no-untyped-def]
    mils_register(Plugin())
    config = demo_config(tmp_path, n=1, dataset={"name": "lines", "path": str(tmp_path / "nope")})
    with pytest.raises(ConfigError, match="not found; pass path"):
        execute(config, mils_plugin_manager, progress=False)


def test_shards_partition_the_samples(tmp_path: Path, mils_run) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        records = mils_run(demo_config(tmp_path, n=10, run={"task": "text-target", "samples": "targets.txt", "output": "out",
                                                             "shard": f"{i}/3"}))
    ids = [r["id"] for r in records]  # the last run's records: every shard's, in one folder
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 10
