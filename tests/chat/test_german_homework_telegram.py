"""A German client does the data-defined homework in German, through the real Application and the
fake Bot API (issue #15, part 4): /help lists each homework's German description, then the PHQ-9
and the GAD-7 in their published German versions, an activity log and an exposure practice, and
/history. Everything the bot sent to their chat, their own words taken out, holds no run of three
English words from the catalogue or from the homework files, and no English button label.
"""

from __future__ import annotations

import pytest

from flows.registry import BUILT_IN
from tests.support.english_left import english_labels, english_sentences, german, unmarked_english
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.german import english_homework_sentences, received
from tests.support.journeys import answer, invite, join, register
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # they join by invitation: their language is stored then

CLIENT = 9201
THERAPIST = 9200
OWN_WORDS = (
    "Mit dem Hund spazieren gegangen",  # the activity
    "An der Kasse im Supermarkt anstehen",  # the step of their ladder, named by them
    "Es war leichter als gedacht",  # what they learned
)
DESCRIPTIONS = {
    "phq9": "der PHQ-9-Fragebogen (wie die letzten zwei Wochen waren)",
    "gad7": "der GAD-7-Fragebogen (Sorgen und Angst in den letzten zwei Wochen)",
    "activity": "notiere etwas, das du gemacht hast, und wie es war",
    "exposure": "halte eine Expositionsübung Schritt für Schritt fest",
}


async def german_client(bot: RunningBot, api: FakeBotApi) -> FakeUser:
    therapist = await register(bot, api, THERAPIST, "Ana")
    code = await invite(therapist, "Sam")
    api.user(CLIENT, first_name="Sam", language_code="de")
    return await join(bot, api, CLIENT, code, "Sam")


async def questionnaires(client: FakeUser) -> None:
    """The PHQ-9 (item 9 "not at all") and the GAD-7, answered by their German buttons."""
    await client.send("/phq9")
    await client.expect_text("1. Wenig Interesse oder Freude an Ihren Tätigkeiten")
    await answer(client, *(["press:An einzelnen Tagen"] * 8), "press:Überhaupt nicht")
    assert client.last_message().text.startswith(
        "Wenn eines oder mehrere dieser Probleme bei Ihnen vorliegen"
    )
    await answer(client, "press:Etwas erschwert")
    assert "Danke fürs Ausfüllen." in (client.last_message().text or "")

    await client.send("/gad7")
    await client.expect_text("1. Nervosität, Ängstlichkeit oder Anspannung")
    await answer(client, *(["press:An mehr als der Hälfte der Tage"] * 7), "press:Relativ stark erschwert")
    assert "Danke fürs Ausfüllen." in (client.last_message().text or "")


async def logs(client: FakeUser) -> None:
    """An activity log and an exposure practice, answered in German (typed and pressed)."""
    await client.send("/activity")
    await client.expect_text("Was hast du gemacht? Ein paar Worte reichen.")
    await answer(client, OWN_WORDS[0], "press:Gerade eben", "press:6", "press:7")
    assert client.last_message().text.startswith("Wenn du dich erinnerst: Wie war deine Stimmung kurz davor?")
    await answer(client, f"press:{german('Skip')}")
    assert "Danke – es steht in deinem Tagebuch." in (client.last_message().text or "")

    await client.send("/exposure")
    await client.expect_text("Welche Stufe deiner Leiter hast du geübt?")
    await answer(client, OWN_WORDS[1], "press:70", "press:90", "press:40", "press:30", "toggle:Ablenkung")
    await answer(client, f"press:{german('Done')}", OWN_WORDS[2])
    assert "Belastung 70 → 90 → 40." in (client.last_message().text or "")


async def test_a_german_client_does_the_data_defined_homework_in_german(
    api: FakeBotApi, bot: RunningBot
) -> None:
    client = await german_client(bot, api)
    client.mark_read()
    await client.send("/help")
    help_text = (await client.expect(1))[0].text or ""
    for command, description in DESCRIPTIONS.items():
        assert f"/{command} — {description}" in help_text
    assert "questionnaire" not in help_text and "how it went" not in help_text

    await questionnaires(client)
    await logs(client)
    await client.send("/history")
    journal = (await client.expect_text("Dein Tagebuch (Neuestes zuerst")).text or ""
    for line in (
        "Wert 8 von 27",
        "Wert 14 von 21",
        "Erfolgsgefühl 6/10 · Freude 7/10",
        "Belastung 70 → 90 → 40",
    ):
        assert line in journal

    said, labels = received(api, CLIENT)
    assert len(said) > 30 and len(labels) > 30  # (the journey reached the chat)
    sentences = english_sentences() | english_homework_sentences()
    assert "1. Little interest or pleasure in doing things" in sentences  # (it can fail)
    left = {s for text in said for s in sentences if s in _without_own_words(text)}
    assert left == set(), left
    assert unmarked_english(said, OWN_WORDS) == set()  # English that was never marked
    english = english_labels() | {
        str(o.label) for i in BUILT_IN.installed for s in i.flow.steps for o in s.options
    }
    assert {label.removeprefix("✓ ") for label in labels} & english == set()


def _without_own_words(text: str) -> str:
    for words in OWN_WORDS:
        text = text.replace(words, " ")
    return text
