"""One fake sink for tests, in the spirit of httpx's ``MockTransport``: it records every message,
numbers new ones, keeps an edit's id, can be told to fail the next sends, and can hand each send
to a callable (to hold it in flight, note the time, or answer with an id of its own)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from bot.core.messages import Outgoing, TextLimit
from bot.delivery.sink import Capabilities

Handler = Callable[[str, Outgoing], Awaitable[str | None] | str | None]

EVERYTHING = Capabilities(TextLimit(4096), buttons=True, edits=True, attachments=True)


class FakeSink:
    """A sink that shows messages by remembering them (``sent``: (chat id, message) in order)."""

    def __init__(self, handler: Handler | None = None, capabilities: Capabilities = EVERYTHING) -> None:
        self._handler = handler
        self.capabilities = capabilities
        self.sent: list[tuple[str, Outgoing]] = []
        self.failures: list[Exception] = []
        """Raised, first to last, by the next sends (before they are recorded)."""

    @property
    def shown(self) -> list[str | None]:
        """The texts sent, in order."""
        return [message.text for _, message in self.sent]

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, message))
        if self._handler is not None:
            answer = self._handler(chat_id, message)
            return await answer if inspect.isawaitable(answer) else answer
        return message.edit_of or str(len(self.sent))
