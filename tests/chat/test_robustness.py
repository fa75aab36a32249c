"""Odd inputs and odd timings that once went wrong: each test names what it guards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.chat import texts
from bot.chat.turn import ButtonPressed, CommandReceived, Sender, TextReceived
from bot.cli import schedule as admin
from bot.core.messages import Outgoing
from bot.delivery.courier import Courier
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, tick
from tests.support.clock import FakeClock

pytestmark = pytest.mark.usefixtures("service_clients")  # clients 7 and 8 are in

ALEX = Sender("telegram", "7", "7")


class Sink:
    def __init__(self) -> None:
        self.shown: list[str | None] = []
        self.fail_with: Exception | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.gate: asyncio.Event | None = None
        self.delivered = asyncio.Event()

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.gate is not None:
            await self.gate.wait()
        self.in_flight -= 1
        self.shown.append(message.text)
        self.delivered.set()
        return str(len(self.shown))


async def test_update_ids_that_restart_low_are_new_not_repeats(runtime: Runtime) -> None:
    """Telegram picks a random new update id after a week without updates."""
    first = await runtime.conversations.handle(ALEX, CommandReceived("help"), update_id=734_000_000)
    assert not first.duplicate
    again = await runtime.conversations.handle(ALEX, CommandReceived("help"), update_id=734_000_000)
    assert again.duplicate
    after_reset = await runtime.conversations.handle(ALEX, CommandReceived("help"), update_id=12_345)
    assert not after_reset.duplicate and after_reset.replies


@pytest.mark.parametrize("data", ["!²:x:s", "!99999999999999999999:x:s", "d:²:y", "h:o:²", "h:p:99999999999"])
async def test_forged_digits_get_the_expired_notice_not_a_crash(runtime: Runtime, data: str) -> None:
    await runtime.conversations.handle(ALEX, CommandReceived("start"), update_id=1)
    handled = await runtime.conversations.handle(ALEX, ButtonPressed(data), update_id=2)
    assert handled.notice == texts.BUTTON_EXPIRED


async def test_unknown_commands_are_not_logged_as_typed(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await runtime.conversations.handle(ALEX, CommandReceived("i_feel_awful_today"), update_id=1)
    assert "i_feel_awful_today" not in caplog.text and "(unknown)" in caplog.text


async def test_the_drainer_outlives_a_failure(runtime: Runtime) -> None:
    courier = Courier(runtime.database, runtime.clock, idle_check_seconds=0.01)
    sink = Sink()
    courier.register("telegram", sink)
    sink.fail_with = RuntimeError("a transport bug")
    async with runtime.database.transaction() as tx:
        await tx.outbox.put_rows([("telegram", "7", None, Outgoing(text="one").to_json())], runtime.clock())
    drainer = asyncio.get_running_loop().create_task(courier.run())
    try:
        await asyncio.wait_for(sink.delivered.wait(), timeout=5)  # sent after the failure
        assert sink.shown == ["one"]
    finally:
        drainer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await drainer


async def test_one_sender_per_chat_at_a_time(runtime: Runtime) -> None:
    sink = Sink()
    sink.gate = asyncio.Event()
    runtime.courier.register("telegram", sink)
    async with runtime.database.transaction() as tx:
        await tx.outbox.put_rows(
            [("telegram", "7", None, Outgoing(text=f"m{n}").to_json()) for n in range(3)], runtime.clock()
        )
    senders = [
        asyncio.get_running_loop().create_task(runtime.courier.deliver_chat("telegram", "7"))
        for _ in range(3)
    ]
    await asyncio.sleep(0)
    sink.gate.set()
    await asyncio.gather(*senders)
    assert sink.max_in_flight == 1 and sink.shown == ["m0", "m1", "m2"]


async def test_a_snoozed_prompt_survives_a_time_zone_confirmation(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    from bot.runtime.wiring import open_runtime

    settings = settings_for()
    async with open_runtime(settings, clock) as runtime:
        sink = Sink()
        runtime.courier.register("telegram", sink)
        await admin.add_schedule(runtime.database, settings, clock, admin.NewSchedule("7", "mood", "09:30"))
        clock.advance(minutes=30)
        await tick(runtime)
        async with runtime.database.transaction() as tx:
            (prompt, *_) = await tx.due_prompts.for_person(1)
        await runtime.conversations.handle(
            ALEX, ButtonPressed(f"!{prompt.id}:{prompt.token}:z60"), update_id=1
        )
        await runtime.conversations.handle(ALEX, ButtonPressed("tz:UTC"), update_id=2)  # the same zone
        await runtime.conversations.handle(ALEX, ButtonPressed("tz:Europe/London"), update_id=3)
        clock.advance(hours=1)
        await tick(runtime)
        async with runtime.database.transaction() as tx:
            (again, *_) = await tx.due_prompts.for_person(1)
        assert again.id == prompt.id and again.status == "sent" and again.snoozes == 1


async def test_a_skip_question_gives_way_to_homework(runtime: Runtime) -> None:
    sink = Sink()
    runtime.courier.register("telegram", sink)
    await admin.add_schedule(
        runtime.database, runtime.settings, runtime.clock, admin.NewSchedule("7", "mood", "09:30,10:00")
    )
    runtime.clock.advance(minutes=30)  # type: ignore[attr-defined]
    await tick(runtime)
    async with runtime.database.transaction() as tx:
        first, second = (await tx.due_prompts.for_person(1))[:2]
    await runtime.conversations.handle(ALEX, ButtonPressed(f"!{first.id}:{first.token}:k"), update_id=1)
    runtime.clock.advance(minutes=30)  # type: ignore[attr-defined]
    await tick(runtime)
    started = await runtime.conversations.handle(
        ALEX, ButtonPressed(f"!{second.id}:{second.token}:s"), update_id=2
    )
    assert started.notice is None
    assert any("How is your mood" in (r.payload.get("text") or "") for r in started.replies)
    await runtime.conversations.handle(ALEX, TextReceived("5"), update_id=3)
    async with runtime.database.transaction() as tx:
        prompts = await tx.due_prompts.for_person(1)
    assert [p.status for p in prompts[:2]] == ["skipped", "started"]
