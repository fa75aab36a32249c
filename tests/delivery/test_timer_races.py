"""Timers racing the courier and the client (found in review): a frame still being sent when the
next one replaces it, replies that must not be overtaken by an older frame, a reply's lease that
must not hold frames back, a broken conversation that must not stop the other timers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.chat.turn import ButtonPressed, CommandReceived, Event, Sender, TextReceived
from bot.core.messages import Outgoing
from bot.runtime.wiring import Runtime
from storage import Conversations
from tests.support.clock import FakeClock
from tests.support.rows import change, rows
from tests.support.sinks import FakeSink

pytestmark = pytest.mark.usefixtures("service_clients")  # clients 7 and 8 are in

CLIENT = Sender("telegram", "7", "7")


class Chat:
    """What each message shows now, as the fake sink hands it over; it can hold a send in flight."""

    def __init__(self) -> None:
        self.shows: dict[str, tuple[str | None, list[str]]] = {}
        self.buttons: dict[str, dict[str, str]] = {}
        self.hold: asyncio.Event | None = None
        self.sending = asyncio.Event()
        self._next = 100

    async def show(self, chat_id: str, message: Outgoing) -> str | None:
        self.sending.set()
        if self.hold is not None:
            await self.hold.wait()
        buttons = {b.label: b.data for row in message.buttons for b in row}
        if message.edit_of is None:
            self._next += 1
            shown = str(self._next)
        else:
            shown = message.edit_of
        text = message.text if message.text is not None else self.shows[shown][0]
        self.shows[shown] = (text, list(buttons))
        self.buttons[shown] = buttons
        return shown

    def text(self, message_id: str) -> str:
        return self.shows[message_id][0] or ""

    def newest(self) -> str:
        return max(self.shows, key=int)


class Client:
    def __init__(self, runtime: Runtime, chat: Chat) -> None:
        self.runtime, self.chat, self.update_id = runtime, chat, 0

    async def do(self, event: Event, deliver: bool = True) -> Any:
        self.update_id += 1
        handled = await self.runtime.conversations.handle(CLIENT, event, update_id=self.update_id)
        if deliver:
            await self.runtime.courier.deliver(CLIENT.transport, CLIENT.chat_id, handled.replies)
        return handled

    async def press(self, label: str, message_id: str | None = None, deliver: bool = True) -> Any:
        shown = message_id or self.chat.newest()
        return await self.do(ButtonPressed(self.chat.buttons[shown][label], shown), deliver)

    async def live_timer(self) -> str:
        """Urge surfing for 5 minutes, up to its live message; returns that message's id."""
        await self.do(CommandReceived("urge"))
        await self.do(TextReceived("smoking"))
        await self.press("8")
        await self.press("5 minutes")
        await self.runtime.courier.flush()
        live = self.chat.newest()
        assert "5:00 left" in self.chat.text(live)
        return live


async def outbox(runtime: Runtime) -> list[tuple[Any, ...]]:
    return await rows(runtime.database, "outbox", "id", "coalesce_key", "due_at")


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    chat = Chat()
    runtime.courier.register("telegram", FakeSink(chat.show))
    return chat


async def test_a_frame_in_flight_when_the_timer_ends_does_not_swallow_the_next_question(
    runtime: Runtime, clock: FakeClock, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(runtime, chat)
    live = await client.live_timer()
    clock.advance(seconds=290)
    await runtime.conversations.tick_timers()  # the last frame is queued…
    chat.hold, chat.sending = asyncio.Event(), asyncio.Event()
    drainer = asyncio.create_task(runtime.courier.deliver_due())
    await chat.sending.wait()  # …and being sent, slowly, when the timer ends
    due_to_wake = Conversations.due_to_wake

    async def answered_meanwhile(self: Conversations, now: Any, limit: int) -> list[int]:
        found = await due_to_wake(self, now, limit)
        assert chat.hold is not None
        chat.hold.set()  # Telegram answers the frame while the end is being ticked
        return found

    monkeypatch.setattr(Conversations, "due_to_wake", answered_meanwhile)
    clock.advance(seconds=15)
    await runtime.conversations.tick_timers()
    await drainer
    for _ in range(2):
        await runtime.courier.deliver_due()
        await runtime.courier.flush()
    assert chat.text(live).endswith("How strong is the urge now, from 0 to 10?")
    assert await outbox(runtime) == []


@pytest.mark.parametrize("command", ["cancel", "help"])
async def test_a_command_right_after_a_tick_is_not_overtaken_by_its_frame(
    runtime: Runtime, clock: FakeClock, chat: Chat, command: str
) -> None:
    client = Client(runtime, chat)
    live = await client.live_timer()
    clock.advance(seconds=16)
    assert len(await runtime.conversations.tick_timers()) == 1  # a frame queued, not yet sent
    await client.do(CommandReceived(command))  # the client's update is handled first
    await runtime.courier.deliver_due()  # then the drainer gets to the chat
    text, buttons = chat.shows[live]
    assert buttons == []  # the closed live message does not come back to life
    assert "4:45 left" not in text


async def test_a_frame_is_not_held_back_by_a_reply_still_being_sent(
    runtime: Runtime, clock: FakeClock, chat: Chat
) -> None:
    client = Client(runtime, chat)
    live = await client.live_timer()
    clock.advance(seconds=181)
    await runtime.conversations.tick_timers()
    await runtime.courier.deliver_due()
    await runtime.courier.flush()
    clock.advance(seconds=9)  # the client answers the check-in; Telegram is slow to confirm
    chat.hold, chat.sending = asyncio.Event(), asyncio.Event()
    handled = await client.press("It's easing", live, deliver=False)
    sending = asyncio.create_task(runtime.courier.deliver("telegram", "7", handled.replies))
    await chat.sending.wait()
    clock.advance(seconds=6)  # the next frame falls due meanwhile
    await runtime.conversations.tick_timers()
    chat.hold.set()
    await sending
    clock.advance(seconds=1)
    await runtime.courier.deliver_due()
    assert "1:45 left" in chat.text(live)  # shown now, not after the reply's 15-second lease


async def test_one_broken_timer_does_not_stop_the_others(
    runtime: Runtime, clock: FakeClock, chat: Chat
) -> None:
    client = Client(runtime, chat)
    live = await client.live_timer()
    other = Sender("telegram", "8", "8")
    await runtime.conversations.handle(other, CommandReceived("breathe"))
    ((person_id,),) = await rows(runtime.database, "people", "id", external_user_id="8")
    broken = {"flow_id": "urge_surfing", "step_id": "surf", "answers": ["not answers"], "wake_at": clock()}
    # a conversation whose stored state no timer can read (their breathing one, overwritten)
    assert await change(runtime.database, "conversations", {"person_id": person_id}, **broken) == 1
    clock.advance(seconds=16)
    await runtime.conversations.tick_timers()
    await runtime.courier.deliver_due()
    assert "4:45 left" in chat.text(live)  # the healthy timer moved on
    ((wake,),) = await rows(runtime.database, "conversations", "wake_at", person_id=person_id)
    assert wake > clock()  # the broken one is tried again later, not every second
