"""Opt-in pytest fixtures for plugin authors: ``pytest_plugins = ["mils_core.testing.pytest_plugin"]``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mils_core.plugins import MilsPluginManager, make_plugin_manager


@pytest.fixture
def mils_plugin_manager() -> MilsPluginManager:
    """A fresh plugin manager with every installed plugin loaded."""
    return make_plugin_manager()


@pytest.fixture
def mils_bare_plugin_manager() -> MilsPluginManager:
    """A fresh plugin manager with no entry points loaded."""
    return make_plugin_manager(entry_points=False)


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
