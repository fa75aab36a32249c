"""Risk language, end to end: the crisis message at once, the flow paused with nothing lost, the
therapist alerted without the words, the event in the digest, and "are you safe?" asked again."""

from __future__ import annotations

import pytest

from bot.chat import texts
from bot.practice.admission import consent_version
from bot.safety import texts as alerts
from bot.transports.telegram.texts import PRIVACY_NOTE
from flows.thought_record import EMOTIONS, SITUATION
from storage import Database
from tests.support.fake_bot_api import FakeBotApi
from tests.support.journeys import RISKY, therapist_and_client
from tests.support.rows import change, count, rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

CATEGORY = "suicidal_thoughts"
WORDS = "kill myself"


def crisis_text(told: bool) -> str:
    defaults = {
        "emergency": "your local emergency number (112 in Europe, 911 in North America)",
        "line": "988 Suicide & Crisis Lifeline (US), 116 123 Samaritans (UK & Ireland)",
        "text_line": "text HOME to 741741 (US) or SHOUT to 85258 (UK)",
    }
    return texts.CRISIS.format(**defaults, told=texts.CRISIS_TOLD_THERAPIST if told else "")


async def test_risk_in_an_answer_pauses_the_flow_and_alerts_the_therapist(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1000)
    await client.send("/thought")
    await client.expect_text(SITUATION)
    await client.send(RISKY)
    (crisis,) = await client.expect(1)  # the crisis message, and not the next question
    assert crisis.text == crisis_text(told=True)
    assert crisis.labels() == [texts.BUTTON_SAFE, texts.BUTTON_NOT_SAFE]
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").startswith(
        "⚑ Risk language — Sam, Mon 2 Mar 09:00 (UTC), in thought record (situation)"
    )
    assert WORDS not in (alert.text or "") and "Samantha" not in (alert.text or "")
    assert await rows(database, "risk_events", "where", "category", "answer") == [
        ("thought_record.situation", CATEGORY, None)
    ]
    conversations = await rows(database, "conversations", "paused_at", "step_id")
    assert [(paused is not None, step) for paused, step in conversations] == [(True, "emotions")]

    await client.send("sorry, ignore that")  # while paused, words do not move the flow on
    assert (await client.expect(1))[0].text == texts.PAUSED
    await client.send("/help")
    await client.expect_text(texts.PAUSED)
    await client.press(texts.BUTTON_SAFE, message_id=crisis.message_id)
    thanks, question = await client.expect(2)
    assert thanks.text == texts.SAFE_THANKS
    assert question.text == f"{texts.CARRY_ON}\n\n{tapped(EMOTIONS)}"  # on from where they were
    assert await rows(database, "risk_events", "answer") == [("safe",)]

    # one tap does not close it: they are asked once more, three hours later
    bot.clock.advance(minutes=179)
    await bot.tick()
    assert not [m for m in client.unread() if m.text == texts.FOLLOW_UP]
    bot.clock.advance(minutes=1)
    await bot.tick()
    await client.expect_text(texts.FOLLOW_UP)
    await client.press(texts.BUTTON_FOLLOW_UP_SAFE)
    await client.expect_text(texts.FOLLOW_UP_SAFE)
    await bot.tick()
    assert await rows(database, "risk_events", "follow_up_answer", "follow_up_at") == [("safe", None)]

    # the digest flags it: where and what kind, not the words
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest: Sam")
    assert "Risk language recognised (suicidal thoughts): thought record (situation)" in (digest.text or "")
    assert "when asked: safe → safe" in (digest.text or "")  # their two answers, in order


async def test_not_safe_shows_the_resources_again_and_tells_the_therapist(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1010)
    await client.send("I don't want to be alive anymore")
    await client.expect(1)
    await client.press(texts.BUTTON_NOT_SAFE)
    (again,) = await client.expect(1)
    assert (again.text or "").startswith("Thank you for telling me — that takes courage.")
    assert "988" in (again.text or "") and texts.NOT_SAFE_TOLD_THERAPIST.strip() in (again.text or "")
    assert again.labels() == [texts.BUTTON_SAFE_NOW]
    await bot.tick()
    _, not_safe = await therapist.expect(2)
    assert (not_safe.text or "") == alerts.NOT_SAFE_ALERT.format(
        alias="Sam", when="Mon 2 Mar 09:00", zone="UTC"
    )
    assert await rows(database, "risk_events", "where", "answer") == [("message", "not_safe")]
    query = await client.press_data(f"rk:{99}:s", message_id=again.message_id)  # not theirs
    assert (await client.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED


@pytest.mark.parametrize("way", ["edit", "caption", "note"])
async def test_edits_captions_and_notes_are_read_too(
    api: FakeBotApi, bot: RunningBot, database: Database, way: str
) -> None:
    _, client = await therapist_and_client(bot, api, 1020)
    if way == "edit":
        message_id = await client.send("/mood")
        await client.expect(2)
        await client.edit(message_id, RISKY)
    elif way == "caption":
        await client.send_photo(caption=RISKY)
    else:
        await client.send(f"/note {RISKY}")
    crisis = await client.expect_text("Thank you for telling me.")
    assert crisis.labels() == [texts.BUTTON_SAFE, texts.BUTTON_NOT_SAFE]
    assert await rows(database, "risk_events", "where") == [(way,)]
    if way == "note":  # the note is still kept for the session
        assert await count(database, "client_notes") == 1


async def test_everyday_hyperbole_is_not_a_crisis(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await therapist_and_client(bot, api, 1030)
    await client.send("/mood")
    await client.expect(2)
    await client.press("5")
    await client.expect(1)
    await client.press("Done")
    await client.expect(1)
    await client.send("this homework is killing me, I'm dead tired")
    (next_question,) = await client.expect(1)
    assert "Thank you for telling me." not in (next_question.text or "")
    assert await count(database, "risk_events") == 0


async def test_a_stranger_in_crisis_gets_the_resources_and_nothing_is_kept(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    stranger = api.user(1040)
    await stranger.send(RISKY)
    (reply,) = await stranger.expect(1)
    assert reply.text == crisis_text(told=False)
    await stranger.send("hello?")
    assert (await stranger.expect(1))[0].text == texts.STRANGER
    await stranger.send("anyone?")  # one pointer is enough
    assert await count(database, "people") == 0
    assert await count(database, "risk_events") == 0


async def test_the_practice_can_include_the_words_in_alerts(
    api: FakeBotApi, bot: RunningBot, settings_for: object
) -> None:
    await bot.stop()
    bot.settings = bot.settings.model_copy(update={"risk_alert_includes_text": True})
    await bot.start()
    therapist, client = await therapist_and_client(bot, api, 1050)
    await client.send(RISKY)
    await client.expect(1)
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").endswith(f"Their words: “{RISKY}”")


async def test_a_client_whose_consent_is_out_of_date_is_asked_again(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await therapist_and_client(bot, api, 1060)
    await change(database, "people", {"external_user_id": "1061"}, consent_version="old")
    await client.send("/mood")
    (consent,) = await client.expect(1)
    assert consent.labels() == [texts.BUTTON_AGREE, texts.BUTTON_NOT_NOW]
    await client.press(texts.BUTTON_AGREE)
    await client.expect_text(texts.CONSENT_THANKS)
    agreed = await rows(database, "people", "consent_version", external_user_id="1061")
    assert agreed == [(consent_version(PRIVACY_NOTE),)]

    await client.send("/mood")
    assert len(await client.expect(2)) == 2
