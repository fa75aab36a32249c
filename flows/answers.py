"""The answers a client can give a flow, their compact form in button data, and the buttons
that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Text:
    """Free text typed by the client (also a typed number on a scale)."""

    text: str


@dataclass(frozen=True, slots=True)
class Pick:
    """A button press choosing a scale value or an option id."""

    value: str


@dataclass(frozen=True, slots=True)
class Toggle:
    """Select or unselect one option of a multi-choice step."""

    option_id: str


@dataclass(frozen=True, slots=True)
class Done:
    """Confirm a multi-choice selection."""


@dataclass(frozen=True, slots=True)
class Skip:
    """Leave an optional step unanswered."""


@dataclass(frozen=True, slots=True)
class Back:
    """Return to the previous question."""


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock moved on (a timed step's next frame is due). Never from a button."""


Answer: TypeAlias = Text | Pick | Toggle | Done | Skip | Back | Tick


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: what it says and the encoded answer it gives."""

    label: str
    value: str


Rows: TypeAlias = tuple[tuple[Choice, ...], ...]
"""Buttons in rows, as shown."""


def chunk(items: list[Choice], size: int) -> Rows:
    return tuple(tuple(items[i : i + size]) for i in range(0, len(items), size))


def encode_answer(answer: Pick | Toggle | Done | Skip | Back) -> str:
    """Compact button value for an answer (the transport adds its own prefix)."""
    match answer:
        case Pick(value):
            return f"p{value}"
        case Toggle(option_id):
            return f"t{option_id}"
        case Done():
            return "d"
        case Skip():
            return "s"
        case Back():
            return "b"


_BARE: dict[str, Done | Skip | Back] = {"d": Done(), "s": Skip(), "b": Back()}


def decode_answer(value: str) -> Pick | Toggle | Done | Skip | Back | None:
    """Inverse of :func:`encode_answer`; ``None`` for anything malformed (forged buttons)."""
    if value in _BARE:
        return _BARE[value]
    if len(value) > 1 and value[0] == "p":
        return Pick(value[1:])
    if len(value) > 1 and value[0] == "t":
        return Toggle(value[1:])
    return None
