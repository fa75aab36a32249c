"""A German client, end to end through the real Application and the fake Bot API (issue #15).

Invited by an English-speaking therapist, they consent in German, do a mood check, a thought
record, urge surfing and breathing, are prompted by the scheduler, skip with a reason in their
own words, read /history and take /export; risky words get the German crisis message (with the
German placeholder resources) while the therapist's alert stays in the therapist's language, and
the later "are you safe?" comes in German. Then everything the bot sent to their chat — every
text, every edit, every caption, every button label — with their own words taken out, is checked
against the English catalogue: no English sentence of it is left, and no button says an English
label that has a German one.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.chat import texts
from bot.cli import schedule as admin
from bot.core.i18n import reading
from bot.transports.terminal.chat import _skip_words
from flows import Ask, FlowState, Text, advance, flow_by_id
from flows.mood_check import INTRO as MOOD_INTRO
from storage import Database
from storage.models import Base
from storage.privacy import rows_left
from tests.support.english_left import english_labels, english_sentences, german, unmarked_english, without
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.german import received
from tests.support.journeys import RISKY, choose_language, invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import TAPPED, TYPED

pytestmark = pytest.mark.strangers  # they join by invitation: their language is stored then

CLIENT = 9101
THERAPIST = 9100
OWN_WORDS = (
    "Ich war müde nach der Arbeit",  # a mood note
    "Streit mit meiner Schwester am Telefon",  # the situation
    "enttäuscht",  # a feeling of their own
    "Ich mache immer alles falsch",  # the hot thought
    "Sie hat laut geschrien",  # evidence for
    "Gestern hat sie sich bedankt",  # evidence against
    "Manchmal klappt es, manchmal nicht",  # the balanced thought
    "Handy checken",  # the urge
    "Brust war eng",  # what they noticed
    "Besuch war da",  # why they skipped (something else)
    RISKY,
)


def without_own_words(text: str) -> str:
    return without(text, OWN_WORDS)


async def step(user: FakeUser, send: str | None = None, press: str | None = None) -> None:
    """Type ``send`` or press ``press`` (its German label), then wait for the answer."""
    if press is not None:
        await user.press(german(press))
    else:
        await user.send(send or "")
    await user.expect(1)


async def timer_ends(bot: RunningBot, api: FakeBotApi, user: FakeUser, seconds: int) -> None:
    """The clock moves past a live timer's end: it asks its next question in place."""
    bot.clock.advance(seconds=seconds)
    await bot.tick()
    await api.wait_until(lambda: "0" in user.last_message().labels())


async def german_client(bot: RunningBot, api: FakeBotApi) -> tuple[FakeUser, FakeUser]:
    therapist = await register(bot, api, THERAPIST, "Ana")
    code = await invite(therapist, "Sam")
    api.user(CLIENT, first_name="Sam", language_code="de")
    return therapist, await join(bot, api, CLIENT, code, "Sam")


async def homework(bot: RunningBot, api: FakeBotApi, client: FakeUser) -> None:
    """A mood check, a thought record, urge surfing and breathing, all in German."""
    await client.send("/mood")
    intro, _mood = await client.expect(2)
    assert intro.text == german(MOOD_INTRO)
    await step(client, press="7")
    await client.press(german("Calm"))
    await api.wait_until(lambda: "✓ Ruhig" in client.last_message().labels())
    await step(client, "fertig")  # Done's German name, typed
    await step(client, OWN_WORDS[0])
    await client.send("/skip")
    summary = await client.expect_text("Stimmung 7/10 – ruhig")
    assert (summary.text or "").startswith("Danke, dass du in dich hineingehört hast.")

    await client.send("/thought")
    await client.expect(2)
    for words in OWN_WORDS[1:2]:
        await step(client, words)
    await client.press(german("Sad"))
    await api.wait_until(lambda: "✓ Traurig" in client.last_message().labels())
    await step(client, f"{OWN_WORDS[2]}, Fertig")  # their own feeling, and Done by its name
    for answer in ("press:80", "press:60", OWN_WORDS[3], "press:90"):
        await step(client, press=answer[6:]) if answer.startswith("press:") else await step(client, answer)
    await step(client, press="Skip")  # thinking traps: Überspringen
    for answer in (OWN_WORDS[4], OWN_WORDS[5], OWN_WORDS[6], "press:60", "press:40", "press:50"):
        await step(client, press=answer[6:]) if answer.startswith("press:") else await step(client, answer)
    await client.send("/skip")
    await client.expect_text("Gut gemacht – dein Gedankenprotokoll ist gespeichert.")

    await client.send("/urge")
    await client.expect(2)
    await step(client, OWN_WORDS[7])
    await step(client, press="8")
    await step(client, press="5 minutes")
    await timer_ends(bot, api, client, 301)
    await step(client, press="3")
    await step(client, press="Partly")
    await step(client, OWN_WORDS[8])
    await client.send("Überspringen")  # the obstacles: skipped by the button's German name, typed
    await client.expect_text("Der Drang ging von 8 auf 3.")

    await client.send("/breathe")
    await client.expect(2)
    await step(client, press="Calm · 4-6")
    await step(client, press="1 minute")
    await step(client, press="5")
    await timer_ends(bot, api, client, 65)
    await step(client, press="7")
    await client.send("/skip")
    await client.expect_text("Deine Ruhe ging von 5 auf 7.")


async def deletes_everything(
    bot: RunningBot, database: Database, therapist: FakeUser, client: FakeUser
) -> None:
    """/delete in German: the confirmation and its buttons, kept once, then deleted — every row
    of theirs gone, and the goodbye in German."""
    ((person_id,),) = await rows(database, "people", "id", external_user_id=str(CLIENT))
    assert isinstance(person_id, int)
    await client.send("/delete")
    (confirm,) = await client.expect(1)
    assert confirm.text == german(texts.DELETE_CONFIRM) != texts.DELETE_CONFIRM
    assert confirm.labels() == ["Ja, alles löschen", "Nein, behalten"]
    await client.press("Nein, behalten")
    assert (await client.expect(1))[0].text == german(texts.DELETE_KEPT) != texts.DELETE_KEPT
    await client.send("/delete")
    await client.expect(1)
    await client.press("Ja, alles löschen")
    goodbye = (await client.expect(1))[0].text
    assert goodbye == german(texts.DELETED) and (goodbye or "").startswith("Erledigt:")
    await bot.tick()
    await therapist.expect_text(texts.CLIENT_LEFT.format(alias="Sam"))  # the therapist's English

    assert bot.runtime is not None
    await bot.runtime.courier.flush()
    async with bot.runtime.database.transaction() as tx:
        assert await rows_left(tx.connection, person_id) == {}
    theirs = [words for words in OWN_WORDS if " " in words]  # ("enttäuscht" is a homework file's too)
    for table in Base.metadata.sorted_tables:  # no trace of them or their words anywhere
        for row in await rows(database, table.name):
            assert not any(words in str(row) for words in theirs), table.name
            assert str(CLIENT) not in [str(value) for value in row], table.name


async def test_a_german_client_reads_no_english_sentence(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    assert bot.runtime is not None
    therapist, client = await german_client(bot, api)
    assert await rows(database, "people", "language", external_user_id=str(CLIENT)) == [("de",)]
    await homework(bot, api, client)

    await admin.add_schedule(  # prompted by the scheduler, and skipping with a reason
        bot.runtime.database, bot.settings, bot.clock, admin.NewSchedule(str(CLIENT), "mood", "09:30")
    )
    bot.clock.advance(minutes=31)
    await bot.tick()
    prompt = await client.expect_text("Zeit für deine Übung „Stimmungscheck“.")
    assert prompt.labels()[0] == "Jetzt starten" and prompt.labels()[-1] == "Heute auslassen"
    await step(client, press="Skip today")
    await step(client, press="Something else")
    await client.send(OWN_WORDS[9])
    await client.expect_text("Danke, dass du es mir erzählt hast.")

    await client.send("/history")
    journal = await client.expect_text("Dein Tagebuch (Neuestes zuerst")
    assert "Stimmungscheck: Stimmung 7/10 · ruhig" in (journal.text or "")
    assert "Atemübung: ruhige Atmung 1 Min. · Ruhe 5 → 7" in (journal.text or "")
    await client.send("/export")
    ready, _data, table_file = await client.expect(3)
    assert ready.text == german(texts.EXPORT_READY)
    assert table_file.content is not None
    table = list(csv.reader(io.StringIO(table_file.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["begonnen (Ortszeit)", "Übung", "Stand", "Stimmungscheck: Stimmung"]
    assert "Gedankenprotokoll: heißer Gedanke" in table[0]  # (each question by its German name)

    await client.send(RISKY)  # the crisis message in German, the placeholders German ones
    crisis = await client.expect_text("Danke, dass du mir das erzählst.")
    assert "TelefonSeelsorge: 0800 111 0 111 oder 0800 111 0 222 oder 116 123" in (crisis.text or "")
    assert "• Notruf: 112" in (crisis.text or "")
    await bot.tick()  # (messages to others leave with the outbox's next round)
    alert = await therapist.expect_text("⚑ Risk language — Sam")  # the therapist reads English
    assert "Risikosprache" not in (alert.text or "")
    await step(client, press="I'm safe — carry on")
    bot.clock.advance(hours=3, minutes=1)
    await bot.tick()
    await client.expect_text("Ich melde mich wie versprochen noch einmal: Bist du gerade in Sicherheit?")
    await deletes_everything(bot, database, therapist, client)

    said, labels = received(api, CLIENT)
    assert len(said) > 60 and len(labels) > 60  # (the journey reached the chat)
    sentences = english_sentences()
    assert all(
        any(s in english for s in sentences) for english in (texts.WELCOME, texts.CONSENT)
    )  # (it can fail)
    left = {s for text in said for s in sentences if s in without_own_words(text)}
    assert left == set()
    assert unmarked_english(said, OWN_WORDS) == set()  # English that was never marked
    english = english_labels()
    assert {label.removeprefix("✓ ") for label in labels} & english == set()


async def test_a_german_therapist_reads_a_clients_alert_in_german_and_an_english_client_english(
    api: FakeBotApi, bot: RunningBot
) -> None:
    therapist = await register(bot, api, 9200, "Ana")
    await choose_language(therapist, "Deutsch")
    client = await join(bot, api, 9201, await invite(therapist, "Kim", "de"), "Kim")
    await client.send(RISKY)
    crisis = await client.expect_text("Thank you for telling me.")
    assert "Danke" not in (crisis.text or "")
    await bot.tick()
    alert = await therapist.expect_text("⚑ Risikosprache – Kim")
    assert "Kategorie: Suizidgedanken" in (alert.text or "") or "Kategorie: Absicht oder Plan" in (
        alert.text or ""
    )
    assert "They were shown" not in (alert.text or "")


def test_the_engine_reads_done_and_skip_typed_in_german_or_english() -> None:
    """Typed words (the terminal, Signal, or typing in Telegram): a German client's "Fertig" and
    "Überspringen" work as the buttons do, and so do the English names (people mix)."""
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    flow = flow_by_id("mood_check")
    assert flow is not None
    picked = FlowState("mood_check", "feelings", {"mood": 5}, ("calm",))
    with reading("de"):
        for typed in ("Fertig", "fertig", "Done"):
            done = advance(flow, picked, Text(typed), now)
            assert isinstance(done, Ask) and done.state.answers["feelings"] == ["calm"], typed
        for typed in ("Überspringen", "skip"):
            skipped = advance(flow, FlowState("mood_check", "feelings", {"mood": 5}), Text(typed), now)
            assert isinstance(skipped, Ask) and skipped.state.answers["feelings"] is None, typed
        reask = advance(flow, FlowState("mood_check", "mood", {}), Text("viel"), now)
    assert isinstance(reask, Ask) and reask.reason is not None
    assert reask.reason.startswith("Ich brauche eine Zahl von 0 bis 10 – ")
    assert TYPED.speak(reask.reason).endswith("– schreib sie.")  # the gesture, in German
    assert TAPPED.speak(reask.reason).endswith("– tippe unten auf eine oder schreib sie.")


def test_the_terminal_reads_the_skip_buttons_name_in_any_language() -> None:
    assert {"skip", "überspringen"} <= _skip_words()


def test_the_unmarked_english_check_can_fail() -> None:
    """English nobody marked for the catalogue is found too (the goal rating's description once
    reached a German /help so); German, and a client's own English words, are not."""
    help_line = "/goals — how close you are to your goals"
    assert unmarked_english([help_line]) == {help_line}
    assert unmarked_english(["/goals — wie nah du deinen Zielen bist"]) == set()
    assert unmarked_english([f"„{help_line}“"], own_words=[help_line]) == set()
