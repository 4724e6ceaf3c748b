"""mils_core.validators: one wording for every plugin's option errors."""

from __future__ import annotations

import attrs
import pytest

from mils_core import validators as v
from mils_core.errors import ConfigError
from mils_core.options import build_options


@attrs.frozen
class Opts:
    device: str = attrs.field(default="auto", validator=v.device)
    dtype: str = attrs.field(default="auto", validator=v.dtype)
    batch_size: int = attrs.field(default=8, validator=v.positive_int)
    retries: int = attrs.field(default=0, validator=v.non_negative_int)
    temperature: float = attrs.field(default=0.5, validator=v.non_negative)
    timeout_s: float = attrs.field(default=1.0, validator=v.positive)
    top_p: float = attrs.field(default=0.9, validator=v.in_range(0.0, 1.0, low_open=True))
    window: int | None = attrs.field(default=None, validator=v.optional(v.at_least(16)))
    mode: str = attrs.field(default="a", validator=v.one_of(("a", "b")))
    server_device: str = attrs.field(default="auto", validator=v.only_auto("the server decides"))


def test_defaults_and_good_values() -> None:
    Opts()
    Opts(device="cuda:1", dtype="bfloat16", batch_size=1, retries=0, temperature=0, timeout_s=0.1, top_p=1.0,
         window=16, mode="b")
    for device in ("auto", "cpu", "cuda", "cuda:0", "mps"):
        Opts(device=device)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"device": "gpu"}, "device 'gpu' is not valid; use auto, cpu, cuda, cuda:N or mps"),
        ({"device": "cuda:x"}, "device 'cuda:x' is not valid"),
        ({"device": 0}, "device 0 is not valid"),
        ({"dtype": "fp16"}, "dtype 'fp16' is not valid; use one of auto, float32, bfloat16, float16"),
        ({"batch_size": 0}, "batch_size must be an integer of at least 1, got 0"),
        ({"batch_size": True}, "batch_size must be an integer of at least 1, got True"),
        ({"batch_size": 2.0}, "batch_size must be an integer of at least 1, got 2.0"),
        ({"retries": -1}, "retries must be an integer of at least 0, got -1"),
        ({"temperature": -0.1}, "temperature must be a number of at least 0.0, got -0.1"),
        ({"temperature": float("nan")}, "temperature must be a number of at least 0.0, got nan"),
        ({"timeout_s": 0}, "timeout_s must be a number greater than 0.0, got 0"),
        ({"top_p": 0.0}, "top_p must be a number in (0.0, 1.0], got 0.0"),
        ({"top_p": 1.5}, "top_p must be a number in (0.0, 1.0], got 1.5"),
        ({"window": 8}, "window must be an integer of at least 16, got 8"),
        ({"mode": "c"}, "mode 'c' is not valid; use one of 'a', 'b'"),
        ({"server_device": "cpu"}, "server_device 'cpu' cannot be chosen here: the server decides; leave it \"auto\""),
    ],
)
def test_bad_values_are_one_line_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Opts(**kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)  # callers that catch ValueError keep working


def test_the_option_builder_names_the_component() -> None:
    with pytest.raises(ConfigError, match=r"^\[scorer\] \(x\): device 'gpu' is not valid"):
        build_options(Opts, {"device": "gpu"}, "[scorer] (x)")


def test_bounds_wording() -> None:
    @attrs.frozen
    class B:
        a: float = attrs.field(default=0.5, validator=v.in_range(None, 1.0))
        b: float = attrs.field(default=0.5, validator=v.in_range(None, 1.0, high_open=True))
        c: float = attrs.field(default=0.5, validator=v.in_range(0.0, 1.0, high_open=True))

    with pytest.raises(ConfigError, match=r"a must be a number of at most 1.0"):
        B(a=2)
    with pytest.raises(ConfigError, match=r"b must be a number less than 1.0"):
        B(b=1.0)
    with pytest.raises(ConfigError, match=r"c must be a number in \[0.0, 1.0\)"):
        B(c=1.0)
