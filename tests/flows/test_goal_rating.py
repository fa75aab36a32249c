"""The goal rating, pure: built at the start from the client's goals, one question per goal in
the goal's own words, the ratings kept per goal number; and the engine's ``items_from``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import AnswerKind, Back, Finished, Flow, FlowState, Pick, Step, Text, advance, start
from flows import texts as engine_texts
from flows.goal_rating import (
    GOAL_RATING,
    GOALS_KEY,
    SUMMARY,
    SUMMARY_PART,
    goals_context,
    journal_detail,
    journal_line,
)
from flows.readable import readable_answers
from tests.support.outcomes import ask, labels

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOALS = [(1, "Sleep through the night"), (3, "Ring Mum — and mean it {really}")]


def test_each_goal_is_asked_in_its_own_words_and_the_ratings_are_kept_by_number() -> None:
    first = start(GOAL_RATING, goals_context(GOALS))
    assert first.prompt.kind is AnswerKind.SCALE and labels(first) == [str(n) for n in range(11)]
    assert first.prompt.text.startswith("“Sleep through the night”")  # as written, never lower-cased
    assert "How close are you to this goal? 0–10" in first.prompt.text
    second = ask(advance(GOAL_RATING, first.state, Pick("4"), NOW))
    assert second.prompt.text.startswith("“Ring Mum — and mean it {really}”") and second.accepted == "4"
    finished = advance(GOAL_RATING, second.state, Text("7"), NOW)
    assert isinstance(finished, Finished) and finished.summary == SUMMARY
    assert finished.answers["rating"] == {"1": 4, "3": 7}
    assert finished.answers[GOALS_KEY] == [
        ["1", "Sleep through the night"],
        ["3", "Ring Mum — and mean it {really}"],
    ]


@pytest.mark.parametrize("typed", ["11", "-1", "close", ""])
def test_a_rating_off_the_scale_is_reasked_kindly_for_the_same_goal(typed: str) -> None:
    first = start(GOAL_RATING, goals_context(GOALS))
    again = ask(advance(GOAL_RATING, first.state, Text(typed), NOW))
    assert again.reason is not None and again.state == first.state
    assert again.prompt.text == first.prompt.text


def test_back_goes_to_the_previous_goal_and_at_the_first_says_there_is_nothing_before() -> None:
    first = start(GOAL_RATING, goals_context(GOALS))
    assert ask(advance(GOAL_RATING, first.state, Back(), NOW)).reason == engine_texts.NOTHING_TO_GO_BACK_TO
    second = ask(advance(GOAL_RATING, first.state, Pick("2"), NOW))
    back = ask(advance(GOAL_RATING, second.state, Back(), NOW))
    assert back.prompt.text == first.prompt.text and back.state.answers["rating"] == {}
    finished = advance(
        GOAL_RATING, ask(advance(GOAL_RATING, back.state, Pick("5"), NOW)).state, Pick("6"), NOW
    )
    assert isinstance(finished, Finished) and finished.answers["rating"] == {"1": 5, "3": 6}


def test_the_journal_and_the_export_read_the_words_the_goals_had_when_rated() -> None:
    answers = {GOALS_KEY: [["1", "Sleep through the night"], ["3", "Ring Mum"]], "rating": {"1": 4, "3": 7}}
    assert journal_line(answers) == "goals · “Sleep through the night” 4/10 · “Ring Mum” 7/10"
    assert journal_detail(answers) == "“Sleep through the night”\n  4/10\n“Ring Mum”\n  7/10"
    readable = readable_answers(GOAL_RATING, answers)
    assert readable["rating"] == {"Sleep through the night": 4, "Ring Mum": 7}
    part = {**answers, "rating": {"1": 4}}  # left part-way: said so, never a made-up rating
    assert journal_line(part) == "goals · “Sleep through the night” 4/10"
    assert "“Ring Mum”\n  –" in journal_detail(part)
    assert GOAL_RATING.summarize(part) == SUMMARY_PART


def test_a_stale_step_restarts_with_the_goals_it_was_started_with() -> None:
    state = FlowState(GOAL_RATING.id, "retired_step", {**goals_context(GOALS), "rating": {"1": 3}})
    restarted = ask(advance(GOAL_RATING, state, Pick("3"), NOW))
    assert restarted.prompt.text.startswith("“Sleep through the night”")
    assert restarted.state.answers == goals_context(GOALS)


def test_items_from_is_for_one_question_asked_per_listed_item() -> None:
    with pytest.raises(ValueError, match="items_from"):
        Step("s", "{item}", AnswerKind.SCALE, items_from="k", per_item="picks")
    picks = Step("picks", "?", AnswerKind.TEXT)
    rate = Step("rate", "{item}?", AnswerKind.SCALE, items_from="listed")
    flow = Flow("f", "f", "f", "f", (picks, rate), str)
    nothing_listed = advance(flow, start(flow).state, Text("x"), NOW)
    assert isinstance(nothing_listed, Finished)  # no items: the question is not asked at all
    malformed = {"listed": [["a", "Apples"], ["b"], "c", ["", "x"]]}
    listed = ask(advance(flow, start(flow, malformed).state, Text("x"), NOW))
    assert listed.prompt.text == "Apples?"
    assert isinstance(advance(flow, listed.state, Pick("1"), NOW), Finished)
