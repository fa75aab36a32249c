"""German risk language through the real bot (issue #15): a German crisis phrase in the middle of a
thought record gets the crisis message exactly as an English one does — the very next reply, the
flow paused, the event stored, the therapist alerted, the abuse line when someone hurts them — and a
German hyperbole does not. The crisis message stays in English until the message catalogues exist
(the catalogues are another part of issue #15)."""

from __future__ import annotations

import pytest

from bot.chat import texts
from bot.runtime.settings import Settings
from flows.thought_record import EMOTIONS, SITUATION
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import RISKY, therapist_and_client
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]


def crisis_text(*, harmed: bool) -> str:
    """The crisis message for a client with a therapist, with the default resources (in English)."""
    return (texts.CRISIS_HARMED if harmed else texts.CRISIS).format(
        emergency=DEFAULTS.crisis_emergency,
        line=DEFAULTS.crisis_line,
        text_line=DEFAULTS.crisis_text_line,
        abuse_line=DEFAULTS.crisis_abuse_line,
        told=texts.CRISIS_TOLD_THERAPIST,
    )


async def at_the_situation(bot: RunningBot, api: FakeBotApi, base: int) -> tuple[FakeUser, FakeUser]:
    """Therapist and client, the client in a thought record at its first question."""
    therapist, client = await therapist_and_client(bot, api, base)
    await client.send("/thought")
    await client.expect_text(SITUATION)
    return therapist, client


@pytest.mark.parametrize(
    ("words", "category"),
    [
        (RISKY, "suicidal_thoughts"),  # the English yardstick
        ("ich bring mich heute nacht um", "suicidal_thoughts"),
        ("hab 40 Tabletten gesammelt, die liegen bereit", "intent_or_plan"),
        ("mein Stiefvater schlägt mich, wenn er getrunken hat", "harmed_by_others"),
    ],
    ids=["english", "german", "german-plan", "german-harmed"],
)
async def test_a_crisis_phrase_mid_flow_gets_the_crisis_message_in_either_language(
    api: FakeBotApi, bot: RunningBot, database: Database, words: str, category: str
) -> None:
    therapist, client = await at_the_situation(bot, api, 1500)
    await client.send(words)
    (crisis,) = await client.expect(1)  # at once, and not the next question
    assert crisis.text == crisis_text(harmed=category == "harmed_by_others")
    assert crisis.labels() == [texts.BUTTON_SAFE, texts.BUTTON_NOT_SAFE]
    assert await rows(database, "risk_events", "where", "category") == [
        ("thought_record.situation", category)
    ]
    paused = await rows(database, "conversations", "paused_at", "step_id")
    assert [(when is not None, step) for when, step in paused] == [(True, "emotions")]
    await bot.tick()
    (alert,) = await therapist.expect(1)
    assert (alert.text or "").startswith("⚑ Risk language — Sam")
    assert category.replace("_", " ") in (alert.text or "") and words not in (alert.text or "")


async def test_german_hyperbole_mid_flow_is_an_answer_not_a_crisis(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await at_the_situation(bot, api, 1510)
    await client.send("Die Mathe-Hausaufgaben bringen mich um, ich bin todmüde und sterbe vor Langeweile")
    (question,) = await client.expect(1)
    assert question.text == tapped(EMOTIONS)
    await client.send("ich will die Wäsche noch machen, danach bring mich bitte um 8 zum Bahnhof")
    assert "Thank you for telling me." not in ((await client.expect(1))[0].text or "")
    assert await count(database, "risk_events") == 0
