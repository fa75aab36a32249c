"""Mood check: how is your mood (0–10), which words fit, anything to add.

The shortest homework, and the one most clients do most often: a quick, low-effort check-in
that gives the therapist a mood trend. Every string the client reads in it is here.
Diagram: ``mood_check.mmd`` beside this file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.i18n import N_, _, ngettext
from flows.common import OBSTACLES
from flows.model import AnswerKind, Answers, Flow, Option, Step
from flows.sections import (
    ChartSeries,
    DigestSection,
    SectionFlag,
    SectionInput,
    SectionView,
    as_int,
    as_items,
    as_text,
    compress,
    inline,
    mean,
    number,
    sparkline,
    strip_custom,
)

INTRO: Final = N_("Let's take a moment to check in. A few quick questions — any answer is fine.")

MOOD_PROMPT: Final = N_("How is your mood right now?\n0 = the lowest it gets, 10 = the best it gets.")
FEELINGS_PROMPT: Final = N_("Which words fit how you feel? ⟨Pick_any⟩, then ⟨tap⟩ Done.")
NOTE_PROMPT: Final = N_("Anything you'd like to add? Write a few words, or ⟨tap⟩ Skip.")

FEELINGS: Final = (
    Option("calm", N_("Calm")),
    Option("content", N_("Content")),
    Option("hopeful", N_("Hopeful")),
    Option("tired", N_("Tired")),
    Option("anxious", N_("Anxious")),
    Option("sad", N_("Sad")),
    Option("irritable", N_("Irritable")),
    Option("lonely", N_("Lonely")),
    Option("stressed", N_("Stressed")),
    Option("numb", N_("Numb")),
)

SUMMARY: Final = N_("Thank you for checking in. Mood {mood}/10. It's saved in your journal.")
SUMMARY_FEELINGS: Final = N_(
    "Thank you for checking in. Mood {mood}/10 — {words}. It's saved in your journal."
)
SUMMARY_NOTE: Final = N_("Your note is saved too.")


def _feeling_words(answers: Answers) -> str:
    """The feelings picked, in the language being read, in a sentence's case."""
    picked = answers.get("feelings") or []
    return ", ".join(_(o.label).lower() for o in FEELINGS if o.id in picked)


def summarize(answers: Answers) -> str:
    """A short, warm recap; never repeats the client's own note back."""
    words = _feeling_words(answers)
    mood = answers.get("mood")
    text = _(SUMMARY_FEELINGS).format(mood=mood, words=words) if words else _(SUMMARY).format(mood=mood)
    if answers.get("note"):
        text += "\n" + _(SUMMARY_NOTE)
    return text


JOURNAL_LINE: Final = N_("mood {mood}/10")
JOURNAL_LINE_FEELINGS: Final = N_("mood {mood}/10 · {words}")


def journal_line(answers: Answers) -> str:
    words, mood = _feeling_words(answers), answers.get("mood", "–")
    return (
        _(JOURNAL_LINE_FEELINGS).format(mood=mood, words=words)
        if words
        else _(JOURNAL_LINE).format(mood=mood)
    )


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = N_("MOOD")
NO_MOOD: Final = N_("No mood check-ins in this period.")
SPARK: Final = N_("{spark}  (0–10, oldest first)")
STATS: Final = N_("{checkins} · lowest {low} · average {mean} · highest {high}")
HIGHER: Final = N_("{delta} higher now")
LOWER: Final = N_("{delta} lower now")
SAME: Final = N_("about the same now")
NO_PREVIOUS: Final = N_("No mood check-ins in the previous period to compare with.")
FEELINGS_CHOSEN: Final = N_("Words chosen most: {feelings}")
NOTES: Final = N_("Notes with mood check-ins:")
NOTE_ITEM: Final = N_("· {when} · {mood}/10: {note}")
HEADLINE: Final = N_("Mood {spark} · average {mean} ({low}–{high}){change}")
HEADLINE_HIGHER: Final = N_(", {delta} higher than the period before")
HEADLINE_LOWER: Final = N_(", {delta} lower than the period before")
FLAG: Final = N_("Very low mood: {mood}/10")
FLAG_SUMMARY: Final = N_("very low mood")

VERY_LOW_MOOD: Final = 2
"""A mood at or below this (0–10) is flagged."""
TOP_FEELINGS: Final = 5
SPARK_WIDTH: Final = 42
HEADLINE_SPARK_WIDTH: Final = 28
_FEELING_LABELS: Final = {o.id: o.label for o in FEELINGS}


def spark_averaged(n: int) -> str:
    """The sparkline's legend when each mark averages about ``n`` check-ins."""
    return ngettext(
        "{spark}  (0–10, oldest first; each mark averages about {n} check-in)",
        "{spark}  (0–10, oldest first; each mark averages about {n} check-ins)",
        n,
    )


def check_ins(count: int) -> str:
    """'19 check-ins'."""
    return ngettext("{count} check-in", "{count} check-ins", count).format(count=count)


def previous_period(count: int) -> str:
    """How the period before compares (formatted with ``mean`` and ``change``)."""
    return ngettext(
        "Previous period: average {mean} over {count} check-in — {change}.",
        "Previous period: average {mean} over {count} check-ins — {change}.",
        count,
    )


def feeling_label(item: str) -> str:
    """A feeling picked: a listed one's label in the language being read; the client's own word
    exactly as they wrote it."""
    label = _FEELING_LABELS.get(item)
    return _(label) if label is not None else strip_custom(item)


def in_a_sentence(label: str) -> str:
    """A listed feeling's label in lower case, as a line of the digest reads it; anything else
    (the client's own word) as written."""
    return label.lower() if label in {_(o.label) for o in FEELINGS} else label


@dataclass(frozen=True, slots=True)
class MoodPoint:
    at: datetime
    mood: int
    feelings: tuple[str, ...]  # labels in the language being read, or the client's own words
    note: str | None


@dataclass(frozen=True, slots=True)
class MoodSummary:
    points: tuple[MoodPoint, ...]
    low: int | None
    mean: float | None
    high: int | None
    previous_count: int
    previous_mean: float | None
    change: float | None  # mean − previous mean
    top_feelings: tuple[tuple[str, int], ...]

    @property
    def count(self) -> int:
        return len(self.points)


def mood_summary(given: SectionInput) -> MoodSummary:
    points = tuple(
        MoodPoint(
            at=e.at,
            mood=mood,
            feelings=tuple(feeling_label(i) for i in as_items(e.answers.get("feelings"))),
            note=as_text(e.answers.get("note")),
        )
        for e in given.entries
        if (mood := as_int(e.answers.get("mood"), 0, 10)) is not None
    )
    before = [m for e in given.previous if (m := as_int(e.answers.get("mood"), 0, 10)) is not None]
    values = [p.mood for p in points]
    this_mean, previous_mean = mean(values), mean(before)
    feelings = Counter(f for p in points for f in p.feelings)
    return MoodSummary(
        points=points,
        low=min(values) if values else None,
        mean=this_mean,
        high=max(values) if values else None,
        previous_count=len(before),
        previous_mean=previous_mean,
        change=this_mean - previous_mean if this_mean is not None and previous_mean is not None else None,
        top_feelings=tuple(sorted(feelings.items(), key=lambda f_n: (-f_n[1], f_n[0]))[:TOP_FEELINGS]),
    )


def _spark_line(mood: MoodSummary) -> str:
    values = [p.mood for p in mood.points]
    spark = sparkline(compress(values, SPARK_WIDTH))
    if len(values) > SPARK_WIDTH:
        n = round(len(values) / SPARK_WIDTH)
        return spark_averaged(n).format(spark=spark, n=n)
    return _(SPARK).format(spark=spark)


def _compared(mood: MoodSummary, view: SectionView) -> list[str]:
    if mood.previous_mean is None or mood.change is None:
        return [] if view.since_joining else [_(NO_PREVIOUS)]
    delta = number(abs(mood.change))
    change = (
        _(SAME)
        if round(abs(mood.change), 1) == 0
        else _(HIGHER if mood.change > 0 else LOWER).format(delta=delta)
    )
    mean_before = number(mood.previous_mean)
    return [
        previous_period(mood.previous_count).format(
            mean=mean_before, count=mood.previous_count, change=change
        )
    ]


def mood_body(mood: MoodSummary, view: SectionView) -> str:
    lines = [
        _spark_line(mood),
        _(STATS).format(checkins=check_ins(mood.count), low=mood.low, mean=number(mood.mean), high=mood.high),
        *_compared(mood, view),
    ]
    if mood.top_feelings:
        feelings = ", ".join(f"{in_a_sentence(label)} ×{n}" for label, n in mood.top_feelings)
        lines.append(_(FEELINGS_CHOSEN).format(feelings=feelings))
    noted = [p for p in mood.points if p.note]
    if noted:
        lines.append(_(NOTES))
        lines += [
            _(NOTE_ITEM).format(when=view.dates.when(p.at), mood=p.mood, note=inline(p.note or ""))
            for p in noted
        ]
    return "\n".join(lines)


def mood_headline(mood: MoodSummary, view: SectionView) -> str | None:
    if mood.mean is None or mood.low is None or mood.high is None:
        return None
    change = ""
    if mood.change is not None and round(abs(mood.change), 1) >= 0.1:
        higher = mood.change > 0
        change = _(HEADLINE_HIGHER if higher else HEADLINE_LOWER).format(delta=number(abs(mood.change)))
    spark = sparkline(compress([p.mood for p in mood.points], HEADLINE_SPARK_WIDTH))
    return _(HEADLINE).format(
        spark=spark, mean=number(mood.mean), low=mood.low, high=mood.high, change=change
    )


def mood_flags(mood: MoodSummary) -> tuple[SectionFlag, ...]:
    return tuple(
        SectionFlag(p.at, _(FLAG).format(mood=p.mood), _(FLAG_SUMMARY))
        for p in mood.points
        if p.mood <= VERY_LOW_MOOD
    )


def mood_chart(mood: MoodSummary) -> ChartSeries | None:
    if not mood.points:
        return None
    points = tuple((p.at, p.mood) for p in mood.points)
    return ChartSeries(points, mood.mean, mood.previous_mean, VERY_LOW_MOOD)


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=("mood", "feelings", "note"),
    facts=mood_summary,
    count=lambda mood: mood.count,
    body=mood_body,
    empty=NO_MOOD,
    headline=mood_headline,
    flags=mood_flags,
    chart=mood_chart,
)


MOOD_CHECK: Final = Flow(
    id="mood_check",
    title=N_("mood check"),
    command="mood",
    description=N_("a quick mood check-in"),
    intro=INTRO,
    steps=(
        Step("mood", MOOD_PROMPT, AnswerKind.SCALE, low=0, high=10),
        Step("feelings", FEELINGS_PROMPT, AnswerKind.MULTI_CHOICE, options=FEELINGS, optional=True),
        Step("note", NOTE_PROMPT, AnswerKind.TEXT, optional=True, max_length=4000),
        OBSTACLES,
    ),
    summarize=summarize,
    journal_line=journal_line,
    digest=DIGEST,
)
