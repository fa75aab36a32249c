"""The built-in PHQ-9 and activity log (flows/definitions) in the terminal chat: answered by
numbers (and a name), a word or an out-of-range number re-asked kindly, and the entries stored
with the definition's version, the option ids and the numbers typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.runtime.serve import run_terminal
from bot.runtime.wiring import Runtime
from flows import Flow
from flows.registry import BUILT_IN
from tests.support.clock import FakeClock
from tests.support.rows import rows
from tests.support.script import Script
from tests.support.words import typed

PHQ9: Flow = BUILT_IN.by_id("phq9")  # type: ignore[assignment]
ACTIVITY: Flow = BUILT_IN.by_id("activity_log")  # type: ignore[assignment]
CHOICE_AGAIN = "Please type the number or the name of one of the choices."


async def chat(runtime: Runtime, lines: list[str]) -> str:
    script = Script(lines)
    await run_terminal(runtime, script.read_line, script.write)
    return script.text


async def test_the_phq9_answered_by_numbers_is_stored_and_scored(runtime: Runtime) -> None:
    items = ["2", "often", "5", "3", "2", "2", "1", "1", "2", "1", "Not at all"]  # item 9 by its name
    out = await chat(runtime, ["/phq9", *items, "3", "/history"])
    assert PHQ9.attribution is not None and PHQ9.attribution in out
    for step in PHQ9.steps:
        assert typed(step.prompt) in out  # every item, word for word, and the difficulty question
    assert "  1) Not at all\n  2) Several days\n  3) More than half the days\n  4) Nearly every day" in out
    assert out.count(CHOICE_AGAIN) == 2  # "often" and 5: asked again, nothing lost
    assert "Thank you for answering. It's saved" in out and "score 6 of 27" in out
    assert await rows(runtime.database, "risk_events", "id") == []  # item 9 "Not at all": no alert
    ((status, version, answers),) = await rows(
        runtime.database, "entries", "status", "flow_version", "answers", flow_id="phq9"
    )
    assert (status, version) == ("completed", "1")
    assert answers == {
        "item1": "several_days",
        "item2": "more_than_half",
        "item3": "several_days",
        "item4": "several_days",
        "item5": "not_at_all",
        "item6": "not_at_all",
        "item7": "several_days",
        "item8": "not_at_all",
        "item9": "not_at_all",
        "difficulty": "very",
    }


async def test_the_activity_log_by_numbers_and_words_is_stored(runtime: Runtime) -> None:
    first = ["/activity", "walked to the shop", "2", "7", "11", "6", "/skip"]  # no mood: not asked after
    second = ["/activity", "called my sister", "1", "4", "nine", "9", "3", "6"]
    out = await chat(runtime, [*first, *second, "/history"])
    assert typed(ACTIVITY.steps[0].prompt) in out and "  2) Earlier today" in out
    assert "That one is outside the scale — please choose a number from 0 to 10." in out
    assert "I'm looking for a number from 0 to 10" in out  # "nine"
    assert out.count("And just after?") == 1  # only when the mood before was given
    assert out.count("Thank you — it's in your journal.") == 2
    assert "walked to the shop · mastery 7/10 · pleasure 6/10" in out
    assert "called my sister · mastery 4/10 · pleasure 9/10" in out
    stored = await rows(
        runtime.database, "entries", "status", "flow_version", "answers", flow_id="activity_log"
    )
    assert stored == [
        (
            "completed",
            "1",
            {
                "activity": "walked to the shop",
                "when": "today",
                "mastery": 7,
                "pleasure": 6,
                "mood_before": None,
            },
        ),
        (
            "completed",
            "1",
            {
                "activity": "called my sister",
                "when": "now",
                "mastery": 4,
                "pleasure": 9,
                "mood_before": 3,
                "mood_after": 6,
            },
        ),
    ]


async def test_exposure_in_the_terminal_names_its_step_or_picks_it_from_the_ladder(runtime: Runtime) -> None:
    practice = ["70", "90", "40", "20", "/skip", "/skip"]
    out = await chat(runtime, ["/exposure", "Took the bus", *practice])
    assert "Which step of your ladder did you practise?\nPlease describe it in a few words." in out
    ((person_id,),) = await rows(runtime.database, "people", "id")
    async with runtime.database.transaction() as tx:  # the therapist gave a ladder with the assignment
        await tx.schedules.add(
            person_id=person_id,
            flow_id="exposure",
            times=["18:00"],
            weekdays=range(7),
            start_date=date(2026, 3, 2),
            end_date=None,
            quiet_start=None,
            quiet_end=None,
            rationale=None,
            created_by=None,
            now=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            given={"ladder": ["Photo of a dog", "A dog on a lead"]},
        )
    out = await chat(runtime, ["/exposure", "2", *practice, "/exposure", "3", "Walk past a dog", *practice])
    assert "  1) Photo of a dog\n  2) A dog on a lead\n  3) Another step" in out
    assert "Please describe it in a few words." in out
    stored = [
        a["ladder_step"] for (a,) in await rows(runtime.database, "entries", "answers", flow_id="exposure")
    ]
    assert stored == ["~Took the bus", "2", "~Walk past a dog"]


async def test_the_gad7_answered_by_numbers_and_names_is_stored_and_scored(runtime: Runtime) -> None:
    gad7: Flow = BUILT_IN.by_id("gad7")  # type: ignore[assignment]
    items = ["2", "Nearly every day", "1", "sometimes", "3", "2", "1", "1"]  # "sometimes": not a choice
    out = await chat(runtime, ["/gad7", *items, "2", "/history"])
    assert gad7.attribution is not None and gad7.attribution in out
    for step in gad7.steps:
        assert typed(step.prompt) in out
    assert out.count(CHOICE_AGAIN) == 1
    assert "score 7 of 21" in out  # 1 + 3 + 0 + 2 + 1 + 0 + 0: choice 1–4 scores 0–3
    ((status, answers),) = await rows(runtime.database, "entries", "status", "answers", flow_id="gad7")
    assert status == "completed"
    assert [answers[f"item{n}"] for n in range(1, 8)] == [
        "several_days",
        "nearly_every_day",
        "not_at_all",
        "more_than_half",
        "several_days",
        "not_at_all",
        "not_at_all",
    ]


async def test_goals_the_therapist_wrote_are_rated_in_the_terminal(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.database.transaction() as tx:  # as the therapist's /goal add left them
        person = await tx.people.create("terminal", "local", "local", "UTC", clock())
        for words in ("Sleep before midnight", "Call my sister each week"):
            await tx.goals.add(person.id, words, None, clock())
    out = await chat(runtime, ["/goals", "eleven", "4", "7", "/history"])
    assert "Sleep before midnight" in out and "Call my sister each week" in out
    assert await rows(runtime.database, "goal_ratings", "value") == [(4,), (7,)]
    ((status,),) = await rows(runtime.database, "entries", "status", flow_id="goal_rating")
    assert status == "completed"
