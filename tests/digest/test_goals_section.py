"""The goals section of the digest, pure: each goal's ratings over time (first, latest, change),
when it was set, reworded or retired; built from the goals passed in with the other rows."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.digest import GoalInput, build_digest, render_text
from flows.goal_rating import GoalsSummary
from tests.support.digests import fortnight, local


def test_each_goal_has_its_series_first_latest_and_change() -> None:
    summary: GoalsSummary = build_digest(fortnight()).section("goal_rating")
    by_number = {g.number: g for g in summary.goals}
    assert list(by_number) == [1, 3, 4, 5]  # #2 was retired before the period: not shown
    sleep = by_number[1]
    assert [v for _, v in sleep.ratings] == [2, 3, 5] and sleep.change == 3
    assert sleep.ratings[0][0].date() == date(2026, 3, 8) and sleep.ratings[0][0].utcoffset() is not None
    assert by_number[3].reworded_at is not None and by_number[3].change == 2
    assert by_number[4].retired_at is not None and by_number[4].retired_at.date() == date(2026, 3, 23)
    assert by_number[5].change is None and [v for _, v in by_number[5].ratings] == [3]
    assert summary.times_rated == 2


def test_what_happened_after_the_period_is_not_in_it() -> None:
    request = fortnight()
    after = request.period_end
    first, *others = request.goals
    later_rating = dataclasses.replace(first, ratings=(*first.ratings, (after, 10)))
    later_goal = GoalInput(6, "Set after the digest was made", after)
    goals = (later_rating, *others, later_goal)
    summary: GoalsSummary = build_digest(dataclasses.replace(request, goals=goals)).section("goal_rating")
    assert [g.number for g in summary.goals] == [1, 3, 4, 5]
    assert [v for _, v in summary.goals[0].ratings] == [2, 3, 5]


def test_the_section_words_the_series_and_marks_retired_goals() -> None:
    text = render_text(build_digest(fortnight()))
    section = text[text.index("GOALS") :].split("\n\n")[0]
    assert section.splitlines() == [
        "GOALS (how close to each, 0–10)",
        "#1 “Sleep through the night most nights” · set Thu 12 Feb",
        "  2 → 5 (+3) ▂▃▅ · first Sun 8 Mar, latest Sun 29 Mar · 3 ratings",
        "#3 “Ring Mum without dreading it” · set Thu 12 Feb · reworded Thu 19 Mar",
        "  4 → 6 (+2) ▄▄▅ · first Sun 8 Mar, latest Sun 29 Mar · 3 ratings",
        "#4 “Go back to the gym” · set Thu 12 Feb · retired Mon 23 Mar",
        "  1 → 2 (+1) ▂▂ · first Sun 8 Mar, latest Sun 22 Mar · 2 ratings",
        "#5 “Cook a real meal twice a week” · set Mon 23 Mar",
        "  3 · first rated Sun 29 Mar",
        "Rated 2 times in this period.",
    ]


def test_no_goals_no_section_unless_the_rating_is_assigned() -> None:
    request = dataclasses.replace(fortnight(), goals=(), entries=())
    assert "GOALS" not in render_text(build_digest(request))
    plan = dataclasses.replace(request.assignments[0], flow_id="goal_rating")
    text = render_text(build_digest(dataclasses.replace(request, assignments=(plan,))))
    assert "GOALS (how close to each, 0–10)\nNo goals written down yet." in text


def test_a_goal_not_rated_yet_says_so() -> None:
    request = fortnight()
    fresh = GoalInput(1, "Walk to work", local(date(2026, 3, 20), 9, 0))
    text = render_text(build_digest(dataclasses.replace(request, goals=(fresh,))))
    assert "#1 “Walk to work” · set Fri 20 Mar\n  Not rated yet." in text
