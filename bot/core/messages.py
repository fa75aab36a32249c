"""What the bot sends, independent of the transport: stored in the outbox as JSON."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.i18n import reading_now


class Purpose(StrEnum):
    """Why a message is sent; transports with no edits (the terminal) decide what to show by it."""

    NOTE = "note"  # a plain reply
    PROMPT = "prompt"  # a question with its answer widgets
    UPDATE_PROMPT = "update_prompt"  # the open question changed in place (a toggle)
    CLOSE_PROMPT = "close_prompt"  # an answered question loses its buttons
    TIMER = "timer"  # the clock moved a live message on (a countdown, a breathing phase)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (the message's text is its caption): a digest as a document,
    the mood chart as a photo."""

    kind: str  # "document" or "photo"
    filename: str
    content: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(str(data["kind"]), str(data["filename"]), base64.b64decode(str(data["content"])))


@dataclass(frozen=True, slots=True)
class Expects:
    """What answer a prompt takes, said for transports without buttons (they print hints and
    map typed numbers): the kind (a ``flows.AnswerKind`` value), a scale's range, and the
    choices a typed number picks, in the order they are numbered."""

    kind: str
    low: int | None = None
    high: int | None = None
    choices: tuple[Button, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "choices": [[b.label, b.data] for b in self.choices],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Expects:
        return cls(
            kind=str(data["kind"]),
            low=data.get("low"),
            high=data.get("high"),
            choices=tuple(Button(str(label), str(value)) for label, value in data.get("choices", [])),
        )

    @classmethod
    def choice(cls, buttons: tuple[tuple[Button, ...], ...]) -> Expects:
        """One of these buttons (numbered in reading order where there are none)."""
        return cls("choice", choices=tuple(b for row in buttons for b in row))

    @classmethod
    def scale(cls, low: int, high: int, buttons: tuple[tuple[Button, ...], ...]) -> Expects:
        """A number from ``low`` to ``high`` (its buttons, where there are buttons)."""
        return cls("scale", low, high, tuple(b for row in buttons for b in row))

    @classmethod
    def of_kind(cls, kind: str, buttons: tuple[tuple[Button, ...], ...]) -> Expects:
        """From a bare kind, as outbox rows written before :class:`Expects` existed hold it:
        every button is a choice; a scale's range is its numbered buttons'."""
        choices = tuple(b for row in buttons for b in row)
        if kind != "scale":
            return cls(kind, choices=choices)
        numbers = [int(b.label) for b in choices if b.label.lstrip("-").isdigit()]
        return cls(kind, min(numbers, default=None), max(numbers, default=None), choices)


def choice_question(text: str, buttons: tuple[tuple[Button, ...], ...]) -> Outgoing:
    """A question answered by one of its buttons (typed as a number where there are none)."""
    return Outgoing(text=text, purpose=Purpose.PROMPT, buttons=buttons, expects=Expects.choice(buttons))


@dataclass(frozen=True, slots=True)
class Reroute:
    chat_id: str
    person_id: int | None
    note: str | None = None
    """Said first, in the other chat (on one message of a group only)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send, or one edit of a message sent before (``edit_of``)."""

    text: str | None
    purpose: Purpose = Purpose.NOTE
    buttons: tuple[tuple[Button, ...], ...] = ()
    expects: Expects | None = None
    """What a prompt takes, for transports without buttons (their hints and typed numbers)."""
    optional: bool = False
    edit_of: str | None = None
    prompt_token: str | None = None
    due_prompt_id: int | None = None
    """Set on a scheduled prompt: its shown message id is recorded on the due prompt."""
    coalesce_key: str | None = None
    """While unsent, a newer message with the same key in the chat replaces this one."""
    attachment: Attachment | None = None
    reroute: Reroute | None = None
    """Where to send this instead if its chat refuses it for good (a digest chat we were
    removed from: the therapist's private chat)."""
    erased: bool = False
    """Sent after the chat's person erased their data: a transport that keeps anything of
    theirs on this machine (the terminal's saved exports) removes it as it shows this."""
    urgent: bool = False
    """A crisis reply or a risk alert: sent before anything else queued for its chat and not
    held by the chat's pace (the safety target is seconds, not a queue's length)."""
    language: str | None = field(default_factory=reading_now)
    """The language it was written in (the ``reading`` block it was made in; None: the
    practice's default): a transport that adds words of its own (typing hints) says them in it."""

    @property
    def expected(self) -> Expects | None:
        """What this prompt takes (the name transports read)."""
        return self.expects

    def to_json(self) -> dict[str, Any]:
        expected = self.expected
        return {
            "text": self.text,
            "purpose": self.purpose.value,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "expects": expected.to_json() if expected is not None else None,
            "optional": self.optional,
            "edit_of": self.edit_of,
            "prompt_token": self.prompt_token,
            "due_prompt_id": self.due_prompt_id,
            "coalesce_key": self.coalesce_key,
            "attachment": self.attachment.to_json() if self.attachment else None,
            "reroute": [self.reroute.chat_id, self.reroute.person_id, self.reroute.note]
            if self.reroute
            else None,
            **({"erased": True} if self.erased else {}),
            "urgent": self.urgent,
            **({"language": self.language} if self.language else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        """Read a stored message; rows written before :class:`Expects` carry a bare kind."""
        buttons = tuple(
            tuple(Button(str(label), str(value)) for label, value in row) for row in data.get("buttons", [])
        )
        expects = data.get("expects")
        return cls(
            text=data.get("text"),
            purpose=Purpose(data.get("purpose", Purpose.NOTE.value)),
            buttons=buttons,
            expects=Expects.from_json(expects)
            if isinstance(expects, dict)
            else Expects.of_kind(str(expects), buttons)
            if expects
            else None,
            optional=bool(data.get("optional", False)),
            edit_of=data.get("edit_of"),
            prompt_token=data.get("prompt_token"),
            due_prompt_id=data.get("due_prompt_id"),
            coalesce_key=data.get("coalesce_key"),
            attachment=Attachment.from_json(data["attachment"]) if data.get("attachment") else None,
            reroute=Reroute(str(data["reroute"][0]), data["reroute"][1], data["reroute"][2])
            if data.get("reroute")
            else None,
            erased=bool(data.get("erased", False)),
            urgent=bool(data.get("urgent", False)),
            language=data.get("language"),
        )


MAX_ID = 2**31 - 1
"""The largest id a database integer column holds (PostgreSQL's int4)."""


def parse_button_number(text: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A number from button data: ASCII digits within ``low``–``high``, else None (forged or
    stale: ``int()`` alone would take "²" or a number no column can hold)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (an emoji can count twice): how Telegram counts, for one."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class TextLimit:
    """How long one message may be, as the messenger counts (characters, UTF-16 units, bytes)."""

    size: int
    measure: Callable[[str], int] = field(default=len)


def split_text(text: str, limit: TextLimit) -> list[str]:
    """Split a long text into messages within ``limit``, at paragraph, line or word breaks
    where possible, so a long answer is shown whole, in order.

    Every measure counts a character as at least one unit, so only a window of ``size + 1``
    characters is ever measured: a long text splits in time linear in its length."""
    size, measure = limit.size, limit.measure
    parts: list[str] = []
    start = 0
    while len(text) - start > size or measure(text[start:]) > size:
        cut = min(len(text) - start, size)
        while measure(text[start : start + cut]) > size:  # a character can count more than once
            cut -= 1
        window = text[start : start + cut]
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at > cut // 2:
                cut = at
                break
        parts.append(text[start : start + cut].rstrip())
        start += cut
        while start < len(text) and text[start].isspace():
            start += 1
    parts.append(text[start:])
    return [p for p in parts if p] or [""]
