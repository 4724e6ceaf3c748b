"""Build a plugin manager: load entry points safely and fill the registry.

There is no global manager. :func:`make_plugin_manager` builds one; tests build fresh ones.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import traceback
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import pluggy
import structlog

from mils_core import hookspecs
from mils_core.errors import PluginLoadError
from mils_core.kinds import KINDS
from mils_core.registry import Provenance, Registry

if TYPE_CHECKING:
    import argparse

    from mils_core.runinfo import RunInfo

ENTRY_POINT_GROUP = "mils"
DISABLE_ENV = "MILS_DISABLE_PLUGINS"

log = structlog.get_logger("mils.plugins")


@attrs.define
class FailedPlugin:
    """An entry point that could not be loaded, kept to explain a later failure."""

    error: PluginLoadError
    traceback: str


class MilsPluginManager(pluggy.PluginManager):
    """A pluggy manager that knows which plugins failed and builds the registry."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.failed: dict[str, FailedPlugin] = {}
        self.blocked: set[str] = set()
        self.origins: dict[str, Provenance] = {}
        self._registry: Registry | None = None

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        self._registry = None
        return super().register(plugin, name)

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        self._registry = None
        return super().unregister(plugin, name)

    def provenance(self, plugin: Any) -> Provenance:
        """Which distribution registered ``plugin``."""
        name = self.get_name(plugin) or ""
        if name in self.origins:
            return self.origins[name]
        label = getattr(plugin, "__name__", None) or f"{type(plugin).__module__}.{type(plugin).__qualname__}"
        return Provenance(label, "", "")

    @property
    def registry(self) -> Registry:
        """The registry built from every registration hook (built once, then cached).

        Each plugin's hook is called through pluggy (so an implementation may accept any
        subset of the hook's arguments), one plugin at a time so that every component is
        recorded with the distribution that registered it.
        """
        if self._registry is None:
            registry = Registry()
            for kind in KINDS:
                caller: pluggy.HookCaller = getattr(self.hook, kind.hook)
                implementers = list({id(impl.plugin): impl.plugin for impl in caller.get_hookimpls()}.values())
                for plugin in implementers:
                    others = [p for p in implementers if p is not plugin]
                    one = self.subset_hook_caller(kind.hook, remove_plugins=others)
                    one(register=registry.register_fn(kind.name, self.provenance(plugin)))
            self._registry = registry
        return self._registry

    @property
    def hooks(self) -> ObserverHooks:
        """Typed calls of the observer and command hooks."""
        return ObserverHooks(self)


class ObserverHooks:
    """The broadcast hooks with typed signatures, so core code never calls ``pm.hook.*`` untyped."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm
        self._hook = pm.hook

    def register_commands(self, subparsers: argparse._SubParsersAction[Any]) -> None:
        """Let plugins add ``mils`` sub-commands; a plugin whose hook fails is skipped with a warning."""
        caller: pluggy.HookCaller = self._hook.mils_register_commands
        implementers = list({id(impl.plugin): impl.plugin for impl in caller.get_hookimpls()}.values())
        for plugin in implementers:
            others = [p for p in implementers if p is not plugin]
            try:
                self._pm.subset_hook_caller("mils_register_commands", remove_plugins=others)(subparsers=subparsers)
            except Exception as exc:  # noqa: BLE001 - one broken plugin must not take the command line down
                name = self._pm.get_name(plugin) or repr(plugin)
                log.warning("plugin failed to add its commands; skipped", plugin=name, error=f"{type(exc).__name__}: {exc}")

    def run_started(self, run: RunInfo) -> None:
        """A run resolved its components and is about to process samples."""
        self._hook.mils_run_started(run=run)

    def iteration_finished(self, run: RunInfo, sample_id: str, iteration: int, best_score: float) -> None:
        """One search iteration of one sample finished."""
        self._hook.mils_iteration_finished(run=run, sample_id=sample_id, iteration=iteration, best_score=best_score)

    def sample_finished(self, run: RunInfo, record: dict[str, Any]) -> None:
        """A sample finished and its record was written."""
        self._hook.mils_sample_finished(run=run, record=record)

    def run_finished(self, run: RunInfo, summary: dict[str, Any]) -> None:
        """A run ended."""
        self._hook.mils_run_finished(run=run, summary=summary)


def disabled_from_env() -> set[str]:
    """Entry-point names listed (comma-separated) in ``MILS_DISABLE_PLUGINS``."""
    raw = os.environ.get(DISABLE_ENV, "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def _entry_points() -> list[md.EntryPoint]:
    return sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def load_entry_points(pm: MilsPluginManager, disabled: Iterable[str] = ()) -> None:
    """Import and register every ``mils`` entry point; record and skip broken ones."""
    blocked = set(disabled)
    for ep in _entry_points():
        dist = ep.dist
        dist_name = str(dist.metadata["name"]) if dist is not None else "unknown distribution"
        version = dist.version if dist is not None else "?"
        if ep.name in blocked or dist_name in blocked:
            pm.blocked.add(ep.name)
            continue
        if pm.has_plugin(ep.name):
            continue
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
            pm.origins[ep.name] = Provenance(ep.name, dist_name, version)
        except Exception as exc:  # noqa: BLE001 - any plugin failure is recorded, not fatal
            error = PluginLoadError(ep.name, dist_name, version, exc)
            pm.failed[ep.name] = FailedPlugin(error, traceback.format_exc())
            log.warning("plugin failed to load; skipped", plugin=ep.name, distribution=dist_name, error=str(error))


def make_plugin_manager(
    *,
    entry_points: bool = True,
    disabled: Iterable[str] = (),
    plugins: Iterable[ModuleType | object] = (),
) -> MilsPluginManager:
    """A fresh plugin manager.

    :param entry_points: load plugins installed under the ``mils`` entry-point group
        (the built-in components register through it too).
    :param disabled: entry-point or distribution names to skip, on top of
        ``MILS_DISABLE_PLUGINS``.
    :param plugins: extra plugin objects (modules or instances) to register directly.
    """
    pm = MilsPluginManager()
    if entry_points:
        load_entry_points(pm, set(disabled) | disabled_from_env())
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm
