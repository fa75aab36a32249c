"""The drainer serves many chats at once (#17, part 5): each chat keeps its order, urgent
messages go first, replies go before broadcasts, and the overall pace (30/s, even slots) and
each chat's (one a second after its burst) hold — on a virtual clock many tasks sleep on at once."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from bot.core.messages import Outgoing
from bot.delivery.courier import Courier
from bot.delivery.pacing import Pacer, Turns
from bot.runtime.wiring import Runtime
from tests.support.sinks import FakeSink

SLOT = 1 / 30
P = ParamSpec("P")
T = TypeVar("T")


class SharedTime:
    """Virtual seconds for many sleepers: the clock moves to the earliest sleeper's time, but
    only while nothing else is in hand — a send, the drainer's read (these take no time on this
    scale)."""

    def __init__(self) -> None:
        self.now = 100.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._numbers = itertools.count()
        self._moving = False
        self.busy = 0
        self._actors: set[asyncio.Task[Any] | None] = set()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._numbers), woken))
        if not self._moving:
            self._moving = True
            asyncio.get_running_loop().call_later(0.001, self._move)
        with self.idle():
            await woken

    def acting(self, work: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        """``work`` holds the clock still while it runs, unless it sleeps or waits in line."""

        async def at_work(*args: P.args, **kwargs: P.kwargs) -> T:
            task = asyncio.current_task()
            nested = task in self._actors
            if not nested:
                self._actors.add(task)
                self.busy += 1
            try:
                return await work(*args, **kwargs)
            finally:
                if not nested:
                    self._actors.discard(task)
                    self.busy -= 1

        return at_work

    @contextlib.contextmanager
    def idle(self) -> Iterator[None]:
        """An actor sleeping or waiting in line: the clock may move meanwhile."""
        acting = asyncio.current_task() in self._actors
        self.busy -= acting
        try:
            yield
        finally:
            self.busy += acting

    def _move(self) -> None:
        self._moving = False
        if not self._sleepers:
            return
        if self.busy:
            self._moving = True
            asyncio.get_running_loop().call_later(0.001, self._move)
            return
        self.now = max(self.now, self._sleepers[0][0])
        while self._sleepers and self._sleepers[0][0] <= self.now:
            heapq.heappop(self._sleepers)[2].set_result(None)
        if self._sleepers:
            self._moving = True
            asyncio.get_running_loop().call_later(0.001, self._move)


def drainer(runtime: Runtime, time: SharedTime, burst: int) -> tuple[Courier, list[tuple[str, str, float]]]:
    """A courier at Telegram's pace on ``time``; what it sends: (chat, text, when)."""
    courier = Courier(
        runtime.database,
        runtime.clock,
        pacer=Pacer(rate=30, chat_interval=1.0, chat_burst=burst, monotonic=time),
        sleep=time.sleep,
    )
    sent: list[tuple[str, str, float]] = []

    def note(chat_id: str, message: Outgoing) -> str:
        sent.append((chat_id, message.text or "", time.now))
        return str(len(sent))

    courier.register("telegram", FakeSink(note))
    courier._turns = ActorTurns(time, courier.pacer, courier.sleep)
    for name in ("_claim_due", "_serve_chat", "deliver"):  # at work unless sleeping or in line
        setattr(courier, name, time.acting(getattr(courier, name)))
    return courier, sent


class ActorTurns(Turns):
    """The line for the overall pace; a chat waiting in it is not at work."""

    def __init__(self, time: SharedTime, pacer: Pacer, sleep: Callable[[float], Awaitable[None]]) -> None:
        super().__init__(pacer, sleep)
        self._time = time

    async def take(self, chat: str, priority: int, interrupted: Callable[[], bool] = lambda: False) -> bool:
        with self._time.idle():
            return await super().take(chat, priority, interrupted)


async def queue(runtime: Runtime, chats: int, each: int) -> None:
    async with runtime.database.transaction() as tx:
        rows = [
            ("telegram", f"c{c}", None, Outgoing(text=f"c{c} m{n}").to_json())
            for n in range(each)
            for c in range(chats)
        ]
        await tx.outbox.put_rows(rows, runtime.clock())


def assert_paced(sent: list[tuple[str, str, float]], burst: int) -> None:
    """Never two sends in one overall slot, never more than 30 within a second, and each chat one
    a second after its burst."""
    times = [t for _, _, t in sent]
    assert all(b - a >= SLOT * 0.75 - 1e-9 for a, b in itertools.pairwise(times))
    assert all(sum(start <= t < start + 1 for t in times) <= 30 for start in times)
    by_chat: dict[str, list[float]] = {}
    for chat, _, t in sent:
        by_chat.setdefault(chat, []).append(t)
    for sends in by_chat.values():
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(sends[burst - 1 :]))


async def drained(
    runtime: Runtime, chats: int, each: int, burst: int
) -> tuple[list[tuple[str, str, float]], float]:
    """Queue ``each`` messages in each of ``chats`` and drain them all: what was sent, and how
    long it took on the virtual clock."""
    time = SharedTime()
    courier, sent = drainer(runtime, time, burst=burst)
    await queue(runtime, chats=chats, each=each)
    started = time.now
    while await courier.deliver_due():
        pass
    return sent, time.now - started


async def sent_at_least(sent: list[tuple[str, str, float]], count: int, within: float) -> None:
    """Wait (real seconds, at most ``within``) until ``count`` messages were sent."""
    async with asyncio.timeout(within):
        while len(sent) < count:  # noqa: ASYNC110 (the sink is synchronous; polling is the simplest watch)
            await asyncio.sleep(0.01)


async def stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_chats_are_served_at_once_each_in_its_order(runtime: Runtime) -> None:
    sent, took = await drained(runtime, chats=10, each=4, burst=1)
    assert len(sent) == 40
    for c in range(10):  # each chat in the order it was queued
        assert [text for chat, text, _ in sent if chat == f"c{c}"] == [f"c{c} m{n}" for n in range(4)]
    assert_paced(sent, burst=1)
    # one chat after another would take 10 chats × 3 s; at once, about the chats' own 3 s
    assert took < 4.5, took


async def test_many_chats_share_the_overall_pace(runtime: Runtime) -> None:
    sent, took = await drained(runtime, chats=60, each=2, burst=3)
    assert sorted(text for _, text, _ in sent) == sorted(f"c{c} m{n}" for c in range(60) for n in range(2))
    assert_paced(sent, burst=3)
    # 120 messages at 30/s: 4 s, and not much more
    assert took < 120 * SLOT * 1.15, took


async def test_urgent_messages_go_first(runtime: Runtime) -> None:
    time = SharedTime()
    courier, sent = drainer(runtime, time, burst=1)
    await queue(runtime, chats=40, each=2)
    async with runtime.database.transaction() as tx:  # queued last, in a chat already waiting
        await tx.outbox.put_many(
            "telegram", "c7", [Outgoing(text="crisis", urgent=True).to_json()], runtime.clock()
        )
        await tx.outbox.put_many(
            "telegram", "alert", [Outgoing(text="alert", urgent=True).to_json()], runtime.clock()
        )
    while await courier.deliver_due():
        pass
    assert {text for _, text, _ in sent[:2]} == {"crisis", "alert"}  # the first two sends overall
    assert [text for chat, text, _ in sent if chat == "c7"] == ["crisis", "c7 m0", "c7 m1"]
    assert_paced([s for s in sent if s[0] not in {"c7", "alert"}], burst=1)


async def test_the_running_drainer_sends_what_falls_due_while_it_serves_others(runtime: Runtime) -> None:
    time = SharedTime()
    courier, sent = drainer(runtime, time, burst=1)
    await queue(runtime, chats=5, each=5)  # five chats busy for four seconds
    running = asyncio.create_task(courier.run())
    try:
        while len(sent) < 5:  # noqa: ASYNC110 (the sink is synchronous; polling is the simplest watch)
            await asyncio.sleep(0.01)
        time.busy += 1  # the tick queues a prompt: time stands still meanwhile
        async with runtime.database.transaction() as tx:
            await tx.outbox.put_many("telegram", "new", [Outgoing(text="prompt").to_json()], runtime.clock())
        queued_at = time.now
        courier.wake()
        time.busy -= 1
        await sent_at_least(sent, 26, within=30)
    finally:
        await stopped(running)
    prompt_at = next(t for chat, _, t in sent if chat == "new")
    assert prompt_at - queued_at < 0.5  # not after the busy chats are done
    assert_paced(sent, burst=1)


async def test_a_reply_is_not_behind_a_queue_of_broadcasts(runtime: Runtime) -> None:
    """Replies count against the overall 30/s like anything else, but take the next slot ahead
    of broadcasts (digests, prompts): a client who just wrote is never behind a queue of them."""
    time = SharedTime()
    courier, sent = drainer(runtime, time, burst=3)
    await queue(runtime, chats=90, each=3)  # 270 broadcasts: 9 s of the overall pace
    running = asyncio.create_task(courier.run())
    try:
        while len(sent) < 60:  # noqa: ASYNC110 (the sink is synchronous; polling is the simplest watch)
            await asyncio.sleep(0.01)
        async with runtime.database.transaction() as tx:  # a handler's replies, leased to it
            fresh = await tx.outbox.put_many(
                "telegram",
                "client",
                [Outgoing(text="reply").to_json(), Outgoing(text="next question").to_json()],
                runtime.clock(),
                lease=timedelta(seconds=15),
            )
        handed_at = time.now
        await courier.deliver("telegram", "client", fresh)
        await sent_at_least(sent, 272, within=60)
    finally:
        await stopped(running)
    replies = [(text, t) for chat, text, t in sent if chat == "client"]
    assert [text for text, _ in replies] == ["reply", "next question"]
    assert all(t - handed_at < 3 * SLOT for _, t in replies), (handed_at, replies)
    waiting = [t for chat, _, t in sent if chat != "client" and t > handed_at]
    assert len(waiting) > 150  # the broadcasts were still queued: the replies went ahead of them
    assert_paced(sent, burst=3)
