"""The outbox: messages queued in the transaction that decided them, sent after it commits.

A message has no status: it is queued until delivered (then deleted) or dropped; ``attempts``
and ``due_at`` say how far a failed send is into its retries.

Several bot processes may share a PostgreSQL database. Their drainers claim chats: the chat's
first message is locked with ``FOR UPDATE SKIP LOCKED`` and the chat's messages get a lease
(``lease_owner``, ``lease_until``) that the owner renews while it lives. Another process reads
a claimed message as due only once the lease has run out, so it neither sends it twice nor
overtakes it. On SQLite (one process) nothing is claimed and these are plain reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, case, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repository import Repository, RowReader
from storage.tables import OUTBOX


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    person_id: int | None
    transport: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int
    due_at: datetime
    urgent: bool = False
    """Goes before the chat's other messages, not held by its pace (see ``pending_for_chat``)."""


PENDING = RowReader.of(PendingMessage, OUTBOX)
_DELETE = delete(OUTBOX).where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
_INSERT = insert(OUTBOX).returning(OUTBOX.c.id)


def _queued(
    transport: str, chat_id: str, person_id: int | None, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """One outbox row's values, due now and never tried."""
    return {
        "person_id": person_id,
        "transport": transport,
        "chat_id": chat_id,
        "payload": payload,
        "created_at": now,
        "due_at": now,
        "attempts": 0,
        "last_error": None,
        "urgent": bool(payload.get("urgent", False)),
    }


class Outbox(Repository):
    def __init__(self, connection: AsyncConnection, owner: str = "") -> None:
        super().__init__(connection)
        self._owner = owner
        self._claims = connection.dialect.name == "postgresql"
        """Claims and leases: only where several processes may share the database."""

    def _unclaimed(self, now: datetime) -> ColumnElement[bool]:
        """No other process's live claim holds the message."""
        return or_(
            OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until <= now, OUTBOX.c.lease_owner == self._owner
        )

    async def put_many(
        self,
        transport: str,
        chat_id: str,
        payloads: list[dict[str, Any]],
        now: datetime,
        *,
        person_id: int | None = None,
        lease: timedelta = timedelta(0),
        not_before: datetime | None = None,
        attempts: int = 0,
    ) -> list[PendingMessage]:
        """Queue messages for one chat, in order. ``lease`` keeps the tick away from them while
        the caller delivers them itself right after the commit; should it die, the tick takes
        over when the lease ends. ``not_before`` and ``attempts`` carry on a retry they replace."""
        if not payloads:
            return []
        due_at = max(now + lease, not_before or now)
        result = await self._execute(
            _INSERT,
            [
                _queued(transport, chat_id, person_id, payload, now)
                | {"due_at": due_at, "attempts": attempts, "coalesce_key": payload.get("coalesce_key")}
                for payload in payloads
            ],
        )
        ids = sorted(result.scalars())  # ids grow in insertion order
        return [
            PendingMessage(
                id_, person_id, transport, chat_id, payload, attempts, due_at, bool(payload.get("urgent"))
            )
            for id_, payload in zip(ids, payloads, strict=True)
        ]

    async def put_rows(self, rows: list[tuple[str, str, int | None, dict[str, Any]]], now: datetime) -> None:
        """Queue messages for many chats at once (transport, chat, person, payload), due now."""
        if rows:
            await self._execute(
                insert(OUTBOX),
                [
                    _queued(transport, chat_id, person_id, payload, now)
                    for transport, chat_id, person_id, payload in rows
                ],
            )

    async def drop_superseded(
        self, transport: str, chat_id: str, keys: set[str]
    ) -> tuple[datetime | None, int]:
        """Forget unsent messages that a newer one with the same key replaces. Returns how far
        the chat is into waiting out a failed send among them (retry time and attempts), if any:
        the newer message inherits that wait. A reply's lease is not a wait."""
        superseded = (
            OUTBOX.c.transport == transport,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.coalesce_key.in_(keys),
        )
        waiting = await self._execute(
            select(
                func.max(OUTBOX.c.due_at).label("retry_at"), func.max(OUTBOX.c.attempts).label("attempts")
            ).where(*superseded, OUTBOX.c.attempts > 0)
        )
        wait = waiting.one()
        await self._execute(delete(OUTBOX).where(*superseded))
        return cast(datetime | None, wait.retry_at), int(wait.attempts or 0)

    async def drop_chat(self, transport: str, chat_id: str) -> int:
        """Forget everything still queued for a chat we can no longer reach."""
        result = await self._execute(
            delete(OUTBOX).where(OUTBOX.c.transport == transport, OUTBOX.c.chat_id == chat_id)
        )
        return result.rowcount

    async def pending_for_chat(self, transport: str, chat_id: str) -> list[PendingMessage]:
        """Everything still to send to one chat in the order it goes: urgent messages first,
        then the others, each oldest first (order matters in a chat)."""
        query = (
            select(*PENDING.columns, OUTBOX.c.lease_owner, OUTBOX.c.lease_until)
            .where(OUTBOX.c.transport == transport, OUTBOX.c.chat_id == chat_id)
            .order_by(OUTBOX.c.urgent.desc(), OUTBOX.c.id)
        )
        pending = []
        for row in await self._execute(query):
            message = PENDING.read(row)
            owner, until = row.lease_owner, row.lease_until
            if owner is not None and owner != self._owner and until is not None and until > message.due_at:
                message = replace(message, due_at=until)  # another process's claim: due when it ends
            pending.append(message)
        return pending

    async def chats_with_pending(self) -> list[tuple[str, str]]:
        result = await self._execute(select(OUTBOX.c.transport, OUTBOX.c.chat_id).distinct())
        return [(row.transport, row.chat_id) for row in result]

    async def due_chats(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """Chats whose next message is due (messages in a chat go in order: its oldest urgent
        one, else its oldest), chats with an urgent one first, then the longest waiting."""
        result = await self._execute(_due_chats(now, limit))
        return [(row.transport, row.chat_id) for row in result]

    async def claim_due_chats(
        self, now: datetime, until: datetime, limit: int = 500
    ) -> list[tuple[str, str]]:
        """Due chats, claimed for this process until ``until`` (see the module): their first
        message locked (``SKIP LOCKED``: one another drainer is claiming is left to it), then
        every message of theirs not claimed by another live process leased to this one."""
        if not self._claims:
            return await self.due_chats(now, limit)
        claim = (
            _due_chats(now, limit).where(self._unclaimed(now)).with_for_update(of=OUTBOX, skip_locked=True)
        )
        chats = [(row.transport, row.chat_id) for row in await self._execute(claim)]
        if chats:
            await self._execute(
                update(OUTBOX)
                .where(tuple_(OUTBOX.c.transport, OUTBOX.c.chat_id).in_(chats), self._unclaimed(now))
                .values(lease_owner=self._owner, lease_until=until)
            )
        return chats

    async def release(self, transport: str, chat_id: str) -> None:
        """This process is done with the chat for now: its claim ends."""
        if self._claims:
            await self._execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.transport == transport,
                    OUTBOX.c.chat_id == chat_id,
                    OUTBOX.c.lease_owner == self._owner,
                )
                .values(lease_owner=None, lease_until=None)
            )

    async def renew_claims(self, until: datetime) -> int:
        """This process lives: its claims hold until ``until``. Returns how many messages."""
        if not self._claims:
            return 0
        result = await self._execute(
            update(OUTBOX).where(OUTBOX.c.lease_owner == self._owner).values(lease_until=until)
        )
        return result.rowcount

    async def delivered(self, message_ids: list[int]) -> None:
        if message_ids:
            await self._execute(_DELETE, {"ids": message_ids})

    async def end_leases(self, now: datetime) -> None:
        """At start-up: replies never tried whose handler died become due now. SQLite has one
        process, so every lease is a dead one's; on PostgreSQL other processes' leases may be
        live, so only this process's own end (the rest end by themselves when they run out)."""
        if self._claims:
            await self._update(
                OUTBOX, OUTBOX.c.lease_owner == self._owner, lease_owner=None, lease_until=None
            )
            return
        await self._update(OUTBOX, OUTBOX.c.attempts == 0, OUTBOX.c.due_at > now, due_at=now)

    async def make_due(self, message_ids: list[int], now: datetime) -> None:
        """End the lease of queued replies: the drainer sends them."""
        await self._update(OUTBOX, OUTBOX.c.id.in_(message_ids), due_at=now)

    async def retry_later(self, message_id: int, error: str, due_at: datetime) -> None:
        await self._update(
            OUTBOX,
            OUTBOX.c.id == message_id,
            attempts=OUTBOX.c.attempts + 1,
            last_error=error[:200],
            due_at=due_at,
        )

    async def count(self) -> int:
        return await self._count(OUTBOX)


def _due_chats(now: datetime, limit: int) -> Any:
    """The first due message of each due chat (see :meth:`Outbox.due_chats`)."""
    urgent_first = func.min(case((OUTBOX.c.urgent, OUTBOX.c.id)))
    head = (
        select(func.coalesce(urgent_first, func.min(OUTBOX.c.id)).label("id"))
        .group_by(OUTBOX.c.transport, OUTBOX.c.chat_id)
        .subquery()
    )
    return (
        select(OUTBOX.c.transport, OUTBOX.c.chat_id)
        .join(head, head.c.id == OUTBOX.c.id)
        .where(OUTBOX.c.due_at <= now)
        .order_by(OUTBOX.c.urgent.desc(), OUTBOX.c.due_at, OUTBOX.c.id)
        .limit(limit)
    )


__all__ = ["PENDING", "Outbox", "PendingMessage"]
