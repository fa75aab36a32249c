"""The seam between delivery and a messenger: a sink shows a message and says what it can do.

The core never asks which messenger it is; it asks what the sink can do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Outgoing, TextLimit


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a transport can show."""

    text_limit: TextLimit
    """The longest text one message may carry; the sink splits longer ones (``split_text``)."""
    buttons: bool = False
    """Inline buttons under a message; without them, choices are numbered (``transports.plain``)."""
    edits: bool = False
    """A message shown can be changed later (a toggle, a timer's frame, closing a question)."""
    attachments: bool = False
    """Files (a digest document, a chart, an export) can be sent."""


class Sink(Protocol):
    """A transport's way to show one message; returns the id of the message shown.

    It raises ``TransientDeliveryError`` (try again later) or ``PermanentDeliveryError`` (never
    will: dropped, or the chat is unreachable) from ``bot.core.errors``.
    """

    @property
    def capabilities(self) -> Capabilities: ...

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None: ...
