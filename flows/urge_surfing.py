"""Urge surfing: name the urge, rate it, then ride it out with a live timer, and rate it again.

Urges rise, peak and pass like waves; the exercise is to watch one without acting on it. The
timer is one live message that counts down, with a guiding line that follows the wave and a
check-in every few minutes. Stopping early is fine and is recorded, never judged. Every string
the client reads in it is here. Diagram: ``urge_surfing.mmd`` beside this file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.i18n import N_, _, ngettext
from flows.common import OBSTACLES, chosen_minutes, timed_length
from flows.model import AnswerKind, Answers, Flow, Option, Step
from flows.sections import (
    NOT_ANSWERED,
    NOTE_LINE,
    UNFINISHED_MARK,
    DigestSection,
    RatedSessions,
    SectionEntry,
    SectionInput,
    SectionView,
    as_int,
    as_text,
    as_timer,
    inline,
    number,
    or_dash,
    practised,
    rated_sessions,
)
from flows.timer import TimerFrame, TimerPlan, clock_text

INTRO: Final = N_(
    "Urges rise, peak and pass, like waves. Let's ride this one out together: "
    "you watch it, without needing to act on it. You can stop at any time."
)
URGE_PROMPT: Final = N_(
    "What's the urge? Name it in a few words if you like — for example smoking, checking my phone, "
    "snapping at someone. Or ⟨tap⟩ Skip."
)
INTENSITY_BEFORE: Final = N_(
    "How strong is the urge right now?\n0 = barely there, 10 = the strongest it gets."
)
LENGTH_PROMPT: Final = N_("How long would you like to ride it for? You can stop whenever you like.")
INTENSITY_AFTER: Final = N_("How strong is the urge now, from 0 to 10?")
ACTED_PROMPT: Final = N_("Did you act on the urge? Whatever the answer, it's useful to know.")
NOTE_PROMPT: Final = N_(
    "Anything you noticed — in your body, your thoughts, what helped? Write a few words, or ⟨tap⟩ Skip."
)

LENGTHS: Final = (
    Option("5", N_("5 minutes")),
    Option("10", N_("10 minutes")),
    Option("15", N_("15 minutes")),
)
ACTED: Final = (Option("no", N_("No")), Option("partly", N_("Partly")), Option("yes", N_("Yes")))
CHECK_INS: Final = (Option("riding", N_("Still riding it")), Option("easing", N_("It's easing")))

TIMER_HEAD: Final = N_("🌊 {wave}\n⏳ {left} left")
WAVE: Final = "▁▂▃▄▅▆▇█▇▆▅▄▃▂▁"
WAVE_AHEAD: Final = "·"
GUIDES: Final = (
    (0.2, N_("Notice the urge. Where do you feel it in your body? Breathe slowly and just watch it.")),
    (0.45, N_("The wave may be building. You don't have to act on it — let it rise, and keep breathing.")),
    (0.6, N_("This may be the peak. Stay with it: urges peak, and then they pass.")),
    (0.85, N_("Waves that rise also fall. Notice any change, however small.")),
    (1.0, N_("Nearly there. Notice how the urge feels now.")),
)
CHECK_IN_QUESTION: Final = N_("How is it now?")
CHECK_IN_THANKS: Final = N_("Thank you for checking in — keep breathing with it.")
DONE: Final = N_("🌊 Time's up — you rode the wave for {minutes} minutes. Well done.")
STOPPED: Final = N_("🌊 You stopped after {elapsed} — that's fine. Every minute of riding it counts.")
STOP_LABEL: Final = N_("Stop")

UPDATE_EVERY: Final = 15
"""Seconds between countdown updates (well within Telegram's pace for one chat)."""
CHECK_IN_EVERY: Final = 180
CHECK_IN_OPEN: Final = 60
"""A check-in question stays on the message this long, then quietly goes."""
CHECK_IN_NOT_BEFORE_END: Final = 90


def _wave(fraction: float) -> str:
    shown = round(fraction * len(WAVE))
    return WAVE[:shown] + WAVE_AHEAD * (len(WAVE) - shown)


def _guide(fraction: float) -> str:
    return next((line for until, line in GUIDES if fraction < until), GUIDES[-1][1])


def surf_plan(answers: Answers) -> TimerPlan:
    """The live message for the length chosen: a frame every few seconds, check-ins between."""
    minutes = chosen_minutes(answers, LENGTHS)
    seconds = minutes * 60
    check_ins = [
        t for t in range(CHECK_IN_EVERY, seconds, CHECK_IN_EVERY) if seconds - t >= CHECK_IN_NOT_BEFORE_END
    ]
    frames = []
    for at in range(0, seconds, UPDATE_EVERY):
        fraction = at / seconds
        opened = next((t for t in check_ins if t <= at < t + CHECK_IN_OPEN), None)
        head = _(TIMER_HEAD).format(wave=_wave(fraction), left=clock_text(seconds - at))
        text = f"{head}\n\n{_(_guide(fraction))}"
        frames.append(TimerFrame(at, text, check_in_since=opened))
    return TimerPlan(
        seconds=seconds,
        frames=tuple(frames),
        check_in_question=_(CHECK_IN_QUESTION),
        check_in_thanks=_(CHECK_IN_THANKS),
        done_text=_(DONE).format(minutes=minutes),
        stopped_text=_(STOPPED),
        stop_label=STOP_LABEL,
    )


SUMMARY: Final = N_("Thank you for riding it out. The urge went from {before} to {after}.")
SUMMARY_STOPPED: Final = N_("You rode it for {elapsed} — every bit of practice counts.")
SUMMARY_CLOSE: Final = N_("It's saved in your journal.")
ACTED_LINE: Final = {
    "no": N_("didn't act on it"),
    "partly": N_("partly acted on it"),
    "yes": N_("acted on it"),
}


def _surf(answers: Answers) -> dict[str, object]:
    surf = answers.get("surf")
    return surf if isinstance(surf, dict) else {}


def summarize(answers: Answers) -> str:
    lines = [_(SUMMARY).format(before=answers.get("intensity_before"), after=answers.get("intensity_after"))]
    surf = _surf(answers)
    if surf.get("stopped_early"):
        lines.append(_(SUMMARY_STOPPED).format(elapsed=clock_text(float(str(surf.get("seconds") or 0)))))
    lines.append(_(SUMMARY_CLOSE))
    return "\n".join(lines)


JOURNAL_LINE: Final = N_("urge {before} → {after} · {length} · {acted}")
JOURNAL_LINE_NAMED: Final = N_("“{urge}” {before} → {after} · {length} · {acted}")


def journal_line(answers: Answers) -> str:
    urge = answers.get("urge")
    return _(JOURNAL_LINE_NAMED if urge else JOURNAL_LINE).format(
        urge=urge,
        before=answers.get("intensity_before", "–"),
        after=answers.get("intensity_after", "–"),
        length=timed_length(answers, "surf"),
        acted=_(ACTED_LINE[str(answers.get("acted"))]) if str(answers.get("acted")) in ACTED_LINE else "–",
    )


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = N_("URGE SURFING")
DIGEST_INTENSITY: Final = N_("intensity on average {before} → {after} (0–10)")
DIGEST_ACTED: Final = N_("acted on the urge: no {no}, partly {partly}, yes {yes}")
SESSION_LINE: Final = "· {when} — {parts}"
SESSION_INTENSITY: Final = N_("intensity {before} → {after}")
SESSION_ACTED: Final = N_("acted on it: {acted}")
ACTED_ANSWERS: Final = tuple(option.id for option in ACTED)
_ACTED_LABELS: Final = {option.id: option.label for option in ACTED}


@dataclass(frozen=True, slots=True)
class UrgeSurf:
    at: datetime
    finished: bool
    urge: str | None
    intensity_before: int | None
    intensity_after: int | None
    planned_minutes: int | None
    seconds: int | None  # how long they stayed with it
    stopped_early: bool
    acted: str | None  # "no" | "partly" | "yes"
    note: str | None


@dataclass(frozen=True, slots=True)
class UrgeSummary(RatedSessions[UrgeSurf]):
    """Rated by intensity before and after; and how often the urge was acted on."""

    acted: tuple[tuple[str, int], ...]  # ("no", n), ("partly", n), ("yes", n)


def _surf_facts(entry: SectionEntry) -> UrgeSurf | None:
    answers = entry.answers
    seconds, stopped_early = as_timer(answers.get("surf"))
    surf = UrgeSurf(
        at=entry.at,
        finished=entry.finished,
        urge=as_text(answers.get("urge")),
        intensity_before=as_int(answers.get("intensity_before"), 0, 10),
        intensity_after=as_int(answers.get("intensity_after"), 0, 10),
        planned_minutes=as_int(answers.get("minutes"), 0, 600),
        seconds=seconds,
        stopped_early=stopped_early,
        acted=acted if (acted := as_text(answers.get("acted"))) in ACTED_ANSWERS else None,
        note=as_text(answers.get("note")),
    )
    empty = surf.urge is None and surf.intensity_before is None and surf.seconds is None
    return None if empty else surf


def urge_summary(given: SectionInput) -> UrgeSummary:
    found = tuple(s for e in given.entries if (s := _surf_facts(e)) is not None)
    rated = rated_sessions(found, lambda s: (s.intensity_before, s.intensity_after))
    acted = Counter(s.acted for s in found if s.acted is not None)
    counts = tuple((answer, acted[answer]) for answer in ACTED_ANSWERS)
    return UrgeSummary(rated.sessions, rated.rated, rated.mean_before, rated.mean_after, counts)


def _surf_lines(surf: UrgeSurf, view: SectionView) -> list[str]:
    parts = [inline(surf.urge)] if surf.urge else []
    if surf.intensity_before is not None or surf.intensity_after is not None:
        before, after = or_dash(surf.intensity_before), or_dash(surf.intensity_after)
        parts.append(_(SESSION_INTENSITY).format(before=before, after=after))
    if surf.seconds is not None:
        parts.append(practised(surf.seconds, surf.planned_minutes, surf.stopped_early))
    if surf.acted:
        parts.append(_(SESSION_ACTED).format(acted=_(_ACTED_LABELS[surf.acted]).lower()))
    line = SESSION_LINE.format(when=view.dates.when(surf.at), parts=" · ".join(parts) or NOT_ANSWERED)
    lines = [line + ("" if surf.finished else _(UNFINISHED_MARK))]
    if surf.note:
        lines.append(_(NOTE_LINE).format(note=inline(surf.note)))
    return lines


def urge_body(urges: UrgeSummary, view: SectionView) -> str:
    summary = [ngettext("{count} time", "{count} times", urges.count).format(count=urges.count)]
    if urges.mean_before is not None and urges.mean_after is not None:
        before, after = number(urges.mean_before), number(urges.mean_after)
        summary.append(_(DIGEST_INTENSITY).format(before=before, after=after))
    acted = dict(urges.acted)
    if any(acted.values()):
        summary.append(_(DIGEST_ACTED).format(no=acted["no"], partly=acted["partly"], yes=acted["yes"]))
    lines = [" · ".join(summary)]
    for surf in urges.sessions:
        lines += _surf_lines(surf, view)
    return "\n".join(lines)


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=("urge", "intensity_before", "intensity_after", "minutes", "surf", "acted", "note"),
    facts=urge_summary,
    count=lambda urges: urges.count,
    body=urge_body,
    counted=lambda n: ngettext("{count} urge surfed", "{count} urges surfed", n).format(count=n),
)


URGE_SURFING: Final = Flow(
    id="urge_surfing",
    title=N_("urge surfing"),
    one=N_("an urge-surfing session"),
    command="urge",
    description=N_("ride out an urge with a timer"),
    intro=INTRO,
    steps=(
        Step("urge", URGE_PROMPT, AnswerKind.TEXT, optional=True, max_length=200),
        Step("intensity_before", INTENSITY_BEFORE, AnswerKind.SCALE, low=0, high=10),
        Step("minutes", LENGTH_PROMPT, AnswerKind.CHOICE, options=LENGTHS, columns=3),
        Step("surf", "", AnswerKind.TIMER, options=CHECK_INS, timer=surf_plan),
        Step("intensity_after", INTENSITY_AFTER, AnswerKind.SCALE, low=0, high=10),
        Step("acted", ACTED_PROMPT, AnswerKind.CHOICE, options=ACTED, columns=3),
        Step("note", NOTE_PROMPT, AnswerKind.TEXT, optional=True, max_length=2000),
        OBSTACLES,
    ),
    summarize=summarize,
    journal_line=journal_line,
    digest=DIGEST,
)
