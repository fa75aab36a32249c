"""Answers as a person reads them: option names instead of ids, the client's own words without
the mark that sets them apart (``~``), a timer as how long it ran. For the client's export: the
JSON keeps its shape with readable values, the CSV has one column per question."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.i18n import N_, _
from flows.model import (
    CUSTOM_PREFIX,
    AnswerKind,
    Answers,
    Flow,
    Step,
    item_label,
    listed_label,
    step_options,
)
from flows.timer import clock_text

STOPPED_EARLY = N_("{seconds} of {planned} (stopped early)")
RAN = "{seconds}"
PER_ITEM = "{item} {value}"
JOINED = ", "


def _plain(value: Any) -> Any:
    """The client's own words without their mark, anywhere in a value."""
    if isinstance(value, str):
        return value.removeprefix(CUSTOM_PREFIX)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    return value


def readable_answer(flow: Flow, step: Step | None, value: Any, answers: Answers) -> Any:
    """One stored answer, readable, keeping its shape (a list stays a list)."""
    if step is None or value is None:
        return _plain(value)
    if step.kind is AnswerKind.MULTI_CHOICE and isinstance(value, list):
        return [item_label(flow, step.id, str(item)) for item in value]
    if step.per_item is not None and isinstance(value, Mapping):
        return {item_label(flow, step.per_item, str(k)): v for k, v in value.items()}
    if step.items_from is not None and isinstance(value, Mapping):
        return {listed_label(step, answers, str(k)): v for k, v in value.items()}
    if step.kind is AnswerKind.CHOICE:
        option = next((o for o in step_options(step, answers) if o.id == value), None)
        return _(option.label) if option else _plain(value)
    return _plain(value)


def readable_answers(flow: Flow | None, answers: Answers) -> dict[str, Any]:
    """Every answer of an entry, readable; keys stay step ids (what the CSV's columns name)."""
    if flow is None:
        return {key: _plain(value) for key, value in answers.items()}
    return {key: readable_answer(flow, flow.step(key), value, answers) for key, value in answers.items()}


def answer_text(flow: Flow | None, step_id: str, answers: Answers) -> str:
    """One answer as a spreadsheet cell ("" when not answered)."""
    step = flow.step(step_id) if flow is not None else None
    value = answers.get(step_id)
    if value is None:
        return ""
    if step is not None and step.kind is AnswerKind.TIMER and isinstance(value, Mapping):
        return _timer_text(value)
    shown = readable_answer(flow, step, value, answers) if flow is not None else _plain(value)
    if isinstance(shown, list):
        return JOINED.join(str(item) for item in shown)
    if isinstance(shown, Mapping):
        return JOINED.join(PER_ITEM.format(item=k, value=v) for k, v in shown.items())
    return str(shown)


def _timer_text(record: Mapping[str, Any]) -> str:
    seconds = clock_text(float(record.get("seconds") or 0))
    if record.get("stopped_early"):
        planned = clock_text(float(record.get("planned_seconds") or 0))
        return _(STOPPED_EARLY).format(seconds=seconds, planned=planned)
    return RAN.format(seconds=seconds)
