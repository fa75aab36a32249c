"""Questions without buttons: choices are numbered, and a typed number presses that button.

Shared by every transport without inline buttons (the terminal now, Signal next). What the
numbers mean is stored per chat and shown message (``storage.choices``), so it survives a
restart.

Which question a typed number answers, when more than one is open (a scheduled prompt and the
crisis message, say): each question is numbered from 1, as it is printed, and

- if the newest question takes typed answers (a scale, free text), the line is its answer;
- else the numbers press the buttons of the newest question that offers all of them.

So a "1" always means the 1 printed last, and a number only the older question has ("3" when
the newest offers two) still reaches the older one. A question leaves the mapping when it is
closed (answered), and only the newest few per chat are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.turn import ButtonPressed
from bot.core.clock import Clock
from bot.core.messages import Expects, Outgoing, Purpose
from storage import Database
from storage.choices import ShownChoices

NUMBERED = ("choice", "multi_choice", "timer")
"""Answer kinds whose buttons are pressed by typing their number."""

SCALE_HINT = "  (type a number from {low} to {high}{skip})"
CHOICE_HINT = "  (type a number{many})"
MANY_HINT = " — or several, like 1 3 — then the number for Done"
TEXT_HINT = "  (type your answer{skip})"
TIMER_HINT = "  (type {stop} to stop early)"
SKIP_HINT = ", or /skip"


def numbered(expects: Expects) -> list[str]:
    return [f"  {number}) {choice.label}" for number, choice in enumerate(expects.choices, start=1)]


def render_prompt(message: Outgoing) -> str:
    """A question as plain text: its words, numbered choices, and a hint at what to type."""
    lines = [message.text or ""]
    expects = message.expected
    if expects is None:
        return "\n".join(lines)
    skip = SKIP_HINT if message.optional else ""
    if expects.kind == "scale":
        lines.append(SCALE_HINT.format(low=expects.low, high=expects.high, skip=skip))
    elif expects.kind in ("choice", "multi_choice"):
        lines += numbered(expects)
        lines.append(CHOICE_HINT.format(many=MANY_HINT if expects.kind == "multi_choice" else ""))
    elif expects.kind == "text":
        lines.append(TEXT_HINT.format(skip=skip))
    elif expects.kind == "timer" and len(expects.choices) > 1:  # a check-in
        lines += numbered(expects)
    elif expects.kind == "timer":
        lines.append(TIMER_HINT.format(stop=len(expects.choices)))
    return "\n".join(lines)


def typed_numbers(line: str) -> list[int] | None:
    """``"1 3"`` or ``"1,3"`` as numbers; None when the line is anything else."""
    parts = line.replace(",", " ").split()
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 4 for p in parts):
        return None
    return [int(p) for p in parts]


def presses_for(line: str, recent: Sequence[ShownChoices]) -> list[ButtonPressed] | None:
    """The button presses a typed line means, given the chat's questions (newest first); None:
    the line is text (see the module docstring for the rule)."""
    numbers = typed_numbers(line)
    if numbers is None or not recent or recent[0].kind not in NUMBERED:
        return None
    for shown in recent:
        if shown.kind in NUMBERED and all(1 <= n <= len(shown.choices) for n in numbers):
            return [ButtonPressed(shown.choices[n - 1], shown.message_id) for n in numbers]
    return None


class PlainChoices:
    """One keyboard-less transport's typed-choice mapping, stored per chat."""

    def __init__(self, database: Database, transport: str, clock: Clock) -> None:
        self._db = database
        self._transport = transport
        self._clock = clock

    async def shown(self, chat_id: str, message_id: str | None, message: Outgoing) -> None:
        """Remember what a message just shown means for typed numbers (or that it closed)."""
        if message_id is None:
            return
        if message.purpose is Purpose.CLOSE_PROMPT:
            async with self._db.transaction() as tx:
                await tx.typed_choices.closed(self._transport, chat_id, message_id)
        elif message.purpose in (Purpose.PROMPT, Purpose.UPDATE_PROMPT, Purpose.TIMER):
            expects = message.expected
            kind = expects.kind if expects is not None else ""
            data = [choice.data for choice in expects.choices] if expects is not None else []
            async with self._db.transaction() as tx:
                await tx.typed_choices.shown(self._transport, chat_id, message_id, kind, data, self._clock())

    async def presses_for(self, chat_id: str, line: str) -> list[ButtonPressed] | None:
        if typed_numbers(line) is None:
            return None
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        return presses_for(line, recent)
