"""Signal envelopes become conversation events.

A person is their ACI (``sourceUuid``); ``sourceNumber`` is often hidden and never used. Only a
``dataMessage`` can be an answer: receipts, typing and sync messages are not, and an
``editMessage`` (a client changing an earlier message) is read for risk language only. In a
group, only ``link CODE`` (a therapist linking the group as their digest chat) is taken; a
command there gets a kind "private chats only", anything else is not for us.

What a line means, in order: a ``/command``; a quote-reply to one of our questions answers
that question (a question closed since: the same "expired" a stale Telegram button gets);
typed numbers or a choice's name press its buttons (``transports.plain``); a bare command
word (``mood``, ``start CODE``); anything else is text. Files, stickers and voice notes are not read,
and what signal-cli downloaded of them is deleted once the message is read (``attachments``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from bot.chat.turn import (
    ButtonPressed,
    CommandReceived,
    EditedText,
    Event,
    Sender,
    TextReceived,
    UnsupportedReceived,
)
from bot.core.codes import looks_like_code
from bot.transports.plain import PlainChoices, typed_numbers
from bot.transports.signal.memory import Versions
from bot.transports.signal.messenger import TRANSPORT
from bot.transports.signal.sink import GROUP_PREFIX, LONG_TEXT_TYPE

WAYS_OUT = ("skip", "back", "cancel", "help")
"""Typed alone, these are commands even while a question takes typed words."""
EXPIRED = "∅expired"
"""Button data no question carries: a quote of a closed question is answered "expired"."""
_COMMAND = re.compile(r"/?([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*))?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One envelope's useful part: who, when, and the message (or edit) they sent."""

    uuid: str
    timestamp: int
    data: dict[str, Any]
    edited: bool
    group_id: str | None
    group_name: str


def incoming(params: dict[str, Any], own_uuid: str | None) -> Incoming | None:
    """The message in a ``receive`` notification; None for anything that is not one."""
    result = params.get("result")
    envelope = result.get("envelope") if isinstance(result, dict) else None
    if not isinstance(envelope, dict):
        return None
    uuid = envelope.get("sourceUuid")
    if not isinstance(uuid, str) or not uuid or uuid == own_uuid:
        return None
    edit = envelope.get("editMessage")
    data = edit.get("dataMessage") if isinstance(edit, dict) else envelope.get("dataMessage")
    if not isinstance(data, dict):
        return None  # receipts, typing, sync, stories, calls
    group = data.get("groupInfo") or data.get("groupV2")
    group_id = group.get("groupId") if isinstance(group, dict) else None
    name = str(group.get("groupName") or "") if isinstance(group, dict) else ""
    stamp = envelope.get("timestamp")
    return Incoming(uuid, int(stamp) if isinstance(stamp, int) else 0, data, edit is not None, group_id, name)


def command_in(text: str, known: Collection[str]) -> CommandReceived | None:
    """``/name args`` always; ``name args`` when ``name`` is a command we know."""
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    name, args = match.group(1), (match.group(2) or "").strip()
    if not text.lstrip().startswith("/") and name.lower() not in known:
        return None
    if name.lower() == "start" and args and not looks_like_code(args):
        return CommandReceived(name.lower(), args)
    return CommandReceived(name.lower() if not text.lstrip().startswith("/") else name, args)


def files_in(data: dict[str, Any]) -> str | None:
    """What the client sent that we cannot read (a photo, a voice note, a sticker…)."""
    if data.get("sticker"):
        return "sticker"
    for attachment in data.get("attachments") or []:
        kind = str(attachment.get("contentType") or "") if isinstance(attachment, dict) else ""
        if kind == LONG_TEXT_TYPE:
            continue  # a long text: ``message`` holds it
        if kind.startswith("audio/"):
            return "voice"
        return "photo" if kind.startswith("image/") else "document"
    return None


async def quoted_message(data: dict[str, Any], sender_uuid: str, versions: Versions) -> str | None:
    """The id of our message a reply quotes (None: no quote, or the client quoting their own
    message: in a one-to-one chat every other message is ours)."""
    quote = data.get("quote")
    if not isinstance(quote, dict) or not isinstance(quote.get("id"), int):
        return None
    if sender_uuid in (quote.get("authorUuid"), quote.get("author")):
        return None
    return await versions.message_of(int(quote["id"]))


class Translator:
    """Turns one chat's message into events, with its typed-choice mapping."""

    def __init__(
        self,
        choices: PlainChoices,
        versions: Versions,
        therapist_words: Collection[str] = (),
        is_therapist: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self._choices = choices
        self._versions = versions
        self._therapist_words = frozenset(therapist_words)
        self._is_therapist = is_therapist

    def sender(self, message: Incoming) -> Sender:
        return Sender(TRANSPORT, message.uuid, message.uuid)

    async def events(self, message: Incoming, known: Collection[str]) -> list[Event]:
        data = message.data
        text = data.get("message") if isinstance(data.get("message"), str) else None
        if message.edited:
            return [EditedText(text)] if text else []
        media = files_in(data)
        if media is not None:
            return [UnsupportedReceived(media, text)]
        if not text:
            return []  # a reaction, an expiry timer change, a deleted message
        if text.lstrip().startswith("/"):
            return [command_in(text, known) or TextReceived(text)]
        quoted = await quoted_message(data, message.uuid, self._versions)
        if quoted is not None:
            answered = await self._answer_to(message.uuid, quoted, text)
            if answered is not None:
                return answered
        presses = await self._choices.presses_for(message.uuid, text)
        if presses is not None:  # a choice's words ("skip today") before a bare command
            return list(presses)
        return [await self._bare_command(message.uuid, text, known) or TextReceived(text)]

    async def _bare_command(self, chat_id: str, text: str, known: Collection[str]) -> CommandReceived | None:
        """A command typed without its slash: a client's command word, and in a therapist's
        chat the therapists' own (``invite``, ``digest Sam``). While the chat's newest question
        takes typed words, the line is its answer unless it is a way out typed alone
        (``skip``, ``cancel``…) or ``start`` with a code."""
        command = command_in(text, known)
        if command is None and self._is_therapist is not None:
            mine = command_in(text, self._therapist_words)
            command = mine if mine is not None and await self._is_therapist(chat_id) else None
        if command is None or not await self._choices.expects_text(chat_id):
            return command
        alone = not command.args and command.name.lower() in WAYS_OUT
        coded = command.name.lower() == "start" and looks_like_code(command.args)
        return command if alone or coded else None

    async def _answer_to(self, chat_id: str, quoted: str, text: str) -> list[Event] | None:
        """A quote-reply ties typed numbers to the quoted question; a question no longer open
        gets "expired" (after a restart, only numbers are known to aim at one). Text quoting an
        open question is read as text."""
        presses = await self._choices.presses_for_message(chat_id, quoted, text)
        if presses is not None:
            return list(presses)
        was_question = typed_numbers(text) is not None or await self._versions.asked(quoted)
        if was_question and not await self._choices.is_open(chat_id, quoted):
            return [ButtonPressed(EXPIRED, quoted)]
        return None


def group_chat(group_id: str) -> str:
    return GROUP_PREFIX + group_id
