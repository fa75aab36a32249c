"""How an item alert is worded for the therapist: which measure and item, the answer's own label,
and an urgency that grows with the answer. Pure: the flow's data in, words out; never the
client's other answers."""

from __future__ import annotations

import re
from typing import Any, Final

from bot.core.i18n import _
from bot.safety import texts
from flows import AnswerKind, Flow, Step
from flows.model import answer_value

ITEM_ALERT: Final = "item_alert"
"""The risk event's category, and the flag's reason, for an item alert."""
ITEM_NUMBERING: Final = re.compile(r"^\s*\d+[.)]\s*")
ITEM_WORDS: Final = 160
"""An item's wording is cut to this many characters in the alert."""


def answer_label(step: Step, answer: Any) -> str:
    """The answer as the client saw it: a choice's label ("More than half the days"), a number."""
    if step.kind is AnswerKind.CHOICE and isinstance(answer, str):
        option = step.option(answer)
        return option.label if option is not None else answer
    return str(answer)


def item_number(flow: Flow, step: Step) -> int:
    """The item's number as the measure counts them: its place among the scored items (PHQ-9's
    ninth), else among the flow's steps."""
    scored = [item.step_id for item in flow.scoring.items] if flow.scoring is not None else []
    order = scored if step.id in scored else [s.id for s in flow.steps]
    return order.index(step.id) + 1


def urgency(step: Step, answer: Any) -> str:
    """Follow up soon at the lowest answer the alert fires on, as soon as you can at the highest,
    today in between."""
    value = answer_value(step, answer)
    low = step.alert.at_least if step.alert is not None else 0
    values = [o.value for o in step.options if o.value is not None] if step.options else [step.high]
    high = max(values, default=low)
    soon, today, at_once = texts.ITEM_URGENCY
    if value is not None and value >= high:
        return _(at_once)
    return _(soon) if value is None or value <= low else _(today)


def item_alert_text(alias: str, flow: Flow, step: Step, answer: Any, *, when: str, zone: str) -> str:
    """The therapist's alert: measure, item and this answer only. The item's own words are its
    question's last paragraph (a measure shows its stem above each item), without its number."""
    wording = " ".join(ITEM_NUMBERING.sub("", step.prompt.split("\n\n")[-1]).split())
    if len(wording) > ITEM_WORDS:
        wording = wording[: ITEM_WORDS - 1].rstrip() + "…"
    return _(texts.ITEM_ALERT).format(
        urgency=urgency(step, answer),
        alias=alias,
        measure=_(flow.title),
        number=item_number(flow, step),
        item=wording,
        answer=answer_label(step, answer),
        when=when,
        zone=zone,
    )
