"""What every transport does with what arrives, written once: hand the event to the
conversation, deliver the replies at once, wake the courier for other chats, write the sends
down. A transport only translates its updates into events and answers its own widgets.

A messenger that reads updates one after another delivers ``detached``: the update counts as
handled once its replies went out or have to wait (for the chat's pace, or its lock), and the
rest go out while the next update is read. Otherwise a reply waiting for its chat's pace (up to
a second) would hold the client's next message — a crisis message too — behind it. The courier's
chat lock keeps the chat's order, a fresh urgent reply interrupts a round waiting for the pace,
and what was sent is in the ledger before the next update is read (a button on it edits it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chat.turn import Event, Handled, Recipient, Sender
from bot.core.logs import describe_error
from bot.core.tasks import uninterrupted
from bot.delivery.courier import Courier


class Conversation(Protocol):
    """The transport-neutral conversation, as the gateway needs it."""

    async def handle(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled: ...

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled: ...

    def commands(self, language: str | None = None) -> list[tuple[str, str]]: ...

    def therapist_commands(self) -> list[str]: ...

    async def therapist_menus(self, transport: str) -> list[tuple[str, list[tuple[str, str]]]]: ...


Notice = Callable[[str | None], Awaitable[None]]
"""Shows a button press's short notice (Telegram answers the press; the terminal prints it)."""


async def _no_notice(_: str | None) -> None:
    return None


log = logging.getLogger(__name__)


class Gateway:
    """The one way in for every transport."""

    def __init__(self, conversation: Conversation, courier: Courier) -> None:
        self._conversation = conversation
        self._courier = courier
        self._deliveries: set[asyncio.Task[None]] = set()

    def commands(self, language: str | None = None) -> list[tuple[str, str]]:
        """Command names and descriptions for a transport's command menu (described in
        ``language``; None: the practice's default)."""
        return self._conversation.commands(language)

    async def therapist_menus(self, transport: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each therapist's chat on ``transport`` and their own command menu, in their language."""
        return await self._conversation.therapist_menus(transport)

    def therapist_commands(self) -> list[str]:
        """The names of the therapists' own commands (a transport that reads commands typed
        without a slash reads these in a therapist's chat)."""
        return self._conversation.therapist_commands()

    async def sent_so_far(self, sender: Sender) -> None:
        """Wait while a message to the sender's chat is on its way: a transport that reads typed
        numbers against the questions shown (Signal) must not read them before the newest is."""
        await self._courier.sent_so_far(sender.transport, sender.chat_id)

    async def handle(
        self,
        sender: Sender,
        event: Event,
        update_id: int | None = None,
        *,
        notice: Notice = _no_notice,
        idle: Callable[[], bool] = lambda: True,
        detached: bool = False,
    ) -> Handled:
        """Handle ``event``, show its notice, then deliver its replies right away — before
        returning, or ``detached`` in a task of its own (see the module). When the transport is
        ``idle`` the sends are written down now; when busy, the next update does."""
        await self._courier.sent_so_far(sender.transport, sender.chat_id)
        handled = await self._conversation.handle(sender, event, update_id)
        await notice(handled.notice)
        if not detached:
            await self._deliver(sender, handled, idle)
            return handled
        waiting = asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            self._deliver(sender, handled, idle, waiting), name=f"deliver-{sender.transport}"
        )
        self._deliveries.add(task)
        task.add_done_callback(self._delivered)
        await waiting.wait()  # sent what could go at once; the rest waits for the pace
        return handled

    async def _deliver(
        self,
        sender: Sender,
        handled: Handled,
        idle: Callable[[], bool],
        waiting: asyncio.Event | None = None,
    ) -> None:
        try:
            await self._courier.deliver(sender.transport, sender.chat_id, handled.replies, waiting=waiting)
            if handled.others:
                self._courier.wake()  # messages for other chats (a therapist's, a client's)
            if idle():
                await self._courier.flush()
        finally:
            if waiting is not None:
                waiting.set()

    def _delivered(self, task: asyncio.Task[None]) -> None:
        """A detached delivery ended; what it could not send is in the outbox for the drainer."""
        self._deliveries.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error("delivering replies failed: %s; the drainer sends them", describe_error(error))

    async def settle(self) -> None:
        """Wait for the detached deliveries in hand (stopping: the sink is still open)."""
        while self._deliveries:
            await uninterrupted(asyncio.wait(set(self._deliveries)))

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled:
        """``/link <code>`` posted in a group or channel; its messages go out with the drainer."""
        linked = await self._conversation.link_chat(chat, title, user_id, code, public)
        if linked.others:
            self._courier.wake()
        return linked
