"""The therapist's side in the therapist's own language (issue #15), through the real Application
and the fake Bot API.

A German-speaking therapist invites a client, agrees homework with a rationale and a ladder,
lists, changes and removes it, books and cancels a session, asks for a measure and writes goals,
and mistypes a few commands: nothing they read holds an English sentence of the catalogue, and
every reply says "Sie". An English therapist assigning homework to a German client reads English
while the client reads German ("du"), plan words and dates included.
"""

from __future__ import annotations

import re

import pytest

from bot.chat import texts
from bot.core.i18n import _, reading
from bot.practice import texts as ptexts
from storage import Database
from tests.support.english_left import english_sentences, german, unmarked_english
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.german import INFORMAL, received
from tests.support.journeys import invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by registration or invitation

THERAPIST, CLIENT = 9300, 9301
OWN_WORDS = (  # what the therapist writes that is theirs (or the client's), not the bot's
    "Foto eines Hundes",
    "ein Hund an der Leine",
    "damit die Angst kleiner wird",
    "Wieder durchschlafen",
    "Meistens durchschlafen",
    "Ana",
    "Sam",
)


async def say(person: FakeUser, words: str, replies: int = 1) -> str:
    """Send ``words``; the replies' texts, joined."""
    await person.send(words)
    return "\n".join(m.text or "" for m in await person.expect(replies))


def without_own_words(text: str) -> str:
    for words in OWN_WORDS:
        text = text.replace(words, " ")
    return text


async def german_therapists_week(bot: RunningBot, api: FakeBotApi) -> tuple[FakeUser, FakeUser]:
    """Everything a therapist does with a client in their first week, in German."""
    therapist = await register(bot, api, THERAPIST, "Ana", language_code="de")
    assert "Befehle für Therapeut:innen:" in await say(therapist, "/help")
    client = await join(bot, api, CLIENT, await invite(therapist, "Sam"), "Sam")
    await bot.tick()
    await therapist.expect_text("Sam hat Ihre Einladung angenommen")

    ladder = '/assign Sam exposure 18:00 daily ladder "Foto eines Hundes; ein Hund an der Leine" '
    assigned = await say(therapist, ladder + '"damit die Angst kleiner wird"')
    assert assigned.startswith(
        "Für Sam eingetragen: Expositionsübung, 18:00 (jeden Tag, Ortszeit UTC), ab heute."
    )
    assert "\nLeiter: 1. Foto eines Hundes 2. ein Hund an der Leine" in assigned
    listed = await say(therapist, "/assignments Sam")
    assert listed.startswith(
        "Übungen von Sam (Zeiten in UTC):\n#1 Expositionsübung: 18:00, jeden Tag, ab Mo., 2. März"
    )
    assert "\n   Warum: damit die Angst kleiner wird" in listed
    changed = await say(therapist, "/assign Sam mood 08:00,20:00 mon-fri from 2026-03-09")  # the change:
    assert "08:00, 20:00 (werktags, Ortszeit UTC), ab Mo., 9. März" in changed
    assert "#1 ist entfernt" in await say(therapist, "/unassign 1")  # the new plan, the old one gone
    assert "Eine Übung #1 gibt es bei Ihnen nicht." in await say(therapist, "/unassign 1")

    session = await say(therapist, "/session Sam 2026-03-10 17:00 weekly")
    assert session.startswith("Sitzung #1 mit Sam: Di., 10. März, 17:00 (UTC), wöchentlich.")
    assert "#1 Sam – Di., 10. März, 17:00, wöchentlich" in await say(therapist, "/sessions")
    too_often = await say(therapist, "/assign Sam phq9 09:00 daily")
    assert too_often.startswith("PHQ-9 fragt nach den letzten zwei Wochen")
    measure = await say(therapist, "/assign Sam phq9 09:00 before-session", 2)  # with the placeholder warning
    assert (
        "(am Tag vor jeder Sitzung, Ortszeit UTC)" in measure
        and "⚠ PHQ-9 kann die Krisennachricht" in measure
    )
    assert "hat „PHQ-9“ seit der letzten Sitzung nicht beantwortet" in await say(
        therapist, "/digest Sam phq9"
    )

    assert "Ziel #1 von Sam ist notiert." in await say(therapist, '/goal Sam add "Wieder durchschlafen"')
    assert "neu formuliert" in await say(therapist, '/goal Sam edit 1 "Meistens durchschlafen"')
    goals = await say(therapist, "/goal Sam")
    assert goals.startswith(
        "Ziele von Sam:\n#1 „Meistens durchschlafen“ – gesetzt am Mo., 2. März; noch nicht"
    )
    assert "abgeschlossen" in await say(therapist, "/goal Sam retire 1")

    clients = await say(therapist, "/clients")
    assert (
        "• Sam – dabei seit Mo., 2. März; letzte Übung: noch keine; nächste Sitzung Di., 10. März, 17:00"
        in clients
    )
    assert "Vorlauf der Zusammenfassung: 120 Minuten." in await say(therapist, "/settings")
    for wrong in ("/assign Sam mood 25:00", "/session Sam morgen 17:00", "/goal Sam rename 1", "/invite ?!"):
        assert await say(therapist, wrong)  # (each answered kindly)
    await say(therapist, "/cancelsession 1")
    assert (await say(therapist, "/timezone")).startswith("Ihre Zeitzone ist UTC – dort ist es jetzt 09:00.")
    assert await say(therapist, "/timezone Atlantis")
    assert await say(therapist, "Hallo?")
    await therapist.send("/language")
    assert (await therapist.expect(1))[0].text == "In welcher Sprache soll ich Ihnen schreiben?"
    await therapist.press("Deutsch")
    assert (await therapist.expect(1))[0].text == "Erledigt – ich schreibe Ihnen ab jetzt auf Deutsch."
    return therapist, client


async def test_a_german_therapist_reads_no_english_sentence_and_is_addressed_formally(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    await german_therapists_week(bot, api)
    assert await rows(database, "people", "language", external_user_id=str(THERAPIST)) == [("de",)]

    said, _labels = received(api, THERAPIST)
    assert len(said) > 25  # (the journey reached the chat)
    sentences = english_sentences()
    assert any(s in ptexts.HELP_LINES["assign"] for s in sentences)  # (it can fail)
    left = {s for text in said for s in sentences if s in without_own_words(text)}
    assert left == set()
    assert unmarked_english(said, OWN_WORDS) == set()  # English that was never marked
    assert sum(bool(re.search(r"\b(Sie|Ihnen|Ihre?[nmrs]?)\b", text)) for text in said) > 10
    informal = [text for text in said if INFORMAL.search(without_own_words(text))]
    assert informal == []
    assert INFORMAL.search(german(texts.ASSIGNED))  # (the check can fail: the client's text says "dir")


def test_every_therapist_text_in_german_says_sie() -> None:
    """Each text of the therapist's texts module, in German: formal, never "du"."""
    named = [value for name, value in vars(ptexts).items() if name.isupper()]
    english = [v for v in named if isinstance(v, str) and v.strip()]
    english += [v for d in named if isinstance(d, dict) for v in d.values()]
    assert len(english) > 100
    with reading("de"):
        informal = [_(text) for text in english if INFORMAL.search(_(text))]
        translated = sum(_(text) != text for text in english)
    assert informal == []
    assert translated > 100
    assert INFORMAL.search(german(texts.CONFIDENCE_QUESTION))  # (the check can fail)


async def test_an_english_therapist_assigns_to_a_german_client_each_reads_their_own(
    api: FakeBotApi, bot: RunningBot
) -> None:
    therapist = await register(bot, api, 9400, "Ana")
    code = await invite(therapist, "Sam")
    api.user(9401, first_name="Sam", language_code="de")
    client = await join(bot, api, 9401, code, "Sam")
    await bot.tick()
    await therapist.expect_text("Sam accepted your invitation")

    line = '/assign Sam exposure 18:00 weekdays from 2026-03-09 ladder "Foto; Leine" "damit es leichter wird"'
    assigned = await say(therapist, line)
    assert assigned.startswith(
        "Assigned to Sam: exposure practice, 18:00 (weekdays, their time, UTC), from Mon 9 Mar."
    )
    assert assigned.endswith("\nLadder: 1. Foto 2. Leine")
    await bot.tick()
    told, confidence = await client.expect(2)
    assert told.text == (
        "Ana hat eine Übung mit dir vereinbart: Expositionsübung, 18:00 (werktags), ab Mo., 9. März."
        "\nLeiter: 1. Foto 2. Leine\n\nWarum: damit es leichter wird"
    )
    assert confidence.text == german(texts.CONFIDENCE_QUESTION) != texts.CONFIDENCE_QUESTION
    await client.press("7")
    await client.expect_text(german(texts.CONFIDENCE_HIGH))

    listed = await say(therapist, "/assignments Sam")
    assert "#1 Exposure practice: 18:00, weekdays, from Mon 9 Mar — confidence 7/10" in listed
    assert "Removed #1 (exposure practice for Sam)" in await say(therapist, "/unassign 1")
    await bot.tick()
    (removed,) = await client.expect(1)
    assert (
        removed.text == "Ana hat „Expositionsübung“ aus deinem Plan genommen. Dazu bekommst du nichts mehr."
    )

    await therapist.send("/language")  # the therapist's own choice: German from now on
    assert (await therapist.expect(1))[0].text == texts.LANGUAGE_PICK
    await therapist.press("Deutsch")
    assert (await therapist.expect(1))[0].text == "Erledigt – ich schreibe Ihnen ab jetzt auf Deutsch."
    assert (await say(therapist, "/assignments Sam")) == "Mit Sam ist keine Übung vereinbart."


async def test_a_therapists_command_menu_is_their_own_in_their_language(
    api: FakeBotApi, bot: RunningBot
) -> None:
    """Registered: the therapist's chat gets their commands; a language chosen: in it ("Sie");
    restarted: published again. Clients keep the general menu."""
    chat = {"type": "chat", "chat_id": 9500}

    def menu() -> dict[str, str]:
        return {c["command"]: c["description"] for c in api.commands_for(scope=chat)}

    def published() -> int:
        return sum("9500" in str(c.params.get("scope")) for c in api.calls_to("setMyCommands"))

    therapist = await register(bot, api, 9500, "Ana")
    await api.wait_until(lambda: bool(menu()))
    english = menu()
    assert english["invite"] == "Invite a new client" and english["help"] == "What I can do"
    assert {"assign", "goal", "session", "digest", "ack", "language", "timezone"} <= english.keys()
    assert "invite" not in {c["command"] for c in api.commands}  # (not in the clients' menu)

    await therapist.send("/language")
    await therapist.expect(1)
    await therapist.press("Deutsch")
    await therapist.expect(1)
    await api.wait_until(lambda: menu()["invite"] != english["invite"])
    german_menu = menu()
    assert german_menu.keys() == english.keys()
    assert german_menu["invite"] == "Neue Klient:innen einladen"
    assert german_menu["language"] == "Ihre Sprache" != german(texts.COMMAND_NAMES["language"])

    before = published()
    await bot.stop()
    await bot.start()
    assert published() == before + 1 and menu() == german_menu
