"""Delivering the outbox: in order per chat, paced, retried with backoff, never lost.

Replies are written to the outbox in the same transaction as the state that caused them, with a
lease. The transport hands them to :meth:`Courier.deliver` right after the commit, which sends
them at once unless the pace says wait. Everything else — scheduled prompts, replies that had
to wait, retries after a failure, replies whose handler died — is sent by the drainer
(:meth:`Courier.run`), a background task that sends due rows at the paced rate.

Successful sends are written down in the :class:`DeliveryLedger`, which the next transaction
writes anyway (group commit), or a short timer does. Should the process die in between, those
messages are sent once more after the restart: at least once, never lost.

A client who blocked the bot (or whose chat is gone) is marked unreachable: what is queued for
them is dropped and nothing more is sent until they write to us again.

Urgent messages (a crisis reply, a risk alert) go first in their chat and are not held by its
pace; the rest of the chat follows in order. A 429's ``retry_after`` holds the whole chat, urgent
messages too. A round that waits for the pace looks up between short slices of waiting: a
handler waiting for the chat, or new messages queued (the gateway wakes us), end or restart it,
so an urgent message never waits behind a long queue (a digest) in its chat.

Several processes on one PostgreSQL database: the drainer claims the chats it sends (the outbox
repository's claims, renewed by :meth:`Courier.renew_claims` while the process lives, released
chat by chat), a chat another process claimed reads as not yet due, and every paced send takes
a slot of the bot token's budget shared by all processes (``budget``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.logs import describe_error
from bot.core.messages import Outgoing, Purpose
from bot.core.tasks import uninterrupted
from bot.delivery.pacing import BROADCAST, REPLY, Pacer, Turns
from bot.delivery.sink import Sink
from storage import Database, DatabaseUnavailable, PendingMessage, StorageError, Transaction

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600.0
LEDGER_FLUSH_DELAY_SECONDS = 0.25
DRAIN_BATCH = 500
DRAIN_CHATS = 100
"""Chats the drainer serves at once, each in its order, all under the overall pace."""
REPLY_MAX_WAIT_SECONDS = 1.0
"""A reply waits this long at most for its turn to be sent; past that the drainer sends it."""
PACE_SLICE_SECONDS = 0.5
"""A round waiting for the pace looks up this often: has something urgent arrived meanwhile?"""
CLAIM_LEASE = timedelta(seconds=30)
"""How long a drainer's claim on a chat holds unless renewed (every third of it, by the runner):
a process that died leaves its chats to the others after this at most."""

Shown = tuple[str, int, str, str]
"""(what was shown: "conversation" or "due_prompt", its key, its token, the message id)."""


def backoff(attempts: int) -> float:
    """Seconds before retry number ``attempts + 1``: 2, 4, 8 … capped at ten minutes."""
    return float(min(MAX_BACKOFF_SECONDS, 2.0 ** (attempts + 1)))


class DeliveryLedger:
    """Sends that succeeded but are not yet written down: outbox ids to delete, shown prompts."""

    def __init__(self) -> None:
        self._delivered: list[int] = []
        self._shown: list[Shown] = []
        self.unsettled: set[int] = set()
        """Sent, and not yet deleted by a committed transaction: never to be read back as pending."""

    def __bool__(self) -> bool:
        return bool(self._delivered or self._shown)

    def record(self, delivered: list[int], shown: list[Shown]) -> None:
        self._delivered.extend(delivered)
        self._shown.extend(shown)
        self.unsettled.update(delivered)

    async def write(self, tx: Transaction) -> None:
        """Write everything recorded so far inside ``tx``; kept for later if ``tx`` does not commit."""
        if not self:
            return
        delivered, shown = self._delivered, self._shown
        self._delivered, self._shown = [], []
        tx.on_rollback(lambda: self.record(delivered, shown))
        tx.on_commit(lambda: self.unsettled.difference_update(delivered))
        await write_down(tx, delivered, shown)


async def write_down(tx: Transaction, delivered: list[int], shown: list[Shown]) -> None:
    """Sent messages leave the outbox; shown prompts remember their message ids (for edits)."""
    await tx.outbox.delivered(delivered)
    for kind, key, token, message_id in shown:
        if kind == "due_prompt":
            await tx.due_prompts.record_prompt_message(key, token, message_id)
        else:
            await tx.conversations.record_prompt_message(key, token, message_id)


@dataclass
class _Settlement:
    """What one delivery round did, written back in one transaction."""

    delivered: list[int] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    dropped: bool = False
    retry: tuple[int, str, datetime] | None = None
    unreachable: int | None = None  # the person whose chat refused us
    deferred: list[int] = field(default_factory=list)  # must wait for the pace: the drainer's now
    rerouted: list[Outgoing] = field(default_factory=list)  # refused here, to go elsewhere

    @property
    def simple(self) -> bool:
        """Only successful sends: the ledger can write them down later."""
        return self.retry is None and not self.dropped and self.unreachable is None and not self.deferred


@dataclass
class _Round:
    """One chat's delivery round: what was tried, sent and handled."""

    key: tuple[str, str]
    settlement: _Settlement = field(default_factory=_Settlement)
    attempted: set[int] = field(default_factory=set)
    handled: int = 0
    sent: int = 0
    queued: int = 0
    """The courier's wake-ups when the round began: more since means new messages."""
    waiting: asyncio.Event | None = None
    """Set when the round starts waiting for the pace (see :meth:`Courier.deliver`)."""
    fresh: frozenset[int] = frozenset()
    """Replies a handler handed over with this round (they go before broadcasts)."""
    interrupted: bool = False
    """Stopped while waiting for the pace: a handler waits for this chat, or new messages were
    queued (perhaps urgent ones); read the chat again."""

    @property
    def chat_id(self) -> str:
        return self.key[1]

    def delivered(self, item: PendingMessage, message: Outgoing, shown_id: str | None) -> None:
        """Sent: it leaves the outbox; a shown prompt remembers its message id (for edits)."""
        self.handled += 1
        self.sent += 1
        self.settlement.delivered.append(item.id)
        if not message.prompt_token or shown_id is None:
            return
        if message.due_prompt_id is not None:
            self.settlement.shown.append(
                ("due_prompt", message.due_prompt_id, message.prompt_token, shown_id)
            )
        elif item.person_id is not None:
            self.settlement.shown.append(("conversation", item.person_id, message.prompt_token, shown_id))


def _refused(item: PendingMessage, message: Outgoing, error: PermanentDeliveryError, round_: _Round) -> bool:
    """A message its chat will never take: rerouted, or dropped (and the chat unreachable)."""
    round_.handled += 1
    settlement = round_.settlement
    settlement.delivered.append(item.id)
    settlement.dropped = True
    if message.reroute is not None:
        log.warning("outbox %s to %s chat %s rerouted: %s", item.id, *round_.key, error)
        settlement.rerouted.append(message)
        return True
    if error.unreachable and item.person_id is not None:
        log.warning("%s chat %s is unreachable (%s); stopping", *round_.key, error)
        settlement.unreachable = item.person_id
        return False
    log.warning("outbox %s to %s chat %s dropped: %s", item.id, *round_.key, error)
    return True


def _in_order(message: PendingMessage) -> tuple[bool, int]:
    """The order a chat's messages go in: urgent ones first, each kind oldest first."""
    return (not message.urgent, message.id)


class Courier:
    """Sends what is in the outbox through the registered sinks."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        ledger: DeliveryLedger | None = None,
        *,
        pacer: Pacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        idle_check_seconds: float = 5.0,
        budget: Callable[[], Awaitable[float]] | None = None,
    ) -> None:
        self._db = database
        self._clock = clock
        self.ledger = ledger if ledger is not None else DeliveryLedger()
        self.pacer = pacer if pacer is not None else Pacer(rate=0)
        self.sleep = sleep
        """How the courier waits for the pace (tests pass a virtual clock's)."""
        self._idle_check = idle_check_seconds
        self._budget = budget
        """The bot token's send budget shared with other processes: takes a slot, returns the
        seconds to wait for it (None: this process's pacer is the whole budget)."""
        self._sinks: dict[str, Sink] = {}
        self._chat_locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        self._backed_up: set[tuple[str, str]] = set()
        self._holds: dict[tuple[str, str], datetime] = {}  # a 429's retry_after, per chat
        self._queued = 0  # counts wake-ups: new messages, perhaps urgent ones
        self._flush_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._sending: dict[tuple[str, str], asyncio.Lock] = {}
        """Held while a message to the chat is on its way, until its message id is recorded."""
        self._turns = Turns(self.pacer, self.sleep)
        self._replies: set[int] = set()
        """Replies a handler had to leave to the drainer: still replies when the drainer sends them."""

    # --- the ledger -----------------------------------------------------------------------

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
            await uninterrupted(self.flush())
        except DatabaseUnavailable:
            pass  # said once, by the database; the next transaction writes it
        except StorageError:
            log.exception("could not write the delivery ledger; will retry on the next transaction")

    async def close(self) -> None:
        if self._flush_task is not None:
            self._flush_task.cancel()
        await self.flush()

    # --- sinks ----------------------------------------------------------------------------

    def register(self, transport: str, sink: Sink) -> None:
        self._sinks[transport] = sink

    def unregister(self, transport: str) -> None:
        self._sinks.pop(transport, None)

    async def prime(self) -> None:
        """At start-up: leases of a previous run end now — every lease on SQLite (one process),
        only this process's own on PostgreSQL (other processes' live leases are theirs; a dead
        one's run out by themselves) — and every chat with messages left over is backed up
        until they are sent."""
        async with self._db.transaction() as tx:
            await tx.outbox.end_leases(self._clock())
            self._backed_up.update(await tx.outbox.chats_with_pending())

    async def renew_claims(self) -> None:
        """This process lives: the chats its drainer claimed stay its own (PostgreSQL; a
        process that dies stops renewing, and another takes its chats within ``CLAIM_LEASE``)."""
        if self._db.shared:
            async with self._db.transaction() as tx:
                await tx.outbox.renew_claims(self._clock() + CLAIM_LEASE)

    # --- sending --------------------------------------------------------------------------

    async def deliver(
        self,
        transport: str,
        chat_id: str,
        fresh: Sequence[PendingMessage],
        *,
        waiting: asyncio.Event | None = None,
    ) -> int:
        """Send replies just queued for one chat (behind any older ones still waiting).
        ``waiting`` is set once the delivery has to wait (for the chat, or its pace): what it
        sent so far is in the ledger by then, so the chat's next update may be handled."""
        if not fresh:
            return 0
        return await self._with_chat_lock(
            transport, chat_id, fresh, max_wait=REPLY_MAX_WAIT_SECONDS, waiting=waiting
        )

    async def deliver_chat(self, transport: str, chat_id: str, *, max_wait: float = float("inf")) -> int:
        """Send everything due for one chat, oldest first, reading it from the database."""
        return await self._with_chat_lock(transport, chat_id, None, max_wait=max_wait)

    async def _with_chat_lock(
        self,
        transport: str,
        chat_id: str,
        fresh: Sequence[PendingMessage] | None,
        *,
        max_wait: float,
        waiting: asyncio.Event | None = None,
    ) -> int:
        sink = self._sinks.get(transport)
        if sink is None:
            return 0
        key = (transport, chat_id)
        lock, users = self._chat_locks.get(key, (asyncio.Lock(), 0))
        self._chat_locks[key] = (lock, users + 1)  # counted, so a queued waiter keeps the same lock
        if lock.locked() and waiting is not None:
            waiting.set()
        try:
            async with lock:
                return await self._send_chat(sink, key, fresh, max_wait=max_wait, waiting=waiting)
        finally:
            lock, users = self._chat_locks[key]
            if users <= 1:
                del self._chat_locks[key]
            else:
                self._chat_locks[key] = (lock, users - 1)

    async def _send_chat(
        self,
        sink: Sink,
        key: tuple[str, str],
        fresh: Sequence[PendingMessage] | None,
        *,
        max_wait: float,
        waiting: asyncio.Event | None = None,
    ) -> int:
        """Fresh replies to a chat with nothing older waiting go as they are (urgent ones first);
        otherwise the chat is read from the database, again whenever a round is interrupted."""
        fresh_ids = {m.id for m in fresh or ()}
        if fresh is not None and key not in self._backed_up:
            round_ = await self._send(
                sink, key, sorted(fresh, key=_in_order), fresh_ids, max_wait=max_wait, waiting=waiting
            )
            if not round_.interrupted:
                return round_.sent
            sent = round_.sent
        else:
            sent = 0
        while True:
            async with self._db.transaction() as tx:
                await self.ledger.write(tx)
                pending = await tx.outbox.pending_for_chat(*key)
            # what was sent must not be read back as pending, even while another
            # transaction is still writing it down
            pending = [m for m in pending if m.id not in self.ledger.unsettled]
            round_ = await self._send(sink, key, pending, fresh_ids, max_wait=max_wait, waiting=waiting)
            sent += round_.sent
            if not round_.interrupted or self._awaited(key):
                return sent  # a handler waits for this chat: it sends what is next

    async def _send(
        self,
        sink: Sink,
        key: tuple[str, str],
        pending: list[PendingMessage],
        fresh_ids: set[int],
        *,
        max_wait: float,
        waiting: asyncio.Event | None = None,
    ) -> _Round:
        """Send ``pending`` in order until one must wait; write down what happened."""
        round_ = _Round(key, queued=self._queued, waiting=waiting, fresh=frozenset(fresh_ids))
        for item in pending:
            if item.due_at > self._clock() and item.id not in fresh_ids:
                break  # a retry not due yet, or replies leased to a handler: the rest waits too
            if self._held(key):
                break  # the chat waits out a 429, urgent messages too
            if not await self._send_one(sink, item, round_, max_wait=max_wait):
                break
        # replies this handler could not send (pace, a retry ahead of them): its lease ends, the
        # drainer sends them in order
        round_.settlement.deferred = [
            i.id for i in pending if i.id in fresh_ids and i.id not in round_.attempted
        ]
        await self._write_round(round_, len(pending))
        return round_

    async def _send_one(self, sink: Sink, item: PendingMessage, round_: _Round, *, max_wait: float) -> bool:
        """Pace and send one message; False: stop this round (the pace, a retry, an unreachable chat)."""
        message = Outgoing.from_json(item.payload)
        paced = message.edit_of is None or message.purpose is Purpose.TIMER
        reply = item.id in round_.fresh or item.id in self._replies or message.purpose is Purpose.TIMER
        urgent = item.urgent or message.urgent
        if paced and not await self._wait_for_pace(round_, urgent, REPLY if reply else BROADCAST, max_wait):
            return False  # the drainer sends this and the rest in turn (or reads the chat again)
        if paced:
            await self._take_budget()
        round_.attempted.add(item.id)
        sending = self._sending.setdefault(round_.key, asyncio.Lock())
        try:
            async with sending:
                return self._sent(item, message, round_, paced, await sink.deliver(round_.chat_id, message))
        except TransientDeliveryError as error:
            if paced:
                self.pacer.answered()
            self._retry_later(item, error, round_)
            return False
        except PermanentDeliveryError as error:
            return _refused(item, message, error, round_)
        finally:
            if not sending.locked():
                self._sending.pop(round_.key, None)

    def _sent(
        self, item: PendingMessage, message: Outgoing, round_: _Round, paced: bool, shown_id: str | None
    ) -> bool:
        if paced:
            self.pacer.answered()
        self._replies.discard(item.id)
        round_.delivered(item, message, shown_id)
        # a shown prompt's message id goes to the ledger at once: the chat's next update (a
        # button on it) may be handled while this round still waits for the pace
        self.ledger.record([], round_.settlement.shown)
        round_.settlement.shown = []
        return True

    async def sent_so_far(self, transport: str, chat_id: str) -> None:
        """Wait while a message to this chat is on its way: the client may already answer a
        button on it, and its message id must be in the ledger before that answer is handled."""
        sending = self._sending.get((transport, chat_id))
        if sending is not None and sending.locked():
            async with sending:
                pass

    async def _wait_for_pace(self, round_: _Round, urgent: bool, priority: int, max_wait: float) -> bool:
        """Wait for this chat's pace, in short slices, then for a slot of the overall pace in
        line (replies first); False when that looks longer than ``max_wait``, or when the round
        was interrupted meanwhile (see :class:`_Round`). An urgent message waits for neither."""
        chat_id = round_.chat_id
        if urgent:
            wait = self.pacer.delay(chat_id, urgent=True)  # the sliding window only
            if wait > max_wait:
                return False
            if wait > 0:
                await self.sleep(wait)
            self.pacer.spend(chat_id)
            return True
        turns = self._turns_now()
        wait = self.pacer.chat_delay(chat_id)
        if max(wait, turns.expected_wait(priority)) > max_wait:
            return False
        if wait > 0 and round_.waiting is not None:
            round_.waiting.set()
        while wait > 0:
            step = min(wait, PACE_SLICE_SECONDS)
            await self.sleep(step)
            wait -= step
            if self._interrupts(round_):
                round_.interrupted = True
                return False
        if round_.waiting is not None and turns.expected_wait(priority) > 0:
            round_.waiting.set()
        if not await turns.take(chat_id, priority, functools.partial(self._interrupts, round_)):
            round_.interrupted = True
            return False
        return True

    def _interrupts(self, round_: _Round) -> bool:
        """A round waiting for the pace stops to read its chat again: a handler waits for the
        chat, or new messages were queued (perhaps urgent ones)."""
        return self._awaited(round_.key) or self._queued != round_.queued

    def _turns_now(self) -> Turns:
        """The line for the overall pace, of the pacer and the sleep in use (tests swap them)."""
        if self._turns.pacer is not self.pacer or self._turns.sleep is not self.sleep:
            self._turns = Turns(self.pacer, self.sleep)
        return self._turns

    async def _take_budget(self) -> None:
        """Wait for a slot of the budget shared with other processes; should the database not
        answer, this process's own pace holds alone (a reply is not kept back for it)."""
        if self._budget is None:
            return
        try:
            wait = await self._budget()
        except StorageError as error:
            log.warning("shared send budget unavailable (%s); pacing alone", describe_error(error))
            return
        if wait > 0:
            await self.sleep(wait)

    def _awaited(self, key: tuple[str, str]) -> bool:
        """Someone else (a handler with fresh replies) waits for this chat's lock."""
        return self._chat_locks.get(key, (None, 0))[1] > 1

    def _held(self, key: tuple[str, str]) -> bool:
        """The chat is waiting out a 429's ``retry_after``."""
        until = self._holds.get(key)
        if until is not None and until <= self._clock():
            del self._holds[key]
            return False
        return until is not None

    def _retry_later(self, item: PendingMessage, error: TransientDeliveryError, round_: _Round) -> None:
        delay = error.retry_after if error.retry_after is not None else backoff(item.attempts)
        if error.retry_after is not None:  # the chat must wait; a backoff is this message's own
            self._holds[round_.key] = self._clock() + timedelta(seconds=delay)
        log.warning("outbox %s to %s chat %s deferred %.0fs: %s", item.id, *round_.key, delay, error)
        round_.settlement.retry = (item.id, str(error), self._clock() + timedelta(seconds=delay))
        self._wake_in(delay)  # then, not at the next idle check

    async def _write_round(self, round_: _Round, pending: int) -> None:
        """Successful sends go to the ledger; anything else is settled now. The chat stays backed
        up until everything in it was handled."""
        settlement, key = round_.settlement, round_.key
        if settlement.simple:
            self.ledger.record(settlement.delivered, settlement.shown)
            self._flush_soon()
        else:
            await self._settle(settlement, key)
        if settlement.unreachable is not None or (
            settlement.retry is None and not settlement.deferred and round_.handled == pending
        ):
            self._backed_up.discard(key)
        else:
            self._backed_up.add(key)
            if settlement.deferred:
                if len(self._replies) > 100_000:  # sent by another process meanwhile, or dropped
                    self._replies.clear()
                self._replies.update(settlement.deferred)
                self.wake()  # due now, in turn; a retry waits for its time (the idle check)

    async def _settle(self, settlement: _Settlement, key: tuple[str, str]) -> None:
        async with self._db.transaction() as tx:
            await self.ledger.write(tx)
            await write_down(tx, settlement.delivered, settlement.shown)
            if settlement.retry is not None:
                await tx.outbox.retry_later(*settlement.retry)
            if settlement.deferred:
                await tx.outbox.make_due(settlement.deferred, self._clock())
            if settlement.unreachable is not None:
                await tx.people.mark_unreachable([settlement.unreachable], self._clock())
                await tx.outbox.drop_chat(*key)
            for message in settlement.rerouted:
                assert message.reroute is not None
                moved = [replace(message, reroute=None).to_json()]
                if message.reroute.note:  # said first: as urgent as what it introduces
                    moved.insert(0, Outgoing(text=message.reroute.note, urgent=message.urgent).to_json())
                await tx.outbox.put_many(
                    key[0], message.reroute.chat_id, moved, self._clock(), person_id=message.reroute.person_id
                )
        if settlement.rerouted:
            self.wake()

    # --- the drainer ----------------------------------------------------------------------

    def wake(self) -> None:
        """Something is due now (the tick queued prompts, a reply had to wait, a handler queued
        messages for other chats): a round waiting for the pace reads its chat again."""
        self._queued += 1
        self._wake.set()

    def _wake_in(self, seconds: float) -> None:
        """A retry falls due then: the drainer should not sleep through it (a 429's wait is
        about a second; the idle check may be several)."""
        asyncio.get_running_loop().call_later(max(0.0, seconds), self.wake)

    async def deliver_due(self) -> int:
        """Send every chat that has something due, many chats at once under the overall pace
        (each in its order, waiting for its pace as needed); returns once they are done."""
        chats = await self._claim_due(DRAIN_BATCH)
        room = asyncio.Semaphore(DRAIN_CHATS)

        async def serve(key: tuple[str, str]) -> int:
            async with room:  # first come, first served: chats with an urgent message come first
                return await self._serve_chat(key)

        results = await asyncio.gather(*(serve(key) for key in chats), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result  # each chat was served to its end first
        return sum(r for r in results if isinstance(r, int))

    async def _claim_due(self, limit: int) -> list[tuple[str, str]]:
        """The chats due now, claimed for this process (PostgreSQL), after writing down what was sent."""
        try:
            async with self._db.transaction() as tx:
                await self.ledger.write(tx)
                now = self._clock()
                return await tx.outbox.claim_due_chats(now, now + CLAIM_LEASE, limit=limit)
        except DatabaseUnavailable:
            return []  # said once, by the database; the next drain retries
        except StorageError:
            log.exception("outbox drain could not read the database")
            return []

    async def _serve_chat(self, key: tuple[str, str]) -> int:
        """One chat the drainer claimed: everything due in it, then the claim released."""
        try:
            return await self.deliver_chat(*key)
        finally:
            await self._release(*key)

    async def _release(self, transport: str, chat_id: str) -> None:
        """The drainer is done with a chat it claimed: another process may take it now
        (PostgreSQL; what was sent is written down first, so it is not read back as due)."""
        if self._db.shared:
            async with self._db.transaction() as tx:
                await self.ledger.write(tx)
                await tx.outbox.release(transport, chat_id)

    async def run(self) -> None:
        """The drainer: until cancelled, serve the chats with something due — many at once,
        each in a task of its own, a chat as soon as it falls due — then wait for a wake-up, a
        chat served, or a while.

        It must outlive any one failure (a locked database, a transport bug): it logs, waits a
        moment and goes on, so queued messages are never stranded. Stopping waits for the chats
        in hand, as it waited for the batch in hand.
        """
        serving: dict[tuple[str, str], asyncio.Task[int]] = {}
        try:
            while True:
                self._wake.clear()
                room = DRAIN_CHATS - len(serving)
                try:
                    due = await uninterrupted(self._claim_due(room)) if room > 0 else []
                except Exception as error:
                    log.error("outbox drainer: %s; retrying", describe_error(error))
                    due = []
                for key in due:
                    if key not in serving:
                        task = asyncio.get_running_loop().create_task(uninterrupted(self._serve_chat(key)))
                        task.add_done_callback(functools.partial(self._served, serving, key))
                        serving[key] = task
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._idle_check):
                        await self._wake.wait()
        finally:
            for task in serving.values():
                task.cancel()
            await asyncio.gather(*serving.values(), return_exceptions=True)

    def _served(
        self, serving: dict[tuple[str, str], asyncio.Task[int]], key: tuple[str, str], task: asyncio.Task[int]
    ) -> None:
        """A chat's task ended: if it sent, look again now (more may be due, or chats waiting for
        room); otherwise at the next wake-up or idle check, so a failing chat is not spun on."""
        serving.pop(key, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("outbox drainer: %s; retrying", describe_error(error))
        elif task.result():
            self._wake.set()
