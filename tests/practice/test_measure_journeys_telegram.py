"""The built-in PHQ-9 and GAD-7 (flows/definitions, not test-shaped stand-ins) from assignment to
digest, end to end through the real Application and the fake Bot API, timed by the clock: a
PHQ-9 asked the day before a session with item 9 answered "More than half the days", and a
GAD-7 series whose trend, baseline, change and chart reach the digest."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from bot.chat import texts
from bot.practice import texts as ptexts
from bot.safety import texts as alerts
from flows import Flow
from flows.registry import BUILT_IN
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import ask, digest_now, therapist_and_client
from tests.support.measures import PHQ9_ITEM_9
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

PHQ9: Flow = BUILT_IN.by_id("phq9")  # type: ignore[assignment]
GAD7: Flow = BUILT_IN.by_id("gad7")  # type: ignore[assignment]
RESOURCES = {
    "emergency": "your local emergency number (112 in Europe, 911 in North America)",
    "line": "988 Suicide & Crisis Lifeline (US), 116 123 Samaritans (UK & Ireland)",
    "text_line": "text HOME to 741741 (US) or SHOUT to 85258 (UK)",
}
CRISIS = texts.CRISIS.format(**RESOURCES, told=texts.CRISIS_TOLD_THERAPIST)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def digests(therapist: FakeUser) -> list[str]:
    return [m.text or "" for m in therapist.messages() if (m.text or "").startswith("Pre-session digest")]


async def press_through(client: FakeUser, flow: Flow, labels: list[str]) -> None:
    """Press one answer per question, checking each next question is the flow's next step."""
    for number, label in enumerate(labels[:-1], start=1):
        await client.press(label)
        (question,) = await client.expect(1)
        assert question.text == tapped(flow.steps[number].prompt)
    await client.press(labels[-1])


async def test_a_phq9_before_a_session_with_item_9_flags_sam_until_ack(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 2100)
    await therapist.send("/assign Sam phq9 18:00 before-session")
    assigned, warning = await therapist.expect(2)
    assert (assigned.text or "").startswith("Assigned to Sam: PHQ-9, 18:00 (the day before each session")
    assert warning.text == ptexts.CRISIS_PLACEHOLDERS.format(title="PHQ-9", alias="Sam")
    assert (await ask(therapist, "/session Sam 2026-03-05 10:00")).startswith("Session #")  # Thursday

    # the prompt: Wednesday at 18:00, not a minute before
    bot.clock.now = utc(2026, 3, 4, 17, 59)
    await bot.tick()
    told = [m.text or "" for m in client.unread()]  # the plan and the session, told to Sam
    assert told[0].startswith("Ana has set up a practice with you: PHQ-9")
    assert texts.PROMPT.format(title="PHQ-9") not in told
    client.mark_read()
    bot.clock.advance(minutes=1)
    await bot.tick()
    (prompt,) = await client.expect(1)
    assert prompt.text == texts.PROMPT.format(title="PHQ-9")

    await client.press(texts.BUTTON_START, message_id=prompt.message_id)
    intro, first = await client.expect(2)
    assert PHQ9.intro is not None and PHQ9.attribution is not None
    assert PHQ9.intro in (intro.text or "") and PHQ9.attribution in (intro.text or "")
    assert first.text == tapped(PHQ9.steps[0].prompt)
    items_1_to_8 = ["More than half the days"] * 4 + ["Several days"] * 4  # 8 + 4
    await press_through(client, PHQ9, [*items_1_to_8, "More than half the days"])  # item 9: 2
    (crisis,) = await client.expect(1)  # the crisis resources, before the next question
    assert crisis.text == CRISIS
    assert crisis.labels() == [texts.BUTTON_SAFE_CONTINUE, texts.BUTTON_SAFE_SET_ASIDE, texts.BUTTON_NOT_SAFE]
    assert await rows(database, "risk_events", "where", "category", "text") == [
        ("phq9.item9", "item_alert", "More than half the days")
    ]

    therapist.mark_read()
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").startswith("⚑ Item alert, please follow up today — Sam answered PHQ-9, item 9")
    assert "Several days" not in (alert.text or "")  # none of the client's other answers

    await client.press(texts.BUTTON_SAFE_CONTINUE, message_id=crisis.message_id)
    thanks, difficulty = await client.expect(2)
    assert thanks.text == texts.SAFE_THANKS
    assert difficulty.text == f"{texts.CARRY_ON}\n\n{tapped(PHQ9.steps[-1].prompt)}"
    await client.press("Somewhat difficult")
    (done,) = await client.expect(1)
    assert (done.text or "").startswith("Thank you for answering")
    ((entry_id, status, version, answers),) = await rows(
        database, "entries", "id", "status", "flow_version", "answers", flow_id="phq9"
    )
    assert (status, version, answers["item9"], answers["difficulty"]) == (
        "completed",
        "1",
        "more_than_half",
        "somewhat",
    )
    assert await rows(database, "due_prompts", "local_day", "entry_id") == [(date(2026, 3, 4), entry_id)]

    # the digest two hours before the session: the flag first, then the score and its band
    bot.clock.now = utc(2026, 3, 5, 7, 59)
    await bot.tick()
    assert digests(therapist) == []
    bot.clock.advance(minutes=1)
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest: Sam")
    body = digest.text or ""
    assert body.startswith(f"⚠ HIGH-RISK FLAG — Sam: item alert in {PHQ9_ITEM_9}, Wed 4 Mar 18:00.")
    assert "\nPHQ-9\nLatest: 14 (moderate), Wed 4 Mar 2026\nBaseline: this is the first score.\n" in body
    assert "· Wed 4 Mar 18:00 — PHQ-9 total 14 (moderate)\n" in body
    assert f"⚑ Item alert: {PHQ9_ITEM_9} answered “More than half the days” · Wed 4 Mar 18:00" in body

    assert await ask(therapist, "/ack Sam") == alerts.ACK_DONE.format(alias="Sam", since="Wed 4 Mar 18:00")
    assert "HIGH-RISK" not in await ask(therapist, "/clients")
    later = await digest_now(bot, therapist)
    assert "HIGH-RISK" not in later and "PHQ-9\nLatest: 14 (moderate)" in later


async def gad7_entry(bot: RunningBot, client: FakeUser, labels: list[str]) -> None:
    client.mark_read()
    await client.send("/gad7")
    intro, first = await client.expect(2)
    assert (
        GAD7.attribution is not None
        and GAD7.attribution in (intro.text or "")
        and first.text == tapped(GAD7.steps[0].prompt)
    )
    await press_through(client, GAD7, [*labels, "Somewhat difficult"])
    (done,) = await client.expect(1)
    assert (done.text or "").startswith("Thank you for answering")


async def test_a_gad7_series_shows_latest_previous_baseline_change_response_and_chart(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 2200)
    series = (
        ["Nearly every day"] * 5 + ["More than half the days"] * 2,  # 19: severe, the baseline
        ["More than half the days"] * 6 + ["Several days"],  # 13: moderate
        ["Several days"] * 7,  # 7: mild
    )
    for weekly in series:
        await gad7_entry(bot, client, weekly)
        bot.clock.advance(days=7, hours=1)
    started = [
        at for (at,) in await rows(database, "entries", "started_at", flow_id="gad7", status="completed")
    ]
    assert len(started) == 3 and all((b - a).days >= 7 for a, b in pairwise(started))

    text = await digest_now(bot, therapist)
    assert "GAD-7\nLatest: 7 (mild), " in text
    assert "Previous: 13 (moderate), " in text
    assert "Baseline (first score): 19 (severe), " in text
    assert "Change from baseline: −12 (−63%) — response" in text
    chart = await therapist.expect_text("GAD-7 total over time, since the first score — Sam")
    assert chart.kind == "photo" and (chart.content or b"").startswith(b"\x89PNG")
