"""The bot's few errors. Library errors are translated into these at the transport edge."""

from __future__ import annotations


class BetweenError(Exception):
    """Base of every error Between raises on purpose."""


class ConfigurationError(BetweenError):
    """A setting is missing or wrong; the message is one line a person can act on."""


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
