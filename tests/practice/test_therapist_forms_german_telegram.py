"""A German therapist's guided forms (issue #15), through the real Application and the fake Bot
API: ``/assign`` typed alone, every step of it (a homework with a ladder on other days from
another date, a measure every so many days), and ``/goal`` typed alone (add, reword, show,
retire), each with a mistyped answer or two. Every question, button, re-ask and confirmation
is German and says "Sie": no English sentence of the catalogue and no "du" is left.
"""

from __future__ import annotations

import pytest

from flows import assign, goal_form
from storage import Database
from tests.support.english_left import english_labels, english_left
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.german import INFORMAL, received
from tests.support.journeys import answer, invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by registration or invitation

THERAPIST, CLIENT = 9700, 9701
OWN_WORDS = (
    "Aufzug ansehen",
    "Eine Etage fahren",
    "weil es dann leichter wird",
    "Ruhiger schlafen",
    "Öfter ruhig schlafen",
    "Sam",
)
"""What the therapist writes that is theirs (or the client's), not the bot's: a ladder's two
steps, a reason, a goal and its new words, the client's name."""


def last(person: FakeUser) -> str:
    return person.last_message().text or ""


async def assigns_exposure_with_every_step(therapist: FakeUser) -> None:
    """Homework with a ladder, on days typed, from a date typed: each step, and re-asks."""
    await therapist.send("/assign")
    (first,) = await therapist.expect(1)
    assert first.text == "Für wen ist diese Übung?" and first.labels() == ["Sam"]
    await answer(therapist, "press:Sam")
    assert last(therapist) == "Welche Übung?"
    assert {"Stimmungscheck", "Expositionsübung", "PHQ-9"} <= set(therapist.last_message().labels())
    await answer(therapist, "press:Expositionsübung", "25:00")  # a time that is none: asked again
    assert "25:00" in last(therapist) and "Zu welchen Uhrzeiten" in last(therapist)
    await answer(therapist, "18:00")
    assert therapist.last_message().labels() == ["Jeden Tag", "Werktags", "Am Wochenende", "Andere Tage…"]
    await answer(therapist, "press:Andere Tage…", "montags")  # not a day it knows: asked again
    assert "ist kein Tag, den ich kenne. Versuchen Sie es" in last(therapist)
    await answer(therapist, "mon, wed")
    assert last(therapist).startswith("Die Stufen der Leiter für diese Übung")
    await answer(therapist, "; ;")  # no steps: asked again, kindly
    assert "Bitte schreiben Sie 1 bis 12 Stufen" in last(therapist)
    await answer(therapist, f"{OWN_WORDS[0]}\n{OWN_WORDS[1]}")
    assert therapist.last_message().labels() == ["Heute", "Morgen", "Anderes Datum…"]
    await answer(therapist, "press:Anderes Datum…", "nächsten Montag")
    assert "Bitte schreiben Sie das Datum so: 2026-03-09." in last(therapist)
    await answer(therapist, "2026-03-09")
    assert last(therapist).startswith("Warum diese Übung")
    await answer(therapist, "x" * 1001)  # too long: asked again, formally
    assert "können Sie es auf 1000 Zeichen kürzen?" in last(therapist)
    await therapist.send(OWN_WORDS[2])
    (done,) = await therapist.expect(1)
    assert (done.text or "").startswith(
        "Für Sam eingetragen: Expositionsübung, 18:00 (Mo, Mi, Ortszeit UTC), ab Mo., 9. März."
    )


async def assigns_a_measure_every_few_days(therapist: FakeUser) -> None:
    """A measure: its timing, an interval (mistyped first), one time, from today, no reason."""
    await therapist.send("/assign")
    await therapist.expect(1)
    await answer(therapist, "press:Sam", "press:PHQ-9")
    assert last(therapist).startswith("Dieser Fragebogen fragt nach den letzten Wochen")
    assert therapist.last_message().labels() == [
        "Vor jeder Sitzung",
        "Vor jeder zweiten Sitzung",
        "Alle … Tage",
    ]
    await answer(therapist, "press:Alle … Tage")
    assert last(therapist) == "Alle wie viele Tage? Mindestens 7, zum Beispiel 14."
    await answer(therapist, "3", "14", "09:00, 18:00")  # too few days; then two times for one
    assert "Bitte nur eine Uhrzeit" in last(therapist)
    await answer(therapist, "18:00", "press:Heute")
    await therapist.press("Überspringen")
    done, warning = await therapist.expect(2)  # (with the crisis placeholders' warning)
    assert (done.text or "").startswith("Für Sam eingetragen: PHQ-9, 18:00 (alle 14 Tage")
    assert (warning.text or "").startswith("⚠ PHQ-9 kann die Krisennachricht auslösen")


async def writes_goals_through_the_form(therapist: FakeUser) -> None:
    """/goal alone: whose, what to do, which one, the words: adding, rewording, listing, retiring."""
    for action, steps in (
        ("Ziel hinzufügen", [OWN_WORDS[3]]),
        ("Ziel umformulieren", ["press:#1 Ruhiger schlafen", OWN_WORDS[4]]),
        ("Ziele anzeigen", []),
        ("Ziel abschließen", ["press:#1 Öfter ruhig schlafen"]),
    ):
        await therapist.send("/goal")
        (whose,) = await therapist.expect(1)
        assert whose.text == "Wessen Ziele?"
        await answer(therapist, "press:Sam")
        assert last(therapist) == "Was möchten Sie tun?"
        await answer(therapist, "Irgendwas")  # not one of the buttons: asked again
        assert last(therapist).startswith("Bitte wählen Sie eine der Antworten.")
        await answer(therapist, f"press:{action}", *steps)
    assert "abgeschlossen" in last(therapist)


async def test_a_german_therapists_guided_forms_are_german_and_formal(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, THERAPIST, "Ana", language_code="de")
    await join(bot, api, CLIENT, await invite(therapist, "Sam"), "Sam")
    await bot.tick()
    await therapist.expect_text("Sam hat Ihre Einladung angenommen")
    therapist.mark_read()

    await assigns_exposure_with_every_step(therapist)
    await assigns_a_measure_every_few_days(therapist)
    await writes_goals_through_the_form(therapist)
    assert await rows(database, "schedules", "flow_id", "weekdays", "interval_days") == [
        ("exposure", [0, 2], None),
        ("phq9", [0, 1, 2, 3, 4, 5, 6], 14),
    ]

    said, labels = received(api, THERAPIST)
    assert len(said) > 40  # (the forms reached the chat)
    assert english_left([assign.TIMES_PROMPT], OWN_WORDS)  # (the check can fail)
    assert english_left(said, OWN_WORDS) == set()
    assert {label for label in labels if label not in OWN_WORDS} & english_labels() == set()
    assert goal_form.ACTIONS[0].label in english_labels()  # (and so can this one)
    informal = [text for text in said if INFORMAL.search(text)]
    assert informal == []
