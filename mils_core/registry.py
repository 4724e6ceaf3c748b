"""The registry of named components, filled by the ``mils_register_*`` hooks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import attrs

from mils_core.errors import ComponentCollisionError, ConfigError, UnknownComponentError
from mils_core.kinds import KINDS, check_instance, kind
from mils_core.options import NoOptions, build_options
from mils_core.suggest import did_you_mean

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RegisterFn(Protocol):
    """The callback a registration hook receives."""

    def __call__(
        self,
        name: str,
        factory: Callable[[Any], Any],
        *,
        options: type = ...,
        aliases: Iterable[str] = ...,
        description: str = ...,
    ) -> None: ...


@attrs.frozen
class Provenance:
    """Where a component came from."""

    plugin: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"{self.distribution} {self.version}" if self.distribution else self.plugin


@attrs.frozen
class ComponentSpec:
    """A registered component: its name, how to build it, and where it came from."""

    kind: str
    name: str
    factory: Callable[[Any], Any]
    options: type
    aliases: tuple[str, ...]
    description: str
    provenance: Provenance

    def media(self) -> str:
        """What the component declares it takes and makes, in words (empty if it declares nothing)."""
        from mils_core.media_check import describe

        return describe(self.factory) if isinstance(self.factory, type) else ""

    def build(self, values: Mapping[str, Any] | None = None) -> Any:
        """Validate ``values`` against the options class and call the factory."""
        opts: Any = build_options(self.options, values, f"[{kind(self.kind).section}] {self.name!r}")
        try:
            component = self.factory(opts)
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{self.kind} {self.name!r} rejected its options: {exc}") from exc
        check_instance(kind(self.kind), self.name, self.provenance, component)
        return component


class Registry:
    """Named components of every kind, with aliases and provenance."""

    def __init__(self) -> None:
        self._specs: dict[str, dict[str, ComponentSpec]] = {k.name: {} for k in KINDS}
        self._aliases: dict[str, dict[str, str]] = {k.name: {} for k in KINDS}

    def register_fn(self, kind: str, provenance: Provenance) -> RegisterFn:
        """The ``register`` callback handed to one plugin's hook for one kind."""

        def register(
            name: str,
            factory: Callable[[Any], Any],
            *,
            options: type = NoOptions,
            aliases: Iterable[str] = (),
            description: str = "",
        ) -> None:
            self.add(
                ComponentSpec(
                    kind=kind,
                    name=name,
                    factory=factory,
                    options=options,
                    aliases=tuple(aliases),
                    description=description or (factory.__doc__ or "").strip().split("\n")[0],
                    provenance=provenance,
                )
            )

        return register  # type: ignore[return-value]

    def add(self, spec: ComponentSpec) -> None:
        """Add a component; raise on a bad name or a collision with another plugin's."""
        for label in (spec.name, *spec.aliases):
            if not _NAME.match(label):
                raise ConfigError(
                    f"{spec.provenance} registered {spec.kind} name {label!r}: names must be "
                    "kebab-case (lowercase letters, digits and single dashes)"
                )
            existing = self._owner(spec.kind, label)
            if existing is not None:
                raise ComponentCollisionError(
                    f"{spec.kind} name {label!r} is registered twice: by {existing.provenance} "
                    f"and by {spec.provenance}. Uninstall one of them, or block one with "
                    "MILS_DISABLE_PLUGINS."
                )
        self._specs[spec.kind][spec.name] = spec
        for alias in spec.aliases:
            self._aliases[spec.kind][alias] = spec.name

    def _owner(self, kind: str, label: str) -> ComponentSpec | None:
        if label in self._specs[kind]:
            return self._specs[kind][label]
        if label in self._aliases[kind]:
            return self._specs[kind][self._aliases[kind][label]]
        return None

    def get(self, kind_name: str, name: str) -> ComponentSpec:
        """The component called ``name`` (or an alias of it); a helpful error if none."""
        plural = kind(kind_name).plural
        spec = self._owner(kind_name, name)
        if spec is not None:
            return spec
        names = list(self._specs[kind_name]) + list(self._aliases[kind_name])
        installed = ", ".join(f"{s.name} ({s.provenance})" for s in self.specs(kind_name)) or "none"
        raise UnknownComponentError(
            f"no {kind_name} named {name!r}.{did_you_mean(name, names)} Installed {plural}: {installed}. "
            f"{plural.capitalize()} come from plugins; run 'mils plugins' to see what is installed, "
            "and 'pip install' the package that provides it."
        )

    def specs(self, kind: str) -> list[ComponentSpec]:
        """Every component of ``kind``, sorted by name."""
        return sorted(self._specs[kind].values(), key=lambda s: s.name)

    def all_specs(self) -> list[ComponentSpec]:
        """Every component of every kind."""
        return [spec for k in KINDS for spec in self.specs(k.name)]
