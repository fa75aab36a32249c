"""Delivering the outbox: in order per chat, retried with backoff, never lost.

Replies are written to the outbox in the same transaction as the state that caused them. The
transport calls :meth:`Courier.deliver_chat` right after the commit; anything that failed (or was
pending when the process died) is picked up by :meth:`Courier.deliver_due` on the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Outgoing
from storage import Database, StorageError

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600.0


class Sink(Protocol):
    """A transport's way to show one message; returns the id of the message shown."""

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None: ...


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts + 1``: 2, 4, 8 … capped at ten minutes."""
    return float(min(MAX_BACKOFF_SECONDS, 2.0 ** (attempts + 1)))


class Courier:
    """Sends what is in the outbox through the registered sinks."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._sinks: dict[str, Sink] = {}
        self._chat_locks: dict[tuple[str, str], asyncio.Lock] = {}

    def register(self, transport: str, sink: Sink) -> None:
        self._sinks[transport] = sink

    def unregister(self, transport: str) -> None:
        self._sinks.pop(transport, None)

    async def deliver_chat(self, transport: str, chat_id: str) -> int:
        """Send everything due for one chat, oldest first; stop at the first transient failure."""
        sink = self._sinks.get(transport)
        if sink is None:
            return 0
        key = (transport, chat_id)
        lock = self._chat_locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                return await self._deliver_locked(sink, transport, chat_id)
        finally:
            if not lock.locked() and self._chat_locks.get(key) is lock:
                del self._chat_locks[key]

    async def _deliver_locked(self, sink: Sink, transport: str, chat_id: str) -> int:
        async with self._db.transaction() as tx:
            pending = await tx.outbox.pending_for_chat(transport, chat_id)
        sent = 0
        for item in pending:
            now = self._clock()
            if item.due_at > now:
                break
            message = Outgoing.from_json(item.payload)
            try:
                shown_id = await sink.deliver(chat_id, message)
            except TransientDeliveryError as error:
                delay = error.retry_after if error.retry_after is not None else backoff(item.attempts)
                log.warning(
                    "delivery of outbox %s to %s chat %s deferred %.0fs: %s",
                    item.id,
                    transport,
                    chat_id,
                    delay,
                    error,
                )
                async with self._db.transaction() as tx:
                    await tx.outbox.retry_later(item.id, str(error), now + timedelta(seconds=delay))
                break
            except PermanentDeliveryError as error:
                log.warning("outbox %s to %s chat %s dropped: %s", item.id, transport, chat_id, error)
                async with self._db.transaction() as tx:
                    await tx.outbox.delivered(item.id)
                continue
            async with self._db.transaction() as tx:
                await tx.outbox.delivered(item.id)
                if message.prompt_token and shown_id is not None and item.person_id is not None:
                    await tx.conversations.record_prompt_message(
                        item.person_id, message.prompt_token, shown_id
                    )
            sent += 1
        return sent

    async def deliver_due(self) -> int:
        """One tick: deliver every chat that has something due (retries, restarts)."""
        try:
            async with self._db.transaction() as tx:
                chats = await tx.outbox.due_chats(self._clock())
        except StorageError:
            log.exception("outbox tick could not read the database")
            return 0
        sent = 0
        for transport, chat_id in chats:
            sent += await self.deliver_chat(transport, chat_id)
        return sent
