"""A Step refuses the combinations of fields that mean nothing, when it is written; and each
answer kind has its own renderer and handler, each usable alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from flows import AnswerKind, Finished, Flow, FlowState, Option, Pick, Step, Text, Toggle
from flows import texts as engine_texts
from flows.advance import HANDLERS, Turn
from flows.model import step_problem
from flows.prompt import RENDERERS, Shown
from flows.registry import FLOWS, SIDE_FLOWS
from flows.timer import TimerFrame, TimerPlan
from tests.support.outcomes import ask

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAIR = (Option("a", "A"), Option("b", "B"))


def _plan(answers: Any) -> TimerPlan:
    return TimerPlan(60, (TimerFrame(0, "…"),), "", "", "done", "stopped {elapsed}", "Stop")


ILLEGAL: dict[str, tuple[Callable[[], Step], str]] = {
    "options_from on a text step": (
        lambda: Step("s", "?", AnswerKind.TEXT, options_from="k"),
        "options_from",
    ),
    "options_from beside fixed options": (
        lambda: Step("s", "?", AnswerKind.CHOICE, options=PAIR, options_from="k"),
        "options_from",
    ),
    "parse on a scale": (lambda: Step("s", "?", AnswerKind.SCALE, parse=int), "parse"),
    "a timer step without a timer": (lambda: Step("s", "", AnswerKind.TIMER), "timer"),
    "a timer on a text step": (lambda: Step("s", "?", AnswerKind.TEXT, timer=_plan), "timer"),
    "options on a scale": (lambda: Step("s", "?", AnswerKind.SCALE, options=PAIR), "options"),
    "options on a text step": (lambda: Step("s", "?", AnswerKind.TEXT, options=PAIR), "options"),
    "a multi-choice without options": (lambda: Step("s", "?", AnswerKind.MULTI_CHOICE), "needs options"),
    "a choice without options": (lambda: Step("s", "?", AnswerKind.CHOICE), "needs options"),
    "allow_custom on a choice": (
        lambda: Step("s", "?", AnswerKind.CHOICE, options=PAIR, allow_custom=True),
        "allow_custom",
    ),
    "a scale upside down": (lambda: Step("s", "?", AnswerKind.SCALE, low=10, high=0), "low < high"),
    "a scale stepping by 0": (lambda: Step("s", "?", AnswerKind.SCALE, scale_step=0), "scale_step"),
    "scale_step on a text step": (lambda: Step("s", "?", AnswerKind.TEXT, scale_step=5), "scale_step"),
    "max_length on a choice": (
        lambda: Step("s", "?", AnswerKind.CHOICE, options=PAIR, max_length=10),
        "max_length",
    ),
    "no columns": (lambda: Step("s", "?", AnswerKind.CHOICE, options=PAIR, columns=0), "columns"),
    "per_item on a multi-choice": (
        lambda: Step("s", "?", AnswerKind.MULTI_CHOICE, options=PAIR, per_item="k"),
        "per_item",
    ),
    "an optional timer": (lambda: Step("s", "", AnswerKind.TIMER, timer=_plan, optional=True), "optional"),
}


@pytest.mark.parametrize("name", list(ILLEGAL))
def test_each_illegal_step_is_refused_when_written(name: str) -> None:
    make, reason = ILLEGAL[name]
    with pytest.raises(ValueError, match=reason):
        make()


def test_per_item_must_name_an_earlier_multi_choice_step() -> None:
    scale = Step("rate", "{item}?", AnswerKind.SCALE, per_item="picks")
    picks = Step("picks", "?", AnswerKind.MULTI_CHOICE, options=PAIR)
    with pytest.raises(ValueError, match="per_item"):
        Flow("f", "f", "f", "f", (scale, picks), str)  # asked before the picks it reads
    text = Step("picks", "?", AnswerKind.TEXT)
    with pytest.raises(ValueError, match="per_item"):
        Flow("f", "f", "f", "f", (text, scale), str)  # not a multi-choice
    assert Flow("f", "f", "f", "f", (picks, scale), str).steps == (picks, scale)


def test_every_declared_step_is_sound() -> None:
    for flow in (*FLOWS, *SIDE_FLOWS):
        assert [step_problem(s) for s in flow.steps] == [None] * len(flow.steps), flow.id


def test_every_answer_kind_has_a_renderer_and_a_handler() -> None:
    assert set(RENDERERS) == set(HANDLERS) == set(AnswerKind)


def test_a_renderer_alone() -> None:
    step = Step("m", "Which?", AnswerKind.MULTI_CHOICE, options=PAIR, columns=1)
    shown = RENDERERS[AnswerKind.MULTI_CHOICE](Shown(step, "Which?", ("b",), {}, None))
    assert [[c.label for c in row] for row in shown.rows] == [["A"], ["✓ B"]]
    assert [c.label for c in shown.last_row] == ["Done"]
    scale = Step("s", "?", AnswerKind.SCALE, low=0, high=100, scale_step=10)
    rows = RENDERERS[AnswerKind.SCALE](Shown(scale, "?", (), {}, None)).rows
    assert [len(row) for row in rows] == [6, 5]


def test_handlers_alone() -> None:
    scale = Step("s", "?", AnswerKind.SCALE, low=1, high=5)
    flow = Flow("f", "f", "f", "f", (scale,), lambda answers: "bye")
    reask = ask(HANDLERS[AnswerKind.SCALE](Turn(flow, FlowState("f", "s"), scale, Text("9"), NOW)))
    assert reask.reason == engine_texts.SCALE_OUT_OF_RANGE.format(low=1, high=5)
    finished = HANDLERS[AnswerKind.SCALE](Turn(flow, FlowState("f", "s"), scale, Pick("4"), NOW))
    assert isinstance(finished, Finished) and finished.summary == "bye" and finished.answers == {"s": 4}

    multi = Step("m", "?", AnswerKind.MULTI_CHOICE, options=PAIR)
    flow = Flow("g", "g", "g", "g", (multi,), str)
    turn = Turn(flow, FlowState("g", "m", selection=("b",)), multi, Toggle("a"), NOW)
    toggled = ask(HANDLERS[AnswerKind.MULTI_CHOICE](turn))
    assert toggled.state.selection == ("a", "b") and toggled.in_place
