"""Several bot processes on one PostgreSQL database: each piece of work done by exactly one.

Each "process" here is a runtime (or a courier) with a :class:`Database` of its own, so a lease
owner of its own, on one real PostgreSQL server started from the machine's binaries; the cases
are skipped where there are none (as the storage contract's are). A process that dies is one
that stops: it neither renews its claims nor releases them. The real ``between run`` processes,
SIGKILLed, are in ``benchmarks/several_processes.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Bot

from bot.chat.turn import CommandReceived, Event, Sender, TextReceived
from bot.core.messages import Outgoing
from bot.delivery.courier import CLAIM_LEASE, Courier
from bot.delivery.pacing import SHARED_SPACING, Pacer
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from bot.transports.telegram.sink import TelegramSink
from storage import Database
from storage.presence import ProcessSession
from storage.send_budget import take_send_slot
from tests.delivery.test_timer_races import Chat, Client
from tests.support.clock import FakeClock
from tests.support.enrolment import enrol
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres_server import postgres_or_skip
from tests.support.sinks import FakeSink

postgres_server = pytest.fixture(scope="module", name="postgres_server")(postgres_or_skip)


@pytest.fixture
async def database_url(postgres_server: str) -> str:
    """A clean schema for every test (overrides the SQLite file of tests/conftest.py)."""
    engine = create_async_engine(postgres_server)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return postgres_server


@pytest.fixture
async def processes(database_url: str) -> AsyncIterator[list[Database]]:
    """Three processes' databases (the first one migrated)."""
    databases = [Database(database_url) for _ in range(3)]
    await databases[0].migrate()
    try:
        yield databases
    finally:
        for database in databases:
            await database.close()


async def queue(database: Database, chats: int, each: int, now: Any) -> None:
    async with database.transaction() as tx:
        for chat in range(1, chats + 1):
            payloads = [Outgoing(text=f"{chat}.{n}").to_json() for n in range(1, each + 1)]
            await tx.outbox.put_many("telegram", str(chat), payloads, now)


class StopsAt(FakeSink):
    """A sink whose process dies (hangs for good) when about to send any of ``fatal`` (the
    drainer sends several chats at once: it dies mid-chat in each); ``reached`` once all were."""

    def __init__(self, *fatal: str) -> None:
        super().__init__()
        self.fatal = set(fatal)
        self.reached = asyncio.Event()

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        if message.text in self.fatal:
            self.fatal.discard(message.text)
            if not self.fatal:
                self.reached.set()
            await asyncio.Event().wait()
        return await super().deliver(chat_id, message)


async def test_a_dead_processs_chats_are_taken_over_after_the_lease_nothing_lost_or_doubled(
    processes: list[Database], clock: FakeClock
) -> None:
    first, second, _ = processes
    await queue(first, chats=3, each=3, now=clock())
    dying_sink, sink = StopsAt("2.2", "3.2"), FakeSink()
    dying, survivor = Courier(first, clock), Courier(second, clock)
    dying.register("telegram", dying_sink)
    survivor.register("telegram", sink)
    await dying.prime()
    drain = asyncio.get_running_loop().create_task(dying.deliver_due())  # claims chats 1, 2, 3
    await (
        dying_sink.reached.wait()
    )  # chat 1 sent and written down, 2.1 and 3.1 sent; dies sending 2.2 and 3.2
    await survivor.prime()  # a process starting now ends none of the live claims
    assert await survivor.deliver_due() == 0
    clock.advance(seconds=CLAIM_LEASE.total_seconds() * 2 / 3)
    await dying.renew_claims()  # still alive here: its claims hold past the first lease
    clock.advance(seconds=CLAIM_LEASE.total_seconds() * 2 / 3)
    assert await survivor.deliver_due() == 0
    clock.advance(seconds=CLAIM_LEASE.total_seconds() * 2 / 3)  # then it stopped renewing
    await survivor.deliver_due()
    await survivor.flush()
    drain.cancel()
    sent = dying_sink.shown + sink.shown
    # 2.1 and 3.1 were sent by the dead process but never written down: sent again (at least once)
    assert sorted(sent) == sorted(
        ["1.1", "1.2", "1.3", "2.1", "2.1", "2.2", "2.3", "3.1", "3.1", "3.2", "3.3"]
    )
    for chat in ("2", "3"):  # each chat in order
        assert [text for text in sink.shown if text.startswith(chat)] == [f"{chat}.{n}" for n in (1, 2, 3)]
    async with second.transaction() as tx:
        assert await tx.outbox.count() == 0


async def test_starting_a_process_leaves_another_processs_reply_lease_alone(
    processes: list[Database], clock: FakeClock
) -> None:
    first, second, _ = processes
    async with first.transaction() as tx:  # a handler of the first process queued a reply
        await tx.outbox.put_many("telegram", "7", [Outgoing(text="hi").to_json()], clock(), lease=CLAIM_LEASE)
    starting, sink = Courier(second, clock), FakeSink()
    starting.register("telegram", sink)
    await starting.prime()
    await starting.deliver_due()
    assert sink.shown == []  # the handler sends it itself
    clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)  # …or died: it is the drainers' now
    await starting.deliver_due()
    assert sink.shown == ["hi"]


class PersonReads:
    """Counts the statements, over several engines, that read a person with their conversation
    (the first statement of a turn), so a test can start the next turn right after it."""

    def __init__(self, runtimes: list[Runtime]) -> None:
        self.count = 0
        self.changed = asyncio.Event()
        for runtime in runtimes:
            event.listen(runtime.database.engine.sync_engine, "after_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        statement = str(args[2])
        if "FROM people LEFT OUTER JOIN conversations" in statement:
            self.count += 1
            self.changed.set()

    async def reach(self, count: int) -> None:
        while self.count < count:
            self.changed.clear()
            await self.changed.wait()


ALEX = Sender("telegram", "7", "7")
ANSWERS: list[Event] = [
    CommandReceived("thought"),
    TextReceived("the meeting ran late"),
    TextReceived("anxious"),
    CommandReceived("back"),
    TextReceived("tired"),
    CommandReceived("cancel"),
    CommandReceived("mood"),
    TextReceived("6"),
    CommandReceived("skip"),
    TextReceived("a long day"),
]


async def entries_of(runtime: Runtime, user_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    async with runtime.database.transaction() as tx:
        person = await tx.people.find("telegram", user_id)
        assert person is not None
        entries = await tx.entries.for_person(person.id)
    return [(e.flow_id, e.status, e.answers) for e in reversed(entries)]


async def test_two_processes_handle_one_clients_rapid_answers_one_at_a_time_in_order(
    settings_for: Callable[..., Settings], clock: FakeClock, tmp_path: Any
) -> None:
    """Each answer goes to the other process the moment the one before has read the client's
    state: the person's row lock makes it wait for that turn's commit. The result is that of
    the same answers handled one after another by a single process on SQLite."""
    reference = settings_for(database_url=f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    async with open_runtime(reference, clock) as alone:
        await enrol(alone.database, 7, clock())
        one_by_one = [
            await alone.conversations.handle(ALEX, e, update_id=i) for i, e in enumerate(ANSWERS, 1)
        ]
        expected = await entries_of(alone, "7")
    async with open_runtime(settings_for(), clock) as a, open_runtime(settings_for(), clock) as b:
        await enrol(a.database, 7, clock())
        reads = PersonReads([a, b])
        turns = []
        for i, answer in enumerate(ANSWERS, 1):
            handler = (a, b)[i % 2].conversations
            turns.append(asyncio.get_running_loop().create_task(handler.handle(ALEX, answer, update_id=i)))
            await reads.reach(i)  # this turn has read the client: the next starts now
        handled = await asyncio.gather(*turns)
        assert not any(h.duplicate for h in handled)
        replies = [[m.payload.get("text") for m in h.replies] for h in handled]
        assert replies == [[m.payload.get("text") for m in h.replies] for h in one_by_one]
        assert await entries_of(a, "7") == expected


RATE = 10
"""Telegram's 30 a second, scaled down so that one event loop (three couriers, their bots and
the fake server) on a loaded machine can easily outpace it without the shared budget."""


async def test_the_send_budget_is_shared_not_multiplied(processes: list[Database], clock: FakeClock) -> None:
    """Three processes each pacing itself at the bot's rate would send three times it; sharing
    the budget row they send at most the rate in any second, as the fake Bot API (enforcing the
    limit) counts."""
    async with FakeBotApi(enforce_rate_limits=True, global_per_second=RATE, per_chat_per_second=100) as api:
        couriers = []
        for n, database in enumerate(processes):
            courier = Courier(
                database,
                clock,
                pacer=Pacer(rate=RATE, chat_burst=100),
                budget=lambda db=database: take_send_slot(db, "telegram", SHARED_SPACING / RATE),  # type: ignore[misc]
            )
            bot = Bot(api.token, base_url=api.base_url)
            await bot.initialize()
            courier.register("telegram", TelegramSink(bot))
            couriers.append((courier, bot))
            async with database.transaction() as tx:  # one chat per process, each sending its own
                chat = 1000 + n
                api.user(chat)
                payloads = [Outgoing(text=f"{chat}.{i}").to_json() for i in range(8)]
                await tx.outbox.put_many("telegram", str(chat), payloads, clock())
        started = time.monotonic()
        await asyncio.gather(
            *(c.deliver_chat("telegram", str(1000 + n)) for n, (c, _) in enumerate(couriers))
        )
        took = time.monotonic() - started
        for _, bot in couriers:
            await bot.shutdown()
    sends = sorted(c.at for c in api.calls_to("sendMessage") if c.status == 200)
    busiest = max(sum(1 for t in sends if s <= t < s + 1.0) for s in sends)
    assert len(sends) == 24 and api.too_many_requests == 0
    assert busiest <= RATE
    assert took >= 2.0  # 24 sends at the rate: not three processes' three times it


async def test_one_process_polls_and_another_takes_over_when_it_dies(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        a, b = await ProcessSession.open(first), await ProcessSession.open(second)
        assert a is not None and b is not None
        assert await a.try_role("poll-telegram")
        assert not await b.try_role("poll-telegram")
        await a.close()  # the process dies: its connection, and the lock, go with it
        await asyncio.wait_for(b.wait_for_role("poll-telegram", retry_seconds=0.05), timeout=5)
        await b.close()
    finally:
        await first.close()
        await second.close()


async def test_messages_due_now_wake_the_other_processes_drainers(
    processes: list[Database], clock: FakeClock
) -> None:
    first, second, _ = processes
    session = await ProcessSession.open(second)
    assert session is not None
    woken = asyncio.Event()
    await session.listen(woken.set)
    try:
        async with first.transaction() as tx:  # a reply leased to its handler: nobody else's
            await tx.outbox.put_many(
                "telegram", "7", [Outgoing(text="a").to_json()], clock(), lease=CLAIM_LEASE
            )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(woken.wait(), timeout=0.3)
        async with first.transaction() as tx:  # a scheduled prompt, due now
            await tx.outbox.put_rows([("telegram", "8", None, Outgoing(text="b").to_json())], clock())
        await asyncio.wait_for(woken.wait(), timeout=5)
    finally:
        await session.close()


async def test_a_timers_frame_is_moved_on_by_one_process_and_never_waits_for_a_busy_client(
    runtime: Runtime, settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    """Two processes tick the timers at once: one frame. While a turn of the client holds their
    row, the other process's tick passes them by instead of waiting (the next tick has them)."""
    chat = Chat()
    runtime.courier.register("telegram", FakeSink(chat.show))
    await enrol(runtime.database, 7, clock())
    await Client(runtime, chat).live_timer()
    async with open_runtime(settings_for(), clock) as other:
        clock.advance(seconds=16)
        both = await asyncio.gather(runtime.conversations.tick_timers(), other.conversations.tick_timers())
        assert sorted(len(frames) for frames in both) == [0, 1]
        clock.advance(seconds=15)
        holding, done = asyncio.Event(), asyncio.Event()

        async def turn_in_progress() -> None:
            async with runtime.database.transaction() as tx:
                await tx.people.find_with_conversation("telegram", "7")
                holding.set()
                await done.wait()

        turn = asyncio.get_running_loop().create_task(turn_in_progress())
        await holding.wait()
        assert await asyncio.wait_for(other.conversations.tick_timers(), timeout=5) == []
        done.set()
        await turn
        assert len(await other.conversations.tick_timers()) == 1
