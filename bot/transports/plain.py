"""Questions without buttons: choices are numbered, and a typed number presses that button.

Shared by every transport without inline buttons (the terminal now, Signal next). What the
numbers mean is stored per chat and shown message (``storage.choices``), so it survives a
restart.

A number keeps its meaning for as long as its message is shown: when a shown message changes
(a toggle, a timer's check-in coming and going, a client's own word added), the choices it
still offers keep their numbers, new ones get the next free numbers, and a number whose choice
went away is not reused (it comes back with that choice). Every version of the message is
printed with its numbers, so the meaning on screen is the current one.

Which question a typed number answers, when more than one is open (a scheduled prompt and the
crisis message, say): each question is numbered from 1, as it is printed, and

- if the newest question takes typed answers (a scale, free text), the line is its answer;
- else the numbers press the buttons of the newest question that offers all of them.

So a "1" always means the 1 printed last, and a number only the older question has ("3" when
the newest offers two) still reaches the older one. A question leaves the mapping when it is
closed (answered), and only the newest few per chat are kept. A typed line that is exactly the
name of one choice of the newest question ("carry on", "skip today") presses it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.chat.turn import BUTTON_DATA_SEPARATOR, ButtonPressed
from bot.core.clock import Clock
from bot.core.gestures import Gestures
from bot.core.i18n import N_, _, reading
from bot.core.messages import Button, Outgoing, Purpose
from flows import Done, Skip, encode_answer
from storage import Database
from storage.choices import ShownChoices

NUMBERED = ("choice", "multi_choice", "timer")
"""Answer kinds whose buttons are pressed by typing their number."""
NAMED = ("choice",)
"""Answer kinds whose buttons are also pressed by typing their name (a flow's multi-choice and
timer steps read typed names themselves)."""

GESTURES = Gestures(
    tap=N_("type"),
    pick_number=N_("type it"),
    pick_one=N_("type the number or the name of one of the choices"),
    pick_any=N_("type the numbers or names of any that fit"),
    use_latest=N_("answer the latest question"),
)
"""How a client answers without buttons (``bot.core.gestures``): by typing."""

SCALE_HINT = N_("(type a number from {low} to {high})")
SCALE_HINT_SKIP = N_("(type a number from {low} to {high}, or /skip)")
CHOICE_HINT = N_("(type a number)")
MANY_HINT = N_("(type a number — or several, like 1 3 — then {done} for Done)")
TEXT_HINT = N_("(type your answer)")
TEXT_HINT_SKIP = N_("(type your answer, or /skip)")
TIMER_HINT = N_("(type {stop} to stop early)")
HINT_INDENT = "  "
"""The hints are in the language the message was written in (``Outgoing.language``)."""

DONE_DATA = BUTTON_DATA_SEPARATOR + encode_answer(Done())
"""How a multi-choice step's Done button's data ends."""
CONTROLS = frozenset({encode_answer(Done()), encode_answer(Skip())})
"""Answers every multi-choice question offers: sharing only these, two questions differ."""
RETIRED = "∅"
"""Marks, in the stored mapping, a number whose choice the message no longer offers."""


@dataclass(frozen=True, slots=True)
class Numbering:
    """What the numbers of one shown message mean: ``slots[n - 1]`` is number n's button data,
    or a retired one (see :data:`RETIRED`)."""

    slots: tuple[str, ...]

    def offered(self) -> dict[str, int]:
        """Button data → its number, for the choices offered now."""
        return {slot: n for n, slot in enumerate(self.slots, start=1) if not slot.startswith(RETIRED)}

    def data_of(self, number: int) -> str | None:
        if not 1 <= number <= len(self.slots) or self.slots[number - 1].startswith(RETIRED):
            return None
        return self.slots[number - 1]


def answer_of(data: str) -> str:
    """What a button answers, without the token of the message it is on."""
    return data.partition(BUTTON_DATA_SEPARATOR)[2] or data


def renumbered(
    before: Sequence[str], offered: Sequence[str], same: Callable[[str], str] = lambda data: data
) -> Numbering:
    """The numbering of a question that offered ``before`` and now offers ``offered``: a new
    question (nothing in common) is numbered from 1; a changed one keeps every number. Choices
    are the same when ``same`` says so (by default: the same button data)."""
    kept = {same(slot.removeprefix(RETIRED)): n for n, slot in enumerate(before)}
    now = {same(data): data for data in offered}
    if not set(kept) & set(now):
        return Numbering(tuple(offered))
    slots = [now.get(key, RETIRED + key) for key in kept]
    slots += [data for key, data in now.items() if key not in kept]
    return Numbering(tuple(slots))


def _line(number: int | None, choice: Button) -> str:
    return f"  {number}) {choice.label}"


def render_prompt(message: Outgoing, numbers: Mapping[str, int] | None = None) -> str:
    """A question as plain text: its words, numbered choices, and a hint at what to type.
    ``numbers`` (button data → number) is the message's numbering; by default 1, 2, 3…"""
    lines = [GESTURES.speak(message.text or "")]
    expects = message.expected
    if expects is None:
        return "\n".join(lines)
    numbering = numbers or {c.data: n for n, c in enumerate(expects.choices, start=1)}
    listed = [(numbering.get(c.data), c) for c in expects.choices]
    with reading(message.language):
        if expects.kind == "scale":
            hint = _(SCALE_HINT_SKIP if message.optional else SCALE_HINT)
            lines.append(HINT_INDENT + hint.format(low=expects.low, high=expects.high))
        elif expects.kind in ("choice", "multi_choice"):
            lines += [_line(number, choice) for number, choice in listed]
            done = next((n for n, c in listed if c.data.endswith(DONE_DATA)), None)
            many = expects.kind == "multi_choice" and done
            lines.append(HINT_INDENT + (_(MANY_HINT).format(done=done) if many else _(CHOICE_HINT)))
        elif expects.kind == "text":
            lines.append(HINT_INDENT + _(TEXT_HINT_SKIP if message.optional else TEXT_HINT))
        elif expects.kind == "timer" and listed:  # check-ins (if any), then Stop, always last
            lines += [_line(number, choice) for number, choice in listed[:-1]]
            lines.append(HINT_INDENT + _(TIMER_HINT).format(stop=listed[-1][0]))
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
        numbering = Numbering(shown.choices)
        data = [numbering.data_of(n) for n in numbers]
        if shown.kind in NUMBERED and all(d is not None for d in data):
            return [ButtonPressed(d, shown.message_id) for d in data if d is not None]
    return None


def _name(label: str) -> str:
    return label.removeprefix("✓ ").strip().casefold()


def _asked_again(before: Sequence[str], offered: Sequence[str]) -> bool:
    """Whether a new question is the one just closed, asked again: they share a choice beyond
    Done and Skip (which every multi-choice question has)."""
    shared = {answer_of(s.removeprefix(RETIRED)) for s in before} & {answer_of(d) for d in offered}
    return bool(shared - CONTROLS)


class PlainChoices:
    """One keyboard-less transport's typed-choice mapping, stored per chat."""

    def __init__(self, database: Database, transport: str, clock: Clock) -> None:
        self._db = database
        self._transport = transport
        self._clock = clock
        self._names: dict[tuple[str, str], dict[str, str]] = {}
        """Per chat and message: the names of its choices (as shown) → their button data."""
        self._closed: dict[str, ShownChoices] = {}
        """Per chat: the question closed last. Asked again at once as a new message (a reason
        given, the client's own words added), its choices keep their numbers."""

    async def shown(self, chat_id: str, message_id: str | None, message: Outgoing) -> dict[str, int]:
        """Remember what a message just shown means for typed numbers (or that it closed);
        returns its numbering (button data → number), to print."""
        if message_id is None:
            return {}
        if message.purpose is Purpose.CLOSE_PROMPT:
            self._names.pop((chat_id, message_id), None)
            async with self._db.transaction() as tx:
                recent = await tx.typed_choices.recent(self._transport, chat_id)
                closing = next((s for s in recent if s.message_id == message_id), None)
                if closing is not None:
                    self._closed[chat_id] = closing
                await tx.typed_choices.closed(self._transport, chat_id, message_id)
            return {}
        numbering = await self.plan(chat_id, message_id, message)
        if numbering is None:
            return {}
        await self.keep(chat_id, message_id, message, numbering)
        return numbering.offered()

    async def plan(self, chat_id: str, message_id: str | None, message: Outgoing) -> Numbering | None:
        """The numbering a question will be shown with, before it is shown (a transport that
        learns the message id only once sent prints the numbers first); None: not a question.
        Remember it with :meth:`keep` once shown."""
        if message.purpose not in (Purpose.PROMPT, Purpose.UPDATE_PROMPT, Purpose.TIMER):
            return None
        expects = message.expected
        kind = expects.kind if expects is not None else ""
        offered = [c.data for c in expects.choices] if expects is not None else []
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        before = next((s.choices for s in recent if s.message_id == message_id), None)
        closed = self._closed.get(chat_id)
        if before is not None:
            return renumbered(before, offered)
        if closed is not None and closed.kind == kind and _asked_again(closed.choices, offered):
            return renumbered(closed.choices, offered, same=answer_of)
        return Numbering(tuple(offered))

    async def keep(self, chat_id: str, message_id: str, message: Outgoing, numbering: Numbering) -> None:
        """A question was shown as :meth:`plan` said: typed numbers now press its buttons."""
        expects = message.expected
        choices = expects.choices if expects is not None else ()
        self._names[(chat_id, message_id)] = {_name(c.label): c.data for c in choices}
        self._closed.pop(chat_id, None)
        async with self._db.transaction() as tx:
            await tx.typed_choices.shown(
                self._transport,
                chat_id,
                message_id,
                expects.kind if expects is not None else "",
                list(numbering.slots),
                self._clock(),
            )

    async def presses_for(self, chat_id: str, line: str) -> list[ButtonPressed] | None:
        if typed_numbers(line) is None:
            return await self._named(chat_id, line)
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        return presses_for(line, recent)

    async def presses_for_message(
        self, chat_id: str, message_id: str, line: str
    ) -> list[ButtonPressed] | None:
        """The presses a typed line means for one question (a quote-reply names it): its
        numbers, or one of its choices by name; None when the line is neither (or it is closed)."""
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        shown = next((s for s in recent if s.message_id == message_id), None)
        if shown is None or shown.kind not in NUMBERED:
            return None
        numbering = Numbering(shown.choices)
        numbers = typed_numbers(line)
        if numbers is None:
            data = self._names.get((chat_id, message_id), {}).get(_name(line))
            offered = data is not None and data in numbering.offered() and shown.kind in NAMED
            return [ButtonPressed(data, message_id)] if offered and data is not None else None
        picked = [numbering.data_of(n) for n in numbers]
        if not all(d is not None for d in picked):
            return None
        return [ButtonPressed(d, message_id) for d in picked if d is not None]

    async def expects_text(self, chat_id: str) -> bool:
        """Whether the chat's newest open question takes typed words as its answer: a text
        question shown last, in a homework still open (a text question is not closed when
        answered, so one a finished homework asked earlier must not hold a command back). A
        private chat: its id is its person's."""
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
            if not recent or recent[0].kind != "text":
                return False
            _, conversation = await tx.people.find_with_conversation(self._transport, chat_id)
        return conversation is not None

    async def is_open(self, chat_id: str, message_id: str) -> bool:
        """Whether a question is still shown and unanswered in this chat."""
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        return any(s.message_id == message_id for s in recent)

    async def _named(self, chat_id: str, line: str) -> list[ButtonPressed] | None:
        """A choice of the newest question pressed by its name (only a plain choice question)."""
        async with self._db.transaction() as tx:
            recent = await tx.typed_choices.recent(self._transport, chat_id)
        if not recent or recent[0].kind not in NAMED:
            return None
        newest = recent[0]
        data = self._names.get((chat_id, newest.message_id), {}).get(_name(line))
        if data is None or data not in Numbering(newest.choices).offered():
            return None
        return [ButtonPressed(data, newest.message_id)]
