"""Typed component options: attrs classes built from config tables with clear errors."""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs

from mils_core.errors import ConfigError
from mils_core.suggest import did_you_mean

T = TypeVar("T")


@attrs.frozen
class NoOptions:
    """Options of a component that takes none."""


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    """Convert a TOML value to ``annotation`` where that is lossless, else raise."""
    if annotation is Any:
        return value
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{where}: invalid value {value!r}")
    if origin is typing.Literal:
        allowed = get_args(annotation)
        if value not in allowed:
            raise ConfigError(f"{where} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value
    if origin in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list, got {value!r}")
        args = get_args(annotation)
        item = args[0] if args else Any
        items = [_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {value!r}")
        return dict(value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ConfigError(f"{where} must be an integer, got {value!r}")
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if annotation is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where} must be a string, got {value!r}")
    return value


def option_names(cls: type) -> list[str]:
    """The option names an attrs options class accepts."""
    return [f.name for f in attrs.fields(cls)]


def build_options(cls: type[T], values: Mapping[str, Any] | None, where: str) -> T:
    """Build the attrs options class ``cls`` from a config table.

    Unknown keys, wrong types and failed validators raise :class:`ConfigError` naming
    ``where`` (e.g. ``[scorer] (clip)``), the option, and the valid options.
    """
    values = dict(values or {})
    if not attrs.has(cls):
        raise TypeError(f"{cls!r} is not an attrs class")
    fields = {f.name: f for f in attrs.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in fields:
            valid = ", ".join(sorted(fields)) or "(none)"
            hint = did_you_mean(name, fields)
            raise ConfigError(f"{where}: unknown option {key!r}.{hint} Valid options: {valid}.")
        kwargs[name] = _coerce(value, hints.get(name, Any), f"{where} option {key!r}")
    try:
        return cls(**kwargs)  # type: ignore[return-value]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def options_to_dict(options: Any) -> dict[str, Any]:
    """The options as a plain dict (for writing the resolved config)."""
    if options is None:
        return {}
    return attrs.asdict(options, recurse=True)
