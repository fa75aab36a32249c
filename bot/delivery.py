"""Delivering the outbox: in order per chat, retried with backoff, never lost.

Replies are written to the outbox in the same transaction as the state that caused them, with a
short lease. The transport hands them to :meth:`Courier.deliver` right after the commit, which
sends them. Anything that failed, or was still leased when the process died, is sent by
:meth:`Courier.deliver_due` on a later tick.

Successful sends are written down in the :class:`DeliveryLedger`, which the next transaction
writes anyway (group commit), or a short timer does. Should the process die in between, those
messages are sent once more after the restart: at least once, never lost.

A chat whose messages are waiting for a retry is "backed up": new replies to it go behind the
old ones, read back from the database in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Outgoing
from storage import Database, StorageError
from storage.repositories import PendingMessage, Transaction

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600.0


class Sink(Protocol):
    """A transport's way to show one message; returns the id of the message shown."""

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None: ...


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts + 1``: 2, 4, 8 … capped at ten minutes."""
    return float(min(MAX_BACKOFF_SECONDS, 2.0 ** (attempts + 1)))


LEDGER_FLUSH_DELAY_SECONDS = 0.25


class DeliveryLedger:
    """Sends that succeeded but are not yet written down: outbox ids to delete, prompt ids."""

    def __init__(self) -> None:
        self._delivered: list[int] = []
        self._shown: list[tuple[int, str, str]] = []

    def __bool__(self) -> bool:
        return bool(self._delivered or self._shown)

    def record(self, delivered: list[int], shown: list[tuple[int, str, str]]) -> None:
        self._delivered.extend(delivered)
        self._shown.extend(shown)

    async def write(self, tx: Transaction) -> None:
        """Write everything recorded so far inside ``tx``; kept for later if ``tx`` fails."""
        if not self:
            return
        delivered, shown = self._delivered, self._shown
        self._delivered, self._shown = [], []
        try:
            await tx.outbox.delivered(delivered)
            for person_id, token, shown_id in shown:
                await tx.conversations.record_prompt_message(person_id, token, shown_id)
        except BaseException:
            self.record(delivered, shown)
            raise


@dataclass
class _Settlement:
    """What one delivery round did, written back in one transaction."""

    delivered: list[int] = field(default_factory=list)
    dropped: bool = False
    shown_prompts: list[tuple[int, str, str]] = field(default_factory=list)  # person, token, id
    retry: tuple[int, str, datetime] | None = None

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retry)


class Courier:
    """Sends what is in the outbox through the registered sinks."""

    def __init__(self, database: Database, clock: Clock, ledger: DeliveryLedger | None = None) -> None:
        self._db = database
        self._clock = clock
        self.ledger = ledger if ledger is not None else DeliveryLedger()
        self._sinks: dict[str, Sink] = {}
        self._chat_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._backed_up: set[tuple[str, str]] = set()
        self._flush_task: asyncio.Task[None] | None = None

    async def flush(self) -> None:
        """Write the ledger now (the tick, shutdown, and before reading the outbox)."""
        if self.ledger:
            async with self._db.transaction() as tx:
                await self.ledger.write(tx)

    def _flush_soon(self) -> None:
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.get_running_loop().create_task(self._flush_after_delay())

    async def _flush_after_delay(self) -> None:
        await asyncio.sleep(LEDGER_FLUSH_DELAY_SECONDS)  # a group-commit window, not pacing
        try:
            await self.flush()
        except StorageError:
            log.exception("could not write the delivery ledger; will retry on the next transaction")

    async def close(self) -> None:
        if self._flush_task is not None:
            self._flush_task.cancel()
        await self.flush()

    def register(self, transport: str, sink: Sink) -> None:
        self._sinks[transport] = sink

    def unregister(self, transport: str) -> None:
        self._sinks.pop(transport, None)

    async def prime(self) -> None:
        """At start-up: every chat with messages left over is backed up until a tick drains it."""
        async with self._db.transaction() as tx:
            self._backed_up.update(await tx.outbox.chats_with_pending())

    async def deliver(self, transport: str, chat_id: str, fresh: Sequence[PendingMessage]) -> int:
        """Send replies just queued for one chat (behind any older ones still waiting)."""
        if not fresh:
            return 0
        return await self._with_chat_lock(transport, chat_id, fresh)

    async def deliver_chat(self, transport: str, chat_id: str) -> int:
        """Send everything due for one chat, oldest first, reading it from the database."""
        return await self._with_chat_lock(transport, chat_id, None)

    async def _with_chat_lock(
        self, transport: str, chat_id: str, fresh: Sequence[PendingMessage] | None
    ) -> int:
        sink = self._sinks.get(transport)
        if sink is None:
            return 0
        key = (transport, chat_id)
        lock = self._chat_locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                if fresh is not None and key not in self._backed_up:
                    return await self._send(sink, key, list(fresh), fresh_ids=set())
                async with self._db.transaction() as tx:
                    await self.ledger.write(tx)  # what was sent must not be read back as pending
                    pending = await tx.outbox.pending_for_chat(transport, chat_id)
                fresh_ids = {m.id for m in fresh or ()}
                return await self._send(sink, key, pending, fresh_ids)
        finally:
            if not lock.locked() and self._chat_locks.get(key) is lock:
                del self._chat_locks[key]

    async def _send(
        self, sink: Sink, key: tuple[str, str], pending: list[PendingMessage], fresh_ids: set[int]
    ) -> int:
        transport, chat_id = key
        settlement = _Settlement()
        now = self._clock()
        for item in pending:
            if item.due_at > now and item.id not in fresh_ids and item.attempts > 0:
                break  # waiting for its retry time; everything after it waits too
            message = Outgoing.from_json(item.payload)
            try:
                shown_id = await sink.deliver(chat_id, message)
            except TransientDeliveryError as error:
                delay = error.retry_after if error.retry_after is not None else backoff(item.attempts)
                log.warning(
                    "outbox %s to %s chat %s deferred %.0fs: %s", item.id, transport, chat_id, delay, error
                )
                settlement.retry = (item.id, str(error), self._clock() + timedelta(seconds=delay))
                break
            except PermanentDeliveryError as error:
                log.warning("outbox %s to %s chat %s dropped: %s", item.id, transport, chat_id, error)
                settlement.delivered.append(item.id)
                settlement.dropped = True
                continue
            settlement.delivered.append(item.id)
            if message.prompt_token and shown_id is not None and item.person_id is not None:
                settlement.shown_prompts.append((item.person_id, message.prompt_token, shown_id))
        if settlement.retry is None and not settlement.dropped:
            self.ledger.record(settlement.delivered, settlement.shown_prompts)
            self._flush_soon()
        elif settlement:
            await self._settle(settlement)
        if settlement.retry is None and len(settlement.delivered) == len(pending):
            self._backed_up.discard(key)
        else:
            self._backed_up.add(key)
        return len(settlement.delivered)

    async def _settle(self, settlement: _Settlement) -> None:
        async with self._db.transaction() as tx:
            await self.ledger.write(tx)
            await tx.outbox.delivered(settlement.delivered)
            for person_id, token, shown_id in settlement.shown_prompts:
                await tx.conversations.record_prompt_message(person_id, token, shown_id)
            if settlement.retry is not None:
                await tx.outbox.retry_later(*settlement.retry)

    async def deliver_due(self) -> int:
        """One tick: deliver every chat that has something due (retries, restarts)."""
        try:
            async with self._db.transaction() as tx:
                await self.ledger.write(tx)
                chats = await tx.outbox.due_chats(self._clock())
        except StorageError:
            log.exception("outbox tick could not read the database")
            return 0
        sent = 0
        for transport, chat_id in chats:
            sent += await self.deliver_chat(transport, chat_id)
        return sent
