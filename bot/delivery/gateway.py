"""What every transport does with what arrives, written once: hand the event to the
conversation, deliver the replies at once, wake the courier for other chats, write the sends
down. A transport only translates its updates into events and answers its own widgets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chat.turn import Event, Handled, Recipient, Sender
from bot.delivery.courier import Courier


class Conversation(Protocol):
    """The transport-neutral conversation, as the gateway needs it."""

    async def handle(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled: ...

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled: ...

    def commands(self) -> list[tuple[str, str]]: ...


Notice = Callable[[str | None], Awaitable[None]]
"""Shows a button press's short notice (Telegram answers the press; the terminal prints it)."""


async def _no_notice(_: str | None) -> None:
    return None


class Gateway:
    """The one way in for every transport."""

    def __init__(self, conversation: Conversation, courier: Courier) -> None:
        self._conversation = conversation
        self._courier = courier

    def commands(self) -> list[tuple[str, str]]:
        """Command names and descriptions for a transport's command menu."""
        return self._conversation.commands()

    async def handle(
        self,
        sender: Sender,
        event: Event,
        update_id: int | None = None,
        *,
        notice: Notice = _no_notice,
        idle: Callable[[], bool] = lambda: True,
    ) -> Handled:
        """Handle ``event``, show its notice, then deliver its replies right away. When the
        transport is ``idle`` the sends are written down now; when busy, the next update does."""
        handled = await self._conversation.handle(sender, event, update_id)
        await notice(handled.notice)
        await self._courier.deliver(sender.transport, sender.chat_id, handled.replies)
        if handled.others:
            self._courier.wake()  # messages for other chats (a therapist's, a client's)
        if idle():
            await self._courier.flush()
        return handled

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled:
        """``/link <code>`` posted in a group or channel; its messages go out with the drainer."""
        linked = await self._conversation.link_chat(chat, title, user_id, code, public)
        if linked.others:
            self._courier.wake()
        return linked
