"""The Signal sink against the fake daemon: what a Signal user's phone shows, and Signal's
rules kept (edits name the latest version, ten at most, quietly; long texts whole; files as
data: URIs), and each per-recipient failure handled as the delivery layer expects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.messages import Attachment, Button, Expects, Outgoing, Purpose
from bot.delivery.pacing import Pacer
from bot.runtime.wiring import Runtime
from bot.transports.plain import PlainChoices
from bot.transports.signal.memory import MAX_EDITS
from bot.transports.signal.rpc import Address, RpcClient
from bot.transports.signal.sink import SignalSink
from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import (
    IDENTITY_FAILURE,
    RATE_LIMIT_FAILURE,
    FakeSignalCli,
    FakeSignalUser,
)


async def _ignore(_: dict[str, object]) -> None:
    return None


@dataclass
class Rig:
    daemon: FakeSignalCli
    sink: SignalSink
    alex: FakeSignalUser
    clock: FakeClock
    slept: list[float]


@pytest_asyncio.fixture
async def rig(runtime: Runtime, clock: FakeClock) -> AsyncIterator[Rig]:
    async with FakeSignalCli(clock=clock) as daemon:
        client = RpcClient(Address.parse(daemon.address), _ignore)
        await client.start()
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        choices = PlainChoices(runtime.database, "signal", clock)
        sink = SignalSink(client.call, choices, clock, runtime.database, sleep=sleep)
        try:
            yield Rig(daemon, sink, daemon.user("Alex"), clock, slept)
        finally:
            await client.stop()


QUESTION = Outgoing(
    text="How was it?",
    purpose=Purpose.PROMPT,
    expects=Expects.choice(((Button("Good", "t1:good"), Button("Hard", "t1:hard")),)),
    prompt_token="t1",
)


async def test_a_question_shows_numbered_choices(rig: Rig) -> None:
    shown = await rig.sink.deliver(rig.alex.uuid, QUESTION)
    [message] = await rig.alex.expect()
    assert shown == str(message.timestamp)
    assert "1) Good" in message.text and "2) Hard" in message.text
    assert "type" in message.text and "⟨" not in message.text


async def test_a_live_message_is_edited_ten_times_then_goes_on_as_a_new_message(rig: Rig) -> None:
    frame = Outgoing(text="10:00 left", purpose=Purpose.NOTE)
    shown = await rig.sink.deliver(rig.alex.uuid, frame)
    assert shown is not None
    for n in range(MAX_EDITS + 3):
        rig.clock.advance(60)
        tick = Outgoing(text=f"frame {n}", purpose=Purpose.TIMER, edit_of=shown)
        assert await rig.sink.deliver(rig.alex.uuid, tick) == shown  # still known by its first id
    first, second = rig.alex.messages()
    assert first.edits == MAX_EDITS and first.text == f"frame {MAX_EDITS - 1}"
    assert second.text == f"frame {MAX_EDITS + 2}" and second.edits == 2
    assert rig.daemon.violations == []  # every edit named the latest version
    edits = [c for c in rig.daemon.calls_to("send") if "editTimestamp" in c.params]
    assert edits and all(c.params["noUrgent"] is True for c in edits)
    assert await rig.sink.versions.message_of(second.latest_timestamp) == shown  # a quote finds it


async def test_a_long_text_travels_whole_as_a_long_text_attachment(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with FakeSignalCli(clock=clock, splits_long_text=False) as daemon:
        client = RpcClient(Address.parse(daemon.address), _ignore)
        await client.start()
        try:
            sink = SignalSink(
                client.call, PlainChoices(runtime.database, "signal", clock), clock, runtime.database
            )
            alex = daemon.user("Alex")
            long = "A digest line that is long enough. " * 200
            await sink.deliver(alex.uuid, Outgoing(text=long))
            [message] = await alex.expect()
            assert message.text == long and message.long_text
            assert daemon.violations == []
        finally:
            await client.stop()


async def test_files_go_as_data_uris_with_the_text_as_caption(rig: Rig) -> None:
    chart = Attachment("photo", "mood.png", b"\x89PNG fake")
    await rig.sink.deliver(rig.alex.uuid, Outgoing(text="Your week", attachment=chart))
    [message] = await rig.alex.expect()
    assert message.text == "Your week"
    [file] = message.attachments
    assert (file.content_type, file.filename, file.data) == ("image/png", "mood.png", b"\x89PNG fake")


async def test_an_unregistered_client_is_unreachable(rig: Rig) -> None:
    rig.alex.unregister()
    with pytest.raises(PermanentDeliveryError) as refused:
        await rig.sink.deliver(rig.alex.uuid, Outgoing(text="hello"))
    assert refused.value.unreachable


async def test_a_rate_limit_pauses_every_send_of_the_account_without_calling_again(rig: Rig) -> None:
    sam = rig.daemon.user("Sam")
    rig.daemon.fail_next(RATE_LIMIT_FAILURE, recipient=rig.alex, retry_after_seconds=120, token="c-1")
    with pytest.raises(TransientDeliveryError) as limited:
        await rig.sink.deliver(rig.alex.uuid, Outgoing(text="hello"))
    assert limited.value.retry_after == 120
    sends = len(rig.daemon.calls_to("send"))
    rig.clock.advance(60)
    with pytest.raises(TransientDeliveryError) as paused:
        await rig.sink.deliver(sam.uuid, Outgoing(text="hello Sam"))
    assert paused.value.retry_after == 60
    assert len(rig.daemon.calls_to("send")) == sends  # nothing resent blindly
    assert rig.sink.told.captcha
    rig.clock.advance(61)
    await rig.sink.deliver(sam.uuid, Outgoing(text="hello Sam"))
    assert [m.text for m in await sam.expect()] == ["hello Sam"]


async def test_a_changed_safety_number_is_not_trusted_by_default(rig: Rig) -> None:
    rig.alex.reinstall()
    for _ in range(2):
        with pytest.raises(PermanentDeliveryError) as refused:
            await rig.sink.deliver(rig.alex.uuid, Outgoing(text="hello"))
        assert refused.value.unreachable
    assert rig.sink.told.identity_changed == {rig.alex.uuid}
    assert rig.daemon.calls_to("trust") == []


async def test_a_changed_safety_number_is_trusted_when_the_practice_allows_it(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with FakeSignalCli(clock=clock) as daemon:
        client = RpcClient(Address.parse(daemon.address), _ignore)
        await client.start()
        try:
            choices = PlainChoices(runtime.database, "signal", clock)
            sink = SignalSink(client.call, choices, clock, runtime.database, trust_new_identities=True)
            alex = daemon.user("Alex")
            alex.reinstall()
            daemon.fail_next(IDENTITY_FAILURE, recipient=alex)
            await sink.deliver(alex.uuid, Outgoing(text="hello"))
            assert [m.text for m in await alex.expect()] == ["hello"]
            assert len(daemon.calls_to("trust")) == 1
        finally:
            await client.stop()


async def test_sends_are_paced_per_recipient_and_urgent_ones_are_not_held(rig: Rig) -> None:
    now = [0.0]
    rig.sink._pacer = Pacer(rate=10, chat_interval=1.0, chat_burst=1, monotonic=lambda: now[0])
    await rig.sink.deliver(rig.alex.uuid, Outgoing(text="one"))
    await rig.sink.deliver(rig.alex.uuid, Outgoing(text="two"))
    assert rig.slept and rig.slept[-1] == pytest.approx(1.0)
    rig.slept.clear()
    now[0] += 0.6
    await rig.sink.deliver(rig.alex.uuid, Outgoing(text="help", urgent=True))
    assert rig.slept == []
    await asyncio.sleep(0)


async def test_a_countdown_moves_on_once_a_minute_and_a_check_in_shows_at_once(rig: Rig) -> None:
    stop = Button("Stop", "t1:stop")
    timer = Expects("timer", choices=(stop,))
    shown = await rig.sink.deliver(rig.alex.uuid, Outgoing("10:00", Purpose.PROMPT, expects=timer))
    assert shown is not None
    for left in ("9:59", "9:58", "9:30"):
        rig.clock.advance(1 if left != "9:30" else 28)
        await rig.sink.deliver(rig.alex.uuid, Outgoing(left, Purpose.TIMER, expects=timer, edit_of=shown))
    [message] = rig.alex.messages()
    assert message.edits == 0  # frames within a minute of the last are skipped
    check_in = Expects("timer", choices=(Button("Still strong", "t1:c1"), stop))
    await rig.sink.deliver(rig.alex.uuid, Outgoing("9:29", Purpose.TIMER, expects=check_in, edit_of=shown))
    assert message.edits == 1 and "Still strong" in message.text  # a new choice: shown at once
    rig.clock.advance(60)
    await rig.sink.deliver(rig.alex.uuid, Outgoing("8:29", Purpose.TIMER, expects=check_in, edit_of=shown))
    assert message.edits == 2 and "8:29" in message.text
