"""Goal rating (Goal-Based Outcomes): how close is the client to each of their goals, 0–10.

The goals are the client's own words, written down by their therapist (``/goal Sam add "…"``);
the flow is built from them when it starts: they are listed in the answers under
:data:`GOALS_KEY` as ``[number, words]`` pairs (so an entry keeps the words it was answered
under) and the one question is asked once per goal. A client with no goals is told so
kindly instead (the chat reads their goals; this module never sees storage). The digest
section reads the goals as the digest is given them, each with every rating (the baseline
too, from before the period), and the entries only to count how often they were rated. Every string the client
reads in it is here. Diagram: ``goal_rating.mmd`` beside this file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.core.i18n import N_, _, ngettext
from flows.model import AnswerKind, Answers, Flow, Step
from flows.sections import (
    DigestSection,
    SectionGoal,
    SectionInput,
    SectionView,
    as_int,
    as_mapping,
    compress,
    inline,
    sparkline,
)

GOALS_KEY: Final = "goals"
"""Where the goals are listed when the flow starts: ``[[number, words], …]``, active ones."""

INTRO: Final = (
    "A moment for your goals — the ones you and your therapist wrote down. "
    "There are no right answers: just where things are today."
)
RATING_PROMPT: Final = "“{item}”\n\nHow close are you to this goal? 0–10\n0 = not started, 10 = reached it."
NO_GOALS: Final = (
    "There are no goals to rate yet. Your therapist writes them down with you, "
    "in your own words — maybe something to bring to your next session."
)

SUMMARY: Final = (
    "Thank you for rating your goals. It's saved in your journal, and your therapist will see it."
)
SUMMARY_PART: Final = "Thank you — the goals you rated are saved."
JOURNAL_LINE: Final = "goals · {ratings}"
JOURNAL_ITEM: Final = "{words} {value}/10"
JOURNAL_DETAIL_ITEM: Final = "{words}\n  {value}/10"
NOT_RATED: Final = "not rated"


def goals_context(goals: Iterable[tuple[int, str]]) -> dict[str, list[list[str]]]:
    """What the flow starts with: the active goals as ``[number, words]`` pairs, in order."""
    return {GOALS_KEY: [[str(number), words] for number, words in goals]}


def rated(answers: Answers) -> list[tuple[str, str, int | None]]:
    """Each goal listed at the start, with its words then and its rating (None: not rated)."""
    listed = answers.get(GOALS_KEY)
    given = answers.get("rating")
    ratings = given if isinstance(given, dict) else {}
    pairs = (
        [p for p in listed if isinstance(p, list | tuple) and len(p) == 2] if isinstance(listed, list) else []
    )
    return [(str(number), str(words), as_int(ratings.get(str(number)), 0, 10)) for number, words in pairs]


def summarize(answers: Answers) -> str:
    every = rated(answers)
    return SUMMARY if every and all(value is not None for _, _, value in every) else SUMMARY_PART


def journal_line(answers: Answers) -> str:
    items = [
        JOURNAL_ITEM.format(words=inline(words), value=value)
        for _, words, value in rated(answers)
        if value is not None
    ]
    return JOURNAL_LINE.format(ratings=" · ".join(items) or NOT_RATED)


def journal_detail(answers: Answers) -> str:
    return "\n".join(
        JOURNAL_DETAIL_ITEM.format(words=inline(words), value="–" if value is None else value)
        for _, words, value in rated(answers)
    )


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = N_("GOALS (how close to each, 0–10)")
NO_GOALS_DIGEST: Final = N_("No goals written down yet.")
GOAL_LINE: Final = N_("#{number} {words} · set {set}{reworded}{retired}")
REWORDED: Final = N_(" · reworded {when}")
RETIRED: Final = N_(" · retired {when}")
ONE_RATING: Final = N_("  {latest} · first rated {latest_at}")
UNRATED: Final = N_("  Not rated yet.")
SPARK_WIDTH: Final = 12


@dataclass(frozen=True, slots=True)
class GoalsSummary:
    goals: tuple[SectionGoal, ...]
    """By number; each with every rating up to the period's end, oldest first."""
    times_rated: int
    """Goal ratings done in the period (left part-way too, if any goal was rated)."""


def goals_summary(found: SectionInput) -> GoalsSummary:
    """The goals with their series (from the goals' own rows), and how often they were rated in
    the period (from the entries)."""
    rated = sum(1 for e in found.entries if as_mapping(e.answers.get("rating")))
    return GoalsSummary(tuple(sorted(found.goals, key=lambda g: g.number)), rated)


def goals_body(summary: GoalsSummary, view: SectionView) -> str:
    lines: list[str] = []
    for goal in summary.goals:
        day = view.dates.day
        lines.append(
            _(GOAL_LINE).format(
                number=goal.number,
                words=inline(goal.text),
                set=day(goal.set_at.date()),
                reworded=_(REWORDED).format(when=day(goal.reworded_at.date())) if goal.reworded_at else "",
                retired=_(RETIRED).format(when=day(goal.retired_at.date())) if goal.retired_at else "",
            )
        )
        lines.append(_series_line(goal, view))
    if summary.times_rated:
        rated = ngettext(
            "Rated {count} time in this period.", "Rated {count} times in this period.", summary.times_rated
        )
        lines.append(rated.format(count=summary.times_rated))
    return "\n".join(lines)


def _series_line(goal: SectionGoal, view: SectionView) -> str:
    if not goal.ratings:
        return _(UNRATED)
    (first_at, first), (latest_at, latest) = goal.ratings[0], goal.ratings[-1]
    if goal.change is None:
        return _(ONE_RATING).format(latest=latest, latest_at=view.dates.day(latest_at.date()))
    series = ngettext(
        "  {first} → {latest} ({change}) {spark} · first {first_at}, latest {latest_at} · {count} rating",
        "  {first} → {latest} ({change}) {spark} · first {first_at}, latest {latest_at} · {count} ratings",
        len(goal.ratings),
    )
    return series.format(
        first=first,
        latest=latest,
        change=f"{goal.change:+d}",
        spark=sparkline(compress([float(v) for _, v in goal.ratings], SPARK_WIDTH)),
        first_at=view.dates.day(first_at.date()),
        latest_at=view.dates.day(latest_at.date()),
        count=len(goal.ratings),
    )


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=("rating",),
    facts=goals_summary,
    count=lambda summary: len(summary.goals),
    body=goals_body,
    empty=NO_GOALS_DIGEST,
)


GOAL_RATING: Final = Flow(
    id="goal_rating",
    title=N_("goal rating"),
    command="goals",
    description=N_("how close you are to your goals"),
    intro=INTRO,
    steps=(Step("rating", RATING_PROMPT, AnswerKind.SCALE, low=0, high=10, items_from=GOALS_KEY),),
    summarize=summarize,
    journal_line=journal_line,
    journal_detail=journal_detail,
    digest=DIGEST,
)
