"""What a client is shown: a step rendered as text and buttons, whatever the transport.

:func:`render_step` picks one renderer per answer kind from :data:`RENDERERS`; each returns the
text and the rows of buttons of its kind, and the optional Skip is added for every kind alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from bot.core.i18n import _
from flows import texts
from flows.answers import Choice, Done, Pick, Rows, Skip, Toggle, chunk, encode_answer
from flows.model import (
    CUSTOM_PREFIX,
    AnswerKind,
    Answers,
    Flow,
    FlowState,
    Step,
    current_item,
    item_label,
    listed_label,
    step_options,
)
from flows.timer import render_timer


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question as shown: text and buttons, independent of any transport."""

    flow_id: str
    step_id: str
    text: str
    kind: AnswerKind
    rows: Rows = ()
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


@dataclass(frozen=True, slots=True)
class Shown:
    """What a renderer is given: the step, its text so far, and the conversation around it."""

    step: Step
    text: str
    selection: tuple[str, ...]
    answers: Answers
    now: datetime | None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A renderer's result: the text, its rows of buttons, and buttons for the last row
    (Done; render_step adds Skip beside it)."""

    text: str
    rows: Rows
    last_row: tuple[Choice, ...] = ()


Renderer: TypeAlias = Callable[[Shown], Rendered]


def _render_scale(shown: Shown) -> Rendered:
    step = shown.step
    values = [
        Choice(str(v), encode_answer(Pick(str(v)))) for v in range(step.low, step.high + 1, step.scale_step)
    ]
    return Rendered(shown.text, chunk(values, 6 if len(values) <= 12 else 7))


def _render_choice(shown: Shown) -> Rendered:
    step = shown.step
    options = step_options(step, shown.answers)
    buttons = [Choice(_(o.label), encode_answer(Pick(o.id))) for o in options]
    if step.own_words is None:
        return Rendered(shown.text, chunk(buttons, step.columns))
    if not options:  # nothing to pick from: they name it
        return Rendered(f"{shown.text}\n{_(texts.OWN_WORDS)}", ())
    own = Choice(_(step.own_words), encode_answer(Pick(CUSTOM_PREFIX)))
    return Rendered(shown.text, (*chunk(buttons, step.columns), (own,)))


def _render_multi_choice(shown: Shown) -> Rendered:
    step, selection = shown.step, shown.selection
    marked = [
        Choice((texts.SELECTED_MARK if o.id in selection else "") + _(o.label), encode_answer(Toggle(o.id)))
        for o in step.options
    ]
    marked += [
        Choice(texts.SELECTED_MARK + item[len(CUSTOM_PREFIX) :], encode_answer(Toggle(item)))
        for item in selection
        if item.startswith(CUSTOM_PREFIX)
    ]
    return Rendered(
        shown.text, chunk(marked, step.columns), (Choice(_(texts.BUTTON_DONE), encode_answer(Done())),)
    )


def _render_text(shown: Shown) -> Rendered:
    return Rendered(shown.text, ())


def _render_timer(shown: Shown) -> Rendered:
    text, rows = render_timer(shown.step, shown.answers, shown.now)
    return Rendered(text, rows)


RENDERERS: dict[AnswerKind, Renderer] = {
    AnswerKind.SCALE: _render_scale,
    AnswerKind.CHOICE: _render_choice,
    AnswerKind.MULTI_CHOICE: _render_multi_choice,
    AnswerKind.TEXT: _render_text,
    AnswerKind.TIMER: _render_timer,
}
"""One renderer per answer kind."""


def render_step(
    flow: Flow,
    step: Step,
    selection: tuple[str, ...] = (),
    answers: Answers | None = None,
    now: datetime | None = None,
) -> Prompt:
    """Build the transport-neutral prompt for a step (with current multi-choice picks; a timed
    step as its live message shows it at ``now``), in the language being read: the step's
    prompt and every label are translated here, for every flow."""
    text = _(step.prompt) if step.prompt else ""
    if step.per_item is not None:
        item = current_item(step, answers or {})
        text = text.format(item=item_label(flow, step.per_item, item).lower() if item else "")
    elif step.items_from is not None:
        item = current_item(step, answers or {})
        text = text.format(item=listed_label(step, answers or {}, item) if item else "")
    shown = RENDERERS[step.kind](Shown(step, text, selection, answers or {}, now))
    last_row = (
        (*shown.last_row, Choice(_(texts.BUTTON_SKIP), encode_answer(Skip())))
        if step.optional
        else shown.last_row
    )
    rows = (*shown.rows, last_row) if last_row else shown.rows
    return Prompt(flow.id, step.id, shown.text, step.kind, rows, step.optional, step.low, step.high)
