"""The test kit's helpers hold plugins to the standard: they fail when a plugin does not meet it."""

from __future__ import annotations

import time

import pytest

from mils_core.errors import ModelUnavailableError
from mils_core.testing.contracts import unavailable_model_message
from mils_core.testing.fakes import FakeGenerator


class Unavailable(FakeGenerator):
    def __init__(self, message: str = "model 'x' is not available offline; pass a local folder", delay: float = 0.0):
        super().__init__()
        self.message, self.delay = message, delay

    def load(self) -> None:
        time.sleep(self.delay)
        raise ModelUnavailableError(self.message)


def test_returns_the_one_line_message() -> None:
    assert "local folder" in unavailable_model_message(Unavailable())


def test_a_multi_line_message_fails() -> None:
    with pytest.raises(AssertionError, match="not one line"):
        unavailable_model_message(Unavailable("model 'x'\nis not available"))


def test_a_slow_failure_fails() -> None:
    with pytest.raises(AssertionError, match="took"):
        unavailable_model_message(Unavailable(delay=0.05), within_s=0.01)


def test_a_model_that_loads_fails() -> None:
    with pytest.raises(pytest.fail.Exception):
        unavailable_model_message(FakeGenerator())
