"""What the bot sends, independent of the transport: stored in the outbox as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Purpose(StrEnum):
    """Why a message is sent; transports with no edits (the terminal) decide what to show by it."""

    NOTE = "note"  # a plain reply
    PROMPT = "prompt"  # a question with its answer widgets
    UPDATE_PROMPT = "update_prompt"  # the open question changed in place (a toggle)
    CLOSE_PROMPT = "close_prompt"  # an answered question loses its buttons


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


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
        )
