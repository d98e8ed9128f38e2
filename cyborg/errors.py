"""The error types every part of cyborg raises for bad input.

All of them derive from :class:`CyborgError` (itself a ``ValueError``), so a
caller can catch one type and print one clear line.
"""

from __future__ import annotations


class CyborgError(ValueError):
    """Base class of every error cyborg raises for bad input or configuration."""


class DataFormatError(CyborgError):
    """A data file does not have the layout, keys, shapes or values expected."""


class SubmissionError(CyborgError):
    """A submission file is malformed or does not match the test set."""


class ConfigError(CyborgError):
    """A configuration value (a command-line key such as ``trainer.selection``) is invalid."""


class StreamError(CyborgError):
    """A decoder or stream cannot run live: a step that is not causal, a stream that does not match."""


class ExportError(CyborgError):
    """A fitted decoder (a model, a preprocessing step, an estimator) cannot be exported to the asked format."""
