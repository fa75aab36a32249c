"""A scored entry as FHIR R4 resources, so a practice can import a client's measures into an EHR.

Each entry of a measure whose ``Scoring`` has a LOINC code becomes a ``QuestionnaireResponse``
(every answer, in step order) and an ``Observation`` of the total score under that code
(``valueInteger``, ``effectiveDateTime``, status final), gathered in a ``collection`` Bundle.
The subject is the client's local identifier, never a name. Plain dicts, pure and stdlib-only:
the export serialises them; the tests validate them against the ``fhir.resources`` models.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flows.model import CUSTOM_PREFIX, AnswerKind, Answers, Flow, Step, step_options
from flows.scoring import Score, score

LOINC: Final = "http://loinc.org"
SURVEY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
CLIENT_SYSTEM: Final = "urn:between:client"
"""Whose entries these are: the client's number in this Between, not a name."""
QUESTIONNAIRE: Final = "urn:between:questionnaire:{flow_id}|{version}"
ANSWER_SYSTEM: Final = "urn:between:answers:{flow_id}"
_NAMESPACE: Final = uuid.UUID("6f1c2a52-0b7e-4c1e-9a57-3c8d1b2e4f60")


@dataclass(frozen=True, slots=True)
class ScoredEntry:
    """One finished entry of a scored homework type, as the export reads it."""

    entry_id: int
    flow: Flow
    answers: Answers
    at: datetime
    """When it was finished (aware)."""
    version: str | None = None
    """The definition's version it was answered under, if stored (else the flow's)."""


def entry_score(entry: ScoredEntry) -> Score | None:
    scoring = entry.flow.scoring
    return score(scoring, entry.flow, entry.answers) if scoring is not None else None


def fhir_bundle(entries: Sequence[ScoredEntry], client_id: int, now: datetime) -> dict[str, Any] | None:
    """A Bundle with a QuestionnaireResponse and an Observation per entry that has a LOINC-coded
    score and is scored (a half-done one is not); None when there is none."""
    resources: list[dict[str, Any]] = []
    for entry in entries:
        found = entry_score(entry)
        scoring = entry.flow.scoring
        if found is None or found.value is None or scoring is None or scoring.loinc is None:
            continue
        response_url = _url(client_id, entry.entry_id, "response")
        resources.append({"fullUrl": response_url, "resource": questionnaire_response(entry, client_id)})
        observation = total_observation(entry, found, scoring.loinc, client_id, response_url)
        resources.append({"fullUrl": _url(client_id, entry.entry_id, "total"), "resource": observation})
    if not resources:
        return None
    return {"resourceType": "Bundle", "type": "collection", "timestamp": now.isoformat(), "entry": resources}


def _url(client_id: int, entry_id: int, part: str) -> str:
    """A stable ``urn:uuid`` for one resource: the same entry exports under the same id."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{client_id}/{entry_id}/{part}')}"


def subject(client_id: int) -> dict[str, Any]:
    return {"identifier": {"system": CLIENT_SYSTEM, "value": str(client_id)}}


def questionnaire_response(entry: ScoredEntry, client_id: int) -> dict[str, Any]:
    flow = entry.flow
    items = []
    for step in flow.steps:
        answers = _answers(flow, step, entry.answers)
        if answers:
            items.append({"linkId": step.id, "text": step.prompt, "answer": answers})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE.format(flow_id=flow.id, version=entry.version or flow.version),
        "status": "completed",
        "subject": subject(client_id),
        "authored": entry.at.isoformat(),
        "item": items,
    }


def total_observation(
    entry: ScoredEntry, found: Score, loinc: str, client_id: int, response_url: str
) -> dict[str, Any]:
    value = found.value
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": found.label}], "text": found.label},
        "subject": subject(client_id),
        "effectiveDateTime": entry.at.isoformat(),
        "derivedFrom": [{"reference": response_url}],
    }
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        observation["valueInteger"] = int(value)
    else:
        observation["valueQuantity"] = {"value": value}
    if found.band:
        observation["interpretation"] = [{"text": found.band}]
    return observation


def _answers(flow: Flow, step: Step, answers: Answers) -> list[dict[str, Any]]:
    """One step's answer as FHIR answer values (none when unanswered or not representable)."""
    value = answers.get(step.id)
    if value is None or step.per_item is not None or step.kind is AnswerKind.TIMER:
        return []
    system = ANSWER_SYSTEM.format(flow_id=flow.id)
    if step.kind is AnswerKind.SCALE and isinstance(value, int) and not isinstance(value, bool):
        return [{"valueInteger": value}]
    if step.kind is AnswerKind.CHOICE and isinstance(value, str):
        option = next((o for o in step_options(step, answers) if o.id == value), None)
        if option is None and value.startswith(CUSTOM_PREFIX):  # the client's own words
            return [{"valueString": value.removeprefix(CUSTOM_PREFIX)}]
        return [{"valueCoding": _coding(system, value, option.label if option else value)}]
    if step.kind is AnswerKind.MULTI_CHOICE and isinstance(value, list):
        return [_picked(system, step, str(item)) for item in value]
    if step.kind is AnswerKind.TEXT and isinstance(value, str) and value.strip():
        return [{"valueString": value}]
    return []


def _picked(system: str, step: Step, item: str) -> dict[str, Any]:
    if item.startswith(CUSTOM_PREFIX):
        return {"valueString": item.removeprefix(CUSTOM_PREFIX)}
    option = step.option(item)
    return {"valueCoding": _coding(system, item, option.label if option else item)}


def _coding(system: str, code: str, display: str) -> Mapping[str, str]:
    return {"system": system, "code": code, "display": display}
