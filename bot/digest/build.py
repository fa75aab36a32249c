"""Build the pre-session digest: a pure function of stored rows.

:func:`build_digest` reads a :class:`~bot.digest.inputs.DigestRequest` and returns a
:class:`Digest`, a frozen tree of facts with every time already in the client's zone. No clock
reads, no I/O, no logging: the same request always gives an equal digest. Answers may lack any
key or hold an unexpected type (older rows, a flow left early): such a value is treated as not
answered, never as an error. What a homework type shows is declared beside it (its
``DigestSection``); this module reads the registry and never spells a step id itself. Wording
lives in ``render`` and in the sections; this module decides what is true, and names what the
client chose from a list (a skip reason, a feeling) in the language being read: build and render
a therapist's digest inside ``reading(therapist's language)``. The client's own words are kept
exactly as they wrote them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from typing import Any, Final

from bot.core.i18n import _
from bot.core.timezones import zone_from_name
from bot.digest.inputs import (
    ENTRY_COMPLETED,
    FINISHED_ENTRIES,
    AssignmentInput,
    DigestRequest,
    EntryInput,
    GoalInput,
    PromptInput,
    RiskFlagInput,
)
from flows.common import OBSTACLES
from flows.generic import section_for
from flows.model import Flow
from flows.places import flow_title
from flows.registry import FLOWS
from flows.sections import (
    ChartSeries,
    DigestSection,
    ScoreSeries,
    SectionEntry,
    SectionGoal,
    SectionInput,
    as_int,
    as_text,
)
from flows.skip_reason import REASONS

WORTH_DISCUSSING_CONFIDENCE: Final = 5
"""A confidence rating (0–10) at or below this is worth discussing."""

_REASON_LABELS: Final = {o.id: o.label for o in REASONS}


class OccurrenceStatus(StrEnum):
    DONE = "done"
    STARTED = "started"  # started from the prompt, not finished
    SKIPPED = "skipped"
    MISSED = "missed"
    UNDELIVERED = "undelivered"  # the client could not be reached
    OPEN = "open"  # not acted on yet, and still possible
    UNPROMPTED = "unprompted"  # done without a prompt


PROMPT_OUTCOMES: Final[Mapping[str, OccurrenceStatus]] = {
    "pending": OccurrenceStatus.OPEN,
    "sent": OccurrenceStatus.OPEN,
    "started": OccurrenceStatus.STARTED,  # DONE when its entry was finished
    "skipped": OccurrenceStatus.SKIPPED,
    "missed": OccurrenceStatus.MISSED,
    "unreachable": OccurrenceStatus.UNDELIVERED,
}
"""What each stored prompt status (``storage.PromptStatus``: a test holds the keys equal to it)
means in the digest; an unknown status reads as still open."""


class FlagKind(StrEnum):
    RISK_LANGUAGE = "risk_language"
    UNREACHABLE = "unreachable"
    HOMEWORK = "homework"  # raised by a homework's own section (a very low mood)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled prompt and what became of it (or one homework done without a prompt)."""

    at: datetime  # when it was due (or, unprompted, when it was done)
    status: OccurrenceStatus
    done_at: datetime | None = None
    skip_reason: str | None = None  # the label ("No time"), None if no reason was given
    skip_note: str | None = None  # the client's own words, if they gave any


@dataclass(frozen=True, slots=True)
class DayLine:
    day: date
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True, slots=True)
class PlanLine:
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    rationale: str | None
    confidence: int | None
    worth_discussing: bool
    cadence: str = "weekly"
    interval_days: int | None = None


@dataclass(frozen=True, slots=True)
class HomeworkAdherence:
    """One homework type over the period: its plans, counts, and each day's occurrences."""

    flow_id: str
    title: str
    plans: tuple[PlanLine, ...]
    scheduled: int
    done: int
    started: int
    skipped: int
    missed: int
    undelivered: int
    open: int
    unprompted: int
    skip_reasons: tuple[tuple[str, int], ...]  # (label, count), most frequent first
    days: tuple[DayLine, ...]


@dataclass(frozen=True, slots=True)
class ConfidenceRating:
    flow_id: str
    title: str
    confidence: int
    worth_discussing: bool


@dataclass(frozen=True, slots=True)
class Obstacle:
    at: datetime
    flow_id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    at: datetime | None
    where: str | None = None  # risk language: where it was recognised
    category: str | None = None  # risk language: what kind, as the detector names it
    answers: tuple[str, ...] = ()  # risk language: "safe" / "not_safe", as they answered after
    item_answer: str | None = None  # an item alert: the option chosen ("More than half the days")
    text: str | None = None  # a homework's flag, as its section words it ("Very low mood: 1/10")
    summary: str | None = None  # how the caption counts a homework's flags ("very low mood")


@dataclass(frozen=True, slots=True)
class HighRisk:
    """Open high-risk flags: since when, and the latest one's reason and place."""

    since: datetime
    latest_at: datetime
    reason: str
    where: str
    count: int


@dataclass(frozen=True, slots=True)
class SectionFacts:
    """One homework type's section: its declaration and the facts it found."""

    flow_id: str
    section: DigestSection[Any]
    facts: Any
    assigned: bool

    @property
    def count(self) -> int:
        return self.section.count(self.facts)


@dataclass(frozen=True, slots=True)
class Digest:
    """The facts of one pre-session digest; every datetime is in the client's zone."""

    alias: str
    zone_name: str
    zone: tzinfo
    period_start: datetime
    period_end: datetime
    session_at: datetime
    since_joining: bool
    assigned: tuple[str, ...]  # flow ids with a plan
    homework: tuple[HomeworkAdherence, ...]
    confidence: tuple[ConfidenceRating, ...]
    sections: tuple[SectionFacts, ...]  # one per homework type with a section, registry order
    chart: ChartSeries | None
    score_charts: tuple[ScoreSeries, ...]  # each scored measure with two scores or more
    obstacles: tuple[Obstacle, ...]
    notes: tuple[Note, ...]
    flags: tuple[Flag, ...]
    high_risk: HighRisk | None = None
    """The client's open high-risk flag: shown before everything else until the therapist /acks."""

    def section(self, flow_id: str) -> Any:
        """The facts of one homework type's section (its own dataclass, declared beside it)."""
        return next(s.facts for s in self.sections if s.flow_id == flow_id)


@dataclass(frozen=True, slots=True)
class _Period:
    """The half-open period of a digest and the client's zone."""

    zone: tzinfo
    zone_name: str
    start: datetime
    end: datetime
    previous_start: datetime | None

    @classmethod
    def of(cls, request: DigestRequest) -> _Period:
        zone, zone_name = _zone(request.client.timezone)
        previous = _utc(request.previous_period_start) if request.previous_period_start else None
        return cls(zone, zone_name, _utc(request.period_start), _utc(request.period_end), previous)

    def local(self, moment: datetime) -> datetime:
        return _utc(moment).astimezone(self.zone)

    def holds(self, moment: datetime) -> bool:
        return self.start <= _utc(moment) < self.end

    def before(self, moment: datetime) -> bool:
        """In the period before this one (read only to compare with)."""
        at = _utc(moment)
        return at < self.start and (self.previous_start is None or at >= self.previous_start)


def build_digest(request: DigestRequest, flows: Sequence[Flow] = FLOWS) -> Digest:
    """The digest for one client and period, with a section for each of ``flows`` that declares
    one (the registry's, unless a caller adds its own). Pure: no clock, no I/O, no logging."""
    period = _Period.of(request)
    entries = sorted(
        (e for e in request.entries if e.status in FINISHED_ENTRIES and period.holds(_moment(e))),
        key=lambda e: (_utc(_moment(e)), e.id),
    )
    previous = {  # by id: an entry may be passed in both lists
        e.id: e
        for e in (*request.previous_entries, *request.entries)
        if e.status in FINISHED_ENTRIES and period.before(_moment(e))
    }
    earlier = _earlier(request, period) if any(f.scoring is not None for f in flows) else []
    assignments = sorted(request.assignments, key=lambda a: _utc(a.created_at))
    assigned = tuple(dict.fromkeys(a.flow_id for a in assignments))
    goals = _goals(request.goals, period)
    before = (_oldest_first(previous.values()), earlier)
    sections = _sections(flows, entries, before, assigned, period, goals)
    return Digest(
        alias=request.client.alias,
        zone_name=period.zone_name,
        zone=period.zone,
        period_start=period.local(request.period_start),
        period_end=period.local(request.period_end),
        session_at=period.local(request.session_at),
        since_joining=period.start <= _utc(request.client.joined_at),
        assigned=assigned,
        homework=_homework(request, entries, assignments, period, flows),
        confidence=tuple(
            ConfidenceRating(a.flow_id, flow_title(a.flow_id, flows), c, c <= WORTH_DISCUSSING_CONFIDENCE)
            for a in assignments
            if (c := as_int(a.confidence, 0, 10)) is not None
        ),
        sections=sections,
        chart=next(
            (series for s in sections if s.section.chart and (series := s.section.chart(s.facts))), None
        ),
        score_charts=tuple(
            scores
            for s in sections
            if s.section.score_chart
            and (scores := s.section.score_chart(s.facts)) is not None
            and len(scores.points) >= 2
        ),
        obstacles=tuple(
            Obstacle(period.local(_moment(e)), e.flow_id, flow_title(e.flow_id, flows), text)
            for e in entries
            if (text := as_text(e.answers.get(OBSTACLES.id))) is not None
        ),
        notes=tuple(
            Note(period.local(n.created_at), text)
            for n in sorted(request.notes, key=lambda n: _utc(n.created_at))
            if period.holds(n.created_at) and (text := as_text(n.text)) is not None
        ),
        flags=_flags(request, period, sections),
        high_risk=_high_risk(request.risk_flags, period),
    )


def _high_risk(flags: Sequence[RiskFlagInput], period: _Period) -> HighRisk | None:
    """Every open flag counts, whenever raised: a flag stays until the therapist clears it."""
    ordered = sorted(flags, key=lambda f: _utc(f.raised_at))
    if not ordered:
        return None
    latest = ordered[-1]
    return HighRisk(
        since=period.local(ordered[0].raised_at),
        latest_at=period.local(latest.raised_at),
        reason=latest.reason,
        where=latest.where,
        count=len(ordered),
    )


def _sections(
    flows: Sequence[Flow],
    entries: Sequence[EntryInput],
    before: tuple[Sequence[EntryInput], Sequence[EntryInput]],
    assigned: Sequence[str],
    period: _Period,
    goals: tuple[SectionGoal, ...] = (),
) -> tuple[SectionFacts, ...]:
    """A section for each homework type: its own, else the generic one (``flows.generic``)."""

    def own(flow: Flow, section: DigestSection[Any], found: Iterable[EntryInput]) -> tuple[SectionEntry, ...]:
        return section.read(
            SectionEntry(period.local(_moment(e)), e.status == ENTRY_COMPLETED, e.answers, e.flow_version)
            for e in found
            if e.flow_id == flow.id
        )

    previous, earlier = before
    return tuple(
        SectionFacts(
            flow.id,
            section,
            section.facts(
                SectionInput(
                    own(flow, section, entries),
                    own(flow, section, previous),
                    goals=goals,
                    earlier=own(flow, section, earlier) if flow.scoring is not None else (),
                )
            ),
            flow.id in assigned,
        )
        for flow in flows
        if (section := section_for(flow)) is not None
    )


def _goals(goals: Sequence[GoalInput], period: _Period) -> tuple[SectionGoal, ...]:
    """The goals a section may show: active, or retired in the period; set before its end, with
    their ratings up to its end, in the client's zone."""
    return tuple(
        SectionGoal(
            number=g.number,
            text=g.text,
            set_at=period.local(g.created_at),
            reworded_at=period.local(g.reworded_at) if g.reworded_at else None,
            retired_at=period.local(g.retired_at) if g.retired_at else None,
            ratings=tuple(
                (period.local(at), value)
                for at, value in sorted(g.ratings, key=lambda r: _utc(r[0]))
                if _utc(at) < period.end and as_int(value, 0, 10) is not None
            ),
        )
        for g in sorted(goals, key=lambda g: g.number)
        if _utc(g.created_at) < period.end and (g.retired_at is None or _utc(g.retired_at) >= period.start)
    )


def _earlier(request: DigestRequest, period: _Period) -> list[EntryInput]:
    """Every finished entry before the period, oldest first: a measure's baseline is its first
    score ever."""
    found = {  # by id: an entry may be passed in more than one list
        e.id: e
        for e in (*request.earlier_entries, *request.previous_entries, *request.entries)
        if e.status in FINISHED_ENTRIES and _utc(_moment(e)) < period.start
    }
    return _oldest_first(found.values())


def _oldest_first(entries: Iterable[EntryInput]) -> list[EntryInput]:
    return sorted(entries, key=lambda e: (_utc(_moment(e)), e.id))


def _flags(request: DigestRequest, period: _Period, sections: Sequence[SectionFacts]) -> tuple[Flag, ...]:
    """Risk language first, then unreachable, then what the homework sections flag."""
    flags = [
        Flag(
            FlagKind.RISK_LANGUAGE,
            period.local(r.at),
            where=r.where,
            category=as_text(r.category),
            answers=tuple(a for a in r.answers if a in ("safe", "not_safe")),
            item_answer=as_text(r.item_answer),
        )
        for r in sorted(request.risk_events, key=lambda r: _utc(r.at))
        if period.holds(r.at)
    ]
    if request.client.unreachable_since is not None:
        flags.append(Flag(FlagKind.UNREACHABLE, period.local(request.client.unreachable_since)))
    flags += [
        Flag(FlagKind.HOMEWORK, flag.at, text=flag.text, summary=flag.summary)
        for s in sections
        for flag in s.section.flags(s.facts)
    ]
    return tuple(flags)


# --- homework adherence ------------------------------------------------------------------------


def _homework(
    request: DigestRequest,
    entries: Sequence[EntryInput],
    assignments: Sequence[AssignmentInput],
    period: _Period,
    flows: Sequence[Flow],
) -> tuple[HomeworkAdherence, ...]:
    prompts = sorted(
        (p for p in request.prompts if period.holds(p.due_at)), key=lambda p: (_utc(p.due_at), p.flow_id)
    )
    by_id = {e.id: e for e in request.entries}
    linked = {p.entry_id for p in request.prompts if p.entry_id is not None}
    unprompted = [e for e in entries if e.status == ENTRY_COMPLETED and e.id not in linked]

    known = [f.id for f in flows]
    flow_ids = list(dict.fromkeys(a.flow_id for a in assignments))
    extra = {p.flow_id for p in prompts} | {e.flow_id for e in unprompted}
    flow_ids += sorted(extra - set(flow_ids), key=lambda f: (known.index(f) if f in known else len(known), f))
    result = []
    for flow_id in flow_ids:
        occurrences: list[tuple[date, Occurrence]] = [
            (p.local_day, _occurrence(p, by_id, period)) for p in prompts if p.flow_id == flow_id
        ]
        occurrences += [
            (
                period.local(_moment(e)).date(),
                Occurrence(period.local(_moment(e)), OccurrenceStatus.UNPROMPTED),
            )
            for e in unprompted
            if e.flow_id == flow_id
        ]
        plans = [a for a in assignments if a.flow_id == flow_id]
        result.append(_adherence(flow_id, flow_title(flow_id, flows), plans, occurrences))
    return tuple(result)


def _adherence(
    flow_id: str, title: str, plans: Sequence[AssignmentInput], occurrences: Sequence[tuple[date, Occurrence]]
) -> HomeworkAdherence:
    counts = Counter(o.status for _, o in occurrences)
    reasons = Counter(o.skip_reason or "" for _, o in occurrences if o.status is OccurrenceStatus.SKIPPED)
    days: dict[date, list[Occurrence]] = {}
    for day, occurrence in sorted(occurrences, key=lambda d_o: (d_o[0], _utc(d_o[1].at))):
        days.setdefault(day, []).append(occurrence)
    return HomeworkAdherence(
        flow_id=flow_id,
        title=title,
        plans=tuple(_plan(a) for a in plans),
        scheduled=sum(n for s, n in counts.items() if s is not OccurrenceStatus.UNPROMPTED),
        done=counts[OccurrenceStatus.DONE],
        started=counts[OccurrenceStatus.STARTED],
        skipped=counts[OccurrenceStatus.SKIPPED],
        missed=counts[OccurrenceStatus.MISSED],
        undelivered=counts[OccurrenceStatus.UNDELIVERED],
        open=counts[OccurrenceStatus.OPEN],
        unprompted=counts[OccurrenceStatus.UNPROMPTED],
        skip_reasons=tuple(sorted(reasons.items(), key=lambda r_n: (-r_n[1], r_n[0] == "", r_n[0]))),
        days=tuple(DayLine(day, tuple(items)) for day, items in days.items()),
    )


def _plan(assignment: AssignmentInput) -> PlanLine:
    confidence = as_int(assignment.confidence, 0, 10)
    return PlanLine(
        times=tuple(assignment.times),
        weekdays=tuple(sorted(set(assignment.weekdays))),
        rationale=as_text(assignment.rationale),
        confidence=confidence,
        worth_discussing=confidence is not None and confidence <= WORTH_DISCUSSING_CONFIDENCE,
        cadence=assignment.cadence,
        interval_days=assignment.interval_days,
    )


def _occurrence(prompt: PromptInput, by_id: Mapping[int, EntryInput], period: _Period) -> Occurrence:
    at = period.local(prompt.due_at)
    entry = by_id.get(prompt.entry_id) if prompt.entry_id is not None else None
    status = PROMPT_OUTCOMES.get(prompt.status, OccurrenceStatus.OPEN)
    if status is OccurrenceStatus.STARTED and entry is not None and entry.status == ENTRY_COMPLETED:
        done_at = period.local(entry.completed_at) if entry.completed_at is not None else None
        return Occurrence(at, OccurrenceStatus.DONE, done_at=done_at)
    if status is OccurrenceStatus.SKIPPED:
        reason = as_text(prompt.skip_reason)
        label = _skip_reason_label(reason) if reason is not None else None
        return Occurrence(at, status, skip_reason=label, skip_note=as_text(prompt.skip_note))
    return Occurrence(at, status)


def _skip_reason_label(reason: str) -> str:
    """A reason chosen from the list, in the language being read (another stored as written)."""
    label = _REASON_LABELS.get(reason)
    return _(label) if label is not None else reason


# --- reading stored values defensively ---------------------------------------------------------


def _zone(name: str) -> tuple[tzinfo, str]:
    try:
        return zone_from_name(name), name
    except ValueError:  # an unknown stored name (should not happen): UTC, and say so in the header
        return UTC, "UTC"


def _utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime (should not happen) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def _moment(entry: EntryInput) -> datetime:
    """When an entry happened: when it was finished, else when it was started."""
    return entry.completed_at or entry.started_at
