"""The pure step function: one answer moves a conversation on.

:func:`advance` is pure: given the flow, the stored state, one answer and ``now`` it returns the
next state and what to show, or the finished answers. No I/O, no clock reads, no randomness, no
exceptions for bad answers: an invalid answer is a re-ask with a reason. Tick, Back and Skip
mean the same at every untimed step; every other answer goes to the handler of the step's kind
in :data:`HANDLERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeAlias

from bot.core.i18n import _, every_language
from flows import texts
from flows.answers import Answer, Back, Done, Pick, Skip, Text, Tick, Toggle
from flows.model import (
    CUSTOM_MAX_ITEMS,
    CUSTOM_MAX_LENGTH,
    CUSTOM_PREFIX,
    OWN_WORDS_MAX_LENGTH,
    STOP,
    AnswerKind,
    Answers,
    Flow,
    FlowState,
    Option,
    Step,
    current_item,
    item_label,
    repeats,
    step_options,
)
from flows.prompt import Ask, Finished, Outcome, render_step
from flows.timer import (
    check_in_answered,
    elapsed_seconds,
    ending,
    fresh_record,
    plan_of,
    running_record,
)

_NUMBER = re.compile(r"^\s*(-?\d{1,6})\s*(?:/\s*\d{1,6})?\s*$")


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


@dataclass(frozen=True, slots=True)
class Turn:
    """One answer at one step: what every handler is given."""

    flow: Flow
    state: FlowState
    step: Step
    answer: Answer
    now: datetime

    def reask(self, reason: str, now: datetime | None = None) -> Ask:
        prompt = render_step(self.flow, self.step, self.state.selection, self.state.answers, now)
        return Ask(state=self.state, prompt=prompt, reason=reason)

    def move_on(self, value: Any, accepted: str | None) -> Outcome:
        return _move_on(self.flow, self.state, self.step, value, self.now, accepted)


Handler: TypeAlias = Callable[[Turn], Outcome]


def advance(flow: Flow, state: FlowState, answer: Answer, now: datetime) -> Outcome:
    """Apply one answer to the conversation ``state`` of ``flow`` at ``now``."""
    step = flow.step(state.step_id)
    if step is None:  # the flow changed under a stored conversation: restart it gently
        return _restart(flow, state.answers)
    turn = Turn(flow, state, step, answer, now)
    if step.kind is not AnswerKind.TIMER:  # a timer takes Tick and Skip its own way
        if isinstance(answer, Tick):  # nothing runs here: show the question as it is
            prompt = render_step(flow, step, state.selection, state.answers)
            return Ask(state=state, prompt=prompt, in_place=True)
        if isinstance(answer, Back):
            return _go_back(turn)
        if isinstance(answer, Skip):
            if not step.optional:
                return turn.reask(_(texts.NOT_SKIPPABLE))
            return turn.move_on(None, _(texts.BUTTON_SKIP))
    return HANDLERS[step.kind](turn)


def _restart(flow: Flow, answers: Answers) -> Ask:
    """Start again from the first step, keeping the context the steps read (their options)."""
    read = {key for s in flow.steps for key in (s.options_from, s.items_from) if key is not None}
    return start(flow, {key: value for key, value in answers.items() if key in read})


def _selection_at(step: Step, answers: Answers) -> tuple[str, ...]:
    """The picks a multi-choice step shows when it is asked again."""
    return tuple(answers.get(step.id) or ()) if step.kind is AnswerKind.MULTI_CHOICE else ()


def _without_last_item(done: object) -> dict[str, Any]:
    remaining = dict(done) if isinstance(done, Mapping) else {}
    if remaining:
        remaining.pop(next(reversed(remaining)))
    return remaining


def _move_on(
    flow: Flow, state: FlowState, step: Step, value: Any, now: datetime, accepted: str | None
) -> Outcome:
    if repeats(step):
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
        answers[following.id] = fresh_record(now)
    selection = _selection_at(following, answers)
    new_state = FlowState(flow.id, following.id, answers, selection, (*state.history, step.id))
    prompt = render_step(flow, following, selection, answers, now)
    return Ask(state=new_state, prompt=prompt, accepted=accepted)


def _go_back(turn: Turn) -> Ask:
    flow, state, step = turn.flow, turn.state, turn.step
    done = dict(state.answers.get(step.id) or {}) if repeats(step) else {}
    if done:  # back to the previous item of the same question
        answers = {**state.answers, step.id: _without_last_item(done)}
        same = FlowState(flow.id, step.id, answers, (), state.history)
        return Ask(state=same, prompt=render_step(flow, step, (), answers))
    if not state.history:
        return turn.reask(_(texts.NOTHING_TO_GO_BACK_TO))
    previous = flow.step(state.history[-1])
    if previous is None:
        return _restart(flow, state.answers)
    if previous.kind is AnswerKind.TIMER:  # time cannot be wound back
        return turn.reask(_(texts.TIMER_CANNOT_GO_BACK))
    answers = {k: v for k, v in state.answers.items() if k != step.id}
    if repeats(previous):  # re-ask its last item
        answers[previous.id] = _without_last_item(answers.get(previous.id))
    selection = _selection_at(previous, answers)
    back_state = FlowState(flow.id, previous.id, answers, selection, state.history[:-1])
    return Ask(state=back_state, prompt=render_step(flow, previous, selection, answers))


# --- one handler per answer kind ----------------------------------------------------------------


def _on_scale(turn: Turn) -> Outcome:
    answer, step = turn.answer, turn.step
    raw = answer.value if isinstance(answer, Pick) else answer.text if isinstance(answer, Text) else None
    if raw is None:
        return turn.reask(_(texts.USE_LATEST_BUTTONS))
    match = _NUMBER.match(raw)
    if match is None:
        return turn.reask(_(texts.SCALE_NOT_A_NUMBER).format(low=step.low, high=step.high))
    value = int(match.group(1))
    if not step.low <= value <= step.high:
        return turn.reask(_(texts.SCALE_OUT_OF_RANGE).format(low=step.low, high=step.high))
    return turn.move_on(value, str(value))


def _option_for_text(options: tuple[Option, ...], raw: str) -> Option | None:
    return next((o for o in options if _named_in_any_language(o.label, raw)), None)


def _on_choice(turn: Turn) -> Outcome:
    options = step_options(turn.step, turn.state.answers)
    option: Option | None = None
    own_words = turn.step.own_words is not None
    if isinstance(turn.answer, Pick):
        if own_words and turn.answer.value == CUSTOM_PREFIX:  # "Another step": they name it
            return turn.reask(texts.OWN_WORDS)
        option = next((o for o in options if o.id == turn.answer.value), None)
    elif isinstance(turn.answer, Text):
        option = _option_for_text(options, turn.answer.text)
        if option is None and own_words:
            return _own_words(turn, turn.answer.text.strip())
    if option is None:
        return turn.reask(_(texts.CHOICE_NOT_MATCHED))
    return turn.move_on(option.id, _(option.label))


def _own_words(turn: Turn, written: str) -> Outcome:
    """The client's own answer at a choice step, kept marked as theirs."""
    if not written:
        return turn.reask(texts.TEXT_EMPTY)
    if len(written) > OWN_WORDS_MAX_LENGTH:
        return turn.reask(texts.TEXT_TOO_LONG.format(limit=OWN_WORDS_MAX_LENGTH))
    return turn.move_on(CUSTOM_PREFIX + written, written)


def _on_multi_choice(turn: Turn) -> Outcome:
    answer = turn.answer
    if isinstance(answer, Text):
        return _typed_items(turn, answer.text)
    if isinstance(answer, Toggle):
        return _toggle(turn, answer.option_id)
    if isinstance(answer, Done):
        return _confirm(turn, turn.state.selection)
    return turn.reask(_(texts.MULTI_CHOICE_HINT))


def _confirm(turn: Turn, selection: tuple[str, ...]) -> Outcome:
    """Done: the picks are the answer (none: skipped, where the step may be skipped)."""
    if not selection:
        if turn.step.optional:
            return turn.move_on(None, _(texts.BUTTON_SKIP))
        return turn.reask(_(texts.MULTI_CHOICE_EMPTY))
    labels = ", ".join(item_label(turn.flow, turn.step.id, i) for i in selection)
    return turn.move_on(list(selection), labels)


def _ordered(step: Step, picked: set[str], customs: tuple[str, ...]) -> tuple[str, ...]:
    """Picks in the order of the options, then the client's own words in the order typed."""
    return tuple(o.id for o in step.options if o.id in picked) + tuple(
        i for i in customs if i.startswith(CUSTOM_PREFIX) and i in picked
    )


def _toggle(turn: Turn, option_id: str) -> Ask:
    state, step = turn.state, turn.step
    custom = option_id.startswith(CUSTOM_PREFIX) and option_id in state.selection
    if step.option(option_id) is None and not custom:
        return turn.reask(_(texts.USE_LATEST_BUTTONS))
    selection = _ordered(step, set(state.selection) ^ {option_id}, state.selection)
    toggled = replace(state, selection=selection)
    prompt = render_step(turn.flow, step, selection, state.answers)
    return Ask(state=toggled, prompt=prompt, in_place=True)


def _named(label: str, typed: str) -> bool:
    return label.casefold() == typed.removeprefix(texts.SELECTED_MARK).strip().casefold()


def _named_in_any_language(label: str, typed: str) -> bool:
    """Done's and Skip's names as any language says them (people mix languages)."""
    return any(_named(said, typed) for said in every_language(label))


def _typed_items(turn: Turn, typed: str) -> Outcome:
    """Words typed at a multi-choice step (comma-separated): an option's name ticks it; Done's
    and Skip's names do what those buttons do; other words join the picks as the client's own
    where the step allows it. A number is a mistyped button, never a feeling."""
    state, step = turn.state, turn.step
    selection = list(state.selection)
    finish: Done | Skip | None = None
    for word in (w.strip() for w in typed.replace("\n", ",").split(",")):
        if not word or _NUMBER.match(word):
            continue
        if _named_in_any_language(texts.BUTTON_DONE, word) or _named_in_any_language(texts.BUTTON_SKIP, word):
            finish = Done() if _named_in_any_language(texts.BUTTON_DONE, word) else Skip()
            continue
        known = next((o for o in step.options if _named_in_any_language(o.label, word)), None)
        if known is None and not step.allow_custom:
            continue
        item = known.id if known else CUSTOM_PREFIX + word[:CUSTOM_MAX_LENGTH]
        customs = sum(1 for i in selection if i.startswith(CUSTOM_PREFIX))
        if item not in selection and (known or customs < CUSTOM_MAX_ITEMS):
            selection.append(item)
    ordered = _ordered(step, set(selection), tuple(selection))
    if isinstance(finish, Skip):
        return (
            turn.move_on(None, _(texts.BUTTON_SKIP)) if step.optional else turn.reask(_(texts.NOT_SKIPPABLE))
        )
    if ordered != state.selection:
        turn = replace(turn, state=replace(state, selection=ordered))
    if isinstance(finish, Done):
        return _confirm(turn, ordered)
    if ordered == state.selection:
        return turn.reask(_(texts.MULTI_CHOICE_HINT))
    return Ask(state=turn.state, prompt=render_step(turn.flow, step, ordered, state.answers))


def _on_text(turn: Turn) -> Outcome:
    step = turn.step
    if not isinstance(turn.answer, Text):
        return turn.reask(_(texts.TEXT_EXPECTED))
    written = turn.answer.text.strip()
    if not written:
        return turn.reask(_(texts.TEXT_EMPTY))
    if len(written) > step.max_length:
        return turn.reask(_(texts.TEXT_TOO_LONG).format(limit=step.max_length))
    if step.parse is None:
        return turn.move_on(written, None)
    try:
        value = step.parse(written)
    except ValueError as reason:
        return turn.reask(str(reason))
    return turn.move_on(value, None)


def _on_timer(turn: Turn) -> Outcome:
    """A timed step: the clock moves its live message on; check-ins are noted; Stop (or /skip)
    ends it early, and that is recorded, never judged."""
    step, now = turn.step, turn.now
    plan = plan_of(step, turn.state.answers)
    if isinstance(turn.answer, Text):  # a check-in's or Stop's name, typed
        turn = replace(turn, answer=_timer_pick(step, plan.stop_label, turn.answer.text) or turn.answer)
    answer = turn.answer
    running = running_record(step, turn.state.answers)
    if not isinstance(running.get("started_at"), str):  # (a stored state from before it started)
        running = fresh_record(now)
        turn = replace(turn, state=replace(turn.state, answers={**turn.state.answers, step.id: running}))
    elapsed = elapsed_seconds(running, now, plan)
    check_ins = [dict(c) for c in running.get("check_ins") or () if isinstance(c, Mapping)]
    ended = elapsed >= plan.seconds
    stopping = isinstance(answer, Skip) or (isinstance(answer, Pick) and answer.value == STOP)
    if (ended and isinstance(answer, Tick | Skip | Pick)) or stopping:
        record = {
            "started_at": running["started_at"],
            "planned_seconds": plan.seconds,
            "seconds": int(elapsed),
            "stopped_early": not ended,
            "check_ins": check_ins,
        }
        return turn.move_on(record, ending(plan, record))
    if isinstance(answer, Pick) and step.option(answer.value) is not None:
        frame = plan.frame_at(elapsed)
        if frame.check_in_since is not None and not check_in_answered(frame, running):
            check_ins.append({"at": int(elapsed), "answer": answer.value})
            answers = {**turn.state.answers, step.id: {**running, "check_ins": check_ins}}
            turn = replace(turn, state=replace(turn.state, answers=answers))
        return _as_it_is(turn)  # an old check-in button: nothing to note
    if isinstance(answer, Tick):
        return _as_it_is(turn)
    return turn.reask(_(texts.TIMER_RUNNING), now)


def _timer_pick(step: Step, stop_label: str, typed: str) -> Pick | None:
    if _named_in_any_language(stop_label, typed):
        return Pick(STOP)
    return next((Pick(o.id) for o in step.options if _named_in_any_language(o.label, typed)), None)


def _as_it_is(turn: Turn) -> Ask:
    prompt = render_step(turn.flow, turn.step, (), turn.state.answers, turn.now)
    return Ask(state=turn.state, prompt=prompt, in_place=True)


HANDLERS: dict[AnswerKind, Handler] = {
    AnswerKind.SCALE: _on_scale,
    AnswerKind.CHOICE: _on_choice,
    AnswerKind.MULTI_CHOICE: _on_multi_choice,
    AnswerKind.TEXT: _on_text,
    AnswerKind.TIMER: _on_timer,
}
"""One handler per answer kind: each takes the turn and returns what comes next."""
