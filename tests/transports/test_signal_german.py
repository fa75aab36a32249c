"""Languages on Signal (issue #15), in-process: the real runtime, the Signal transport and the
fake signal-cli daemon on the test's clock.

Signal sends no language, so ``start CODE`` asks a newcomer which one they read, in every
installed language, before the consent text: a number, a language's own name or a quote-reply
answers; anything else gets a kind re-ask in every language and loses nothing. A German client
then consents, does a mood check and a breathing exercise and gets the crisis reply, all in
German: nothing they were sent (every version of every message) holds an English sentence of
the catalogue, their own words aside. A German therapist reads a client's changed safety number
in German ("Sie"). With only English installed, nobody is asked.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from PIL import Image

from bot.chat import texts
from bot.core import i18n
from bot.runtime.settings import Settings
from bot.runtime.wiring import tick
from bot.transports.signal import texts as signal_texts
from flows import breathing, mood_check
from tests.support.clock import FakeClock
from tests.support.english_left import (
    english_labels,
    english_left,
    english_sentences,
    german,
    unmarked_english,
)
from tests.support.fake_signal_cli import FakeSignalUser, ShownMessage
from tests.support.rows import rows
from tests.support.signal_answers import pick_language
from tests.support.signal_rig import SignalRig, signal_rig

QUESTION = "Which language should I write in?\nIn welcher Sprache soll ich schreiben?"
RISKY_DE = "ich will nicht mehr leben"
OWN_WORDS = ("Ich war müde nach der Arbeit", "Lärm von draußen", RISKY_DE)
CHOICE_LINE = re.compile(r"^  \d+\) (.+)$", re.MULTILINE)
"""A numbered choice as Signal prints it: its label is what a button would say."""


@pytest_asyncio.fixture
async def signal(settings_for: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[SignalRig]:
    async with signal_rig(settings_for, clock) as rig:
        yield rig


async def therapist(signal: SignalRig, language: str = "English", name: str = "Ana") -> FakeSignalUser:
    """A therapist registered on Signal with a code, answering the language question first."""
    code = await signal.runtime.practice.issue_registration(f"Dr {name} Ruiz", signal.clock())
    user = signal.daemon.user(name)
    await user.send(f"start {code}")
    await pick_language(user, language)
    await user.expect(2)  # registered, and their help
    return user


async def invitation(ana: FakeSignalUser, alias: str, language: str = "en") -> str:
    await ana.send(f"/invite {alias}")
    await ana.expect_text("Einladung für " + alias if language == "de" else f"Invitation for {alias}")
    [code] = await ana.expect()
    return code.text


async def say(user: FakeSignalUser, text: str, expected: str) -> ShownMessage:
    """Send ``text`` and wait for a message holding ``expected``."""
    await user.send(text)
    return await user.expect_text(expected)


def first_line(text: str) -> str:
    return german(text).splitlines()[0]


async def mood_check_in_german(sam: FakeSignalUser) -> None:
    mood = await say(sam, "mood", first_line(mood_check.MOOD_PROMPT))
    assert "(schreib eine Zahl von 0 bis 10)" in mood.text
    feelings = await say(sam, "7", first_line(mood_check.FEELINGS_PROMPT)[:20])
    assert "1) Ruhig" in feelings.text
    await sam.send("1")
    await sam.wait_until(lambda: "✓ Ruhig" in sam.message(feelings.timestamp).text)
    await say(sam, "fertig", first_line(mood_check.NOTE_PROMPT)[:20])  # Done's German name, typed
    await sam.send(OWN_WORDS[0])
    obstacles = await sam.expect()
    await say(sam, "überspringen", "Stimmung 7/10")  # Skip's German name, typed
    assert obstacles


async def breathing_in_german(sam: FakeSignalUser, signal: SignalRig) -> None:
    pattern = await say(sam, "breathe", german(breathing.PATTERN_PROMPT))
    assert "1) " in pattern.text and "(schreib eine Nummer)" in pattern.text
    await say(sam, "1", german(breathing.LENGTH_PROMPT))
    await say(sam, "1", "(schreib eine Zahl von 0 bis 10)")
    guide = await say(sam, "4", "Einatmen 4 s · Halten 4 s · Ausatmen 4 s · Halten 4 s")
    assert guide.text.startswith("🫁 Atme mit dem Kreis") and "deine 3 Runden herunter" in guide.text
    [animation] = guide.attachments
    assert Image.open(io.BytesIO(animation.data)).n_frames > 1
    live = await sam.expect_text("Mach dich bereit")
    assert "um früher aufzuhören)" in live.text  # the timer's hint, in German
    signal.clock.advance(seconds=65)
    await tick(signal.runtime)
    await sam.expect_text(german(breathing.CALM_AFTER))
    await sam.send("6")
    await sam.expect()  # what got in the way
    await say(sam, OWN_WORDS[1], "Deine Ruhe ging von 4 auf 6.")


def said_to(user: FakeSignalUser, leaving_out: int) -> list[str]:
    """Every version of every message the user was sent, but the message ``leaving_out``."""
    return [text for m in user.all_messages() if m.timestamp != leaving_out for text in m.history]


async def test_a_german_client_on_signal_picks_german_by_number_and_reads_no_english(
    signal: SignalRig,
) -> None:
    ana = await therapist(signal)
    sam = signal.daemon.user("Sam")
    await sam.send(f"start {await invitation(ana, 'Sam')}")
    question = await sam.expect_text(QUESTION)
    assert "1) English" in question.text and "2) Deutsch" in question.text
    assert await rows(signal.runtime.database, "people", "external_user_id", role="client") == []
    consent = await say(sam, "2", "Ende-zu-Ende-verschlüsselt")
    assert sam.message(question.timestamp).text.endswith("✓ Deutsch")
    assert "1) Ich stimme zu" in consent.text and german(texts.CONSENT)[:40] in consent.text
    await say(sam, "1", "du bist jetzt mit Dr Ana Ruiz verbunden")
    [(language, version)] = await rows(
        signal.runtime.database, "people", "language", "consent_version", external_user_id=sam.uuid
    )
    assert language == "de" and version.startswith("de-")
    assert await rows(signal.runtime.database, "told_once", "fact") == []  # kept on the person now

    await mood_check_in_german(sam)
    await breathing_in_german(sam, signal)
    crisis = await say(sam, RISKY_DE, "Danke, dass du mir das erzählst.")
    assert "TelefonSeelsorge" in crisis.text and "⟨" not in crisis.text
    await tick(signal.runtime)
    await ana.expect_text("⚑ Risk language — Sam")  # the therapist reads English

    said = said_to(sam, leaving_out=question.timestamp)
    assert len(said) > 20  # (the journey reached the chat)
    assert any(s in texts.CONSENT for s in english_sentences())  # (it can fail)
    assert english_left(said, OWN_WORDS) == set()
    assert unmarked_english(said, OWN_WORDS) == set()  # English that was never marked
    labels = {label for text in said for label in CHOICE_LINE.findall(text)}
    assert len(labels) > 10 and "Ich stimme zu" in labels
    assert labels & english_labels() == set()


async def test_typing_deutsch_or_garbage_first_loses_nothing(signal: SignalRig) -> None:
    ana = await therapist(signal)
    kim = signal.daemon.user("Kim")
    await kim.send(f"start {await invitation(ana, 'Kim')}")
    question = await kim.expect_text(QUESTION)
    for garbage in ("hallo?", "9", "/help"):
        again = await say(kim, garbage, "Das habe ich leider nicht verstanden.")
        assert "Sorry, I didn't catch that." in again.text and "English, Deutsch" in again.text
    assert await rows(signal.runtime.database, "people", "external_user_id", role="client") == []
    await say(kim, RISKY_DE, "Thank you for telling me.")  # risk language is never held back
    await say(kim, "deutsch", "Ende-zu-Ende-verschlüsselt")  # the language's own name, any case
    assert kim.message(question.timestamp).text.endswith("✓ Deutsch")
    await say(kim, "Ich stimme zu", "du bist jetzt mit Dr Ana Ruiz verbunden")
    assert await rows(signal.runtime.database, "people", "language", external_user_id=kim.uuid) == [("de",)]


async def test_a_german_therapist_reads_a_changed_safety_number_in_german(signal: SignalRig) -> None:
    code = await signal.runtime.practice.issue_registration("Dr Ana Ruiz", signal.clock())
    ana = signal.daemon.user("Ana")
    await ana.send(f"start {code}")
    question = await ana.expect_text(QUESTION)
    await ana.quote_reply(question.timestamp, "2")  # a quote-reply answers the question it quotes
    await ana.expect(2)
    assert await rows(signal.runtime.database, "people", "language", external_user_id=ana.uuid) == [("de",)]
    sam = signal.daemon.user("Sam")
    await sam.send(f"start {await invitation(ana, 'Sam', 'de')}")
    await pick_language(sam, "1")
    await say(sam, "1", "connected with Dr Ana Ruiz")  # Sam reads English
    sam.reinstall()
    await sam.send("mood")
    await signal.transport.client.handled()
    await tick(signal.runtime)
    told = await ana.expect_text("Die Signal-Sicherheitsnummer von Sam hat sich geändert")
    assert "bis Sie es mit der Person geklärt haben" in told.text
    assert signal_texts.SAFETY_NUMBER_CHANGED.split(":")[0].replace("{alias}", "Sam") not in told.text


@pytest.fixture
def only_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A practice that installed no catalogue but English's (an empty locale folder)."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "no-catalogues")
    i18n.installed.cache_clear()
    yield
    monkeypatch.undo()
    i18n.installed.cache_clear()


async def test_with_only_english_installed_nobody_is_asked(only_english: None, signal: SignalRig) -> None:
    assert i18n.installed() == ("en",)
    ana = signal.daemon.user("Ana")
    code = await signal.runtime.practice.issue_registration("Dr Ana Ruiz", signal.clock())
    await say(ana, f"start {code}", "therapist")
    assert all("Which language" not in m.text for m in ana.messages())


async def test_a_newcomer_who_never_answers_is_forgotten_after_a_week(signal: SignalRig) -> None:
    ana = await therapist(signal)
    lee = signal.daemon.user("Lee")
    await lee.send(f"start {await invitation(ana, 'Lee')}")
    await lee.expect_text(QUESTION)
    assert await rows(signal.runtime.database, "told_once", "fact", "subject") == [
        ("language_asked", lee.uuid)
    ]
    signal.clock.advance(days=8)
    max_ = signal.daemon.user("Max")
    await max_.send(f"start {await invitation(ana, 'Max')}")
    await max_.expect_text(QUESTION)
    assert await rows(signal.runtime.database, "told_once", "fact", "subject") == [
        ("language_asked", max_.uuid)
    ]
