"""Build the pre-session digest: a pure function of stored rows.

:func:`build_digest` reads a :class:`~bot.digest.inputs.DigestRequest` and returns a
:class:`Digest`, a frozen tree of facts with every time already in the client's zone. No clock
reads, no I/O, no logging: the same request always gives an equal digest. Answers may lack any
key or hold an unexpected type (older rows, a flow left early): such a value is treated as not
answered, never as an error. Wording lives in ``render``; this module decides what is true.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from typing import Any, Final

from bot.core.timezones import zone_from_name
from bot.digest.inputs import AssignmentInput, DigestRequest, EntryInput, PromptInput
from flows import breathing, mood_check, thought_record, urge_surfing
from flows.model import item_label
from flows.mood_check import FEELINGS
from flows.registry import FLOWS, flow_by_id
from flows.skip_reason import REASONS
from flows.thought_record import THOUGHT_RECORD, TRAP_OPTIONS

MOOD_CHECK: Final = mood_check.MOOD_CHECK.id
THOUGHT_RECORD_ID: Final = thought_record.THOUGHT_RECORD.id
URGE_SURFING: Final = urge_surfing.URGE_SURFING.id
BREATHING: Final = breathing.BREATHING.id
ACTED_ANSWERS: Final = tuple(option.id for option in urge_surfing.ACTED)

VERY_LOW_MOOD: Final = 2
"""A mood at or below this (0–10) is flagged."""
WORTH_DISCUSSING_CONFIDENCE: Final = 5
"""A confidence rating (0–10) at or below this is worth discussing."""
TOP_FEELINGS: Final = 5

_KNOWN_ORDER: Final = tuple(flow.id for flow in FLOWS)
_FEELING_LABELS: Final = {o.id: o.label for o in FEELINGS}
_TRAP_LABELS: Final = {o.id: o.label for o in TRAP_OPTIONS}
_REASON_LABELS: Final = {o.id: o.label for o in REASONS}
_CUSTOM_PREFIX: Final = "~"
_FINISHED: Final = frozenset({"completed", "cancelled"})
"""Entries whose answers are final: done, or left part-way (every answer is kept)."""

_Local = Callable[[datetime], datetime]
_InPeriod = Callable[[datetime], bool]


class OccurrenceStatus(StrEnum):
    DONE = "done"
    STARTED = "started"  # started from the prompt, not finished
    SKIPPED = "skipped"
    MISSED = "missed"
    UNDELIVERED = "undelivered"  # the client could not be reached
    OPEN = "open"  # not acted on yet, and still possible
    UNPROMPTED = "unprompted"  # done without a prompt


class FlagKind(StrEnum):
    RISK_LANGUAGE = "risk_language"
    UNREACHABLE = "unreachable"
    VERY_LOW_MOOD = "very_low_mood"


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
class MoodPoint:
    at: datetime
    mood: int
    feelings: tuple[str, ...]  # labels
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


@dataclass(frozen=True, slots=True)
class EmotionChange:
    label: str
    before: int | None
    after: int | None


@dataclass(frozen=True, slots=True)
class ThoughtRecord:
    at: datetime
    finished: bool
    situation: str | None
    emotions: tuple[EmotionChange, ...]
    hot_thought: str | None
    belief_before: int | None
    traps: tuple[str, ...]  # labels
    evidence_for: str | None
    evidence_against: str | None
    balanced_thought: str | None
    belief_balanced: int | None
    obstacles: str | None


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
class UrgeSummary:
    sessions: tuple[UrgeSurf, ...]
    rated: int  # sessions with intensity both before and after
    mean_before: float | None  # over the rated sessions
    mean_after: float | None
    acted: tuple[tuple[str, int], ...]  # ("no", n), ("partly", n), ("yes", n)

    @property
    def count(self) -> int:
        return len(self.sessions)


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


@dataclass(frozen=True, slots=True)
class BreathingSummary:
    sessions: tuple[BreathingSession, ...]
    rated: int
    mean_before: float | None
    mean_after: float | None

    @property
    def count(self) -> int:
        return len(self.sessions)


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
    mood: int | None = None  # very low mood
    where: str | None = None  # risk language: where it was recognised
    category: str | None = None  # risk language: what kind, as the detector names it
    answers: tuple[str, ...] = ()  # risk language: "safe" / "not_safe", as they answered after


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
    mood: MoodSummary
    thought_records: tuple[ThoughtRecord, ...]
    urge_surfing: UrgeSummary
    breathing: BreathingSummary
    obstacles: tuple[Obstacle, ...]
    notes: tuple[Note, ...]
    flags: tuple[Flag, ...]


def flow_title(flow_id: str) -> str:
    """What a homework type is called ("mood check"), also for one retired since."""
    flow = flow_by_id(flow_id)
    return flow.title if flow is not None else flow_id.replace("_", " ")


def build_digest(request: DigestRequest) -> Digest:
    """The digest for one client and period. Pure: no clock, no I/O, no logging."""
    zone, zone_name = _zone(request.client.timezone)
    start, end = _utc(request.period_start), _utc(request.period_end)

    def local(moment: datetime) -> datetime:
        return _utc(moment).astimezone(zone)

    def in_period(moment: datetime) -> bool:
        return start <= _utc(moment) < end

    entries = sorted(
        (e for e in request.entries if e.status in _FINISHED and in_period(_moment(e))),
        key=lambda e: (_utc(_moment(e)), e.id),
    )
    previous_start = _utc(request.previous_period_start) if request.previous_period_start else None
    previous = {  # by id: an entry may be passed in both lists
        e.id: e
        for e in (*request.previous_entries, *request.entries)
        if e.status in _FINISHED
        and _utc(_moment(e)) < start
        and (previous_start is None or _utc(_moment(e)) >= previous_start)
    }

    assignments = sorted(request.assignments, key=lambda a: _utc(a.created_at))
    assigned = tuple(dict.fromkeys(a.flow_id for a in assignments))
    mood = _mood(entries, list(previous.values()), local)

    flags = [
        Flag(
            FlagKind.RISK_LANGUAGE,
            local(r.at),
            where=r.where,
            category=_text(r.category),
            answers=tuple(a for a in r.answers if a in ("safe", "not_safe")),
        )
        for r in sorted(request.risk_events, key=lambda r: _utc(r.at))
        if in_period(r.at)
    ]
    if request.client.unreachable_since is not None:
        flags.append(Flag(FlagKind.UNREACHABLE, local(request.client.unreachable_since)))
    flags += [Flag(FlagKind.VERY_LOW_MOOD, p.at, mood=p.mood) for p in mood.points if p.mood <= VERY_LOW_MOOD]

    return Digest(
        alias=request.client.alias,
        zone_name=zone_name,
        zone=zone,
        period_start=local(request.period_start),
        period_end=local(request.period_end),
        session_at=local(request.session_at),
        since_joining=start <= _utc(request.client.joined_at),
        assigned=assigned,
        homework=_homework(request, entries, assignments, in_period, local),
        confidence=tuple(
            ConfidenceRating(a.flow_id, flow_title(a.flow_id), c, c <= WORTH_DISCUSSING_CONFIDENCE)
            for a in assignments
            if (c := _int(a.confidence, 0, 10)) is not None
        ),
        mood=mood,
        thought_records=tuple(
            record
            for e in entries
            if e.flow_id == THOUGHT_RECORD_ID and (record := _thought_record(e, local)) is not None
        ),
        urge_surfing=_urges(
            s for e in entries if e.flow_id == URGE_SURFING and (s := _urge(e, local)) is not None
        ),
        breathing=_breathing(
            b for e in entries if e.flow_id == BREATHING and (b := _breath(e, local)) is not None
        ),
        obstacles=tuple(
            Obstacle(local(_moment(e)), e.flow_id, flow_title(e.flow_id), text)
            for e in entries
            if (text := _text(e.answers.get("obstacles"))) is not None
        ),
        notes=tuple(
            Note(local(n.created_at), text)
            for n in sorted(request.notes, key=lambda n: _utc(n.created_at))
            if in_period(n.created_at) and (text := _text(n.text)) is not None
        ),
        flags=tuple(flags),
    )


# --- homework adherence ------------------------------------------------------------------------


def _homework(
    request: DigestRequest,
    entries: Sequence[EntryInput],
    assignments: Sequence[AssignmentInput],
    in_period: _InPeriod,
    local: _Local,
) -> tuple[HomeworkAdherence, ...]:
    prompts = sorted(
        (p for p in request.prompts if in_period(p.due_at)), key=lambda p: (_utc(p.due_at), p.flow_id)
    )
    by_id = {e.id: e for e in request.entries}
    linked = {p.entry_id for p in request.prompts if p.entry_id is not None}
    unprompted = [e for e in entries if e.status == "completed" and e.id not in linked]

    flow_ids = list(dict.fromkeys(a.flow_id for a in assignments))
    extra = {p.flow_id for p in prompts} | {e.flow_id for e in unprompted}
    flow_ids += sorted(extra - set(flow_ids), key=_flow_order)

    result = []
    for flow_id in flow_ids:
        occurrences: list[tuple[date, Occurrence]] = [
            (p.local_day, _occurrence(p, by_id, local)) for p in prompts if p.flow_id == flow_id
        ]
        occurrences += [
            (local(_moment(e)).date(), Occurrence(local(_moment(e)), OccurrenceStatus.UNPROMPTED))
            for e in unprompted
            if e.flow_id == flow_id
        ]
        counts = Counter(o.status for _, o in occurrences)
        reasons = Counter(o.skip_reason or "" for _, o in occurrences if o.status is OccurrenceStatus.SKIPPED)
        days: dict[date, list[Occurrence]] = {}
        for day, occurrence in sorted(occurrences, key=lambda d_o: (d_o[0], _utc(d_o[1].at))):
            days.setdefault(day, []).append(occurrence)
        plans = tuple(
            PlanLine(
                times=tuple(a.times),
                weekdays=tuple(sorted(set(a.weekdays))),
                rationale=_text(a.rationale),
                confidence=(c := _int(a.confidence, 0, 10)),
                worth_discussing=c is not None and c <= WORTH_DISCUSSING_CONFIDENCE,
            )
            for a in assignments
            if a.flow_id == flow_id
        )
        result.append(
            HomeworkAdherence(
                flow_id=flow_id,
                title=flow_title(flow_id),
                plans=plans,
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
        )
    return tuple(result)


def _occurrence(prompt: PromptInput, by_id: Mapping[int, EntryInput], local: _Local) -> Occurrence:
    at = local(prompt.due_at)
    entry = by_id.get(prompt.entry_id) if prompt.entry_id is not None else None
    done_at = local(entry.completed_at) if entry is not None and entry.completed_at is not None else None
    status = prompt.status
    if status == "completed" or (status == "started" and entry is not None and entry.status == "completed"):
        return Occurrence(at, OccurrenceStatus.DONE, done_at=done_at)
    if status == "started":
        return Occurrence(at, OccurrenceStatus.STARTED)
    if status == "skipped":
        reason = _text(prompt.skip_reason)
        label = _REASON_LABELS.get(reason, reason) if reason is not None else None
        return Occurrence(at, OccurrenceStatus.SKIPPED, skip_reason=label, skip_note=_text(prompt.skip_note))
    if status == "missed":
        return Occurrence(at, OccurrenceStatus.MISSED)
    if status == "unreachable":
        return Occurrence(at, OccurrenceStatus.UNDELIVERED)
    return Occurrence(at, OccurrenceStatus.OPEN)


def _flow_order(flow_id: str) -> tuple[int, str]:
    known = _KNOWN_ORDER.index(flow_id) if flow_id in _KNOWN_ORDER else len(_KNOWN_ORDER)
    return known, flow_id


# --- mood -------------------------------------------------------------------------------------


def _mood(entries: Sequence[EntryInput], previous: Sequence[EntryInput], local: _Local) -> MoodSummary:
    points = tuple(
        MoodPoint(
            at=local(_moment(e)),
            mood=mood,
            feelings=tuple(_feeling(i) for i in _items(e.answers.get("feelings"))),
            note=_text(e.answers.get("note")),
        )
        for e in entries
        if e.flow_id == MOOD_CHECK and (mood := _int(e.answers.get("mood"), 0, 10)) is not None
    )
    before = [
        m
        for e in previous
        if e.flow_id == MOOD_CHECK and (m := _int(e.answers.get("mood"), 0, 10)) is not None
    ]
    values = [p.mood for p in points]
    mean = _mean(values)
    previous_mean = _mean(before)
    feelings = Counter(f for p in points for f in p.feelings)
    return MoodSummary(
        points=points,
        low=min(values) if values else None,
        mean=mean,
        high=max(values) if values else None,
        previous_count=len(before),
        previous_mean=previous_mean,
        change=mean - previous_mean if mean is not None and previous_mean is not None else None,
        top_feelings=tuple(sorted(feelings.items(), key=lambda f_n: (-f_n[1], f_n[0]))[:TOP_FEELINGS]),
    )


# --- thought records, urge surfing, breathing --------------------------------------------------


def _thought_record(entry: EntryInput, local: _Local) -> ThoughtRecord | None:
    answers = entry.answers
    before = _mapping(answers.get("emotion_intensity"))
    after = _mapping(answers.get("emotion_rerate"))
    emotions = tuple(
        EmotionChange(
            item_label(THOUGHT_RECORD, "emotions", item),
            _int(before.get(item), 0, 100),
            _int(after.get(item), 0, 100),
        )
        for item in _items(answers.get("emotions"))
    )
    record = ThoughtRecord(
        at=local(_moment(entry)),
        finished=entry.status == "completed",
        situation=_text(answers.get("situation")),
        emotions=emotions,
        hot_thought=_text(answers.get("hot_thought")),
        belief_before=_int(answers.get("belief_before"), 0, 100),
        traps=tuple(_TRAP_LABELS.get(t, _strip_custom(t)) for t in _items(answers.get("traps"))),
        evidence_for=_text(answers.get("evidence_for")),
        evidence_against=_text(answers.get("evidence_against")),
        balanced_thought=_text(answers.get("balanced_thought")),
        belief_balanced=_int(answers.get("belief_balanced"), 0, 100),
        obstacles=_text(answers.get("obstacles")),
    )
    empty = not (record.situation or record.hot_thought or record.emotions)
    return None if empty else record


def _timer(value: object) -> tuple[int | None, bool]:
    """(seconds practised, stopped early) from a timer record."""
    timer = _mapping(value)
    return _int(timer.get("seconds"), 0, 24 * 3600), timer.get("stopped_early") is True


def _urge(entry: EntryInput, local: _Local) -> UrgeSurf | None:
    answers = entry.answers
    seconds, stopped_early = _timer(answers.get("surf"))
    surf = UrgeSurf(
        at=local(_moment(entry)),
        finished=entry.status == "completed",
        urge=_text(answers.get("urge")),
        intensity_before=_int(answers.get("intensity_before"), 0, 10),
        intensity_after=_int(answers.get("intensity_after"), 0, 10),
        planned_minutes=_int(answers.get("minutes"), 0, 600),
        seconds=seconds,
        stopped_early=stopped_early,
        acted=acted if (acted := _text(answers.get("acted"))) in ACTED_ANSWERS else None,
        note=_text(answers.get("note")),
    )
    empty = surf.urge is None and surf.intensity_before is None and surf.seconds is None
    return None if empty else surf


def _urges(sessions: Iterable[UrgeSurf]) -> UrgeSummary:
    found = tuple(sessions)
    pairs = [(s.intensity_before, s.intensity_after) for s in found]
    rated = [(b, a) for b, a in pairs if b is not None and a is not None]
    acted = Counter(s.acted for s in found if s.acted is not None)
    return UrgeSummary(
        sessions=found,
        rated=len(rated),
        mean_before=_mean([b for b, _ in rated]),
        mean_after=_mean([a for _, a in rated]),
        acted=tuple((answer, acted[answer]) for answer in ACTED_ANSWERS),
    )


def _breath(entry: EntryInput, local: _Local) -> BreathingSession | None:
    answers = entry.answers
    seconds, stopped_early = _timer(answers.get("breathe"))
    session = BreathingSession(
        at=local(_moment(entry)),
        finished=entry.status == "completed",
        pattern=_text(answers.get("pattern")),
        planned_minutes=_int(answers.get("minutes"), 0, 600),
        seconds=seconds,
        stopped_early=stopped_early,
        calm_before=_int(answers.get("calm_before"), 0, 10),
        calm_after=_int(answers.get("calm_after"), 0, 10),
    )
    empty = session.pattern is None and session.calm_before is None and session.seconds is None
    return None if empty else session


def _breathing(sessions: Iterable[BreathingSession]) -> BreathingSummary:
    found = tuple(sessions)
    rated = [
        (s.calm_before, s.calm_after) for s in found if s.calm_before is not None and s.calm_after is not None
    ]
    return BreathingSummary(
        sessions=found,
        rated=len(rated),
        mean_before=_mean([b for b, _ in rated]),
        mean_after=_mean([a for _, a in rated]),
    )


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


def _int(value: object, low: int, high: int) -> int | None:
    """A whole number in ``low``–``high`` from a stored answer (an int, or digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _items(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str) and v.strip())
    return ()


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _feeling(item: str) -> str:
    return _FEELING_LABELS.get(item, _strip_custom(item))


def _strip_custom(item: str) -> str:
    return item[len(_CUSTOM_PREFIX) :] if item.startswith(_CUSTOM_PREFIX) else item


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None
