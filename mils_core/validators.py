"""attrs validators for component options, with one wording for every plugin.

Each validator raises :class:`~mils_core.errors.ConfigError` (a ``ValueError``) with a
one-line message that names the option, the bad value and what is allowed; the core's
option builder prefixes the component (``[scorer] (clip): device 'gpu' is not valid; ...``).

Use them as ``attrs.field(default=..., validator=...)``::

    device: str = attrs.field(default="auto", validator=validators.device)
    batch_size: int = attrs.field(default=32, validator=validators.positive_int)
    top_p: float = attrs.field(default=0.9, validator=validators.in_range(0.0, 1.0, low_open=True))
    context_window: int | None = attrs.field(default=None, validator=validators.optional(validators.positive_int))

Nothing heavy is imported here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from mils_core.errors import ConfigError
from mils_core.torch_utils import DTYPES

__all__ = [
    "DEVICE_HELP",
    "DTYPES",
    "Validator",
    "at_least",
    "device",
    "dtype",
    "greater_than",
    "in_range",
    "non_negative",
    "non_negative_int",
    "one_of",
    "only_auto",
    "optional",
    "positive",
    "positive_int",
]

#: What a device option may be.
DEVICE_HELP = "auto, cpu, cuda, cuda:N or mps"
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")

Validator = Callable[[Any, Any, Any], None]


def _name(attribute: Any) -> str:
    return str(getattr(attribute, "name", attribute))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def device(_instance: Any, attribute: Any, value: Any) -> None:
    """``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``."""
    if not isinstance(value, str) or not _DEVICE.match(value):
        raise ConfigError(f"{_name(attribute)} {value!r} is not valid; use {DEVICE_HELP}")


def dtype(_instance: Any, attribute: Any, value: Any) -> None:
    """One of :data:`DTYPES`."""
    if value not in DTYPES:
        raise ConfigError(f"{_name(attribute)} {value!r} is not valid; use one of {', '.join(DTYPES)}")


def at_least(minimum: int) -> Validator:
    """An integer (not a bool) of at least ``minimum``."""

    def check(_instance: Any, attribute: Any, value: Any) -> None:
        if not _is_int(value) or value < minimum:
            raise ConfigError(f"{_name(attribute)} must be an integer of at least {minimum}, got {value!r}")

    return check


#: An integer of at least 1 (batch sizes, token counts, ...).
positive_int = at_least(1)
#: An integer of at least 0 (retries, top-k where 0 means "all", ...).
non_negative_int = at_least(0)


def in_range(low: float | None = None, high: float | None = None, *, low_open: bool = False,
             high_open: bool = False) -> Validator:
    """A number (int or float, not a bool or NaN) within the bounds; ``None`` leaves a side open-ended.

    ``low_open``/``high_open`` exclude that bound: ``in_range(0, 1, low_open=True)`` is (0, 1].
    """
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    shown = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
    if low is not None and high is None:
        wording = f"greater than {low}" if low_open else f"of at least {low}"
    elif high is not None and low is None:
        wording = f"less than {high}" if high_open else f"of at most {high}"
    else:
        wording = f"in {shown}"

    def check(_instance: Any, attribute: Any, value: Any) -> None:
        ok = _is_number(value)
        if ok and low is not None:
            ok = value > low if low_open else value >= low
        if ok and high is not None:
            ok = value < high if high_open else value <= high
        if not ok:
            raise ConfigError(f"{_name(attribute)} must be a number {wording}, got {value!r}")

    return check


def greater_than(low: float) -> Validator:
    """A number strictly greater than ``low`` (timeouts, temperatures that divide)."""
    return in_range(low, None, low_open=True)


#: A number of at least 0 (temperatures, back-off seconds, ...).
non_negative = in_range(0.0)
#: A number greater than 0.
positive = greater_than(0.0)


def one_of(choices: Iterable[Any]) -> Validator:
    """One of ``choices`` (listed in the error)."""
    allowed = tuple(choices)

    def check(_instance: Any, attribute: Any, value: Any) -> None:
        if value not in allowed:
            raise ConfigError(f"{_name(attribute)} {value!r} is not valid; use one of {', '.join(map(repr, allowed))}")

    return check


def only_auto(why: str) -> Validator:
    """The value must stay ``"auto"`` (a device or dtype the component cannot choose); ``why`` says why."""

    def check(_instance: Any, attribute: Any, value: Any) -> None:
        if value != "auto":
            raise ConfigError(f"{_name(attribute)} {value!r} cannot be chosen here: {why}; leave it \"auto\"")

    return check


def optional(validator: Validator) -> Validator:
    """``None``, or a value ``validator`` accepts."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check
