"""Render a digest for the therapist: plain text, a document, a caption-sized summary.

Every string the therapist reads in a digest's frame (header, flags, notes, homework, obstacles,
the caption) is at the top of this module; each homework type's own section words itself, beside
its flow (``DigestSection``). The text is plain (send it without a parse mode): the client's own
words are quoted as they wrote them, with no markup to escape. The client is named by their
alias only; dates and times are the client's local ones, as the header says.

Everything is worded in the language being read: render (and build) a therapist's digest inside
``reading(therapist's language)``. The texts here are English sources marked with ``N_`` and
shown with ``_``/``ngettext``; the client's own words are never passed through them.

Too long for a few messages? Send :func:`render_summary` as the caption of
:func:`render_document` (with :func:`document_filename`); splitting into messages is
``bot.core.messages.split_text``'s.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

from bot.core import formatting
from bot.core.formatting import weekday_name
from bot.core.i18n import N_, _, ngettext
from bot.core.messages import utf16_length
from bot.core.plan_text import describe_plan_days, describe_weekdays
from bot.digest.build import (
    DayLine,
    Digest,
    Flag,
    FlagKind,
    HighRisk,
    HomeworkAdherence,
    Occurrence,
    OccurrenceStatus,
    PlanLine,
    SectionFacts,
)
from flows.places import describe_category, describe_where
from flows.sections import (
    NOT_ANSWERED,
    Dates,
    SectionView,
    inline,
)

CAPTION_LIMIT: Final = 1024

# --- what the therapist reads ---------------------------------------------------------------

TITLE: Final = N_("Pre-session digest: {alias}")
SESSION: Final = N_("Session {when} · times are {alias}'s local time ({zone})")
COVERING_SINCE_SESSION: Final = N_("Covering {start} – {end}, since the last session.")
COVERING_SINCE_JOINING: Final = N_("Covering {start} – {end}, since {alias} joined.")

FLAGS_HEADING: Final = N_("WORTH A LOOK FIRST")
HOMEWORK_HEADING: Final = N_("HOMEWORK")
OBSTACLES_HEADING: Final = N_("WHAT GOT IN THE WAY")
NOTES_HEADING: Final = N_("NOTES {alias} ASKED TO BRING")

FLAG_MARK: Final = "⚑"
FLAG_RISK: Final = N_("{mark} Risk language recognised{category}: {where} · {when}")
FLAG_RISK_CATEGORY: Final = " ({category})"
FLAG_RISK_ANSWERS: Final = N_(" · when asked: {answers}")
FLAG_ITEM: Final = N_("{mark} Item alert: {where} answered “{answer}” · {when}")
HIGH_RISK: Final = N_(
    "⚠ HIGH-RISK FLAG — {alias}: {reason} in {where}, {when}{more}. Please follow up; "
    "/ack {alias} clears the flag."
)
HIGH_RISK_MORE: Final = N_(" (open since {since}, {n} in all)")
HIGH_RISK_REASONS: Final = {"item_alert": N_("item alert"), "risk_language": N_("risk language")}
SUMMARY_HIGH_RISK: Final = N_("⚠ HIGH-RISK FLAG — {reason}, {when}: /ack {alias} once you've followed up")
RISK_ANSWERS: Final = {"safe": N_("safe"), "not_safe": N_("NOT safe")}
FLAG_UNREACHABLE: Final = N_(
    "{mark} Unreachable since {when}: messages to {alias} can't be delivered (perhaps the bot was "
    "blocked), so prompts are paused until they write again."
)
FLAG_HOMEWORK: Final = "{mark} {text} · {when}"

NO_HOMEWORK: Final = N_("No homework was planned or done in this period.")
PLAN: Final = N_("{title} · {times} {days}")
PLAN_NONE: Final = N_("{title} · not scheduled")
PLAN_WHY: Final = N_("Why this homework: {rationale}")
CONFIDENCE: Final = N_("{alias}'s confidence: {confidence}/10")
CONFIDENCE_LOW: Final = N_("{alias}'s confidence: {confidence}/10 — {mark} worth discussing")
ADHERENCE: Final = N_("Done {done} of {scheduled} prompts")
ADHERENCE_PARTS: Final = {
    "skipped": N_("skipped {n}"),
    "missed": N_("missed {n}"),
    "started": N_("started but not finished {n}"),
    "undelivered": N_("not delivered {n}"),
    "open": N_("still open {n}"),
}
NO_PROMPTS: Final = N_("No prompts fell in this period.")
SKIP_REASONS: Final = N_("Reasons for skipping: {reasons}")
NO_REASON: Final = N_("none given")
DAY_LINE: Final = "· {day} — {items}"
STATUS_TEXT: Final = {
    OccurrenceStatus.DONE: N_("done"),
    OccurrenceStatus.STARTED: N_("started, not finished"),
    OccurrenceStatus.SKIPPED: N_("skipped"),
    OccurrenceStatus.MISSED: N_("missed"),
    OccurrenceStatus.UNDELIVERED: N_("not delivered"),
    OccurrenceStatus.OPEN: N_("still open"),
}
DONE_AT: Final = N_("{time} done at {done}")
STATUS_AT: Final = N_("{time} {status}")
UNPROMPTED_ITEM: Final = N_("{time} done, unprompted")
ON_DAYS: Final = N_("on {days}")
AND: Final = N_("{items} and {last}")

OBSTACLE_LINE: Final = "· {when} ({title}): {text}"
NOTE_ITEM: Final = "· {when}: {text}"

SUMMARY_TITLE: Final = N_("Pre-session digest: {alias} · session {when}")
SUMMARY_FLAGS: Final = "{mark} {flags}"
SUMMARY_RISK: Final = N_("risk language ×{n}")
SUMMARY_UNREACHABLE: Final = N_("unreachable since {day}")
SUMMARY_HOMEWORK_FLAG: Final = "{summary} ×{n}"
SUMMARY_HOMEWORK: Final = N_("{title}: done {done} of {scheduled}{rest}")
SUMMARY_CONFIDENCE: Final = N_("Worth discussing — confidence: {ratings}")
SUMMARY_ATTACHED: Final = N_("The full digest is attached.")


def unprompted(count: int) -> str:
    """'Done 2 times without a prompt.'"""
    return ngettext("Done {n} time without a prompt.", "Done {n} times without a prompt.", count)


def summary_unprompted(count: int) -> str:
    """The caption's '{title}: done 2 times without a prompt'."""
    return ngettext(
        "{title}: done {n} time without a prompt", "{title}: done {n} times without a prompt", count
    )


def counted_obstacles(count: int) -> str:
    return ngettext("{n} obstacle noted", "{n} obstacles noted", count).format(n=count)


def counted_notes(count: int) -> str:
    return ngettext("{n} note to bring", "{n} notes to bring", count).format(n=count)


# --- public API ------------------------------------------------------------------------------


def render_text(digest: Digest) -> str:
    """The whole digest as plain text (may be longer than one message)."""
    view = _view(digest)
    dates = view.dates
    sections = [
        high_risk_line(digest, dates),
        _header(digest, dates),
        _flags(digest, dates),
        _notes(digest, dates),
        _homework(digest, dates),
        *(_section(s, view) for s in digest.sections),
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
    view = _view(digest)
    lines = [_(SUMMARY_TITLE).format(alias=digest.alias, when=view.dates.when(digest.session_at))]
    if digest.high_risk is not None:
        lines.insert(0, _summary_high_risk(digest.high_risk, digest.alias, view.dates))
    flags = _summary_flags(digest, view.dates)
    if flags:
        lines.append(SUMMARY_FLAGS.format(mark=FLAG_MARK, flags=flags))
    lines += [
        line
        for s in digest.sections
        if s.section.headline is not None and (line := s.section.headline(s.facts, view)) is not None
    ]
    lines += [line for homework in digest.homework if (line := _summary_homework(homework))]
    low = [c for c in digest.confidence if c.worth_discussing]
    if low:
        ratings = ", ".join(f"{c.title} {c.confidence}/10" for c in low)
        lines.append(_(SUMMARY_CONFIDENCE).format(ratings=ratings))
    parts = [shown for s in digest.sections if s.count and (shown := s.section.shown_count(s.count))]
    parts += [counted_obstacles(len(digest.obstacles))] if digest.obstacles else []
    parts += [counted_notes(len(digest.notes))] if digest.notes else []
    if parts:
        lines.append(" · ".join(parts))
    return _fit_lines(lines, _(SUMMARY_ATTACHED), CAPTION_LIMIT - 1)


# --- sections --------------------------------------------------------------------------------


def _view(digest: Digest) -> SectionView:
    return SectionView(Dates(digest.period_start, digest.period_end), digest.alias, digest.since_joining)


def _section(found: SectionFacts, view: SectionView) -> str:
    """A homework type's own section; when nothing was done, its heading only if it is assigned."""
    section = found.section
    if not found.count:
        return f"{section.shown_heading()}\n{section.shown_empty()}" if found.assigned else ""
    return f"{section.shown_heading()}\n{section.body(found.facts, view)}"


def high_risk_line(digest: Digest, dates: Dates) -> str:
    """The open high-risk flag, first of all (empty when there is none)."""
    flag = digest.high_risk
    if flag is None:
        return ""
    more = _(HIGH_RISK_MORE).format(since=dates.when(flag.since), n=flag.count) if flag.count > 1 else ""
    return _(HIGH_RISK).format(
        alias=digest.alias,
        reason=_high_risk_reason(flag),
        where=describe_where(flag.where),
        when=dates.when(flag.latest_at),
        more=more,
    )


def _high_risk_reason(flag: HighRisk) -> str:
    known = HIGH_RISK_REASONS.get(flag.reason)
    return _(known) if known is not None else flag.reason.replace("_", " ")


def _summary_high_risk(flag: HighRisk, alias: str, dates: Dates) -> str:
    reason = _high_risk_reason(flag)
    return _(SUMMARY_HIGH_RISK).format(reason=reason, when=dates.when(flag.latest_at), alias=alias)


def _header(digest: Digest, dates: Dates) -> str:
    covering = _(COVERING_SINCE_JOINING if digest.since_joining else COVERING_SINCE_SESSION)
    return "\n".join(
        (
            _(TITLE).format(alias=digest.alias),
            _(SESSION).format(when=dates.full(digest.session_at), alias=digest.alias, zone=digest.zone_name),
            covering.format(
                start=dates.when(digest.period_start), end=dates.when(digest.period_end), alias=digest.alias
            ),
        )
    )


def _flags(digest: Digest, dates: Dates) -> str:
    if not digest.flags:
        return ""
    return "\n".join((_(FLAGS_HEADING), *(_flag(f, digest, dates) for f in digest.flags)))


def _flag(flag: Flag, digest: Digest, dates: Dates) -> str:
    when = dates.when(flag.at) if flag.at is not None else NOT_ANSWERED
    if flag.kind is FlagKind.UNREACHABLE:
        return _(FLAG_UNREACHABLE).format(mark=FLAG_MARK, when=when, alias=digest.alias)
    if flag.kind is not FlagKind.RISK_LANGUAGE:
        return FLAG_HOMEWORK.format(mark=FLAG_MARK, text=flag.text, when=when)
    said = _(FLAG_RISK_ANSWERS).format(answers=" → ".join(_(RISK_ANSWERS[a]) for a in flag.answers))
    where = describe_where(flag.where)
    if flag.item_answer is not None:  # the option's label, as stored when it was chosen
        line = _(FLAG_ITEM).format(mark=FLAG_MARK, where=where, answer=_(flag.item_answer), when=when)
    else:
        named = describe_category(flag.category) if flag.category else None
        category = FLAG_RISK_CATEGORY.format(category=named) if named else ""
        line = _(FLAG_RISK).format(mark=FLAG_MARK, category=category, where=where, when=when)
    return line + (said if flag.answers else "")


def _homework(digest: Digest, dates: Dates) -> str:
    if not digest.homework:
        return f"{_(HOMEWORK_HEADING)}\n{_(NO_HOMEWORK)}"
    blocks = [_homework_block(h, digest.alias, dates) for h in digest.homework]
    return _(HOMEWORK_HEADING) + "\n" + "\n\n".join(blocks)


def _homework_block(homework: HomeworkAdherence, alias: str, dates: Dates) -> str:
    title = formatting.sentence(homework.title)
    lines = [_plan(title, p) for p in homework.plans] or [_(PLAN_NONE).format(title=title)]
    for plan in homework.plans:
        if plan.rationale:
            lines.append(_(PLAN_WHY).format(rationale=inline(plan.rationale)))
        if plan.confidence is not None:
            template = _(CONFIDENCE_LOW if plan.worth_discussing else CONFIDENCE)
            lines.append(template.format(alias=alias, confidence=plan.confidence, mark=FLAG_MARK))
    if homework.scheduled:
        head = _(ADHERENCE).format(done=homework.done, scheduled=homework.scheduled)
        lines.append(", ".join([head, *_adherence_parts(homework)]) + ".")
    elif homework.plans:
        lines.append(_(NO_PROMPTS))
    if homework.unprompted:
        lines.append(unprompted(homework.unprompted).format(n=homework.unprompted))
    if homework.skip_reasons:
        reasons = ", ".join(f"{label or _(NO_REASON)} ×{n}" for label, n in homework.skip_reasons)
        lines.append(_(SKIP_REASONS).format(reasons=reasons))
    lines += [_day_line(d, dates) for d in homework.days]
    return "\n".join(lines)


def _adherence_parts(homework: HomeworkAdherence) -> list[str]:
    """'skipped 3', 'missed 2' … for the counts that are not 0, in the language being read."""
    counts = {
        "skipped": homework.skipped,
        "missed": homework.missed,
        "started": homework.started,
        "undelivered": homework.undelivered,
        "open": homework.open,
    }
    return [_(ADHERENCE_PARTS[key]).format(n=n) for key, n in counts.items() if n]


def _plan(title: str, plan: PlanLine) -> str:
    days = (
        _weekdays(plan.weekdays)
        if plan.cadence == "weekly"
        else describe_plan_days(plan.cadence, frozenset(plan.weekdays), plan.interval_days)
    )
    return _(PLAN).format(title=title, times=_and(list(plan.times)), days=days)


def _weekdays(days: Sequence[int]) -> str:
    chosen = sorted(set(days))
    named = describe_weekdays(frozenset(chosen))
    if not named[:1].isupper():  # 'every day', 'weekdays', 'weekends': as the client's /schedule says
        return named
    runs: list[list[int]] = []
    for day in chosen:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names: list[str] = []
    for run in runs:
        if len(run) >= 3:
            names.append(f"{weekday_name(run[0])}–{weekday_name(run[-1])}")
        else:
            names += [weekday_name(d) for d in run]
    return _(ON_DAYS).format(days=_and(names))


def _day_line(line: DayLine, dates: Dates) -> str:
    return DAY_LINE.format(
        day=dates.day(line.day), items="; ".join(_occurrence(o, line.day, dates) for o in line.occurrences)
    )


def _occurrence(occurrence: Occurrence, day: date, dates: Dates) -> str:
    if occurrence.status is OccurrenceStatus.UNPROMPTED:
        return _(UNPROMPTED_ITEM).format(time=_time_on(occurrence.at, day, dates))
    due = formatting.clock(occurrence.at)
    if occurrence.status is OccurrenceStatus.DONE and occurrence.done_at is not None:
        return _(DONE_AT).format(time=due, done=_time_on(occurrence.done_at, day, dates))
    text = _(STATUS_AT).format(time=due, status=_(STATUS_TEXT[occurrence.status]))
    if occurrence.status is OccurrenceStatus.SKIPPED and (occurrence.skip_reason or occurrence.skip_note):
        why = ": ".join(
            filter(None, (occurrence.skip_reason, occurrence.skip_note and inline(occurrence.skip_note)))
        )
        text += f" ({why})"
    return text


def _time_on(moment: datetime, day: date, dates: Dates) -> str:
    """'08:05', or the whole date and time when it is not on ``day``."""
    return formatting.clock(moment) if moment.date() == day else dates.when(moment)


def _obstacles(digest: Digest, dates: Dates) -> str:
    if not digest.obstacles:
        return ""
    lines = [
        OBSTACLE_LINE.format(when=dates.when(o.at), title=o.title, text=inline(o.text))
        for o in digest.obstacles
    ]
    return f"{_(OBSTACLES_HEADING)}\n" + "\n".join(lines)


def _notes(digest: Digest, dates: Dates) -> str:
    if not digest.notes:
        return ""
    heading = _(NOTES_HEADING).format(alias=digest.alias.upper())
    lines = [NOTE_ITEM.format(when=dates.when(n.at), text=inline(n.text)) for n in digest.notes]
    return f"{heading}\n" + "\n".join(lines)


def _summary_flags(digest: Digest, dates: Dates) -> str:
    risk = sum(1 for f in digest.flags if f.kind is FlagKind.RISK_LANGUAGE)
    parts = [_(SUMMARY_RISK).format(n=risk)] if risk else []
    parts += [
        _(SUMMARY_UNREACHABLE).format(day=dates.day(f.at.date()))
        for f in digest.flags
        if f.kind is FlagKind.UNREACHABLE and f.at is not None
    ]
    homework = Counter(f.summary for f in digest.flags if f.kind is FlagKind.HOMEWORK and f.summary)
    parts += [SUMMARY_HOMEWORK_FLAG.format(summary=summary, n=n) for summary, n in homework.items()]
    return " · ".join(parts)


def _summary_homework(homework: HomeworkAdherence) -> str | None:
    title = formatting.sentence(homework.title)
    if homework.scheduled:
        rest = "".join(f", {part}" for part in _adherence_parts(homework))
        return _(SUMMARY_HOMEWORK).format(
            title=title, done=homework.done, scheduled=homework.scheduled, rest=rest
        )
    if homework.unprompted:
        return summary_unprompted(homework.unprompted).format(title=title, n=homework.unprompted)
    return None


# --- small helpers ---------------------------------------------------------------------------


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _(AND).format(items=", ".join(items[:-1]), last=items[-1])


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
