"""Opt-in pytest fixtures for plugin authors: ``pytest_plugins = ["mils_core.testing.pytest_plugin"]``.

Loading this plugin also makes every test hermetic:

* the Hugging Face hub is off (``HF_HUB_OFFLINE=1``, set before test modules are imported and
  again for each test; a test that needs it off can ``monkeypatch.delenv`` it);
* each test gets its own mils cache folder (``MILS_CACHE_DIR`` under the test's ``tmp_path``),
  so no test reads pool embeddings another test (or a real run) wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mils_core.config import Config
from mils_core.plugins import MilsPluginManager, make_plugin_manager
from mils_core.testing.helpers import RunRecords, run_config


def pytest_configure(config: pytest.Config) -> None:
    """Turn the hub off before any test module (and so huggingface_hub) is imported, and keep
    generators in float32 so that outputs are the same on CPUs with and without bf16 units."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("MILS_CPU_BF16", "0")


@pytest.fixture(autouse=True)
def mils_isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test: the hub off and a private ``MILS_CACHE_DIR``; returns that cache folder."""
    cache = tmp_path / "mils-cache"
    monkeypatch.setenv("MILS_CACHE_DIR", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache


@pytest.fixture
def mils_plugin_manager() -> MilsPluginManager:
    """A fresh plugin manager with every installed plugin loaded."""
    return make_plugin_manager()


@pytest.fixture
def mils_register(mils_plugin_manager: MilsPluginManager) -> Iterator[Callable[[Any], Any]]:
    """Register a plugin object on ``mils_plugin_manager``; it is unregistered after the test."""
    added: list[Any] = []

    def register(plugin: Any) -> Any:
        mils_plugin_manager.register(plugin)
        added.append(plugin)
        return plugin

    yield register
    for plugin in added:
        if mils_plugin_manager.is_registered(plugin):
            mils_plugin_manager.unregister(plugin)


@pytest.fixture
def mils_run(tmp_path: Path, mils_plugin_manager: MilsPluginManager) -> Callable[..., RunRecords]:
    """Run a config through the real runner and return its records (a list with ``.summary``,
    ``.config``, ``.output`` and ``.by_id``).

    ``mils_run(config, *, pm=None, overrides=(), components=None, base_dir=None)``: ``config`` is a
    dict, TOML text (``str``), a TOML file (``Path``) or a :class:`~mils_core.config.Config`;
    relative paths are taken from ``base_dir`` (default: the test's ``tmp_path``). The plugin
    manager defaults to ``mils_plugin_manager``, so plugins added with ``mils_register`` take part.
    """

    def run(
        config: Config | Mapping[str, Any] | str | Path,
        *,
        pm: MilsPluginManager | None = None,
        overrides: Iterable[str] = (),
        components: Any = None,
        base_dir: Path | None = None,
    ) -> RunRecords:
        return run_config(config, base_dir or tmp_path, pm=pm or mils_plugin_manager, overrides=overrides,
                          components=components)

    return run
