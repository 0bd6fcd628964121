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


class NotFound(ObserverError):
    """The study, coder, recording, assignment, event or definition named does not exist."""


class Conflict(ObserverError):
    """The change clashes with what is stored (a duplicate, an invalid state transition)."""


class AccessDenied(ObserverError):
    """The acting coder may not do this (role, ownership or a completed assignment)."""


class BlindingViolation(AccessDenied):
    """A coder asked for another coder's work on a blind assignment."""


class AuthenticationError(ObserverError):
    """Wrong password, unknown or inactive coder."""


class StoreVersionError(ObserverError):
    """The study database was written by a newer schema, or cannot be read as a study."""


class StorageError(ObserverError):
    """The study's storage refused or lost a change (read-only file, full disk, lock timeout,
    server gone): nothing of it was saved, and trying again later may succeed."""
