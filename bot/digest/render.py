"""Render a digest for the therapist: plain text, Telegram-sized parts, a caption-sized summary.

Every string the therapist reads in a digest is at the top of this module. The text is plain
(send it without a parse mode): the client's own words are quoted as they wrote them, with no
markup to escape. The client is named by their alias only; dates and times are the client's
local ones, as the header says.

Too long for one message (4096 UTF-16 units)? Either send :func:`split_for_telegram`'s parts in
order, or — when there would be many — :func:`render_summary` as the caption of
:func:`render_document` (with :func:`document_filename`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Final

from bot.core.messages import TELEGRAM_TEXT_LIMIT, utf16_length
from bot.digest.build import (
    BREATHING,
    MOOD_CHECK,
    THOUGHT_RECORD_ID,
    URGE_SURFING,
    BreathingSession,
    DayLine,
    Digest,
    Flag,
    FlagKind,
    HomeworkAdherence,
    Occurrence,
    OccurrenceStatus,
    PlanLine,
    ThoughtRecord,
    UrgeSurf,
    flow_title,
)
from flows.breathing import PATTERNS as BREATHING_PATTERNS

CAPTION_LIMIT: Final = 1024
SPARK_WIDTH: Final = 42
SUMMARY_SPARK_WIDTH: Final = 28

# --- what the therapist reads ---------------------------------------------------------------

TITLE: Final = "Pre-session digest: {alias}"
SESSION: Final = "Session {when} · times are {alias}'s local time ({zone})"
COVERING_SINCE_SESSION: Final = "Covering {start} – {end}, since the last session."
COVERING_SINCE_JOINING: Final = "Covering {start} – {end}, since {alias} joined."

FLAGS_HEADING: Final = "WORTH A LOOK FIRST"
HOMEWORK_HEADING: Final = "HOMEWORK"
MOOD_HEADING: Final = "MOOD"
THOUGHTS_HEADING: Final = "THOUGHT RECORDS"
URGES_HEADING: Final = "URGE SURFING"
BREATHING_HEADING: Final = "BREATHING"
OBSTACLES_HEADING: Final = "WHAT GOT IN THE WAY"
NOTES_HEADING: Final = "NOTES {alias} ASKED TO BRING"
HEADINGS: Final = (
    FLAGS_HEADING,
    NOTES_HEADING,
    HOMEWORK_HEADING,
    MOOD_HEADING,
    THOUGHTS_HEADING,
    URGES_HEADING,
    BREATHING_HEADING,
    OBSTACLES_HEADING,
)
"""Section headings: a digest is split for Telegram before one of these where it can."""

FLAG_MARK: Final = "⚑"
FLAG_RISK: Final = "{mark} Risk language recognised{category}: {where} · {when}"
FLAG_RISK_CATEGORY: Final = " ({category})"
FLAG_RISK_ANSWERS: Final = " · when asked: {answers}"
RISK_ANSWERS: Final = {"safe": "safe", "not_safe": "NOT safe"}
FLAG_UNREACHABLE: Final = (
    "{mark} Unreachable since {when}: messages to {alias} can't be delivered (perhaps the bot was "
    "blocked), so prompts are paused until they write again."
)
FLAG_LOW_MOOD: Final = "{mark} Very low mood: {mood}/10 · {when}"
PLACES: Final = {
    "note": "note",
    "message": "message",
    "caption": "photo caption",
    "edit": "edited message",
    "command": "command",
}
"""Where risk language can be recognised besides homework answers."""

NO_HOMEWORK: Final = "No homework was planned or done in this period."
PLAN: Final = "{title} · {times} {days}"
PLAN_NONE: Final = "{title} · not scheduled"
PLAN_WHY: Final = "Why this homework: {rationale}"
CONFIDENCE: Final = "{alias}'s confidence: {confidence}/10"
CONFIDENCE_LOW: Final = "{alias}'s confidence: {confidence}/10 — {mark} worth discussing"
ADHERENCE: Final = "Done {done} of {scheduled} prompts"
ADHERENCE_PARTS: Final = {
    "skipped": "skipped {n}",
    "missed": "missed {n}",
    "started": "started but not finished {n}",
    "undelivered": "not delivered {n}",
    "open": "still open {n}",
}
NO_PROMPTS: Final = "No prompts fell in this period."
UNPROMPTED: Final = "Done {n} {times} without a prompt."
SKIP_REASONS: Final = "Reasons for skipping: {reasons}"
NO_REASON: Final = "none given"
DAY_LINE: Final = "· {day} — {items}"
STATUS_TEXT: Final = {
    OccurrenceStatus.DONE: "done",
    OccurrenceStatus.STARTED: "started, not finished",
    OccurrenceStatus.SKIPPED: "skipped",
    OccurrenceStatus.MISSED: "missed",
    OccurrenceStatus.UNDELIVERED: "not delivered",
    OccurrenceStatus.OPEN: "still open",
}
DONE_AT: Final = "done at {time}"
UNPROMPTED_ITEM: Final = "{time} done, unprompted"
EVERY_DAY: Final = "every day"
WEEKDAYS_ONLY: Final = "Monday to Friday"
WEEKENDS: Final = "at weekends"
ON_DAYS: Final = "on {days}"

NO_MOOD: Final = "No mood check-ins in this period."
MOOD_SPARK: Final = "{spark}  (0–10, oldest first)"
MOOD_SPARK_AVERAGED: Final = "{spark}  (0–10, oldest first; each mark averages about {n} check-ins)"
MOOD_STATS: Final = "{count} {checkins} · lowest {low} · average {mean} · highest {high}"
MOOD_PREVIOUS: Final = "Previous period: average {mean} over {count} {checkins} — {change}."
MOOD_HIGHER: Final = "{delta} higher now"
MOOD_LOWER: Final = "{delta} lower now"
MOOD_SAME: Final = "about the same now"
MOOD_NO_PREVIOUS: Final = "No mood check-ins in the previous period to compare with."
MOOD_FEELINGS: Final = "Words chosen most: {feelings}"
MOOD_NOTES: Final = "Notes with mood check-ins:"
MOOD_NOTE: Final = "· {when} · {mood}/10: {note}"

NONE_THIS_PERIOD: Final = "None in this period."
THOUGHTS_COUNT: Final = "{count} in this period, each in full."
THOUGHT_WHEN: Final = "{when}"
THOUGHT_UNFINISHED: Final = "{when} (unfinished: stopped part-way)"
THOUGHT_FIELDS: Final = {
    "situation": "Situation",
    "feelings": "Feelings (before → after)",
    "hot_thought": "Hot thought",
    "traps": "Thinking traps",
    "evidence_for": "Evidence for",
    "evidence_against": "Evidence against",
    "balanced_thought": "Balanced thought",
    "belief": "Belief",
    "obstacles": "How it went",
}
THOUGHT_BELIEF: Final = "{before} in the hot thought → {after} in the balanced thought"
NOT_ANSWERED: Final = "–"

URGES_SUMMARY: Final = "{count} {times}"
URGES_INTENSITY: Final = "intensity on average {before} → {after} (0–10)"
URGES_ACTED: Final = "acted on the urge: no {no}, partly {partly}, yes {yes}"
URGE_LINE: Final = "· {when} — {parts}"
URGE_INTENSITY: Final = "intensity {before} → {after}"
STOPPED_AFTER: Final = "stopped after {stayed} of {planned}"
STOPPED_EARLY: Final = "stopped after {stayed}"
URGE_ACTED: Final = "acted on it: {acted}"
NOTE_LINE: Final = "  Note: {note}"
UNFINISHED_MARK: Final = " (unfinished)"

BREATHING_SUMMARY: Final = "{count} {times}"
BREATHING_CALM: Final = "calm on average {before} → {after} (0–10)"
BREATH_LINE: Final = "· {when} — {parts}"
BREATH_CALM: Final = "calm {before} → {after}"
PATTERN: Final = "{name} breathing"

OBSTACLE_LINE: Final = "· {when} ({title}): {text}"
NOTE_ITEM: Final = "· {when}: {text}"

SUMMARY_TITLE: Final = "Pre-session digest: {alias} · session {when}"
SUMMARY_FLAGS: Final = "{mark} {flags}"
SUMMARY_RISK: Final = "risk language ×{n}"
SUMMARY_UNREACHABLE: Final = "unreachable since {day}"
SUMMARY_LOW_MOOD: Final = "very low mood ×{n}"
SUMMARY_MOOD: Final = "Mood {spark} · average {mean} ({low}–{high}){change}"
SUMMARY_CHANGE: Final = ", {delta} {direction} than the period before"
SUMMARY_HOMEWORK: Final = "{title}: done {done} of {scheduled}{rest}"
SUMMARY_HOMEWORK_UNPROMPTED: Final = "{title}: done {n} {times} without a prompt"
SUMMARY_CONFIDENCE: Final = "Worth discussing — confidence: {ratings}"
SUMMARY_COUNTS: Final = "{parts}"
SUMMARY_ATTACHED: Final = "The full digest is attached."

WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_BARS: Final = "▁▂▃▄▅▆▇█"
_GAP: Final = " \n"
_SECTION_BREAK: Final = re.compile(
    r"\n\n(?=(?:" + "|".join(re.escape(h).replace(r"\{alias\}", r"[^\n]*") for h in HEADINGS) + r")\n)"
)


# --- public API ------------------------------------------------------------------------------


def render_text(digest: Digest) -> str:
    """The whole digest as plain text (may be longer than one Telegram message)."""
    dates = _Dates(digest)
    sections = [
        _header(digest, dates),
        _flags(digest, dates),
        _notes(digest, dates),
        _homework(digest, dates),
        _mood(digest, dates),
        _thought_records(digest, dates),
        _urges(digest, dates),
        _breathing(digest, dates),
        _obstacles(digest, dates),
    ]
    return "\n\n".join(s for s in sections if s)


def render_document(digest: Digest) -> bytes:
    """The whole digest as a UTF-8 text file, for sending as a document."""
    return (render_text(digest) + "\n").encode("utf-8")


def document_filename(digest: Digest) -> str:
    """A file name for the document: ``digest-<alias>-<session date>.txt`` (ASCII, no spaces)."""
    alias = re.sub(r"[^A-Za-z0-9]+", "-", digest.alias).strip("-").lower()[:32] or "client"
    return f"digest-{alias}-{digest.session_at.date().isoformat()}.txt"


def render_summary(digest: Digest) -> str:
    """A short summary that fits a document's caption (under 1024 UTF-16 units)."""
    dates = _Dates(digest)
    lines = [SUMMARY_TITLE.format(alias=digest.alias, when=dates.when(digest.session_at))]
    flags = _summary_flags(digest, dates)
    if flags:
        lines.append(SUMMARY_FLAGS.format(mark=FLAG_MARK, flags=flags))
    mood = digest.mood
    if mood.mean is not None and mood.low is not None and mood.high is not None:
        change = ""
        if mood.change is not None and round(abs(mood.change), 1) >= 0.1:
            direction = "higher" if mood.change > 0 else "lower"
            change = SUMMARY_CHANGE.format(delta=_number(abs(mood.change)), direction=direction)
        spark = sparkline(_compress([p.mood for p in mood.points], SUMMARY_SPARK_WIDTH))
        lines.append(
            SUMMARY_MOOD.format(
                spark=spark, mean=_number(mood.mean), low=mood.low, high=mood.high, change=change
            )
        )
    for homework in digest.homework:
        title = homework.title.capitalize()
        if homework.scheduled:
            rest = "".join(f", {text.format(n=n)}" for text, n in _adherence_parts(homework))
            lines.append(
                SUMMARY_HOMEWORK.format(
                    title=title, done=homework.done, scheduled=homework.scheduled, rest=rest
                )
            )
        elif homework.unprompted:
            lines.append(
                SUMMARY_HOMEWORK_UNPROMPTED.format(
                    title=title, n=homework.unprompted, times=_plural(homework.unprompted, "time", "times")
                )
            )
    low = [c for c in digest.confidence if c.worth_discussing]
    if low:
        ratings = ", ".join(f"{c.title} {c.confidence}/10" for c in low)
        lines.append(SUMMARY_CONFIDENCE.format(ratings=ratings))
    counts = [
        (len(digest.thought_records), "thought record", "thought records"),
        (digest.urge_surfing.count, "urge surfed", "urges surfed"),
        (digest.breathing.count, "breathing session", "breathing sessions"),
        (len(digest.obstacles), "obstacle noted", "obstacles noted"),
        (len(digest.notes), "note to bring", "notes to bring"),
    ]
    parts = [f"{n} {_plural(n, one, many)}" for n, one, many in counts if n]
    if parts:
        lines.append(SUMMARY_COUNTS.format(parts=" · ".join(parts)))
    return _fit_lines(lines, SUMMARY_ATTACHED, CAPTION_LIMIT - 1)


def sparkline(values: Iterable[float]) -> str:
    """One block character per value on a fixed 0–10 scale (▁ = 0 … █ = 10); NaN is a space."""
    marks = []
    for value in values:
        if math.isnan(value):
            marks.append(" ")
            continue
        level = min(max(value, 0.0), 10.0) * (len(_BARS) - 1) / 10
        marks.append(_BARS[int(level + 0.5)])
    return "".join(marks)


def split_for_telegram(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` UTF-16 units (as Telegram counts).

    Splits before a section heading where that leaves a reasonably full message, else at a blank
    line, else at a line break; only a single line longer than a message is split at a space (or,
    with no space at all, anywhere). Only the whitespace at a split is dropped; parts keep their
    order, and no part is empty.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 (a character can take two UTF-16 units)")
    if utf16_length(text) <= limit:
        return [text] if text.strip() else []
    sections = [m.start() for m in _SECTION_BREAK.finditer(text)]
    parts: list[str] = []
    start = 0
    remaining = utf16_length(text)
    while remaining > limit:
        end = _fit(text, start, limit)
        cut, skip = _cut(text, start, end, sections)
        while cut - 1 > start and text[cut - 1] in _GAP:  # the whole run of blanks goes
            cut, skip = cut - 1, skip + 1
        while cut + skip < len(text) and text[cut + skip] in _GAP:
            skip += 1
        parts.append(text[start:cut])
        remaining -= utf16_length(text[start : cut + skip])
        start = cut + skip
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


# --- sections --------------------------------------------------------------------------------


class _Dates:
    """Dates and times as the therapist reads them, in the client's zone ("Tue 3 Mar 08:05").

    The year is shown only when the period spans two calendar years.
    """

    def __init__(self, digest: Digest) -> None:
        self.show_year = digest.period_start.year != digest.period_end.year

    def day(self, day: date) -> str:
        text = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
        return f"{text} {day.year}" if self.show_year else text

    def when(self, moment: datetime) -> str:
        return f"{self.day(moment.date())} {moment:%H:%M}"

    def full(self, moment: datetime) -> str:
        """With the year always: 'Thu 12 Mar 2026, 10:00'."""
        day = moment.date()
        name = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
        return f"{name} {day.year}, {moment:%H:%M}"


def _header(digest: Digest, dates: _Dates) -> str:
    covering = COVERING_SINCE_JOINING if digest.since_joining else COVERING_SINCE_SESSION
    return "\n".join(
        (
            TITLE.format(alias=digest.alias),
            SESSION.format(when=dates.full(digest.session_at), alias=digest.alias, zone=digest.zone_name),
            covering.format(
                start=dates.when(digest.period_start), end=dates.when(digest.period_end), alias=digest.alias
            ),
        )
    )


def _flags(digest: Digest, dates: _Dates) -> str:
    if not digest.flags:
        return ""
    return "\n".join((FLAGS_HEADING, *(_flag(f, digest, dates) for f in digest.flags)))


def _flag(flag: Flag, digest: Digest, dates: _Dates) -> str:
    when = dates.when(flag.at) if flag.at is not None else NOT_ANSWERED
    if flag.kind is FlagKind.RISK_LANGUAGE:
        category = (
            FLAG_RISK_CATEGORY.format(category=flag.category.replace("_", " ")) if flag.category else ""
        )
        said = FLAG_RISK_ANSWERS.format(answers=" → ".join(RISK_ANSWERS[a] for a in flag.answers))
        line = FLAG_RISK.format(mark=FLAG_MARK, category=category, where=_where(flag.where), when=when)
        return line + (said if flag.answers else "")
    if flag.kind is FlagKind.UNREACHABLE:
        return FLAG_UNREACHABLE.format(mark=FLAG_MARK, when=when, alias=digest.alias)
    return FLAG_LOW_MOOD.format(mark=FLAG_MARK, mood=flag.mood, when=when)


def describe_where(where: str | None) -> str:
    """'thought_record.hot_thought' → 'thought record (hot thought)'; 'note' → 'note'."""
    return _where(where)


def _where(where: str | None) -> str:
    """'thought_record.hot_thought' → 'thought record (hot thought)'; 'note' → 'note'."""
    head, *rest = re.split(r"[./:]", where or "", maxsplit=1)
    place = (head if head in PLACES else flow_title(head)) if head else PLACES["message"]
    detail = rest[0].replace("_", " ").strip() if rest else ""
    return f"{place} ({detail})" if detail else place


def _homework(digest: Digest, dates: _Dates) -> str:
    if not digest.homework:
        return f"{HOMEWORK_HEADING}\n{NO_HOMEWORK}"
    blocks = [_homework_block(h, digest.alias, dates) for h in digest.homework]
    return HOMEWORK_HEADING + "\n" + "\n\n".join(blocks)


def _homework_block(homework: HomeworkAdherence, alias: str, dates: _Dates) -> str:
    title = homework.title.capitalize()
    lines = [_plan(title, p) for p in homework.plans] or [PLAN_NONE.format(title=title)]
    for plan in homework.plans:
        if plan.rationale:
            lines.append(PLAN_WHY.format(rationale=_inline(plan.rationale)))
        if plan.confidence is not None:
            template = CONFIDENCE_LOW if plan.worth_discussing else CONFIDENCE
            lines.append(template.format(alias=alias, confidence=plan.confidence, mark=FLAG_MARK))
    if homework.scheduled:
        head = ADHERENCE.format(done=homework.done, scheduled=homework.scheduled)
        lines.append(", ".join([head, *(text.format(n=n) for text, n in _adherence_parts(homework))]) + ".")
    elif homework.plans:
        lines.append(NO_PROMPTS)
    if homework.unprompted:
        times = _plural(homework.unprompted, "time", "times")
        lines.append(UNPROMPTED.format(n=homework.unprompted, times=times))
    if homework.skip_reasons:
        reasons = ", ".join(f"{label or NO_REASON} ×{n}" for label, n in homework.skip_reasons)
        lines.append(SKIP_REASONS.format(reasons=reasons))
    lines += [_day_line(d, dates) for d in homework.days]
    return "\n".join(lines)


def _adherence_parts(homework: HomeworkAdherence) -> list[tuple[str, int]]:
    counts = {
        "skipped": homework.skipped,
        "missed": homework.missed,
        "started": homework.started,
        "undelivered": homework.undelivered,
        "open": homework.open,
    }
    return [(ADHERENCE_PARTS[key], n) for key, n in counts.items() if n]


def _plan(title: str, plan: PlanLine) -> str:
    return PLAN.format(title=title, times=_and(list(plan.times)), days=_weekdays(plan.weekdays))


def _weekdays(days: Sequence[int]) -> str:
    chosen = sorted(set(days))
    if chosen == list(range(7)):
        return EVERY_DAY
    if chosen == list(range(5)):
        return WEEKDAYS_ONLY
    if chosen == [5, 6]:
        return WEEKENDS
    runs: list[list[int]] = []
    for day in chosen:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names: list[str] = []
    for run in runs:
        if len(run) >= 3:
            names.append(f"{WEEKDAY_NAMES[run[0]]}–{WEEKDAY_NAMES[run[-1]]}")
        else:
            names += [WEEKDAY_NAMES[d] for d in run]
    return ON_DAYS.format(days=_and(names))


def _day_line(line: DayLine, dates: _Dates) -> str:
    return DAY_LINE.format(
        day=dates.day(line.day), items="; ".join(_occurrence(o, line.day, dates) for o in line.occurrences)
    )


def _occurrence(occurrence: Occurrence, day: date, dates: _Dates) -> str:
    if occurrence.status is OccurrenceStatus.UNPROMPTED:
        return UNPROMPTED_ITEM.format(time=_time_on(occurrence.at, day, dates))
    text = f"{occurrence.at:%H:%M} "
    if occurrence.status is OccurrenceStatus.DONE and occurrence.done_at is not None:
        return text + DONE_AT.format(time=_time_on(occurrence.done_at, day, dates))
    text += STATUS_TEXT[occurrence.status]
    if occurrence.status is OccurrenceStatus.SKIPPED and (occurrence.skip_reason or occurrence.skip_note):
        why = ": ".join(
            filter(None, (occurrence.skip_reason, occurrence.skip_note and _inline(occurrence.skip_note)))
        )
        text += f" ({why})"
    return text


def _time_on(moment: datetime, day: date, dates: _Dates) -> str:
    """'08:05', or the whole date and time when it is not on ``day``."""
    return f"{moment:%H:%M}" if moment.date() == day else dates.when(moment)


def _mood(digest: Digest, dates: _Dates) -> str:
    mood = digest.mood
    if mood.count == 0:
        return f"{MOOD_HEADING}\n{NO_MOOD}" if MOOD_CHECK in digest.assigned else ""
    values = [p.mood for p in mood.points]
    spark = sparkline(_compress(values, SPARK_WIDTH))
    if len(values) > SPARK_WIDTH:
        lines = [MOOD_SPARK_AVERAGED.format(spark=spark, n=round(len(values) / SPARK_WIDTH))]
    else:
        lines = [MOOD_SPARK.format(spark=spark)]
    lines.append(
        MOOD_STATS.format(
            count=mood.count,
            checkins=_plural(mood.count, "check-in", "check-ins"),
            low=mood.low,
            mean=_number(mood.mean),
            high=mood.high,
        )
    )
    if mood.previous_mean is not None and mood.change is not None:
        delta = _number(abs(mood.change))
        change = (
            MOOD_SAME
            if delta == "0.0"
            else (MOOD_HIGHER if mood.change > 0 else MOOD_LOWER).format(delta=delta)
        )
        lines.append(
            MOOD_PREVIOUS.format(
                mean=_number(mood.previous_mean),
                count=mood.previous_count,
                checkins=_plural(mood.previous_count, "check-in", "check-ins"),
                change=change,
            )
        )
    elif not digest.since_joining:
        lines.append(MOOD_NO_PREVIOUS)
    if mood.top_feelings:
        feelings = ", ".join(f"{label.lower()} ×{n}" for label, n in mood.top_feelings)
        lines.append(MOOD_FEELINGS.format(feelings=feelings))
    noted = [p for p in mood.points if p.note]
    if noted:
        lines.append(MOOD_NOTES)
        lines += [
            MOOD_NOTE.format(when=dates.when(p.at), mood=p.mood, note=_inline(p.note or "")) for p in noted
        ]
    return f"{MOOD_HEADING}\n" + "\n".join(lines)


def _thought_records(digest: Digest, dates: _Dates) -> str:
    records = digest.thought_records
    if not records:
        return f"{THOUGHTS_HEADING}\n{NONE_THIS_PERIOD}" if THOUGHT_RECORD_ID in digest.assigned else ""
    blocks = [THOUGHTS_COUNT.format(count=len(records))]
    blocks += [_thought_record(r, dates) for r in records]
    return f"{THOUGHTS_HEADING}\n" + "\n\n".join(blocks)


def _thought_record(record: ThoughtRecord, dates: _Dates) -> str:
    head = (THOUGHT_WHEN if record.finished else THOUGHT_UNFINISHED).format(when=dates.when(record.at))
    feelings = "; ".join(
        f"{e.label.lower()} {_or_dash(e.before)} → {_or_dash(e.after)}" for e in record.emotions
    )
    belief = None
    if record.belief_before is not None or record.belief_balanced is not None:
        belief = THOUGHT_BELIEF.format(
            before=_or_dash(record.belief_before), after=_or_dash(record.belief_balanced)
        )
    fields = {
        "situation": record.situation,
        "feelings": feelings or None,
        "hot_thought": record.hot_thought,
        "traps": ", ".join(record.traps) or None,
        "evidence_for": record.evidence_for,
        "evidence_against": record.evidence_against,
        "balanced_thought": record.balanced_thought,
        "belief": belief,
        "obstacles": record.obstacles,
    }
    lines = [head]
    lines += [f"{THOUGHT_FIELDS[key]}: {_block(value)}" for key, value in fields.items() if value]
    return "\n".join(lines)


def _urges(digest: Digest, dates: _Dates) -> str:
    urges = digest.urge_surfing
    if not urges.count:
        return f"{URGES_HEADING}\n{NONE_THIS_PERIOD}" if URGE_SURFING in digest.assigned else ""
    summary = [URGES_SUMMARY.format(count=urges.count, times=_plural(urges.count, "time", "times"))]
    if urges.mean_before is not None and urges.mean_after is not None:
        summary.append(
            URGES_INTENSITY.format(before=_number(urges.mean_before), after=_number(urges.mean_after))
        )
    acted = dict(urges.acted)
    if any(acted.values()):
        summary.append(URGES_ACTED.format(no=acted["no"], partly=acted["partly"], yes=acted["yes"]))
    lines = [" · ".join(summary)]
    for surf in urges.sessions:
        lines += _urge_lines(surf, dates)
    return f"{URGES_HEADING}\n" + "\n".join(lines)


def _urge_lines(surf: UrgeSurf, dates: _Dates) -> list[str]:
    parts = []
    if surf.urge:
        parts.append(_inline(surf.urge))
    if surf.intensity_before is not None or surf.intensity_after is not None:
        parts.append(
            URGE_INTENSITY.format(
                before=_or_dash(surf.intensity_before), after=_or_dash(surf.intensity_after)
            )
        )
    if surf.seconds is not None:
        parts.append(_practised(surf.seconds, surf.planned_minutes, surf.stopped_early))
    if surf.acted:
        parts.append(URGE_ACTED.format(acted=surf.acted))
    line = URGE_LINE.format(when=dates.when(surf.at), parts=" · ".join(parts) or NOT_ANSWERED)
    lines = [line + ("" if surf.finished else UNFINISHED_MARK)]
    if surf.note:
        lines.append(NOTE_LINE.format(note=_inline(surf.note)))
    return lines


def _breathing(digest: Digest, dates: _Dates) -> str:
    breathing = digest.breathing
    if not breathing.count:
        return f"{BREATHING_HEADING}\n{NONE_THIS_PERIOD}" if BREATHING in digest.assigned else ""
    summary = [
        BREATHING_SUMMARY.format(count=breathing.count, times=_plural(breathing.count, "time", "times"))
    ]
    if breathing.mean_before is not None and breathing.mean_after is not None:
        summary.append(
            BREATHING_CALM.format(before=_number(breathing.mean_before), after=_number(breathing.mean_after))
        )
    lines = [" · ".join(summary)] + [_breath_line(s, dates) for s in breathing.sessions]
    return f"{BREATHING_HEADING}\n" + "\n".join(lines)


def _breath_line(session: BreathingSession, dates: _Dates) -> str:
    parts = []
    known = BREATHING_PATTERNS.get(session.pattern or "")
    what = PATTERN.format(name=known[0]) if known else session.pattern or ""
    if session.seconds is not None:
        what = f"{what}, {_practised(session.seconds, session.planned_minutes, session.stopped_early)}"
    elif session.planned_minutes is not None:
        what = f"{what}, {session.planned_minutes} min"
    if what.strip(", "):
        parts.append(what.strip(", "))
    if session.calm_before is not None or session.calm_after is not None:
        parts.append(
            BREATH_CALM.format(before=_or_dash(session.calm_before), after=_or_dash(session.calm_after))
        )
    line = BREATH_LINE.format(when=dates.when(session.at), parts=" · ".join(parts) or NOT_ANSWERED)
    return line + ("" if session.finished else UNFINISHED_MARK)


def _obstacles(digest: Digest, dates: _Dates) -> str:
    if not digest.obstacles:
        return ""
    lines = [
        OBSTACLE_LINE.format(when=dates.when(o.at), title=o.title, text=_inline(o.text))
        for o in digest.obstacles
    ]
    return f"{OBSTACLES_HEADING}\n" + "\n".join(lines)


def _notes(digest: Digest, dates: _Dates) -> str:
    if not digest.notes:
        return ""
    heading = NOTES_HEADING.format(alias=digest.alias.upper())
    lines = [NOTE_ITEM.format(when=dates.when(n.at), text=_inline(n.text)) for n in digest.notes]
    return f"{heading}\n" + "\n".join(lines)


def _summary_flags(digest: Digest, dates: _Dates) -> str:
    risk = sum(1 for f in digest.flags if f.kind is FlagKind.RISK_LANGUAGE)
    low = sum(1 for f in digest.flags if f.kind is FlagKind.VERY_LOW_MOOD)
    parts = [SUMMARY_RISK.format(n=risk)] if risk else []
    parts += [
        SUMMARY_UNREACHABLE.format(day=dates.day(f.at.date()))
        for f in digest.flags
        if f.kind is FlagKind.UNREACHABLE and f.at is not None
    ]
    if low:
        parts.append(SUMMARY_LOW_MOOD.format(n=low))
    return " · ".join(parts)


# --- small helpers ---------------------------------------------------------------------------


def _inline(text: str) -> str:
    """The client's words in quotes, on one line (line breaks become spaces)."""
    return f"“{' '.join(text.split())}”"


def _block(text: str) -> str:
    """The client's words kept whole; further lines indented, so none looks like a heading."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n  ".join(lines)


def _number(value: float | None) -> str:
    return NOT_ANSWERED if value is None else f"{value:.1f}"


def _or_dash(value: int | None) -> str:
    return NOT_ANSWERED if value is None else str(value)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _duration(seconds: int) -> str:
    """'45 s', '3 min', '1 min 15 s'."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _practised(seconds: int, planned_minutes: int | None, stopped_early: bool) -> str:
    """How long a timed exercise ran: '10 min', or 'stopped after 4 min of 10 min'."""
    stayed = _duration(seconds)
    if not stopped_early:
        return stayed
    if planned_minutes is None:
        return STOPPED_EARLY.format(stayed=stayed)
    return STOPPED_AFTER.format(stayed=stayed, planned=_duration(planned_minutes * 60))


def _compress(values: Sequence[float], width: int) -> list[float]:
    """At most ``width`` values: consecutive runs averaged, in order."""
    count = len(values)
    if count <= width:
        return list(values)
    chunks = (values[i * count // width : (i + 1) * count // width] for i in range(width))
    return [sum(chunk) / len(chunk) for chunk in chunks]


def _fit_lines(lines: list[str], closing: str, limit: int) -> str:
    """Lines, then the closing line, dropping lines from the end (never the first) to fit ``limit``."""
    kept = list(lines)
    while len(kept) > 1 and utf16_length("\n".join([*kept, closing])) > limit:
        kept.pop()
    text = "\n".join([*kept, closing])
    if utf16_length(text) > limit:  # an enormous alias: cut the title itself
        room = limit - utf16_length(closing) - 2
        title = kept[0]
        while utf16_length(title) > room:
            title = title[:-1]
        text = f"{title}…\n{closing}"
    return text


def _fit(text: str, start: int, limit: int) -> int:
    """The furthest end such that ``text[start:end]`` is at most ``limit`` UTF-16 units."""
    end = min(len(text), start + limit)
    units = utf16_length(text[start:end])
    while units > limit:
        end -= units - limit  # each character is one or two units
        units = utf16_length(text[start:end])
    return end


def _cut(text: str, start: int, end: int, sections: Sequence[int]) -> tuple[int, int]:
    """Where to split ``text[start:end]``: (cut position, length of whitespace to drop there)."""
    size = end - start
    at = bisect.bisect_right(sections, end) - 1  # the last section break that fits
    if at >= 0 and sections[at] - start >= size // 4:
        return sections[at], 2
    window = text[start:end]
    paragraph = window.rfind("\n\n")
    if paragraph >= size // 2:
        return start + paragraph, 2
    line = window.rfind("\n")
    if line > 0:
        return start + line, 1
    space = window.rfind(" ")
    if space > 0:
        return start + space, 1
    return end, 0
