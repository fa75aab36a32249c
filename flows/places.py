"""Where something was written, in words a therapist reads: a homework type and its step, or a
place in the chat ("thought record (hot thought)", "photo caption"); and what kind of risk
language it was. Safety's alerts and the digest's flags say it the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from bot.core.i18n import N_, _
from flows.model import Flow
from flows.registry import BUILT_IN, FLOWS, SIDE_FLOWS

PLACES: Final = {
    "note": N_("note"),
    "message": N_("message"),
    "caption": N_("photo caption"),
    "edit": N_("edited message"),
    "command": N_("command"),
}


RISK_CATEGORIES: Final = {
    "intent_or_plan": N_("intent or plan"),
    "suicidal_thoughts": N_("suicidal thoughts"),
    "self_harm": N_("self-harm"),
    "harmed_by_others": N_("harmed by others"),
    "harm_to_others": N_("harm to others"),
    "goodbye": N_("goodbye"),
    "hopelessness": N_("hopelessness"),
}
"""The risk phrase list's categories, as safety's alert and the digest's flag name them."""

STEPS: Final = {
    "situation": N_("situation"),
    "hot_thought": N_("hot thought"),
    "evidence_for": N_("evidence for"),
    "evidence_against": N_("evidence against"),
    "balanced_thought": N_("balanced thought"),
    "emotions": N_("feelings"),
    "feelings": N_("feelings"),
    "note": N_("note"),
    "urge": N_("urge"),
    "obstacles": N_("what got in the way"),
    "other": N_("other reason"),
    "mood": N_("mood"),
    "emotion_intensity": N_("emotion intensity"),
    "belief_before": N_("belief before"),
    "traps": N_("thinking traps"),
    "belief_balanced": N_("belief in the balanced thought"),
    "emotion_rerate": N_("feelings afterwards"),
    "intensity_before": N_("urge before"),
    "intensity_after": N_("urge after"),
    "minutes": N_("minutes"),
    "surf": N_("surfing the urge"),
    "breathe": N_("breathing"),
    "acted": N_("acted on the urge"),
    "pattern": N_("breathing pattern"),
    "calm_before": N_("calm before"),
    "calm_after": N_("calm after"),
    "rating": N_("rating"),
    "reason": N_("reason"),
}
"""The steps of the built-in homework written in Python, as a place or a column names them (a
homework file's steps are named by its own labels; any other step by its id, in words)."""


def flow_title(flow_id: str, flows: Iterable[Flow] = (*FLOWS, *SIDE_FLOWS)) -> str:
    """What a homework type is called ("mood check"), also for one retired since, in the
    language being read."""
    flow = next((f for f in flows if f.id == flow_id), None)
    return _(flow.title) if flow is not None else flow_id.replace("_", " ")


def describe_where(where: str | None) -> str:
    """'thought_record.hot_thought' → 'thought record (hot thought)'; 'note' → 'note'."""
    head, *rest = re.split(r"[./:]", where or "", maxsplit=1)
    place = (_(PLACES[head]) if head in PLACES else flow_title(head)) if head else _(PLACES["message"])
    detail = step_name(head, rest[0]) if rest else ""
    return f"{place} ({detail})" if detail else place


def step_name(flow_id: str, step_id: str) -> str:
    """A step as a therapist or a client reads its name ("hot thought", a measure's item by its
    label: "9 better off dead or self-harm"), in the language being read."""
    installed = next((i for i in BUILT_IN.installed if i.flow.id == flow_id), None)
    label = installed.definition.labels.get(step_id) if installed is not None else None
    known = label if label is not None else STEPS.get(step_id)
    return _(known) if known is not None else step_id.replace("_", " ").strip()


def describe_category(category: str) -> str:
    """'suicidal_thoughts' → 'suicidal thoughts', in the language being read."""
    known = RISK_CATEGORIES.get(category)
    return _(known) if known is not None else category.replace("_", " ")
