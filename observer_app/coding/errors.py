"""The error hierarchy every layer raises and the CLI and UI report as one clear line."""

from __future__ import annotations


class ObserverError(Exception):
    """Base class: a problem the user can understand and act on (never a programming bug)."""


class InputError(ObserverError):
    """A file or value given by the user is malformed; the message names where and why."""


class DefinitionError(InputError):
    """A coding-scheme, instrument or text-pack definition failed validation."""


class StatisticUndefined(ObserverError):
    """An agreement statistic is undefined for the data given; the message says why."""
