"""A measure's entries as FHIR R4 resources: validated against the ``fhir.resources`` models
(its R4B package: QuestionnaireResponse and Observation are as in R4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from flows.fhir import ScoredEntry, fhir_bundle
from tests.support.measures import CHECK_IN, GAD7, GAD7_ITEMS, PHQ9, answers_totalling

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
AT = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)


def _resources(bundle: dict[str, object]) -> list[dict[str, object]]:
    return [entry["resource"] for entry in bundle["entry"]]  # type: ignore[index,attr-defined]


def test_a_scored_phq9_is_a_questionnaire_response_and_a_loinc_coded_total() -> None:
    entry = ScoredEntry(12, PHQ9, answers_totalling(8, difficulty="somewhat"), AT)
    bundle = fhir_bundle([entry], 41, NOW)
    assert bundle is not None
    Bundle.model_validate(bundle)  # the whole Bundle, each resource in it
    response, total = _resources(bundle)
    QuestionnaireResponse.model_validate(response)
    observation = Observation.model_validate(total)
    assert observation.status == "final"
    assert [(c.system, c.code) for c in observation.code.coding] == [("http://loinc.org", "44261-6")]
    assert observation.valueInteger == 8
    assert observation.effectiveDateTime == AT
    assert observation.subject.identifier.value == "41" and observation.subject.display is None
    assert observation.interpretation[0].text == "mild"
    assert observation.derivedFrom[0].reference == bundle["entry"][0]["fullUrl"]  # type: ignore[index]
    assert [item["linkId"] for item in response["item"]] == [*(f"q{n}" for n in range(1, 10)), "difficulty"]  # type: ignore[index]
    first = response["item"][0]["answer"][0]["valueCoding"]  # type: ignore[index]
    assert (first["code"], first["display"]) == ("3", "Nearly every day")
    assert response["status"] == "completed" and response["authored"] == AT.isoformat()


def test_only_scored_loinc_coded_entries_are_exported_each_under_a_stable_id() -> None:
    half = ScoredEntry(13, PHQ9, {"q1": "2"}, AT + timedelta(days=7))
    gad = ScoredEntry(14, GAD7, answers_totalling(11, GAD7_ITEMS), AT)
    unscored_flow = ScoredEntry(15, CHECK_IN, {"energy": 4}, AT)
    bundle = fhir_bundle([half, gad, unscored_flow], 41, NOW)
    assert bundle is not None
    Bundle.model_validate(bundle)
    (_, total) = _resources(bundle)
    assert total["code"]["coding"][0]["code"] == "70274-6" and total["valueInteger"] == 11  # type: ignore[index]
    assert fhir_bundle([half, unscored_flow], 41, NOW) is None
    assert json.dumps(fhir_bundle([gad], 41, NOW)) == json.dumps(fhir_bundle([gad], 41, NOW))
    assert fhir_bundle([gad], 42, NOW)["entry"][0]["fullUrl"] != bundle["entry"][0]["fullUrl"]  # type: ignore[index]


def test_a_choice_answered_in_the_clients_own_words_is_a_string() -> None:
    from flows.model import AnswerKind, Flow, Option, Step
    from flows.scoring import ScoredItem, Scoring

    flow = Flow(
        id="practice_measure",
        title="practice measure",
        command="pm",
        description="a practice's own measure",
        steps=(
            Step(
                "where", "Where?", AnswerKind.CHOICE, options=(Option("home", "Home"),), own_words="Elsewhere"
            ),
            Step("level", "How much?", AnswerKind.SCALE, low=0, high=10),
        ),
        summarize=lambda answers: "",
        scoring=Scoring("level", (ScoredItem("level"),), loinc="1234-5"),
    )
    bundle = fhir_bundle([ScoredEntry(1, flow, {"where": "~the bus", "level": 4}, AT)], 41, NOW)
    assert bundle is not None
    Bundle.model_validate(bundle)
    response = QuestionnaireResponse.model_validate(_resources(bundle)[0])
    assert response.item is not None and response.item[0].answer is not None
    assert response.item[0].answer[0].valueString == "the bus"
