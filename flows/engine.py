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
from datetime import datetime, timedelta
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
    TIMER = "timer"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice. ``id`` is stored and travels in button data: short, ASCII, never renamed."""

    id: str
    label: str


STOP: str = "stop"
"""The answer that ends a timed step early (a button, or /skip)."""


@dataclass(frozen=True, slots=True)
class TimerFrame:
    """What the live message of a timed step shows from ``at`` seconds after it started."""

    at: int
    text: str
    check_in_since: int | None = None
    """Set while a check-in question is open: the second it opened (one answer per check-in)."""


@dataclass(frozen=True, slots=True)
class TimerPlan:
    """A timed step, worked out in advance: frames in order (the first at 0) and the words
    around them. Pure data, so the live message at any moment is a function of the clock."""

    seconds: int
    frames: tuple[TimerFrame, ...]
    check_in_question: str
    check_in_thanks: str
    done_text: str
    stopped_text: str
    """Formatted with ``{elapsed}`` (m:ss)."""
    stop_label: str

    def frame_at(self, elapsed: float) -> TimerFrame:
        shown = self.frames[0]
        for frame in self.frames:
            if frame.at > elapsed:
                break
            shown = frame
        return shown

    def next_change(self, elapsed: float) -> float:
        """Seconds from the start to the next frame, or to the end."""
        return next((f.at for f in self.frames if f.at > elapsed), self.seconds)


def clock_text(seconds: float) -> str:
    """m:ss, as a countdown shows it."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


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
    scale_step: int = 1
    """Buttons every ``scale_step`` (0, 10 … 100); any whole number in range may be typed."""
    per_item: str | None = None
    """Ask once for each item picked at that earlier multi-choice step; ``{item}`` in the
    prompt is the item. The answer is a mapping item → value."""
    allow_custom: bool = False
    """A multi-choice step where the client may also type their own items (comma-separated)."""
    timer: Callable[[Answers], TimerPlan] | None = None
    """A timed step: the plan of its live message, built from the answers so far. Its
    ``options`` are the check-in answers; Stop is always offered."""
    options_from: str | None = None
    """A choice step whose options are not fixed: they are listed in the answers under this key
    as ``[id, label]`` pairs, put there when the flow starts (see :func:`start`)."""
    parse: Callable[[str], Any] | None = None
    """A text step whose words mean a value: called with the stripped text, it returns the
    JSON-serialisable value to store, or raises ``ValueError(reason)`` to re-ask with that
    reason (kind words, written by the flow)."""

    def __post_init__(self) -> None:
        if self.options_from is not None and (self.kind is not AnswerKind.CHOICE or self.options):
            raise ValueError(f"step {self.id!r}: options_from is for choice steps without fixed options")
        if self.parse is not None and self.kind is not AnswerKind.TEXT:
            raise ValueError(f"step {self.id!r}: parse is for text steps")

    def option(self, option_id: str) -> Option | None:
        """One of the fixed ``options`` (see :func:`step_options` for a choice step's options)."""
        return next((o for o in self.options if o.id == option_id), None)


def step_options(step: Step, answers: Answers) -> tuple[Option, ...]:
    """The options of a step: its fixed ``options``, or those listed in the answers under its
    ``options_from`` key (entries that are not an ``[id, label]`` pair of strings are ignored)."""
    if step.options_from is None:
        return step.options
    listed = answers.get(step.options_from)
    if not isinstance(listed, list | tuple):
        return ()
    return tuple(
        Option(entry[0], entry[1])
        for entry in listed
        if isinstance(entry, list | tuple)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], str)
        and entry[0]
        and entry[1]
    )


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
    keeps_drafts: bool = False
    """Left with /cancel, it is offered for resuming next time (long exercises, not check-ins)."""
    journal_line: Callable[[Answers], str] | None = None
    """One line about an entry for the client's journal (/history)."""
    journal_detail: Callable[[Answers], str] | None = None
    """The whole entry, when the journal offers to open it."""

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
            if following.per_item is not None and not answers.get(following.per_item):
                continue
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


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock moved on (a timed step's next frame is due). Never from a button."""


Answer: TypeAlias = Text | Pick | Toggle | Done | Skip | Back | Tick


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


CUSTOM_PREFIX = "~"
CUSTOM_MAX_LENGTH = 24
CUSTOM_MAX_ITEMS = 5


def item_label(flow: Flow, source_step_id: str, item: str) -> str:
    """What an item picked at a multi-choice step is called: its option's label, or the client's word."""
    if item.startswith(CUSTOM_PREFIX):
        return item[len(CUSTOM_PREFIX) :]
    source = flow.step(source_step_id)
    option = source.option(item) if source else None
    return option.label if option else item


def current_item(step: Step, answers: Answers) -> str | None:
    """For a per-item step: the first picked item not answered yet (None when all are)."""
    if step.per_item is None:
        return None
    done = answers.get(step.id) or {}
    return next((i for i in answers.get(step.per_item) or () if i not in done), None)


def _timer_running(step: Step, answers: Answers | None) -> Mapping[str, Any]:
    running = (answers or {}).get(step.id)
    return running if isinstance(running, Mapping) else {}


def _timer_elapsed(running: Mapping[str, Any], now: datetime | None, plan: TimerPlan) -> float:
    """Seconds since the timer started, within 0 … its length (0 before it started)."""
    started = running.get("started_at")
    if now is None or not isinstance(started, str):
        return 0.0
    try:
        since = (now - datetime.fromisoformat(started)).total_seconds()
    except (ValueError, TypeError):
        return 0.0
    return min(max(0.0, since), float(plan.seconds))


def _check_in_answered(frame: TimerFrame, running: Mapping[str, Any]) -> bool:
    """Whether the check-in open at this frame has its answer (one answer per check-in)."""
    return frame.check_in_since is not None and any(
        isinstance(c, Mapping) and int(c.get("at", -1)) >= frame.check_in_since
        for c in running.get("check_ins") or ()
    )


def _render_timer(
    step: Step, answers: Answers | None, now: datetime | None
) -> tuple[str, tuple[tuple[Choice, ...], ...]]:
    assert step.timer is not None
    plan = step.timer(answers or {})
    running = _timer_running(step, answers)
    frame = plan.frame_at(_timer_elapsed(running, now, plan))
    stop = (Choice(plan.stop_label, encode_answer(Pick(STOP))),)
    if frame.check_in_since is None:
        return frame.text, (stop,)
    if _check_in_answered(frame, running):
        return f"{frame.text}\n\n{plan.check_in_thanks}", (stop,)
    check_in = tuple(Choice(o.label, encode_answer(Pick(o.id))) for o in step.options)
    return f"{frame.text}\n\n{plan.check_in_question}", (check_in, stop)


def _ending(plan: TimerPlan, record: Mapping[str, Any]) -> str:
    if record.get("stopped_early"):
        return plan.stopped_text.format(elapsed=clock_text(float(record.get("seconds") or 0)))
    return plan.done_text


def timer_ending(flow: Flow, step_id: str, answers: Answers) -> str | None:
    """How a finished timed step ended, in the words its live message ended with; None if
    ``step_id`` is not a finished timed step."""
    step = flow.step(step_id)
    record = answers.get(step_id)
    if step is None or step.timer is None or not isinstance(record, Mapping) or "stopped_early" not in record:
        return None
    return _ending(step.timer(answers), record)


def timer_wake_at(flow: Flow, state: FlowState, now: datetime) -> datetime | None:
    """When the live message of a timed step changes next (or the timer ends); None if the
    conversation is not at a timed step."""
    step = flow.step(state.step_id)
    if step is None or step.kind is not AnswerKind.TIMER or step.timer is None:
        return None
    plan = step.timer(state.answers)
    elapsed = _timer_elapsed(_timer_running(step, state.answers), now, plan)
    return now + timedelta(seconds=plan.next_change(elapsed) - elapsed)


def render_step(
    flow: Flow,
    step: Step,
    selection: tuple[str, ...] = (),
    answers: Answers | None = None,
    now: datetime | None = None,
) -> Prompt:
    """Build the transport-neutral prompt for a step (with current multi-choice picks; a timed
    step as its live message shows it at ``now``)."""
    rows: tuple[tuple[Choice, ...], ...]
    extra: list[Choice] = []
    text = step.prompt
    if step.per_item is not None:
        item = current_item(step, answers or {})
        text = step.prompt.format(item=item_label(flow, step.per_item, item).lower() if item else "")
    if step.kind is AnswerKind.SCALE:
        values = [
            Choice(str(v), encode_answer(Pick(str(v))))
            for v in range(step.low, step.high + 1, max(1, step.scale_step))
        ]
        per_row = 6 if len(values) <= 12 else 7
        rows = _chunk(values, per_row)
    elif step.kind is AnswerKind.CHOICE:
        options = step_options(step, answers or {})
        rows = _chunk([Choice(o.label, encode_answer(Pick(o.id))) for o in options], step.columns)
    elif step.kind is AnswerKind.MULTI_CHOICE:
        marked = [
            Choice(
                (texts.SELECTED_MARK if o.id in selection else "") + o.label,
                encode_answer(Toggle(o.id)),
            )
            for o in step.options
        ]
        marked += [
            Choice(texts.SELECTED_MARK + item[len(CUSTOM_PREFIX) :], encode_answer(Toggle(item)))
            for item in selection
            if item.startswith(CUSTOM_PREFIX)
        ]
        rows = _chunk(marked, step.columns)
        extra.append(Choice(texts.BUTTON_DONE, encode_answer(Done())))
    elif step.kind is AnswerKind.TIMER:
        text, rows = _render_timer(step, answers, now)
    else:
        rows = ()
    if step.optional:
        extra.append(Choice(texts.BUTTON_SKIP, encode_answer(Skip())))
    if extra:
        rows = (*rows, tuple(extra))
    return Prompt(
        flow_id=flow.id,
        step_id=step.id,
        text=text,
        kind=step.kind,
        rows=rows,
        optional=step.optional,
        low=step.low,
        high=step.high,
    )


def start(flow: Flow, context: Answers | None = None) -> Ask:
    """Begin a flow at its first step.

    ``context`` holds what the flow reads that is not an answer (the options of an
    ``options_from`` step): it starts the answers, stays in them the whole conversation (Back
    only removes step answers) and comes back with the finished answers.
    """
    first = flow.steps[0]
    answers = dict(context or {})
    state = FlowState(flow_id=flow.id, step_id=first.id, answers=answers)
    return Ask(state=state, prompt=render_step(flow, first, (), answers))


def _restart(flow: Flow, answers: Answers) -> Ask:
    """Start again from the first step, keeping the context the steps read (their options)."""
    read = {s.options_from for s in flow.steps if s.options_from is not None}
    return start(flow, {key: value for key, value in answers.items() if key in read})


_NUMBER = re.compile(r"^\s*(-?\d{1,6})\s*(?:/\s*\d{1,6})?\s*$")


def _reask(flow: Flow, state: FlowState, step: Step, reason: str, now: datetime | None = None) -> Ask:
    prompt = render_step(flow, step, state.selection, state.answers, now)
    return Ask(state=state, prompt=prompt, reason=reason)


def _move_on(
    flow: Flow, state: FlowState, step: Step, value: Any, now: datetime, accepted: str | None
) -> Outcome:
    if step.per_item is not None:
        item = current_item(step, state.answers)
        answers = {**state.answers, step.id: {**(state.answers.get(step.id) or {}), str(item): value}}
        if current_item(step, answers) is not None:  # the same question, for the next item
            same = FlowState(flow.id, step.id, answers, (), state.history)
            return Ask(state=same, prompt=render_step(flow, step, (), answers), accepted=accepted)
    else:
        answers = {**state.answers, step.id: value}
        for dependent in flow.steps:  # new picks: the questions asked per pick start afresh
            if dependent.per_item == step.id:
                answers.pop(dependent.id, None)
    following = flow.step_after(step.id, answers)
    if following is None:
        return Finished(answers=answers, summary=flow.summarize(answers), finished_at=now, accepted=accepted)
    if following.kind is AnswerKind.TIMER:  # its clock starts now
        answers[following.id] = {"started_at": now.isoformat(), "check_ins": []}
    new_state = FlowState(
        flow_id=flow.id,
        step_id=following.id,
        answers=answers,
        selection=tuple(answers.get(following.id) or ()) if following.kind is AnswerKind.MULTI_CHOICE else (),
        history=(*state.history, step.id),
    )
    return Ask(
        state=new_state,
        prompt=render_step(flow, following, new_state.selection, answers, now),
        accepted=accepted,
    )


def _add_custom_items(flow: Flow, state: FlowState, step: Step, typed: str) -> Ask:
    """Words the client typed at a multi-choice step join their picks (a known one is ticked)."""
    selection = list(state.selection)
    for word in (w.strip() for w in typed.replace("\n", ",").split(",")):
        if not word or _NUMBER.match(word):  # a number is a mistyped button, not a feeling
            continue
        known = _option_for_text(step.options, word)
        item = known.id if known else CUSTOM_PREFIX + word[:CUSTOM_MAX_LENGTH]
        customs = sum(1 for i in selection if i.startswith(CUSTOM_PREFIX))
        if item not in selection and (known or customs < CUSTOM_MAX_ITEMS):
            selection.append(item)
    ordered = tuple(o.id for o in step.options if o.id in selection) + tuple(
        i for i in selection if i.startswith(CUSTOM_PREFIX)
    )
    if ordered == state.selection:
        return _reask(flow, state, step, texts.MULTI_CHOICE_HINT)
    added = replace(state, selection=ordered)
    return Ask(state=added, prompt=render_step(flow, step, ordered, state.answers))


def _scale_value(step: Step, raw: str) -> int | str:
    """The scale value in ``raw``, or the reason it is not one."""
    match = _NUMBER.match(raw)
    if match is None:
        return texts.SCALE_NOT_A_NUMBER.format(low=step.low, high=step.high)
    value = int(match.group(1))
    if not step.low <= value <= step.high:
        return texts.SCALE_OUT_OF_RANGE.format(low=step.low, high=step.high)
    return value


def _option_for_text(options: tuple[Option, ...], raw: str) -> Option | None:
    wanted = raw.strip().casefold()
    return next((o for o in options if o.label.casefold() == wanted), None)


def advance(flow: Flow, state: FlowState, answer: Answer, now: datetime) -> Outcome:
    """Apply one answer to the conversation ``state`` of ``flow`` at ``now``."""
    step = flow.step(state.step_id)
    if step is None:  # the flow changed under a stored conversation: restart it gently
        return _restart(flow, state.answers)
    if step.kind is AnswerKind.TIMER:
        return _advance_timer(flow, state, step, answer, now)
    if isinstance(answer, Tick):  # nothing runs here: show the question as it is
        return Ask(state=state, prompt=render_step(flow, step, state.selection, state.answers), in_place=True)

    if isinstance(answer, Back):
        done = dict(state.answers.get(step.id) or {}) if step.per_item is not None else {}
        if done:  # back to the previous item of the same question
            done.pop(next(reversed(done)))
            answers = {**state.answers, step.id: done}
            same = FlowState(flow.id, step.id, answers, (), state.history)
            return Ask(state=same, prompt=render_step(flow, step, (), answers))
        if not state.history:
            return _reask(flow, state, step, texts.NOTHING_TO_GO_BACK_TO)
        previous = flow.step(state.history[-1])
        if previous is None:
            return _restart(flow, state.answers)
        if previous.kind is AnswerKind.TIMER:  # time cannot be wound back
            return _reask(flow, state, step, texts.TIMER_CANNOT_GO_BACK)
        answers = {k: v for k, v in state.answers.items() if k != step.id}
        if previous.per_item is not None:  # re-ask its last item
            earlier = dict(answers.get(previous.id) or {})
            if earlier:
                earlier.pop(next(reversed(earlier)))
            answers[previous.id] = earlier
        selection = tuple(answers.get(previous.id) or ()) if previous.kind is AnswerKind.MULTI_CHOICE else ()
        back_state = FlowState(flow.id, previous.id, answers, selection, state.history[:-1])
        return Ask(state=back_state, prompt=render_step(flow, previous, selection, answers))

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
        options = step_options(step, state.answers)
        option: Option | None = None
        if isinstance(answer, Pick):
            option = next((o for o in options if o.id == answer.value), None)
        elif isinstance(answer, Text):
            option = _option_for_text(options, answer.text)
        if option is None:
            return _reask(flow, state, step, texts.CHOICE_NOT_MATCHED)
        return _move_on(flow, state, step, option.id, now, accepted=option.label)

    if step.kind is AnswerKind.MULTI_CHOICE:
        if isinstance(answer, Text) and step.allow_custom:
            return _add_custom_items(flow, state, step, answer.text)
        if isinstance(answer, Toggle):
            custom = answer.option_id.startswith(CUSTOM_PREFIX) and answer.option_id in state.selection
            if step.option(answer.option_id) is None and not custom:
                return _reask(flow, state, step, texts.USE_LATEST_BUTTONS)
            picked = set(state.selection) ^ {answer.option_id}
            selection = tuple(o.id for o in step.options if o.id in picked) + tuple(
                i for i in state.selection if i.startswith(CUSTOM_PREFIX) and i in picked
            )
            toggled = replace(state, selection=selection)
            return Ask(state=toggled, prompt=render_step(flow, step, selection, state.answers), in_place=True)
        if isinstance(answer, Done):
            if not state.selection:
                if step.optional:
                    return _move_on(flow, state, step, None, now, accepted=texts.BUTTON_SKIP)
                return _reask(flow, state, step, texts.MULTI_CHOICE_EMPTY)
            labels = ", ".join(item_label(flow, step.id, i) for i in state.selection)
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
    if step.parse is None:
        return _move_on(flow, state, step, written, now, accepted=None)
    try:
        value = step.parse(written)
    except ValueError as reason:
        return _reask(flow, state, step, str(reason))
    return _move_on(flow, state, step, value, now, accepted=None)


def _advance_timer(flow: Flow, state: FlowState, step: Step, answer: Answer, now: datetime) -> Outcome:
    """A timed step: the clock moves its live message on; check-ins are noted; Stop (or /skip)
    ends it early, and that is recorded, never judged."""
    assert step.timer is not None
    plan = step.timer(state.answers)
    running = _timer_running(step, state.answers)
    if not isinstance(running.get("started_at"), str):  # (a stored state from before it started)
        running = {"started_at": now.isoformat(), "check_ins": []}
        state = replace(state, answers={**state.answers, step.id: running})
    elapsed = _timer_elapsed(running, now, plan)
    check_ins = [dict(c) for c in running.get("check_ins") or () if isinstance(c, Mapping)]

    def record(stopped_early: bool) -> dict[str, Any]:
        return {
            "started_at": running["started_at"],
            "planned_seconds": plan.seconds,
            "seconds": int(elapsed),
            "stopped_early": stopped_early,
            "check_ins": check_ins,
        }

    ended = elapsed >= plan.seconds
    stopping = isinstance(answer, Skip) or (isinstance(answer, Pick) and answer.value == STOP)
    if (ended and isinstance(answer, Tick | Skip | Pick)) or stopping:
        finished = record(stopped_early=not ended)
        return _move_on(flow, state, step, finished, now, accepted=_ending(plan, finished))

    def as_it_is() -> Ask:
        return Ask(state=state, prompt=render_step(flow, step, (), state.answers, now), in_place=True)

    if isinstance(answer, Tick):
        return as_it_is()
    if isinstance(answer, Pick) and step.option(answer.value) is not None:
        frame = plan.frame_at(elapsed)
        if frame.check_in_since is None or _check_in_answered(frame, running):
            return as_it_is()  # an old check-in button: nothing to note
        check_ins.append({"at": int(elapsed), "answer": answer.value})
        answers = {**state.answers, step.id: {**running, "check_ins": check_ins}}
        noted = replace(state, answers=answers)
        return Ask(state=noted, prompt=render_step(flow, step, (), answers, now), in_place=True)
    return _reask(flow, state, step, texts.TIMER_RUNNING, now)
