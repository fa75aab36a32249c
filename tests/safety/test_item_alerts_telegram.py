"""PHQ-9 item 9 (an item alert), end to end through the real Application and the fake Bot API:
the crisis resources at once, before the next question; the therapist alerted with the measure,
the item and an urgency worded by the answer, without the other answers; the high-risk flag first
in the digest and in /clients until /ack; an answer changed with /back keeps the alert sent."""

from __future__ import annotations

import pytest

from bot.chat import texts
from bot.safety import texts as alerts
from storage import Database
from tests.support.alerting_measure import DIFFICULTY, ITEM_9, ITEMS, PHQ9
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import therapist_and_client
from tests.support.measures import PHQ9_ITEM_9
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

pytestmark = pytest.mark.strangers

RESOURCES = {
    "emergency": "your local emergency number (112 in Europe, 911 in North America)",
    "line": "988 Suicide & Crisis Lifeline (US), 116 123 Samaritans (UK & Ireland)",
    "text_line": "text HOME to 741741 (US) or SHOUT to 85258 (UK)",
}
CRISIS = texts.CRISIS.format(**RESOURCES, told=texts.CRISIS_TOLD_THERAPIST)
QUESTIONNAIRE_BUTTONS = [texts.BUTTON_SAFE_CONTINUE, texts.BUTTON_SAFE_SET_ASIDE, texts.BUTTON_NOT_SAFE]


async def answer_items_1_to_8(client: FakeUser, label: str = "Not at all") -> None:
    await client.send("/phq9")
    intro, first = await client.expect(2)
    assert intro.text == PHQ9.intro and PHQ9.attribution in (intro.text or "")
    assert first.text == tapped(ITEMS[0])
    for wording in ITEMS[1:]:
        await client.press(label)
        (question,) = await client.expect(1)
        assert question.text == tapped(wording)


async def test_item_9_brings_the_crisis_message_at_once_and_flags_the_client(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1300)
    await answer_items_1_to_8(client)
    await client.press("More than half the days")
    (crisis,) = await client.expect(1)  # the crisis message, and not the next question
    assert crisis.text == CRISIS
    assert crisis.labels() == QUESTIONNAIRE_BUTTONS
    assert await rows(database, "risk_events", "where", "category", "text") == [
        ("phq9.item9", "item_alert", "More than half the days")
    ]
    ((paused, step),) = await rows(database, "conversations", "paused_at", "step_id")
    assert (paused is not None, step) == (True, "difficulty")

    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert alert.text == alerts.ITEM_ALERT.format(
        urgency="Item alert, please follow up today",
        alias="Sam",
        measure="PHQ-9",
        number=9,
        item="Thoughts that you would be better off dead or of hurting yourself in some way",
        answer="More than half the days",
        when="Mon 2 Mar 09:00",
        zone="UTC",
    )
    assert "Not at all" not in (alert.text or "") and "Samantha" not in (alert.text or "")

    # carry on: the next question, from where they were
    await client.press(texts.BUTTON_SAFE_CONTINUE, message_id=crisis.message_id)
    thanks, question = await client.expect(2)
    assert thanks.text == texts.SAFE_THANKS
    assert question.text == f"{texts.CARRY_ON}\n\n{tapped(DIFFICULTY)}"

    # /back to item 9 and a changed answer: no new alert, the one sent stays, both are on record
    await client.send("/back")
    (again,) = await client.expect(1)
    assert again.text == tapped(ITEM_9)
    await client.press("Not at all")  # no problem checked now: the difficulty question is not asked
    (done,) = await client.expect(1)
    assert (done.text or "").startswith("Thank you for answering")
    ((answers,),) = await rows(database, "entries", "answers", flow_id="phq9")
    assert answers["item9"] == "not_at_all"
    assert await rows(database, "risk_events", "text") == [("More than half the days",)]

    # the flag: first in /clients and in the digest, until /ack
    await therapist.send("/clients")
    (listing,) = await therapist.expect(1)
    lines = (listing.text or "").splitlines()
    assert lines[0].startswith("⚑ HIGH-RISK FLAG")
    assert lines[1] == f"⚑ Sam — item alert in {PHQ9_ITEM_9}, Mon 2 Mar 09:00"
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest: Sam")
    body = digest.text or ""
    assert body.startswith(f"⚠ HIGH-RISK FLAG — Sam: item alert in {PHQ9_ITEM_9}, Mon 2 Mar 09:00.")
    assert f"⚑ Item alert: {PHQ9_ITEM_9} answered “More than half the days” · Mon 2 Mar 09:00" in body
    assert "when asked: safe" in body

    therapist_id = (await rows(database, "therapists", "person_id"))[0][0]
    bot.clock.advance(minutes=30)
    await therapist.send("/ack Sam")
    (acked,) = await therapist.expect(1)
    assert acked.text == alerts.ACK_DONE.format(alias="Sam", since="Mon 2 Mar 09:00")
    cleared = await rows(database, "audit_log", "actor_id", "action", "at", action="risk_flag_cleared")
    assert [(actor, action) for actor, action, _ in cleared] == [(therapist_id, "risk_flag_cleared")]
    assert cleared[0][2] == bot.clock()
    assert await rows(database, "risk_flags", "cleared_by") == [(therapist_id,)]
    await therapist.send("/ack Sam")
    assert (await therapist.expect(1))[0].text == alerts.ACK_NO_FLAG.format(alias="Sam")
    await therapist.send("/ack Nobody")
    assert (await therapist.expect(1))[0].text == alerts.ACK_NO_CLIENT.format(alias="Nobody")
    await therapist.send("/clients")
    (listing,) = await therapist.expect(1)
    assert "HIGH-RISK" not in (listing.text or "")


async def test_pausing_after_the_alert_keeps_a_draft_to_finish_later(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1310)
    await answer_items_1_to_8(client)
    await client.press("Nearly every day")
    (crisis,) = await client.expect(1)
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").startswith("⚑ URGENT item alert, please follow up as soon as you can — Sam")
    await client.press(texts.BUTTON_SAFE_SET_ASIDE, message_id=crisis.message_id)
    thanks, aside = await client.expect(2)
    assert thanks.text == texts.SAFE_THANKS
    assert aside.text == texts.CANCELLED.format(title="PHQ-9", command="phq9")
    assert await rows(database, "conversations", "step_id") == []
    ((status, draft),) = await rows(database, "entries", "status", "draft", flow_id="phq9")
    assert (status, draft["step_id"]) == ("cancelled", "difficulty")
    # the later "are you safe?" still comes
    bot.clock.advance(minutes=180)
    await bot.tick()
    await client.expect_text(texts.FOLLOW_UP)
    await client.send("/phq9")
    offer = await client.expect_text("PHQ-9")
    assert offer.labels() == [texts.BUTTON_RESUME, texts.BUTTON_START_FRESH]


async def test_several_days_is_worded_follow_up_soon_and_not_at_all_alerts_no_one(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1320)
    await answer_items_1_to_8(client, "Several days")
    await client.press("Not at all")
    (question,) = await client.expect(1)
    assert question.text == tapped(DIFFICULTY)
    assert await rows(database, "risk_events", "id") == []
    await client.send("/back")
    await client.expect(1)
    await client.press("Several days")
    (crisis,) = await client.expect(1)
    assert crisis.text == CRISIS
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").startswith("⚑ Item alert, please follow up soon — Sam answered PHQ-9, item 9")
    assert "“Several days”" in (alert.text or "")
