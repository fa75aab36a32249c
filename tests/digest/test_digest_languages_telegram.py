"""The digest through the real Application and the fake Bot API, in the therapist's language
(issue #15): ``/digest Sam`` from a German therapist brings a German digest and chart caption
with the client's words as written; an English therapist reads a German client's digest in
English, the client's German words untouched."""

from __future__ import annotations

import pytest

from bot.core.i18n import _, reading
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import choose_language, invite, join, register
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # they join by invitation: their language is stored then


async def mood_with_a_note(client: FakeUser, note: str) -> None:
    """A mood check of 2 with a note, in the client's language."""
    with reading(client.language_code):
        done, skip = _("Done"), _("Skip")
    await client.send("/mood")
    await client.expect(2)
    await client.press("2")
    await client.expect(1)
    await client.press(done)
    await client.expect(1)
    await client.send(note)
    await client.expect(1)
    await client.press(skip)  # what got in the way
    await client.expect(1)


async def digest_of(bot: RunningBot, therapist: FakeUser, title: str) -> tuple[str, str]:
    """The digest's text and its chart's caption, asked for with /digest Sam."""
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    text = await therapist.expect_text(title)
    chart = await therapist.expect(1)
    return text.text or "", chart[0].caption or ""


async def test_a_german_therapist_reads_the_digest_and_its_chart_in_german(
    api: FakeBotApi, bot: RunningBot
) -> None:
    therapist = await register(bot, api, 9300, "Ana")
    await choose_language(therapist, "Deutsch")
    client = await join(bot, api, 9301, await invite(therapist, "Sam", "de"), "Sam")
    await mood_with_a_note(client, "Rough day at work, slept badly")
    await bot.tick()
    text, caption = await digest_of(bot, therapist, "Übersicht vor der Sitzung: Sam")
    assert "STIMMUNG\n▂  (0–10, älteste zuerst)\n1 Stimmungscheck · niedrigster Wert 2" in text
    assert "2/10: „Rough day at work, slept badly“" in text  # their words, as written
    assert "⚑ Sehr gedrückte Stimmung: 2/10" in text
    assert "Pre-session" not in text and "check-in" not in text
    assert caption == "Stimmung seit der letzten Sitzung – Sam"


async def test_an_english_therapist_reads_a_german_clients_digest_in_english(
    api: FakeBotApi, bot: RunningBot
) -> None:
    therapist = await register(bot, api, 9310, "Ana")
    code = await invite(therapist, "Sam")
    api.user(9311, first_name="Sam", language_code="de")
    client = await join(bot, api, 9311, code, "Sam")
    await mood_with_a_note(client, "Ich war müde nach der Arbeit")
    await bot.tick()
    text, caption = await digest_of(bot, therapist, "Pre-session digest: Sam")
    assert "MOOD\n▂  (0–10, oldest first)\n1 check-in · lowest 2" in text
    assert "2/10: “Ich war müde nach der Arbeit”" in text
    assert "Übersicht" not in text and "Stimmung" not in text
    assert caption == "Mood since the last session — Sam"
