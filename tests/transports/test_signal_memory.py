"""What the Signal transport must not forget survives a restart (a new sink over a new
connection to the same database file): an edit after the restart names the latest version and
the ten-edit limit counts the edits made before it; a changed safety number is told to the
therapist once, a captcha to the operator once, and both are told again once they held no
longer and happen anew."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.messages import Outgoing, Purpose
from bot.transports.plain import PlainChoices
from bot.transports.signal.memory import MAX_EDITS
from bot.transports.signal.rpc import Address, RpcClient
from bot.transports.signal.sink import SignalSink
from storage import Database
from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import RATE_LIMIT_FAILURE, FakeSignalCli

Told = list[str]


async def _ignore(_: dict[str, object]) -> None:
    return None


@pytest.fixture
async def daemon(clock: FakeClock) -> AsyncIterator[FakeSignalCli]:
    async with FakeSignalCli(clock=clock) as fake:
        yield fake


@asynccontextmanager
async def process(
    daemon: FakeSignalCli, database_url: str, clock: FakeClock, told: Told
) -> AsyncIterator[SignalSink]:
    """One run of the transport's sink: its own connections to the daemon and the database,
    what it remembers read from the database as ``signal_running`` does."""
    database = Database(database_url)
    await database.migrate()
    client = RpcClient(Address.parse(daemon.address), _ignore)
    await client.start()

    async def tell_therapist(chat_id: str) -> None:
        told.append(chat_id)

    try:
        choices = PlainChoices(database, "signal", clock)
        sink = SignalSink(client.call, choices, clock, database, on_identity_changed=tell_therapist)
        await sink.told.recall()
        yield sink
    finally:
        await client.stop()
        await database.close()


async def _frame(sink: SignalSink, chat_id: str, shown: str, text: str) -> str | None:
    return await sink.deliver(chat_id, Outgoing(text=text, purpose=Purpose.TIMER, edit_of=shown))


async def _countdown(sink: SignalSink, chat_id: str) -> str:
    """A live message shown, a minute before its next frame."""
    shown = await sink.deliver(chat_id, Outgoing(text="10:00 left", purpose=Purpose.NOTE))
    assert shown is not None
    return shown


async def test_edits_after_a_restart_name_the_latest_version_and_count_those_before(
    daemon: FakeSignalCli, database_url: str, clock: FakeClock
) -> None:
    alex = daemon.user("Alex")
    async with process(daemon, database_url, clock, []) as sink:
        shown = await _countdown(sink, alex.uuid)
        for n in range(4):
            clock.advance(60)
            await _frame(sink, alex.uuid, shown, f"before {n}")
    async with process(daemon, database_url, clock, []) as restarted:
        for n in range(MAX_EDITS - 4 + 2):
            clock.advance(60)
            assert await _frame(restarted, alex.uuid, shown, f"after {n}") == shown
        first, second = alex.messages()
        assert first.edits == MAX_EDITS and first.text == f"after {MAX_EDITS - 4 - 1}"
        assert second.edits == 1 and second.text == "after 7"  # the eleventh went as a new message
        assert daemon.violations == []  # no edit named an older version, none past ten
        assert await restarted.versions.message_of(first.latest_timestamp) == shown  # a quote finds it
        assert await restarted.versions.message_of(second.latest_timestamp) == shown


async def test_an_edit_whose_version_was_never_written_down_is_followed_by_a_new_message(
    daemon: FakeSignalCli, database_url: str, clock: FakeClock
) -> None:
    alex = daemon.user("Alex")
    async with process(daemon, database_url, clock, []) as sink:
        shown = await _countdown(sink, alex.uuid)
        clock.advance(60)
        edit = await sink.versions.begin_edit(alex.uuid, shown)  # killed before its answer came
        assert edit is not None
        await sink._call("send", {"recipient": [alex.uuid], "message": "9:00", "editTimestamp": edit.target})
    async with process(daemon, database_url, clock, []) as restarted:
        clock.advance(60)
        assert await _frame(restarted, alex.uuid, shown, "8:00") == shown
    first, second = alex.messages()
    assert (first.text, first.edits, second.text) == ("9:00", 1, "8:00")
    assert daemon.violations == []  # the unknown latest version was never named


async def test_a_changed_safety_number_is_told_to_the_therapist_once_across_a_restart(
    daemon: FakeSignalCli, database_url: str, clock: FakeClock
) -> None:
    alex = daemon.user("Alex")
    alex.reinstall()
    told: Told = []
    async with process(daemon, database_url, clock, told) as sink:
        with pytest.raises(PermanentDeliveryError):
            await sink.deliver(alex.uuid, Outgoing(text="hello"))
    async with process(daemon, database_url, clock, told) as restarted:
        assert restarted.told.identity_changed == {alex.uuid}  # between status still says so
        with pytest.raises(PermanentDeliveryError):
            await restarted.deliver(alex.uuid, Outgoing(text="hello again"))
        assert told == [alex.uuid]
        alex.person.identity_changed = False  # the operator checked and ran `signal-cli trust`
        await restarted.deliver(alex.uuid, Outgoing(text="welcome back"))
        assert restarted.told.identity_changed == set()
    async with process(daemon, database_url, clock, told) as later:
        alex.reinstall()  # months later: it happens again, and is told again
        with pytest.raises(PermanentDeliveryError):
            await later.deliver(alex.uuid, Outgoing(text="hello"))
        assert told == [alex.uuid, alex.uuid]


async def test_a_captcha_is_told_to_the_operator_once_across_a_restart(
    daemon: FakeSignalCli, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    alex = daemon.user("Alex")
    caplog.set_level(logging.ERROR, logger="bot.transports.signal.sink")
    for run in range(2):
        async with process(daemon, database_url, clock, []) as sink:
            assert sink.told.captcha == (run == 1)
            daemon.fail_next(RATE_LIMIT_FAILURE, recipient=alex, retry_after_seconds=10, token=f"c-{run}")
            with pytest.raises(TransientDeliveryError):
                await sink.deliver(alex.uuid, Outgoing(text="hello"))
            clock.advance(11)
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "captcha" in caplog.records[0].message
    async with process(daemon, database_url, clock, []) as solved:
        await solved.deliver(alex.uuid, Outgoing(text="hello"))  # a send goes through: solved
        assert not solved.told.captcha
