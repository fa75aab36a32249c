"""Paced breathing: choose a pattern and a length, rate calm, breathe with a live message, rate again.

The live message shows the phase (breathe in / hold / breathe out) and its count, and changes
with the pattern: one update per phase, so even 4-second phases stay within Telegram's pace for
a chat. Stopping early is fine and is recorded. Every string the client reads in it is here.
Diagram: ``breathing.mmd`` beside this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, TypeAlias

from bot.core.formatting import sentence
from bot.core.i18n import N_, _, ngettext
from flows.common import OBSTACLES, chosen_minutes, timed_length
from flows.model import AnswerKind, Answers, Flow, Option, Step
from flows.sections import (
    NOT_ANSWERED,
    UNFINISHED_MARK,
    DigestSection,
    RatedSessions,
    SectionEntry,
    SectionInput,
    SectionView,
    as_int,
    as_text,
    as_timer,
    duration,
    number,
    or_dash,
    practised,
    rated_sessions,
)
from flows.timer import TimerFrame, TimerPlan, clock_text

INTRO: Final = N_(
    "Let's breathe together for a few minutes. Follow the message as it changes — "
    "through your nose if that's comfortable — and stop whenever you like."
)
PATTERN_PROMPT: Final = N_("Which breathing pattern would you like?")
LENGTH_PROMPT: Final = N_("For how long?")
CALM_BEFORE: Final = N_("How calm do you feel right now?\n0 = not calm at all, 10 = completely calm.")
CALM_AFTER: Final = N_("How calm do you feel now, from 0 to 10?")

IN: Final = N_("Breathe in")
HOLD: Final = N_("Hold")
OUT: Final = N_("Breathe out")

PATTERNS: Final = {
    "box": ("box", ((IN, 4), (HOLD, 4), (OUT, 4), (HOLD, 4))),
    "478": ("4-7-8", ((IN, 4), (HOLD, 7), (OUT, 8))),
    "calm": ("calm", ((IN, 4), (OUT, 6))),
}
"""Pattern id → (name, phases as (what to do, seconds))."""
PATTERN_OPTIONS: Final = (
    Option("box", N_("Box · 4-4-4-4")),
    Option("478", N_("4-7-8")),
    Option("calm", N_("Calm · 4-6")),
)
LENGTHS: Final = (Option("1", N_("1 minute")), Option("3", N_("3 minutes")), Option("5", N_("5 minutes")))

GET_READY_SECONDS: Final = 3
BREATHING_NAMES: Final = {
    "box": N_("box breathing"),
    "478": N_("4-7-8 breathing"),
    "calm": N_("calm breathing"),
}
"""Pattern id → its name in a sentence (the live message, the journal)."""


def get_ready(rounds: int) -> str:
    """The first frame, before the first breath (formatted with ``breathing`` and ``rounds``)."""
    return ngettext(
        "🫁 {breathing} · {rounds} round\n\nGet ready… let your shoulders drop.",
        "🫁 {breathing} · {rounds} rounds\n\nGet ready… let your shoulders drop.",
        rounds,
    )


FRAME: Final = N_("🫁 {breathing} · round {round} of {rounds}\n\n{phase} … {count}\n\n⏳ {left} left")
COUNT_SEPARATOR: Final = " · "


def done(rounds: int) -> str:
    """How the live message ends when the time is up (with ``rounds`` and ``breathing``)."""
    return ngettext(
        "🫁 That's it — {rounds} round of {breathing}. Well done.",
        "🫁 That's it — {rounds} rounds of {breathing}. Well done.",
        rounds,
    )


STOPPED: Final = N_("🫁 You stopped after {elapsed} — that's fine. Any time spent breathing slowly counts.")
STOP_LABEL: Final = N_("Stop")


def pattern_of(answers: Answers) -> tuple[str, tuple[tuple[str, int], ...]]:
    return PATTERNS.get(str(answers.get("pattern")), PATTERNS["box"])


def rounds_for(answers: Answers) -> int:
    """As many whole breaths as fit in the length chosen (at least one): the countdown never
    shows more time than the client asked for ("1 minute" starts at 1:00 left or less)."""
    minutes = chosen_minutes(answers, LENGTHS)
    cycle = sum(seconds for _, seconds in pattern_of(answers)[1])
    return max(1, minutes * 60 // cycle)


def breathing_name(answers: Answers) -> str:
    """The pattern's name in a sentence, in the language being read ("box breathing")."""
    return _(BREATHING_NAMES.get(str(answers.get("pattern")), BREATHING_NAMES["box"]))


def breathing_plan(answers: Answers) -> TimerPlan:
    """One frame per phase, each showing the phase and its count (in the language being read)."""
    phases = pattern_of(answers)[1]
    rounds, name = rounds_for(answers), breathing_name(answers)
    total = GET_READY_SECONDS + rounds * sum(seconds for _seconds, seconds in phases)
    frames = [TimerFrame(0, get_ready(rounds).format(breathing=sentence(name), rounds=rounds))]
    at = GET_READY_SECONDS
    frame = _(FRAME)
    for round_number in range(1, rounds + 1):
        for phase, seconds in phases:
            count = COUNT_SEPARATOR.join(str(n) for n in range(1, seconds + 1))
            text = frame.format(
                breathing=sentence(name),
                round=round_number,
                rounds=rounds,
                phase=_(phase),
                count=count,
                left=clock_text(total - at),
            )
            frames.append(TimerFrame(at, text))
            at += seconds
    return TimerPlan(
        seconds=total,
        frames=tuple(frames),
        check_in_question="",
        check_in_thanks="",
        done_text=done(rounds).format(rounds=rounds, breathing=name),
        stopped_text=_(STOPPED),
        stop_label=STOP_LABEL,
    )


SUMMARY: Final = N_(
    "Thank you for taking this time. Calm went from {before} to {after}. It's saved in your journal."
)
JOURNAL_LINE: Final = N_("{breathing} {length} · calm {before} → {after}")


def summarize(answers: Answers) -> str:
    return _(SUMMARY).format(before=answers.get("calm_before"), after=answers.get("calm_after"))


def journal_line(answers: Answers) -> str:
    return _(JOURNAL_LINE).format(
        breathing=breathing_name(answers),
        length=timed_length(answers, "breathe"),
        before=answers.get("calm_before", "–"),
        after=answers.get("calm_after", "–"),
    )


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = N_("BREATHING")
DIGEST_CALM: Final = N_("calm on average {before} → {after} (0–10)")
SESSION_LINE: Final = "· {when} — {parts}"
SESSION_CALM: Final = N_("calm {before} → {after}")


@dataclass(frozen=True, slots=True)
class BreathingSession:
    at: datetime
    finished: bool
    pattern: str | None
    planned_minutes: int | None
    seconds: int | None
    stopped_early: bool
    calm_before: int | None
    calm_after: int | None


BreathingSummary: TypeAlias = RatedSessions[BreathingSession]


def _session(entry: SectionEntry) -> BreathingSession | None:
    answers = entry.answers
    seconds, stopped_early = as_timer(answers.get("breathe"))
    session = BreathingSession(
        at=entry.at,
        finished=entry.finished,
        pattern=as_text(answers.get("pattern")),
        planned_minutes=as_int(answers.get("minutes"), 0, 600),
        seconds=seconds,
        stopped_early=stopped_early,
        calm_before=as_int(answers.get("calm_before"), 0, 10),
        calm_after=as_int(answers.get("calm_after"), 0, 10),
    )
    empty = session.pattern is None and session.calm_before is None and session.seconds is None
    return None if empty else session


def breathing_summary(given: SectionInput) -> BreathingSummary:
    found = tuple(b for e in given.entries if (b := _session(e)) is not None)
    return rated_sessions(found, lambda s: (s.calm_before, s.calm_after))


def _session_line(session: BreathingSession, view: SectionView) -> str:
    parts = []
    known = BREATHING_NAMES.get(session.pattern or "")
    what = _(known) if known else session.pattern or ""
    if session.seconds is not None:
        what = f"{what}, {practised(session.seconds, session.planned_minutes, session.stopped_early)}"
    elif session.planned_minutes is not None:
        what = f"{what}, {duration(session.planned_minutes * 60)}"
    if what.strip(", "):
        parts.append(what.strip(", "))
    if session.calm_before is not None or session.calm_after is not None:
        parts.append(
            _(SESSION_CALM).format(before=or_dash(session.calm_before), after=or_dash(session.calm_after))
        )
    line = SESSION_LINE.format(when=view.dates.when(session.at), parts=" · ".join(parts) or NOT_ANSWERED)
    return line + ("" if session.finished else _(UNFINISHED_MARK))


def breathing_body(breathing: BreathingSummary, view: SectionView) -> str:
    summary = [ngettext("{count} time", "{count} times", breathing.count).format(count=breathing.count)]
    if breathing.mean_before is not None and breathing.mean_after is not None:
        before, after = number(breathing.mean_before), number(breathing.mean_after)
        summary.append(_(DIGEST_CALM).format(before=before, after=after))
    return "\n".join([" · ".join(summary), *(_session_line(s, view) for s in breathing.sessions)])


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=("pattern", "minutes", "breathe", "calm_before", "calm_after"),
    facts=breathing_summary,
    count=lambda breathing: breathing.count,
    body=breathing_body,
    counted=lambda n: ngettext("{count} breathing session", "{count} breathing sessions", n).format(count=n),
)


BREATHING: Final = Flow(
    id="breathing",
    title=N_("breathing exercise"),
    command="breathe",
    description=N_("a paced breathing exercise"),
    intro=INTRO,
    steps=(
        Step("pattern", PATTERN_PROMPT, AnswerKind.CHOICE, options=PATTERN_OPTIONS, columns=1),
        Step("minutes", LENGTH_PROMPT, AnswerKind.CHOICE, options=LENGTHS, columns=3),
        Step("calm_before", CALM_BEFORE, AnswerKind.SCALE, low=0, high=10),
        Step("breathe", "", AnswerKind.TIMER, timer=breathing_plan),
        Step("calm_after", CALM_AFTER, AnswerKind.SCALE, low=0, high=10),
        OBSTACLES,
    ),
    summarize=summarize,
    journal_line=journal_line,
    digest=DIGEST,
)
