"""The built-in PHQ-9 and GAD-7 (flows/definitions, not test-shaped stand-ins) item by item and in
the export, through the real Application and the fake Bot API: ``/digest Sam phq9`` names each
item by its published words, and ``/export``'s FHIR file holds a QuestionnaireResponse and a
LOINC-coded Observation of the total per measure (PHQ-9 total 44261-6, GAD-7 total 70274-6),
validated with the ``fhir.resources`` R4 models."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.chat import texts
from flows import Flow
from flows.registry import BUILT_IN
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer, ask, therapist_and_client
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

PHQ9: Flow = BUILT_IN.by_id("phq9")  # type: ignore[assignment]
GAD7: Flow = BUILT_IN.by_id("gad7")  # type: ignore[assignment]
ITEM_9 = "9. Thoughts that you would be better off dead or of hurting yourself in some way"
"""As the built-in definition has it (the 1999 form; pinned by tests/flows/test_measures.py)."""


async def measure(client: FakeUser, command: str, *labels: str) -> None:
    client.mark_read()
    await client.send(f"/{command}")
    await client.expect(2)  # the intro with the attribution, the first item
    await answer(client, *(f"press:{label}" for label in labels))


async def test_item_by_item_names_the_built_in_phq9s_items_by_their_words(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 3000)
    nineteen = ("Nearly every day",) * 5 + ("More than half the days",) * 2 + ("Not at all",) * 2
    await measure(client, "phq9", *nineteen, "Very difficult")
    bot.clock.advance(days=7)
    await measure(client, "phq9", *("Several days",) * 8, "Not at all", "Somewhat difficult")  # 8
    bot.clock.advance(days=7)
    await measure(client, "phq9", "Several days", "Nearly every day")  # set aside half way
    await client.send("/cancel")
    await client.expect(1)
    assert [s for (s,) in await rows(database, "entries", "status", flow_id="phq9")] == [
        "completed",
        "completed",
        "cancelled",
    ]

    table = (await ask(therapist, "/digest Sam phq9")).splitlines()
    assert table[0].startswith("PHQ-9 item by item — Sam, ")
    assert table[1].count(" · ") == 2  # three entries
    assert (
        table[2]
        == "Answers: 0 = Not at all, 1 = Several days, 2 = More than half the days, 3 = Nearly every day"
    )
    assert table[3] == "1. Little interest or pleasure in doing things: 3 · 1 · 1"
    assert table[4] == "2. Feeling down, depressed, or hopeless: 3 · 1 · 3"
    assert table[11].startswith("9. Thoughts that you would be better off dead") and table[11].endswith(
        ": 0 · 0 · –"
    )
    assert table[12].startswith("10. If you checked off any problems") and table[12].endswith(
        ": Very difficult · Somewhat difficult · –"
    )
    assert table[13] == "PHQ-9 total: 19 (moderately severe) · 8 (mild) · unscored — 7 items unanswered"
    assert len(table) == 14


async def test_the_export_carries_phq9_and_gad7_as_fhir_with_their_loinc_totals(
    api: FakeBotApi, bot: RunningBot
) -> None:
    _therapist, client = await therapist_and_client(bot, api, 3100)
    await measure(client, "phq9", *("More than half the days",) * 8, "Not at all", "Very difficult")  # 16
    bot.clock.advance(days=7)
    await measure(
        client, "gad7", *("Several days",) * 4, *("More than half the days",) * 3, "Somewhat difficult"
    )
    bot.clock.advance(days=7)
    await measure(client, "gad7", "Several days")  # left after one item: never a score
    await client.send("/cancel")
    await client.expect(1)

    client.mark_read()
    await client.send("/export")
    ready, data_file, _table, fhir_note, fhir_file = await client.expect(5)
    assert ready.text == texts.EXPORT_READY and fhir_note.text == texts.EXPORT_FHIR
    data = json.loads((data_file.content or b"").decode("utf-8"))
    scored = [(m["score"], m["band"]) for m in data["scored_measures"]]
    assert scored == [(16, "moderately severe"), (10, "moderate"), (None, None)]

    bundle = Bundle.model_validate_json(fhir_file.content or b"")
    resources = [entry.resource for entry in bundle.entry or ()]
    assert [type(r).__name__ for r in resources] == [
        "QuestionnaireResponse",
        "Observation",
        "QuestionnaireResponse",
        "Observation",
    ]
    phq9_response, phq9_total, gad7_response, gad7_total = resources
    for response, total, flow, loinc, value in (
        (phq9_response, phq9_total, PHQ9, "44261-6", 16),
        (gad7_response, gad7_total, GAD7, "70274-6", 10),
    ):
        assert isinstance(response, QuestionnaireResponse) and isinstance(total, Observation)
        assert [(c.system, c.code) for c in total.code.coding] == [("http://loinc.org", loinc)]
        assert total.code.text == f"{flow.title} total" and total.valueInteger == value
        assert total.status == "final" and total.derivedFrom is not None
        assert response.status == "completed" and response.questionnaire is not None
        assert response.questionnaire.endswith(f"{flow.id}|{flow.version}")
        linked = [item.linkId for item in response.item or ()]
        assert linked == [s.id for s in flow.steps]  # every item, then the difficulty question
        first = (response.item or [])[0]
        assert first.text == flow.steps[0].prompt  # the published wording, as asked
    ninth = (phq9_response.item or [])[8]
    assert (ninth.text or "").endswith(ITEM_9)
    assert ninth.answer[0].valueCoding.display == "Not at all"  # type: ignore[index,union-attr]
    assert phq9_total.interpretation[0].text == "moderately severe"  # type: ignore[index]
    assert "Samantha" not in (fhir_file.content or b"").decode("utf-8")  # never a name
