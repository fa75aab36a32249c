"""One update being handled, and the words for what arrives and what goes out.

Events are what a transport hands in (a command, text, a button press); a :class:`Turn` is one
of them being handled inside one transaction: the person, the time, and the replies to queue
(to them, and sometimes to someone else: a client's therapist, say).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.codes import looks_like_code
from bot.core.messages import Button, Expects, Outgoing, Purpose
from flows import AnswerKind, Prompt
from storage import OpenConversation, PendingMessage, PersonRow, Transaction


class RiskFinding(Protocol):
    """Risk language found in what someone wrote (safety's ``RiskMatch``)."""

    @property
    def category(self) -> str: ...


BUTTON_DATA_SEPARATOR = ":"


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat that is not a person's own (a therapist's group or channel for digests)."""

    transport: str
    chat_id: str
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote, and where: ids only, as the transport knows them."""

    transport: str
    user_id: str
    chat_id: str
    owner: bool = False
    """The machine's owner (the terminal chat): needs no invitation and reads no consent text."""
    language: str | None = None
    """The language their messenger says they use (Telegram's ``language_code``), if it says:
    what a new person reads until they choose (``bot.core.i18n.supported`` narrows it)."""


@dataclass(frozen=True, slots=True)
class CommandReceived:
    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class TextReceived:
    text: str


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    data: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class UnsupportedReceived:
    """A sticker, photo, voice note…: something we cannot read as an answer."""

    kind: str
    caption: str | None = None
    """A photo's or file's caption: never an answer, but read for risk language."""


@dataclass(frozen=True, slots=True)
class EditedText:
    """A message edited after it was sent: not a new answer, but read for risk language."""

    text: str


Event = CommandReceived | TextReceived | ButtonPressed | UnsupportedReceived | EditedText


def words_of(event: Event) -> str | None:
    """The free text in an event, as it is read for risk language: typed text, an edit, a
    caption, a command with its words (a registration or invitation code aside)."""
    match event:
        case TextReceived(text) | EditedText(text):
            return text
        case UnsupportedReceived(_, caption):
            return caption
        case CommandReceived(name, args):
            if name.lower() == "start" and looks_like_code(args):
                return None
            return f"{name} {args}"
    return None


@dataclass(frozen=True, slots=True)
class Handled:
    """What the transport needs back: a short notice for a button press, if any, and the
    replies just queued, to deliver right away (see :meth:`Courier.deliver`)."""

    notice: str | None = None
    duplicate: bool = False
    replies: tuple[PendingMessage, ...] = ()
    others: bool = False
    """Messages were queued for other chats too (a therapist's, a client's): wake the courier."""
    menu: tuple[tuple[str, str], ...] | None = None
    """The sender's own command menu, when it changed (they registered as a therapist, or a
    therapist chose a language): names and descriptions, for a transport that shows one."""


def live_key(message_id: str) -> str:
    """Messages that change one live message replace each other while unsent."""
    return f"live:{message_id}"


def new_prompt_token() -> str:
    """Eight URL-safe characters naming one shown prompt; buttons carry it, so stale ones fail."""
    return secrets.token_urlsafe(6)


def prompt_message(prompt: Prompt, token: str, lead: str | None = None) -> Outgoing:
    """Render a prompt as a message whose buttons carry ``token``."""
    text = f"{lead}\n\n{prompt.text}" if lead else prompt.text
    buttons = tuple(
        tuple(Button(c.label, f"{token}{BUTTON_DATA_SEPARATOR}{c.value}") for c in row) for row in prompt.rows
    )
    scale = prompt.kind is AnswerKind.SCALE
    return Outgoing(
        text=text,
        purpose=Purpose.PROMPT,
        buttons=buttons,
        expects=Expects(
            prompt.kind.value,
            low=prompt.low if scale else None,
            high=prompt.high if scale else None,
            choices=tuple(b for row in buttons for b in row),
        ),
        optional=prompt.optional,
        prompt_token=token,
    )


def note(text: str) -> Outgoing:
    return Outgoing(text=text, purpose=Purpose.NOTE)


REPLY_LEASE = timedelta(seconds=15)
"""How long the tick leaves fresh replies to the handler that queued them."""


class Turn:
    """One update being handled: the transaction, the person, the time, and the replies."""

    def __init__(
        self, tx: Transaction, sender: Sender, person: PersonRow, now: datetime, update_id: int | None
    ) -> None:
        self.tx = tx
        self.sender = sender
        self.person = person
        self.now = now
        self.update_id = update_id
        self.update_recorded = person.last_update_id == update_id
        self.replies: list[Outgoing] = []
        self.told: list[tuple[PersonRow | Recipient, Outgoing]] = []
        self.erased = False
        self.risk: RiskFinding | None = None
        """Risk language in what they sent with this update (read once, before anything else)."""
        """The person asked for their data to be erased, and it was, in this turn."""

    async def begin(
        self, entry_id: int | None, flow_id: str, step_id: str, token: str, due_prompt_id: int | None = None
    ) -> OpenConversation:
        """Open a conversation; it carries this update's id, so no other write is needed."""
        if self.update_id is not None:
            self.update_recorded = True
        return await self.tx.conversations.begin(
            self.person.id, entry_id, flow_id, step_id, token, self.now, self.update_id, due_prompt_id
        )

    async def save(self, conversation: OpenConversation) -> None:
        """Write the conversation back; it carries this update's id, so no other write is needed."""
        conversation.updated_at = self.now
        if self.update_id is not None:
            conversation.last_update_id = self.update_id
            self.update_recorded = True
        await self.tx.conversations.save(conversation)

    def say(self, message: Outgoing) -> None:
        self.replies.append(message)

    def tell(self, recipient: PersonRow | Recipient, message: Outgoing) -> None:
        """A message for someone other than the sender (queued with the replies, due at once)."""
        self.told.append((recipient, message))

    async def queue_replies(self, lease: timedelta = REPLY_LEASE) -> tuple[PendingMessage, ...]:
        superseded = {reply.coalesce_key for reply in self.replies if reply.coalesce_key}
        retry_at, attempts = None, 0
        if superseded:
            retry_at, attempts = await self.tx.outbox.drop_superseded(
                self.sender.transport, self.sender.chat_id, superseded
            )
        queued = await self.tx.outbox.put_many(
            self.sender.transport,
            self.sender.chat_id,
            [reply.to_json() for reply in self.replies],
            self.now,
            person_id=None if self.erased else self.person.id,
            lease=lease,
            not_before=retry_at,
            attempts=attempts,
        )
        for recipient, message in self.told:
            person_id = recipient.id if isinstance(recipient, PersonRow) else recipient.person_id
            await self.tx.outbox.put_many(
                recipient.transport, recipient.chat_id, [message.to_json()], self.now, person_id=person_id
            )
        return tuple(queued)
