"""Our getUpdates loop through the real Application and the fake Bot API server: an update is
confirmed to Telegram (an offset past it) only after the transaction that handled it committed.

A process killed with SIGKILL between receiving and committing is in
tests/runtime/test_kill_before_commit.py; here the crash is a BaseException raised inside the
transaction, and the gate a handler held open while the test looks at the offsets.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.chat.turn import Event, Handled, Sender, TextReceived
from bot.transports.telegram import polling
from flows.common import OBSTACLES_PROMPT as OBSTACLES
from flows.mood_check import FEELINGS_PROMPT as FEELINGS
from flows.mood_check import NOTE_PROMPT as NOTE
from storage import Database, StorageError
from storage.outbox import Outbox
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

FEELINGS_PROMPT, NOTE_PROMPT, OBSTACLES_PROMPT = (tapped(text) for text in (FEELINGS, NOTE, OBSTACLES))
"""The mood check's texts as Telegram shows them (its gestures in Telegram's words)."""

Handle = Callable[[Sender, Event, int | None], Awaitable[Handled]]


class Crash(BaseException):
    """The process dying mid-transaction: nothing after it runs, nothing catches it."""


class Committed:
    """Wraps the conversation service: when each update's ``handle`` returned (its transaction
    had committed), and a gate that holds the handling of one text open."""

    def __init__(self, handle: Handle) -> None:
        self._handle = handle
        self.at: dict[int, float] = {}
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.hold_text: str | None = None

    async def __call__(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled:
        if isinstance(event, TextReceived) and event.text == self.hold_text:
            self.held.set()
            await self.release.wait()
        handled = await self._handle(sender, event, update_id)
        assert update_id is not None
        self.at[update_id] = time.monotonic()
        return handled


def committed_by(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> Committed:
    assert bot.runtime is not None
    service = bot.runtime.conversations
    recorder = Committed(service.handle)
    monkeypatch.setattr(service, "handle", recorder)
    return recorder


def offsets(api: FakeBotApi) -> list[tuple[int, float]]:
    """(offset, when) of every getUpdates call, in order; 0 when none was sent."""
    return [(int(c.params.get("offset") or 0), c.at) for c in api.calls_to("getUpdates")]


def assert_only_committed_confirmed(api: FakeBotApi, committed: Committed) -> None:
    """Every getUpdates call's offset passes only updates whose handling had committed by then."""
    for offset, at in offsets(api):
        for update_id in api.updates:
            if update_id < offset:
                assert committed.at.get(update_id, math.inf) <= at, (update_id, offset)


def outbox_raises_once(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> asyncio.Event:
    """The next turn raises ``error`` when it queues its replies: after its answer was written,
    before its commit. The event is set when it has."""
    put_many = Outbox.put_many
    raised = asyncio.Event()

    async def raise_once(self: Outbox, *args: object, **kwargs: object) -> None:
        monkeypatch.setattr(Outbox, "put_many", put_many)
        raised.set()
        raise error

    monkeypatch.setattr(Outbox, "put_many", raise_once)
    return raised


async def mood_up_to_the_note(user: FakeUser, api: FakeBotApi) -> None:
    await user.send("/mood")
    await user.expect(2)
    await user.press("7")
    (feelings,) = await user.expect(1)
    assert feelings.text == FEELINGS_PROMPT
    await user.press("Calm")
    await api.wait_until(lambda: "✓ Calm" in user.last_message().labels())
    await user.press("Done")
    (note,) = await user.expect(1)
    assert note.text == NOTE_PROMPT


async def test_the_offset_never_passes_an_update_still_being_handled(
    api: FakeBotApi, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = committed_by(bot, monkeypatch)
    first, second = api.user(3101), api.user(3102)
    await first.send("/mood")
    await first.expect(2)
    try:
        committed.hold_text = "held answer"
        held = await second.send("held answer")
        await asyncio.wait_for(committed.held.wait(), timeout=5)
        behind = await first.send("/cancel")  # fetched with it or after it: waits its turn
        await asyncio.sleep(0.3)  # long enough for a poller that runs ahead to confirm it

        assert max(offset for offset, _ in offsets(api)) <= held
        assert {held, behind} <= set(api.pending_update_ids())
        assert behind not in committed.at

    finally:
        committed.release.set()  # a failed check must not leave the bot stuck in it
    await first.expect(1)
    assert set(committed.at) >= {held, behind}
    await bot.stop()

    assert_only_committed_confirmed(api, committed)
    assert api.pending_update_ids() == []  # a clean stop confirms what was handled
    assert offsets(api)[-1][0] == behind + 1


async def test_an_update_interrupted_mid_transaction_is_handled_after_the_restart(
    api: FakeBotApi,
    bot: RunningBot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = api.user(3201)
    await mood_up_to_the_note(user, api)
    crashed = outbox_raises_once(monkeypatch, Crash())  # the answer is in the draft, not committed
    note = await user.send("slept badly, walked a lot")
    await asyncio.wait_for(crashed.wait(), timeout=5)
    await asyncio.sleep(0.1)  # the poller's task ends, its done-callback logs
    assert "polling Telegram stopped: Crash" in caplog.text
    assert note in api.pending_update_ids()
    assert max(offset for offset, _ in offsets(api)) <= note
    await bot.stop()  # what is left of the dead process
    assert note in api.pending_update_ids()

    await bot.start()
    (obstacles,) = await user.expect(1)
    assert obstacles.text == OBSTACLES_PROMPT
    await user.send("nothing")
    await user.expect_text("Mood 7/10")
    ((answers,),) = await rows(database, "entries", "answers")
    assert answers == {
        "mood": 7,
        "feelings": ["calm"],
        "note": "slept badly, walked a lot",
        "obstacles": "nothing",
    }
    assert sum((m.text or "").startswith(NOTE_PROMPT) for m in user.messages()) == 1


async def test_a_handler_that_fails_is_tried_again_before_the_offset_moves(
    api: FakeBotApi,
    bot: RunningBot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A database error (busy past its timeout, say) rolls the turn back; the next try stores it."""
    user = api.user(3301)
    await mood_up_to_the_note(user, api)
    outbox_raises_once(monkeypatch, StorageError("database error: OperationalError"))
    with caplog.at_level(logging.WARNING):
        await user.send("a short note")
        (obstacles,) = await user.expect(1)
    assert obstacles.text == OBSTACLES_PROMPT
    assert "failed (try 1 of 3)" in caplog.text
    await user.send("nothing")
    await user.expect_text("Mood 7/10")
    ((answers,),) = await rows(database, "entries", "answers")
    assert answers["note"] == "a short note"


def outbox_locked(monkeypatch: pytest.MonkeyPatch, times: int) -> list[float]:
    """The next ``times`` turns meet a locked database when they queue their replies (what
    SQLite answers once its busy timeout has passed), through the real ``Database.transaction``;
    the list holds when each was refused."""
    put_many = Outbox.put_many
    refused: list[float] = []

    async def locked(self: Outbox, *args: Any, **kwargs: Any) -> Any:
        if len(refused) < times:
            refused.append(time.monotonic())
            raise OperationalError("INSERT INTO outbox", {}, sqlite3.OperationalError("database is locked"))
        return await put_many(self, *args, **kwargs)

    monkeypatch.setattr(Outbox, "put_many", locked)
    return refused


async def test_an_update_is_held_while_the_database_is_unavailable_never_skipped(
    api: FakeBotApi,
    bot: RunningBot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """More refusals than the tries a failing update gets: it was skipped (and confirmed, so
    lost for good) before. Now it waits, unconfirmed, with Telegram polled no more meanwhile;
    handled once the database is back; the outage is one line when it begins, one when it ends."""
    monkeypatch.setattr(polling, "FIRST_DELAY", 0.05)  # the back-off's first step (then doubled)
    user = api.user(3251)
    await mood_up_to_the_note(user, api)
    refused = outbox_locked(monkeypatch, times=5)
    with caplog.at_level(logging.INFO):
        note = await user.send("a note while the disk was busy")
        await api.wait_until(lambda: len(refused) == 5, timeout=10)
        polls = len(api.calls_to("getUpdates"))
        assert note in api.pending_update_ids()
        assert max(offset for offset, _ in offsets(api)) <= note
        (obstacles,) = await user.expect(1)
    assert obstacles.text == OBSTACLES_PROMPT
    assert len(api.calls_to("getUpdates")) <= polls + 1  # not polled while held
    said = [r.getMessage() for r in caplog.records]
    assert sum("the database is unavailable (OperationalError)" in line for line in said) == 1
    assert sum("the database is back" in line for line in said) == 1
    assert not [line for line in said if "failed" in line or "skipped" in line or "error handling" in line]
    await user.send("nothing")
    await user.expect_text("Mood 7/10")
    ((answers,),) = await rows(database, "entries", "answers")
    assert answers["note"] == "a note while the disk was busy"


async def test_get_updates_errors_back_off_and_a_conflict_is_one_log_line(
    api: FakeBotApi, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    user = api.user(3401)
    await user.send("/mood")
    await user.expect(2)
    conflict = (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )
    api.fail_next("getUpdates", status=409, description=conflict, times=2)
    api.fail_next("getUpdates", status=502, description="Bad Gateway")
    api.fail_next("getUpdates", status=429, description="Too Many Requests: retry after 1", retry_after=1)
    with caplog.at_level(logging.INFO, logger="bot.transports.telegram.polling"):
        await user.press("7")  # the poll in flight brings it; the next four calls fail
        await user.expect(1)
        await user.press("Calm")
        await api.wait_until(lambda: "✓ Calm" in user.last_message().labels(), timeout=20)
    said = [r.getMessage() for r in caplog.records]
    assert sum("another process is polling Telegram" in line for line in said) == 1
    assert sum("getUpdates failed" in line for line in said) == 2  # the 502, then the 429
    assert "getUpdates works again after 4 failed calls" in said
    calls = api.calls_to("getUpdates")
    first_failure = next(i for i, c in enumerate(calls) if c.status == 409)
    retries = calls[first_failure : first_failure + 5]
    assert [c.status for c in retries] == [409, 409, 502, 429, 200]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(retries)]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95 and gaps[2] >= 1.95  # doubling
    assert gaps[3] >= 0.95  # Telegram's retry_after
