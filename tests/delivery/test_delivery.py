"""The outbox courier through the fake sink: lease, retries, order, restarts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.chat.turn import CommandReceived, Sender, TextReceived
from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime, tick
from flows.mood_check import INTRO, MOOD_PROMPT
from tests.support.clock import FakeClock
from tests.support.sinks import FakeSink

pytestmark = pytest.mark.usefixtures("service_clients")  # clients 7 and 8 are in

ALEX = Sender("telegram", "7", "7")


async def outbox_size(runtime: Runtime) -> int:
    await runtime.courier.flush()
    async with runtime.database.transaction() as tx:
        return await tx.outbox.count()


async def test_replies_of_a_handler_that_died_are_sent_after_their_lease(
    runtime: Runtime, clock: FakeClock
) -> None:
    sink = FakeSink()
    runtime.courier.register("telegram", sink)
    await runtime.conversations.handle(ALEX, CommandReceived("mood"), update_id=1)  # never delivered
    await tick(runtime)
    assert sink.shown == []  # still leased to the handler
    clock.advance(seconds=16)
    await tick(runtime)
    assert sink.shown == [INTRO, MOOD_PROMPT]
    assert await outbox_size(runtime) == 0


async def test_a_backed_up_chat_keeps_its_order(runtime: Runtime, clock: FakeClock) -> None:
    sink = FakeSink()
    runtime.courier.register("telegram", sink)
    sink.failures.append(TransientDeliveryError("server error"))
    handled = await runtime.conversations.handle(ALEX, CommandReceived("mood"), update_id=1)
    assert await runtime.courier.deliver("telegram", "7", handled.replies) == 0

    handled = await runtime.conversations.handle(ALEX, TextReceived("not a number"), update_id=2)
    await runtime.courier.deliver("telegram", "7", handled.replies)
    assert sink.shown == []  # nothing overtakes the intro that is waiting for its retry

    clock.advance(seconds=2)
    await tick(runtime)
    assert sink.shown[:2] == [INTRO, MOOD_PROMPT]
    assert sink.shown[-1] is not None and sink.shown[-1].endswith(MOOD_PROMPT)  # the re-ask
    assert await outbox_size(runtime) == 0


async def test_permanent_failures_are_dropped_not_retried(runtime: Runtime) -> None:
    sink = FakeSink()
    runtime.courier.register("telegram", sink)
    sink.failures.append(PermanentDeliveryError("blocked", unreachable=True))
    handled = await runtime.conversations.handle(ALEX, CommandReceived("help"), update_id=1)
    await runtime.courier.deliver("telegram", "7", handled.replies)
    assert await outbox_size(runtime) == 0


async def test_after_a_restart_leftovers_go_first(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = settings_for()
    async with open_runtime(settings, clock) as first:
        await first.conversations.handle(ALEX, CommandReceived("mood"), update_id=1)  # then "crash"
    async with open_runtime(settings, clock) as second:
        sink = FakeSink()
        second.courier.register("telegram", sink)
        handled = await second.conversations.handle(ALEX, TextReceived("5"), update_id=2)
        await second.courier.deliver("telegram", "7", handled.replies)
        assert sink.shown[:2] == [INTRO, MOOD_PROMPT]  # the old replies, then the new ones
        assert len(sink.shown) >= 3
        assert await outbox_size(second) == 0


async def test_delivered_messages_are_written_down_by_the_next_transaction(runtime: Runtime) -> None:
    sink = FakeSink()
    runtime.courier.register("telegram", sink)
    handled = await runtime.conversations.handle(ALEX, CommandReceived("mood"), update_id=1)
    await runtime.courier.deliver("telegram", "7", handled.replies)
    assert runtime.courier.ledger  # sent, not yet written down
    await runtime.conversations.handle(ALEX, TextReceived("5"), update_id=2)
    async with runtime.database.transaction() as tx:
        _, conversation = await tx.people.find_with_conversation("telegram", "7")
        assert conversation is not None and conversation.prompt_message_id is None  # a new prompt
        assert await tx.outbox.count() == 2  # only the new close-edit and question: the rest is settled
