"""structlog setup for the command line: readable console lines or JSON lines."""

from __future__ import annotations

import logging
import sys

import structlog


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    """A logger bound to whatever ``sys.stderr`` is when a line is logged."""
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(fmt: str = "console", level: str = "info") -> None:
    """Send structlog output to stderr as console text or JSON lines."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    renderer: structlog.typing.Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
