"""One exception tree for the whole package.

Every error a user can meet derives from :class:`EscEdgeError`. Each carries a message that says
what went wrong *and what to do*, and an ``exit_code`` the CLI returns so scripts can rely on it.
"""

from __future__ import annotations


class EscEdgeError(Exception):
    """Root of every error raised on purpose by esc-edge."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(EscEdgeError, ValueError):
    """A message or a file given by the user cannot be used as it is."""

    exit_code = 2


class ConfigError(EscEdgeError):
    """A configuration file, variable or flag has an invalid value."""

    exit_code = 3


class ModelError(EscEdgeError):
    """A model could not be found, verified or loaded."""

    exit_code = 4


class ModelNotFoundError(ModelError):
    """The model is neither installed nor known to the registry."""


class ModelCorruptError(ModelError):
    """The model file exists but is truncated, of the wrong format or fails its checksum."""


class ModelLoadError(ModelError):
    """The backend refused to load a model file."""


class PullError(ModelError):
    """Fetching a model failed (no network, package index unreachable, ...)."""

    exit_code = 5


class BackendUnavailableError(EscEdgeError):
    """An optional runtime dependency (llama-cpp-python, onnxruntime, ...) is not installed."""

    exit_code = 6


class GenerationError(EscEdgeError):
    """The generator failed while producing a reply."""

    exit_code = 7


class CancelledError(EscEdgeError):
    """A reply was cancelled before it finished."""

    exit_code = 130


class BusyError(EscEdgeError):
    """The engine's queue is full; try again later."""

    exit_code = 8


__all__ = [
    "BackendUnavailableError",
    "BusyError",
    "CancelledError",
    "ConfigError",
    "EscEdgeError",
    "GenerationError",
    "InputError",
    "ModelCorruptError",
    "ModelError",
    "ModelLoadError",
    "ModelNotFoundError",
    "PullError",
]


class HistoryError(EscEdgeError):
    """The history database cannot be read or written (disk full, locked, closed, damaged)."""

    exit_code = 9
