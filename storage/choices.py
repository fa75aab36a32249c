"""What typed numbers mean in a chat without buttons: each shown question's choices, by message.

A few questions are kept per chat (the newest), so a restart remembers them and two open at
once stay apart; ``bot.transports.plain`` decides which one a typed number presses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import TypedChoice

TYPED_CHOICES = cast(Table, TypedChoice.__table__)
KEPT_PER_CHAT = 5
"""Older questions than these in a chat are forgotten: nobody answers them by number any more."""


@dataclass(frozen=True, slots=True)
class ShownChoices:
    """One question shown in a chat: its message id, answer kind and numbered button data."""

    message_id: str
    kind: str
    choices: tuple[str, ...]


class TypedChoices:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def shown(
        self, transport: str, chat_id: str, message_id: str, kind: str, choices: Sequence[str], now: datetime
    ) -> None:
        """A question was shown (or shown again, changed): it is now the newest in the chat."""
        await self.closed(transport, chat_id, message_id)
        await self._connection.execute(
            insert(TYPED_CHOICES).values(
                transport=transport,
                chat_id=chat_id,
                message_id=message_id,
                kind=kind,
                choices=list(choices),
                shown_at=now,
            )
        )
        chat = (TYPED_CHOICES.c.transport == transport) & (TYPED_CHOICES.c.chat_id == chat_id)
        newest = (
            select(TYPED_CHOICES.c.id).where(chat).order_by(TYPED_CHOICES.c.id.desc()).limit(KEPT_PER_CHAT)
        )
        await self._connection.execute(delete(TYPED_CHOICES).where(chat, TYPED_CHOICES.c.id.not_in(newest)))

    async def closed(self, transport: str, chat_id: str, message_id: str) -> None:
        """The question was answered or closed: numbers no longer press its buttons."""
        await self._connection.execute(
            delete(TYPED_CHOICES).where(
                TYPED_CHOICES.c.transport == transport,
                TYPED_CHOICES.c.chat_id == chat_id,
                TYPED_CHOICES.c.message_id == message_id,
            )
        )

    async def recent(self, transport: str, chat_id: str) -> list[ShownChoices]:
        """The questions shown in a chat, newest first."""
        rows = await self._connection.execute(
            select(TYPED_CHOICES.c.message_id, TYPED_CHOICES.c.kind, TYPED_CHOICES.c.choices)
            .where(TYPED_CHOICES.c.transport == transport, TYPED_CHOICES.c.chat_id == chat_id)
            .order_by(TYPED_CHOICES.c.id.desc())
        )
        return [ShownChoices(row.message_id, row.kind, tuple(row.choices)) for row in rows]
