"""Exceptions with messages that name the thing and the fix."""

from __future__ import annotations


class MilsError(Exception):
    """Base class of every error mils raises on purpose."""


class ConfigError(MilsError, ValueError):
    """A config file, option or command-line override is malformed."""


class UnknownComponentError(MilsError, LookupError):
    """No component of the requested kind has that name."""


class ComponentCollisionError(MilsError):
    """Two plugins registered the same component name."""


class PluginLoadError(MilsError):
    """A plugin's entry point could not be imported or registered."""

    def __init__(self, entry_point: str, distribution: str, version: str, cause: BaseException):
        self.entry_point = entry_point
        self.distribution = distribution
        self.version = version
        self.cause = cause
        super().__init__(
            f"plugin entry point {entry_point!r} from {distribution} {version} failed to load: "
            f"{type(cause).__name__}: {cause}. Reinstall or upgrade {distribution}, or disable it "
            f"with MILS_DISABLE_PLUGINS={entry_point}."
        )


class ModelUnavailableError(MilsError):
    """A model could not be found locally and the hub cannot be reached."""


class SampleError(MilsError):
    """One sample cannot be processed (unreadable media, bad record); the run continues."""


class GeneratorError(MilsError):
    """A generator failed for one request after its retries; that sample fails, the run continues."""


class ResultsError(MilsError):
    """The results folder cannot be used (e.g. it holds a run with another config)."""
