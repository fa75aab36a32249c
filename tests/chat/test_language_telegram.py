"""/language end to end: the real Application over HTTP to the fake Bot API, a real SQLite file.

A client whose Telegram is set to German is stored as reading German from their first contact;
/language offers each installed language by its own name; the choice is kept, and consent given
in one language is asked again in another. The command menu is published per language.
"""

from __future__ import annotations

import pytest

from bot.chat import texts
from bot.core.i18n import reading
from bot.practice.admission import consent_version
from bot.transports.telegram.texts import PRIVACY_NOTE
from storage import Database
from tests.support.fake_bot_api import FakeBotApi
from tests.support.journeys import invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # the client's first contact is what is tested


async def test_a_german_telegram_client_reads_german_and_can_choose_english(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 3100, "Ana")
    code = await invite(therapist, "Sam")
    api.user(3101, first_name="Sam", language_code="de-AT")
    client = await join(bot, api, 3101, code, "Sam")
    with reading("de"):
        german_consent = consent_version(PRIVACY_NOTE)
    assert await rows(database, "people", "language", "consent_version", external_user_id="3101") == [
        ("de", german_consent)
    ]
    assert german_consent.startswith("de-") and german_consent != consent_version(PRIVACY_NOTE)

    await client.send("/language")
    (question,) = await client.expect(1)
    assert question.text == "In welcher Sprache soll ich dir schreiben?"
    assert question.labels() == ["English", "Deutsch"]
    await client.press("English")
    done = await client.expect_text("I'll write in English")
    assert done.text == texts.LANGUAGE_SET
    assert await rows(database, "people", "language", external_user_id="3101") == [("en",)]

    await client.send("/help")  # agreed in German: the English consent text is asked for first
    (consent,) = await client.expect(1)
    assert consent.labels() == [texts.BUTTON_AGREE, texts.BUTTON_NOT_NOW]


async def test_a_forged_language_button_changes_nothing(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 3200, "Ana")
    client = await join(bot, api, 3201, await invite(therapist, "Sam"), "Sam")
    await client.send("/language")
    (question,) = await client.expect(1)
    for forged in ("lang:fr", "lang:DE", "lang:", "lang:../../etc"):
        query = await client.press_data(forged, message_id=question.message_id)
        assert (await client.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    assert await rows(database, "people", "language", external_user_id="3201") == [("en",)]


async def test_the_command_menu_is_described_in_each_language(api: FakeBotApi, bot: RunningBot) -> None:
    await api.wait_until(lambda: bool(api.commands_for(language_code="de")))
    german = {c["command"]: c["description"] for c in api.commands_for(language_code="de")}
    english = {c["command"]: c["description"] for c in api.commands_for(language_code="en")}
    assert german.keys() == english.keys() == {c["command"] for c in api.commands}
    assert german["language"] == "Deine Sprache" and english["language"] == "Your language"
