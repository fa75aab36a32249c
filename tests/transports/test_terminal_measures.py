"""The built-in PHQ-9 and activity log (flows/definitions) in the terminal chat: answered by
numbers (and a name), a word or an out-of-range number re-asked kindly, and the entries stored
with the definition's version, the option ids and the numbers typed."""

from __future__ import annotations

from bot.runtime.serve import run_terminal
from bot.runtime.wiring import Runtime
from flows import Flow
from flows.registry import BUILT_IN
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
