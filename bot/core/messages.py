"""What the bot sends, independent of the transport: stored in the outbox as JSON."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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
    expects: str | None = None  # the flows.AnswerKind of a prompt, for keyboard-less transports
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

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "purpose": self.purpose.value,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "expects": self.expects,
            "optional": self.optional,
            "edit_of": self.edit_of,
            "prompt_token": self.prompt_token,
            "due_prompt_id": self.due_prompt_id,
            "coalesce_key": self.coalesce_key,
            "attachment": self.attachment.to_json() if self.attachment else None,
            "reroute": [self.reroute.chat_id, self.reroute.person_id, self.reroute.note]
            if self.reroute
            else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        return cls(
            text=data.get("text"),
            purpose=Purpose(data.get("purpose", Purpose.NOTE.value)),
            buttons=tuple(
                tuple(Button(str(label), str(value)) for label, value in row)
                for row in data.get("buttons", [])
            ),
            expects=data.get("expects"),
            optional=bool(data.get("optional", False)),
            edit_of=data.get("edit_of"),
            prompt_token=data.get("prompt_token"),
            due_prompt_id=data.get("due_prompt_id"),
            coalesce_key=data.get("coalesce_key"),
            attachment=Attachment.from_json(data["attachment"]) if data.get("attachment") else None,
            reroute=Reroute(str(data["reroute"][0]), data["reroute"][1], data["reroute"][2])
            if data.get("reroute")
            else None,
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


TELEGRAM_TEXT_LIMIT = 4096


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split a long text into messages of at most ``limit``, at paragraph, line or word breaks
    where possible, so a long answer is shown whole, in order."""
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        cut = limit
        while utf16_length(rest[:cut]) > limit:  # characters outside the BMP count twice
            cut -= 1
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at > cut // 2:
                cut = at
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p] or [""]
