"""Between's errors, all in one tree. Library errors are translated into these at the edges
(the transport for a messenger's errors, storage for the driver's)::

    BetweenError
    ├── ConfigurationError        a setting is wrong: one line a person can act on
    │   ├── KeyRingError          encryption keys missing or malformed (also a ValueError)
    │   ├── MissingDriver         the database named needs a driver that is not installed
    │   └── PhraseListError       the risk phrase list cannot be read
    ├── UsageError                a therapist's command could not be read (also a ValueError)
    ├── AdminError                the admin's command-line arguments make no sense
    ├── RouteConflict             two features registered the same command or button prefix
    ├── DeliveryError             a message could not be delivered
    │   ├── TransientDeliveryError    try again later (rate limit, network, server error)
    │   └── PermanentDeliveryError    retrying will not help (blocked, chat gone, invalid)
    └── StorageError              the database could not be reached, migrated or written
        ├── DatabaseUnavailable   not for now: a server down, a connection cut, a file locked
        ├── UnreadableValue       a sealed value's key is missing, or it was altered
        └── MigrationError        a migration would leave the data inconsistent (also a RuntimeError)
"""

from __future__ import annotations


class BetweenError(Exception):
    """Base of every error Between raises on purpose."""


class ConfigurationError(BetweenError):
    """A setting is missing or wrong; the message is one line a person can act on."""


class KeyRingError(ConfigurationError, ValueError):
    """Keys are missing or malformed: one line a person can act on (never the key itself)."""


class MissingDriver(ConfigurationError):
    """The database a setting names needs a driver that is not installed; ``extra`` is the
    optional dependency of Between that installs it (the command line says the exact command)."""

    def __init__(self, reason: str, *, extra: str) -> None:
        super().__init__(reason)
        self.extra = extra


class PhraseListError(ConfigurationError):
    """The phrase list cannot be read or a pattern in it cannot be understood."""


class UsageError(BetweenError, ValueError):
    """A therapist's command could not be read; the message says what, kindly."""


class AdminError(BetweenError):
    """A command's arguments do not make sense; the message says why, in one line."""


class RouteConflict(BetweenError):
    """Two features registered the same command or overlapping button prefixes."""


class DeliveryError(BetweenError):
    """A message could not be delivered."""


class TransientDeliveryError(DeliveryError):
    """Try again later (rate limit, network trouble, server error)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (blocked by the user, chat gone, message invalid)."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class StorageError(BetweenError):
    """The database could not be reached, migrated or written."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or written for now (its server stopped or restarting, the
    connection cut, the file locked or read-only): the work is held and tried again, never
    skipped, until it is back."""


class UnreadableValue(StorageError):
    """A sealed value could not be opened: its key is not in the ring, or it was altered."""


class MigrationError(StorageError, RuntimeError):
    """A migration would leave the data inconsistent; nothing was changed."""
