"""Crisis first (#17): a crisis reply goes before whatever is queued for its chat and is not held
by the chat's pace; the therapist's alert is not stuck behind a digest.

The real Application against the fake Bot API server, which enforces its per-chat limit (and
answers 429 with ``retry_after``); real SQLite. Time is virtual: the courier's pace and the
server's limits read one clock, which moves only when the courier waits for the pace or the test
moves it, so a delay is measured in the seconds a client would wait, not in test run time.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest

from bot.chat import texts
from bot.core.i18n import _ as translated
from bot.core.i18n import reading
from bot.core.messages import Outgoing
from bot.delivery.pacing import Pacer
from bot.runtime.wiring import Runtime, tick
from flows.urge_surfing import INTENSITY_BEFORE, LENGTH_PROMPT, URGE_PROMPT
from storage import PendingMessage
from tests.conftest import TOKEN, RunningBot
from tests.practice.test_practice_telegram import invite, join, register
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.words import tapped

RISKY = "I want to kill myself tonight"
TARGET_SECONDS = 2.0
ALERT_TARGET_SECONDS = 60.0
CRISIS_LINE = texts.CRISIS.split("\n", 1)[0]
TICK_SECONDS = 0.25
"""How often the test does the background work (a retry falls due, the drainer runs)."""


class VirtualTime:
    """Seconds on the test's clock: the pacer's and the server's clock; the courier's sleep moves
    it on. ``during_sleep`` runs once, inside the first wait for the pace after it is set."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.start = clock.now
        self.during_sleep: Callable[[], Awaitable[None]] | None = None

    def __call__(self) -> float:
        return (self.clock.now - self.start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        hook, self.during_sleep = self.during_sleep, None
        if hook is not None:
            await hook()
        self.clock.advance(seconds=seconds)
        await asyncio.sleep(0)


class Arrivals:
    """When (virtual seconds) each message the server accepted arrived: a waiter the server
    re-checks after every request, noting the new successful sends at that very moment."""

    SENDS = ("sendmessage", "sendphoto", "senddocument", "editmessagetext", "editmessagereplymarkup")

    def __init__(self, api: FakeBotApi, now: VirtualTime) -> None:
        self.api, self.now = api, now
        self.at: dict[int, float] = {}  # index in api.calls -> virtual time

    def __call__(self) -> bool:
        for index, call in enumerate(self.api.calls):
            if index not in self.at and call.ok and call.method.lower() in self.SENDS:
                self.at[index] = self.now()
        return False  # never done: it only watches

    def sends_to(self, chat_id: int, since: int = 0) -> list[tuple[float, str]]:
        """(arrival, text) of what reached ``chat_id`` in calls from number ``since`` on, in order."""
        return [
            (self.at[i], str(self.api.calls[i].params.get("text") or self.api.calls[i].params.get("caption")))
            for i in sorted(self.at)
            if i >= since and int(self.api.calls[i].params.get("chat_id", 0)) == chat_id
        ]

    def first(self, chat_id: int, fragment: str, since: int) -> float | None:
        return next((at for at, text in self.sends_to(chat_id, since) if fragment in text), None)


@pytest.fixture
def now(clock: FakeClock) -> VirtualTime:
    return VirtualTime(clock)


@pytest.fixture
async def api(now: VirtualTime) -> AsyncIterator[FakeBotApi]:
    """Telegram as the pacer expects it: a short burst to a chat (3 within a second), then 429."""
    async with FakeBotApi(token=TOKEN, per_chat_per_second=3.0, clock=now) as server:
        yield server


@pytest.fixture
async def arrivals(api: FakeBotApi, now: VirtualTime) -> AsyncIterator[Arrivals]:
    watching = Arrivals(api, now)
    watcher = asyncio.create_task(api.wait_until(watching, timeout=3600))
    yield watching
    watcher.cancel()


def paced(bot: RunningBot, api: FakeBotApi, now: VirtualTime) -> Runtime:
    """From here on the production pace (30/s overall; a burst of 3, then one a second per
    chat) on the virtual clock, and the server enforces its limits."""
    assert bot.runtime is not None
    bot.runtime.courier.pacer = Pacer(rate=30, chat_interval=1.0, chat_burst=3, monotonic=now)
    bot.runtime.courier.sleep = now.sleep
    api.enforce_rate_limits = True
    courier, handed = bot.runtime.courier, Handed()
    deliver = courier.deliver

    async def noting(transport: str, chat_id: str, fresh: Sequence[PendingMessage], **options: Any) -> int:
        handed.starting += 1
        handed.note_start()
        sent = await deliver(transport, chat_id, fresh, **options)
        handed.note([str(m.payload.get("text")) for m in fresh])
        return sent

    courier.deliver = noting  # type: ignore[method-assign]
    HANDED[id(bot.runtime)] = handed
    return bot.runtime


class Handed:
    """What handlers handed to the courier (sent, or deferred to the drainer): the texts, per update."""

    def __init__(self) -> None:
        self.replies: list[list[str]] = []
        self.starting = 0
        """Handlers that came to the courier (perhaps still waiting for their chat)."""
        self._changed = asyncio.Event()

    def note_start(self) -> None:
        self._changed.set()

    def note(self, texts: list[str]) -> None:
        self.replies.append(texts)
        self._changed.set()

    async def until(self, done: Callable[[], bool]) -> None:
        async with asyncio.timeout(5):
            while not done():
                self._changed.clear()
                await self._changed.wait()


HANDED: dict[int, Handed] = {}


async def until(runtime: Runtime, clock: FakeClock, done: Callable[[], bool], seconds: float = 90) -> None:
    """Do the background work every quarter second of virtual time until ``done()``."""
    for _ in range(int(seconds / TICK_SECONDS)):
        if done():
            return
        clock.advance(seconds=TICK_SECONDS)
        await tick(runtime)
    raise AssertionError("not done in time")


async def crisis_after(
    user: FakeUser, api: FakeBotApi, runtime: Runtime, now: VirtualTime, arrivals: Arrivals
) -> tuple[float, list[tuple[float, str]]]:
    """The client writes risk language now; returns how long the crisis reply took and what
    reached them after they wrote."""
    sent_at, since = now(), len(api.calls)
    await user.send(RISKY)
    handed = HANDED[id(runtime)]  # handled: the crisis reply sent, or deferred to the drainer
    await handed.until(lambda: any(CRISIS_LINE in text for texts in handed.replies for text in texts))
    await until(runtime, now.clock, lambda: arrivals.first(user.chat_id, CRISIS_LINE, since) is not None)
    arrived = arrivals.first(user.chat_id, CRISIS_LINE, since)
    assert arrived is not None
    return arrived - sent_at, arrivals.sends_to(user.chat_id, since)


@pytest.mark.parametrize(
    ("language", "risky"),
    [("en", RISKY), ("de", "ich will mich heute nacht umbringen")],  # German risk language as fast
)
async def test_right_after_a_burst_the_crisis_reply_goes_first(
    api: FakeBotApi, bot: RunningBot, now: VirtualTime, arrivals: Arrivals, language: str, risky: str
) -> None:
    user = api.user(5001, language_code=language)
    assert bot.runtime is not None
    async with bot.runtime.database.transaction() as tx:  # a client who reads German
        person = await tx.people.find("telegram", "5001")
        assert person is not None
        await tx.people.set_language(person, language, bot.clock())
    with reading(language):
        crisis_line = translated(texts.CRISIS).split("\n", 1)[0]
    assert language == "en" or crisis_line != CRISIS_LINE
    await user.send("/cancel")
    await user.expect(1)
    runtime = paced(bot, api, now)
    async with runtime.database.transaction() as tx:  # a burst queued for the chat (a backlog)
        burst = [Outgoing(text=f"Queued {n}").to_json() for n in range(1, 7)]
        await tx.outbox.put_many("telegram", "5001", burst, runtime.clock())
    handed = HANDED[id(runtime)]
    sent_at: list[float] = []
    since = len(api.calls)

    async def the_client_writes() -> None:  # right after the burst, the rest waiting for the pace
        sent_at.append(now())
        await user.send(risky)
        await handed.until(lambda: handed.starting > 0)  # its handler is at the courier now

    now.during_sleep = the_client_writes
    await until(runtime, now.clock, lambda: arrivals.first(5001, crisis_line, since) is not None)
    arrived = arrivals.first(5001, crisis_line, since)
    assert sent_at and arrived is not None
    await until(runtime, now.clock, lambda: not pending_in(runtime))
    after = arrivals.sends_to(5001, since)
    assert arrived - sent_at[0] < TARGET_SECONDS, after
    texts_shown = shown(after)
    crisis_index = next(i for i, text in enumerate(texts_shown) if crisis_line in text)
    assert texts_shown[:crisis_index] == ["Queued 1"], after  # sent before the client wrote; the rest after
    assert [t for t in shown(after) if t.startswith("Queued")] == [f"Queued {n}" for n in range(1, 7)]


def shown(sends: list[tuple[float, str]]) -> list[str]:
    """The texts shown, in order (a message sent or edited; buttons taken away show nothing)."""
    return [text for _, text in sends if text != "None"]


def pending_in(runtime: Runtime) -> bool:
    return bool(runtime.courier.ledger) or _count(runtime, "outbox") > 0


def _count(runtime: Runtime, table: str) -> int:
    with sqlite3.connect(runtime.settings.database_url.split(":///", 1)[1]) as db:
        ((count,),) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchall()
    return int(count)


async def start_surfing(user: FakeUser) -> None:
    await user.send("/urge")
    await user.expect_text(tapped(URGE_PROMPT))
    await user.send("checking my phone")
    await user.expect_text(tapped(INTENSITY_BEFORE))
    await user.press("8")
    await user.expect_text(tapped(LENGTH_PROMPT))
    await user.press("5 minutes")
    await user.expect(1)  # the live message, counting down


async def test_mid_timer_the_crisis_reply_comes_before_the_next_frame(
    api: FakeBotApi, bot: RunningBot, now: VirtualTime, arrivals: Arrivals
) -> None:
    user = api.user(5002)
    await start_surfing(user)
    runtime = paced(bot, api, now)
    handed = HANDED[id(runtime)]
    for n, at in enumerate((14.0, 14.9), start=1):  # help and the live message shown again, twice
        now.clock.advance(seconds=at - now())
        await user.send("/help")
        await handed.until(lambda n=n: len(handed.replies) == n)
    assert "Stop" in api.all_bot_messages(5002)[-1].labels()  # shown again, and counting down
    sent_at: list[float] = []
    since = len(api.calls)

    async def the_client_writes() -> None:  # while the next frame waits for the chat's pace
        sent_at.append(now())
        await user.send(RISKY)
        await handed.until(lambda: handed.starting > 2)  # its handler is at the courier now

    now.clock.advance(seconds=15.0 - now())
    now.during_sleep = the_client_writes
    await tick(runtime)  # the frame is queued, and the drainer waits for its turn
    await until(runtime, now.clock, lambda: arrivals.first(5002, CRISIS_LINE, since) is not None)
    assert sent_at, "the frame did not wait for the pace"
    arrived = arrivals.first(5002, CRISIS_LINE, since)
    assert arrived is not None and arrived - sent_at[0] < TARGET_SECONDS
    await until(runtime, now.clock, lambda: not pending_in(runtime))
    after = arrivals.sends_to(5002, since)
    assert not [at for at, text in after if "left" in text and at <= arrived], after  # no frame first


async def test_while_a_digest_is_sent_the_crisis_reply_and_the_alert_are_not_held(
    api: FakeBotApi, bot: RunningBot, now: VirtualTime, arrivals: Arrivals
) -> None:
    therapist = await register(bot, api, 5100, "Ana")
    client = await join(bot, api, 5101, await invite(therapist, "Sam"), "Samantha")
    assert bot.runtime is not None
    await tick(bot.runtime)
    runtime = paced(bot, api, now)
    async with runtime.database.transaction() as tx:  # a digest in twelve parts, due now
        parts = [Outgoing(text=f"Digest part {n}\n" + "line\n" * 400).to_json() for n in range(1, 13)]
        await tx.outbox.put_many("telegram", "5100", parts, runtime.clock())

    measured: dict[str, Any] = {}

    async def the_client_writes() -> None:  # inside the digest's first wait for the pace
        sent_at, since = now(), len(api.calls)
        await client.send(RISKY)
        await api.wait_until(lambda: arrivals.first(5101, CRISIS_LINE, since) is not None)
        measured["delay"] = (arrivals.first(5101, CRISIS_LINE, since) or 0.0) - sent_at

    now.during_sleep = the_client_writes
    started, since = now(), len(api.calls)
    await until(runtime, now.clock, lambda: "delay" in measured and not pending_in(runtime))
    assert measured["delay"] < TARGET_SECONDS
    to_therapist = arrivals.sends_to(5100, since)
    alert_at = next(at for at, text in to_therapist if text.startswith("⚑ Risk language"))
    digest_after = [at for at, text in to_therapist if text.startswith("Digest part") and at > alert_at]
    assert alert_at - started < ALERT_TARGET_SECONDS
    assert len(digest_after) >= 8, [(at, text[:16]) for at, text in to_therapist]  # ahead of the digest


async def test_a_crisis_written_while_the_previous_reply_waits_for_the_pace_is_not_held_by_it(
    api: FakeBotApi, bot: RunningBot, now: VirtualTime, arrivals: Arrivals
) -> None:
    """The client's fourth message in a second: its reply waits for the chat's pace in its
    handler's delivery. Telegram's updates are read one after another, so the crisis message
    written meanwhile is read only once that update counts as handled — at its commit, not after
    its reply went out (the test waits, inside that pace wait, for the crisis handler to reach
    the courier: it never would if the reply held the next update)."""
    user = api.user(5003)
    runtime = paced(bot, api, now)
    handed = HANDED[id(runtime)]
    for n in range(1, 4):  # the chat's burst, used up
        await user.send("/help")
        await handed.until(lambda n=n: len(handed.replies) == n)
    sent_at: list[float] = []
    since = len(api.calls)

    async def the_client_writes() -> None:  # while the fourth reply waits for the chat's pace
        sent_at.append(now())
        await user.send(RISKY)
        await handed.until(lambda: handed.starting > 4)  # the crisis handler is at the courier

    now.during_sleep = the_client_writes
    await user.send("/help")
    await until(runtime, now.clock, lambda: arrivals.first(5003, CRISIS_LINE, since) is not None)
    assert sent_at, "the fourth reply did not wait for the pace"
    arrived = arrivals.first(5003, CRISIS_LINE, since)
    assert arrived is not None and arrived - sent_at[0] < TARGET_SECONDS
    await until(runtime, now.clock, lambda: not pending_in(runtime))
    after = shown(arrivals.sends_to(5003, since))
    assert CRISIS_LINE in after[0] and sum("/mood" in text for text in after) == 1, after
