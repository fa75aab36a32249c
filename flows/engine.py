"""The one engine that advances any flow.

A flow is data (:class:`Flow`, a tuple of :class:`Step`); a conversation is plain, storable data
(:class:`FlowState`). :func:`advance` is pure: given the flow, the stored state, one answer and
``now`` it returns the next state and what to show, or the finished answers. No I/O, no clock
reads, no randomness, no exceptions for bad answers: an invalid answer is a re-ask with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

from flows import texts

Answers: TypeAlias = Mapping[str, Any]
"""Answers by step id; JSON-serialisable values. A skipped optional step maps to ``None``."""


class AnswerKind(StrEnum):
    """What kind of answer a step takes; transports choose widgets by it."""

    SCALE = "scale"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice. ``id`` is stored and travels in button data: short, ASCII, never renamed."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a flow. ``id`` is stored with conversations, so it never changes."""

    id: str
    prompt: str
    kind: AnswerKind
    options: tuple[Option, ...] = ()
    low: int = 0
    high: int = 10
    optional: bool = False
    max_length: int = 4096
    columns: int = 2
    when: Callable[[Answers], bool] | None = None
    """Ask this step only if this holds for the answers so far (e.g. 'other' was picked)."""

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True, slots=True)
class Flow:
    """A homework type: its steps in order and how to sum up a finished one."""

    id: str
    title: str
    command: str
    description: str
    steps: tuple[Step, ...]
    summarize: Callable[[Answers], str]
    intro: str | None = None
    records_entry: bool = True
    """Homework is an entry in the journal; a side question (why skip?) is not."""

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if not ids or len(ids) != len(set(ids)):
            raise ValueError(f"flow {self.id!r} needs at least one step and unique step ids")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_after(self, step_id: str, answers: Answers) -> Step | None:
        """The next step that applies to these answers, or None at the end."""
        ids = [s.id for s in self.steps]
        for following in self.steps[ids.index(step_id) + 1 :]:
            if following.when is None or following.when(answers):
                return following
        return None


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where one conversation stands. Plain data: stored as JSON between updates."""

    flow_id: str
    step_id: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    selection: tuple[str, ...] = ()
    history: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "step_id": self.step_id,
            "answers": dict(self.answers),
            "selection": list(self.selection),
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlowState:
        return cls(
            flow_id=str(data["flow_id"]),
            step_id=str(data["step_id"]),
            answers=dict(data.get("answers") or {}),
            selection=tuple(data.get("selection") or ()),
            history=tuple(data.get("history") or ()),
        )


# --- answers a client can give -------------------------------------------------------------


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


Answer: TypeAlias = Text | Pick | Toggle | Done | Skip | Back


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


def decode_answer(value: str) -> Pick | Toggle | Done | Skip | Back | None:
    """Inverse of :func:`encode_answer`; ``None`` for anything malformed (forged buttons)."""
    if value == "d":
        return Done()
    if value == "s":
        return Skip()
    if value == "b":
        return Back()
    if len(value) > 1 and value[0] == "p":
        return Pick(value[1:])
    if len(value) > 1 and value[0] == "t":
        return Toggle(value[1:])
    return None


# --- what the client is shown --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: what it says and the encoded answer it gives."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question as shown: text and buttons, independent of any transport."""

    flow_id: str
    step_id: str
    text: str
    kind: AnswerKind
    rows: tuple[tuple[Choice, ...], ...] = ()
    optional: bool = False
    low: int = 0
    high: int = 10

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(c for row in self.rows for c in row)


@dataclass(frozen=True, slots=True)
class Ask:
    """The flow goes on: store ``state`` and show ``prompt``.

    ``reason`` explains a re-ask after an invalid answer. ``in_place`` means the answer only
    changed the prompt being shown (a multi-choice toggle), so the transport may edit it.
    ``accepted`` is the answer recorded for the previous step, for echoing on its message.
    """

    state: FlowState
    prompt: Prompt
    reason: str | None = None
    in_place: bool = False
    accepted: str | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """The flow is complete: store ``answers`` and show ``summary``."""

    answers: Mapping[str, Any]
    summary: str
    finished_at: datetime
    accepted: str | None = None


Outcome: TypeAlias = Ask | Finished


def _chunk(items: list[Choice], size: int) -> tuple[tuple[Choice, ...], ...]:
    return tuple(tuple(items[i : i + size]) for i in range(0, len(items), size))


def render_step(flow: Flow, step: Step, selection: tuple[str, ...] = ()) -> Prompt:
    """Build the transport-neutral prompt for a step (with current multi-choice picks)."""
    rows: tuple[tuple[Choice, ...], ...]
    extra: list[Choice] = []
    if step.kind is AnswerKind.SCALE:
        values = [Choice(str(v), encode_answer(Pick(str(v)))) for v in range(step.low, step.high + 1)]
        per_row = 6 if len(values) <= 12 else 7
        rows = _chunk(values, per_row)
    elif step.kind is AnswerKind.CHOICE:
        rows = _chunk([Choice(o.label, encode_answer(Pick(o.id))) for o in step.options], step.columns)
    elif step.kind is AnswerKind.MULTI_CHOICE:
        marked = [
            Choice(
                (texts.SELECTED_MARK if o.id in selection else "") + o.label,
                encode_answer(Toggle(o.id)),
            )
            for o in step.options
        ]
        rows = _chunk(marked, step.columns)
        extra.append(Choice(texts.BUTTON_DONE, encode_answer(Done())))
    else:
        rows = ()
    if step.optional:
        extra.append(Choice(texts.BUTTON_SKIP, encode_answer(Skip())))
    if extra:
        rows = (*rows, tuple(extra))
    return Prompt(
        flow_id=flow.id,
        step_id=step.id,
        text=step.prompt,
        kind=step.kind,
        rows=rows,
        optional=step.optional,
        low=step.low,
        high=step.high,
    )


def start(flow: Flow) -> Ask:
    """Begin a flow at its first step."""
    first = flow.steps[0]
    state = FlowState(flow_id=flow.id, step_id=first.id)
    return Ask(state=state, prompt=render_step(flow, first))


_NUMBER = re.compile(r"^\s*(-?\d{1,6})\s*(?:/\s*\d{1,6})?\s*$")


def _reask(flow: Flow, state: FlowState, step: Step, reason: str) -> Ask:
    return Ask(state=state, prompt=render_step(flow, step, state.selection), reason=reason)


def _move_on(
    flow: Flow, state: FlowState, step: Step, value: Any, now: datetime, accepted: str | None
) -> Outcome:
    answers = {**state.answers, step.id: value}
    following = flow.step_after(step.id, answers)
    if following is None:
        return Finished(answers=answers, summary=flow.summarize(answers), finished_at=now, accepted=accepted)
    new_state = FlowState(
        flow_id=flow.id,
        step_id=following.id,
        answers=answers,
        selection=tuple(answers.get(following.id) or ()) if following.kind is AnswerKind.MULTI_CHOICE else (),
        history=(*state.history, step.id),
    )
    return Ask(state=new_state, prompt=render_step(flow, following, new_state.selection), accepted=accepted)


def _scale_value(step: Step, raw: str) -> int | str:
    """The scale value in ``raw``, or the reason it is not one."""
    match = _NUMBER.match(raw)
    if match is None:
        return texts.SCALE_NOT_A_NUMBER.format(low=step.low, high=step.high)
    value = int(match.group(1))
    if not step.low <= value <= step.high:
        return texts.SCALE_OUT_OF_RANGE.format(low=step.low, high=step.high)
    return value


def _option_for_text(step: Step, raw: str) -> Option | None:
    wanted = raw.strip().casefold()
    return next((o for o in step.options if o.label.casefold() == wanted), None)


def advance(flow: Flow, state: FlowState, answer: Answer, now: datetime) -> Outcome:
    """Apply one answer to the conversation ``state`` of ``flow`` at ``now``."""
    step = flow.step(state.step_id)
    if step is None:  # the flow changed under a stored conversation: restart it gently
        return start(flow)

    if isinstance(answer, Back):
        if not state.history:
            return _reask(flow, state, step, texts.NOTHING_TO_GO_BACK_TO)
        previous = flow.step(state.history[-1])
        if previous is None:
            return start(flow)
        answers = {k: v for k, v in state.answers.items() if k != step.id}
        selection = tuple(answers.get(previous.id) or ()) if previous.kind is AnswerKind.MULTI_CHOICE else ()
        back_state = FlowState(flow.id, previous.id, answers, selection, state.history[:-1])
        return Ask(state=back_state, prompt=render_step(flow, previous, selection))

    if isinstance(answer, Skip):
        if not step.optional:
            return _reask(flow, state, step, texts.NOT_SKIPPABLE)
        return _move_on(flow, state, step, None, now, accepted=texts.BUTTON_SKIP)

    if step.kind is AnswerKind.SCALE:
        raw = answer.value if isinstance(answer, Pick) else answer.text if isinstance(answer, Text) else None
        if raw is None:
            return _reask(flow, state, step, texts.USE_LATEST_BUTTONS)
        value = _scale_value(step, raw)
        if isinstance(value, str):
            return _reask(flow, state, step, value)
        return _move_on(flow, state, step, value, now, accepted=str(value))

    if step.kind is AnswerKind.CHOICE:
        option: Option | None = None
        if isinstance(answer, Pick):
            option = step.option(answer.value)
        elif isinstance(answer, Text):
            option = _option_for_text(step, answer.text)
        if option is None:
            return _reask(flow, state, step, texts.CHOICE_NOT_MATCHED)
        return _move_on(flow, state, step, option.id, now, accepted=option.label)

    if step.kind is AnswerKind.MULTI_CHOICE:
        if isinstance(answer, Toggle):
            if step.option(answer.option_id) is None:
                return _reask(flow, state, step, texts.USE_LATEST_BUTTONS)
            picked = set(state.selection) ^ {answer.option_id}
            selection = tuple(o.id for o in step.options if o.id in picked)
            toggled = replace(state, selection=selection)
            return Ask(state=toggled, prompt=render_step(flow, step, selection), in_place=True)
        if isinstance(answer, Done):
            if not state.selection:
                if step.optional:
                    return _move_on(flow, state, step, None, now, accepted=texts.BUTTON_SKIP)
                return _reask(flow, state, step, texts.MULTI_CHOICE_EMPTY)
            labels = ", ".join(o.label for o in step.options if o.id in state.selection)
            return _move_on(flow, state, step, list(state.selection), now, accepted=labels)
        return _reask(flow, state, step, texts.MULTI_CHOICE_HINT)

    # free text
    if not isinstance(answer, Text):
        return _reask(flow, state, step, texts.TEXT_EXPECTED)
    written = answer.text.strip()
    if not written:
        return _reask(flow, state, step, texts.TEXT_EMPTY)
    if len(written) > step.max_length:
        return _reask(flow, state, step, texts.TEXT_TOO_LONG.format(limit=step.max_length))
    return _move_on(flow, state, step, written, now, accepted=None)
