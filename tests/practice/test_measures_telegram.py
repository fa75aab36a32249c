"""Scored measures through the real bot and the fake Bot API: a client answers a PHQ-9-shaped
questionnaire (one done, one left half way), the therapist's digest shows score, band and
baseline, and ``/digest Sam phq9`` shows each item across the entries; other names get a kind
reply."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.chat import texts
from bot.practice import texts as ptexts
from bot.runtime.settings import Settings
from flows.registry import FLOWS
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer, ask, therapist_and_client
from tests.support.measures import GAD7, PHQ9
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

WEEK = timedelta(days=7)


@pytest.fixture(params=[False])
async def measures_bot(
    api: FakeBotApi, settings_for: Callable[..., Settings], clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[RunningBot]:
    """The real bot with PHQ-9- and GAD-7-shaped measures; charts only where a test asks."""
    charts = bool(request.param)
    running = RunningBot(settings_for(api, digest_charts=charts), clock, flows=(*FLOWS, PHQ9, GAD7))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _phq9(client: FakeUser, *labels: str) -> None:
    client.mark_read()
    await client.send("/phq9")
    await client.expect(1)
    await answer(client, *(f"press:{label}" for label in labels))


async def test_a_phq9_item_by_item_and_in_the_digest(api: FakeBotApi, measures_bot: RunningBot) -> None:
    bot = measures_bot
    therapist, client = await therapist_and_client(bot, api, 900)
    nine = ("Nearly every day",) * 5 + ("More than half the days",) * 2 + ("Not at all",) * 2
    await _phq9(client, *nine, "Very difficult")  # 19: moderately severe, the baseline
    bot.clock.advance(days=7)
    await _phq9(client, *("Several days",) * 9, "Somewhat difficult")  # 9: mild
    bot.clock.advance(days=7)
    await _phq9(client, "Several days", "Nearly every day")  # left half way
    await client.send("/cancel")
    await client.expect(1)

    table = (await ask(therapist, "/digest Sam phq9")).splitlines()
    assert table[0].startswith("PHQ-9 item by item — Sam, ")
    assert table[1].count(" · ") == 2  # three entries
    assert table[3] == "1. PHQ-9 item 1: 3 · 1 · 1"
    assert table[4] == "2. PHQ-9 item 2: 3 · 1 · 3"
    assert table[11] == "9. PHQ-9 item 9: 0 · 1 · –"
    assert table[12].endswith(": Very difficult · Somewhat difficult · –")
    assert table[13] == "PHQ-9: 19 (moderately severe) · 9 (mild) · unscored — 7 items unanswered"

    assert await ask(therapist, "/digest Sam PHQ-9") == "\n".join(table)  # any spelling of its name
    unknown = await ask(therapist, "/digest Sam phq8")
    assert unknown == ptexts.UNKNOWN_MEASURE.format(
        name="phq8", measures="phq9, gad7", alias="Sam", example="phq9"
    )
    none_yet = await ask(therapist, "/digest Sam gad7")
    assert none_yet == ptexts.NO_MEASURE_ENTRIES.format(alias="Sam", title="GAD-7")
    assert "No client" in await ask(therapist, "/digest Kim phq9") or "Kim" in await ask(
        therapist, "/digest Kim phq9"
    )

    therapist.mark_read()
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest: Sam")
    text = digest.text or ""
    assert "PHQ-9\nLatest: 9 (mild)" in text
    assert "Previous, the baseline (first score): 19 (moderately severe)" in text
    assert "Change from baseline: −10 (−53%) — response" in text
    assert "PHQ-9: unscored — 7 items unanswered" in text


async def test_export_carries_the_measures_scores_and_a_fhir_file(
    api: FakeBotApi, measures_bot: RunningBot
) -> None:
    bot = measures_bot
    _, client = await therapist_and_client(bot, api, 950)
    await _phq9(client, *("More than half the days",) * 9, "Very difficult")  # 18
    bot.clock.advance(days=7)
    await _phq9(client, "Several days")  # left after one item
    await client.send("/cancel")
    await client.expect(1)

    client.mark_read()
    await client.send("/export")
    ready, data_file, _table, fhir_note, fhir_file = await client.expect(5)
    assert ready.text == texts.EXPORT_READY and fhir_note.text == texts.EXPORT_FHIR
    data = json.loads((data_file.content or b"").decode("utf-8"))
    scored = [(m["score"], m["band"], len(m["unanswered_items"])) for m in data["scored_measures"]]
    assert scored == [(18, "moderately severe", 0), (None, None, 8)]
    assert (fhir_file.filename or "").startswith("between-measures-fhir-")
    bundle = Bundle.model_validate_json(fhir_file.content or b"")
    response, total = (entry.resource for entry in bundle.entry or ())
    assert isinstance(total, Observation) and isinstance(response, QuestionnaireResponse)
    assert total.valueInteger == 18 and total.code.coding[0].code == "44261-6"
    assert "Samantha" not in (fhir_file.content or b"").decode("utf-8")  # no name, their Telegram one least


@pytest.mark.parametrize("measures_bot", [True], indirect=True)
async def test_a_gad7_series_comes_with_its_trend_baseline_change_and_chart(
    api: FakeBotApi, measures_bot: RunningBot
) -> None:
    bot = measures_bot
    therapist, client = await therapist_and_client(bot, api, 980)
    for weekly in (("Nearly every day",) * 5 + ("Several days",) * 2, ("Several days",) * 7):  # 17, 7
        client.mark_read()
        await client.send("/gad7")
        await client.expect(1)
        await answer(client, *(f"press:{label}" for label in weekly[:-1]))
        await client.press(weekly[-1])
        await client.expect(1)
        bot.clock.advance(days=7)

    therapist.mark_read()
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    text = (await therapist.expect_text("Pre-session digest: Sam")).text or ""
    assert "GAD-7\nLatest: 7 (mild)" in text
    assert "Previous, the baseline (first score): 17 (severe)" in text
    assert "Change from baseline: −10 (−59%) — response" in text
    chart = await therapist.expect_text("GAD-7 over time, since the first score — Sam")
    assert chart.kind == "photo" and (chart.content or b"").startswith(b"\x89PNG")


async def test_item_by_item_goes_where_digests_go(api: FakeBotApi, measures_bot: RunningBot) -> None:
    bot = measures_bot
    therapist, client = await therapist_and_client(bot, api, 990)
    await _phq9(client, *("Several days",) * 9, "Somewhat difficult")
    await therapist.send("/digestchat")
    _, line = await therapist.expect(2)
    channel = api.channel(-100990, "Ana's digests")
    await channel.post(line.text or "")
    await bot.tick()
    await channel.expect(1)
    await therapist.expect_text(ptexts.DIGEST_CHAT_LINKED_PRIVATE.format(title="Ana's digests"))

    sent = await ask(therapist, "/digest Sam phq9")
    assert sent == ptexts.MEASURE_ITEMS_SENT.format(alias="Sam", title="PHQ-9", chat="Ana's digests")
    await bot.tick()
    (table,) = await channel.expect(1)
    assert (table.text or "").startswith("PHQ-9 item by item — Sam")
    assert "PHQ-9: 9 (mild)" in (table.text or "")
