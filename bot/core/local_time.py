"""When scheduled homework is due: local wall-clock plans turned into UTC instants.

Each scheduled local occurrence becomes one UTC due time with a stable key, so daylight-saving
changes never make a prompt drift, repeat or vanish. Two rules settle the odd days:

- a local time that does not exist (spring forward) fires at the next valid local minute;
- a local time that happens twice (fall back) fires once, at its first occurrence (``fold=0``).

Everything here is pure: the current time comes in as ``now`` (aware), results are aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Protocol

# Pure parsers of the plan's words, kept beside the flows that read them; imported from here too.
from bot.core.plan_text import describe_weekdays as describe_weekdays
from bot.core.plan_text import parse_times as parse_times
from bot.core.plan_text import parse_weekdays as parse_weekdays

_ONE_DAY = timedelta(days=1)
_SNOOZE_MARGIN = timedelta(minutes=15)
# A local day with no occurrences can only be one the zone skipped entirely (Pacific/Apia,
# 2011-12-30), so a plan with times and weekdays always has one within this many days.
_LOOKAHEAD_DAYS = 15

REPEAT_DAYS = {"weekly": 7, "biweekly": 14}
"""How far apart the sessions of a series are, by its stored ``repeat``."""


@dataclass(frozen=True, slots=True)
class WeeklyPlan:
    """When a homework is due: local times on some weekdays, from a start date, maybe to an end date.

    Times are kept sorted and unique, so two plans that mean the same are equal.
    """

    times: tuple[time, ...]
    weekdays: frozenset[int]
    start: date
    end: date | None = None  # inclusive

    def __post_init__(self) -> None:
        for wall in self.times:
            if wall.tzinfo is not None or wall.second or wall.microsecond:
                raise ValueError(f"plan times are naive local minutes, got {wall.isoformat()}")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"plan ends ({self.end}) before it starts ({self.start})")
        object.__setattr__(self, "times", tuple(sorted(set(self.times))))


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled local occurrence and the UTC instant it is due."""

    key: str  # "YYYY-MM-DDTHH:MM" of the scheduled local date and time (not the shifted one)
    local_day: date
    due_at: datetime  # aware, UTC


def occurrences_on(plan: WeeklyPlan, day: date, zone: tzinfo) -> list[Occurrence]:
    """The occurrences of one local day, in due order ([] if the day is not in the plan).

    A scheduled time that the clocks skip past the end of the day (only in zones that once
    skipped a whole date) has no occurrence: that local day never had it.
    """
    if not _plan_covers(plan, day):
        return []
    return list(_occurrences_of_day(plan.times, day, zone))


def occurrences_between(plan: WeeklyPlan, first_day: date, last_day: date, zone: tzinfo) -> list[Occurrence]:
    """All occurrences of local days first_day..last_day inclusive, in due order."""
    first_day = max(first_day, plan.start)
    if plan.end is not None:
        last_day = min(last_day, plan.end)
    found: list[Occurrence] = []
    day = first_day
    while day <= last_day:
        found.extend(occurrences_on(plan, day, zone))
        day += _ONE_DAY
    return sorted(found, key=_due_order)


def occurrences_due(plan: WeeklyPlan, after: datetime, until: datetime, zone: tzinfo) -> list[Occurrence]:
    """The occurrences due in (after, until], in due order.

    A scheduler that materialises ``occurrences_due(plan, last_run, now, zone)`` on every run gets
    each occurrence exactly once, even when the clocks' gap gives several the same due instant.
    """
    after, until = _as_utc(after), _as_utc(until)
    if until <= after:
        return []
    # A day's occurrences lie in [start_of_local_day, end_of_local_day); one spare day on each
    # side covers local dates that a fall-back hour makes run backwards.
    first_day = local_today(after, zone) - _ONE_DAY
    last_day = local_today(until, zone) + _ONE_DAY
    return [
        occurrence
        for occurrence in occurrences_between(plan, first_day, last_day, zone)
        if after < occurrence.due_at <= until
    ]


def next_occurrence(plan: WeeklyPlan, now: datetime, zone: tzinfo) -> Occurrence | None:
    """The first occurrence due at or after now (None when the plan has ended)."""
    now = _as_utc(now)
    if not plan.times or not plan.weekdays:
        return None
    day = max(plan.start, local_today(now, zone) - _ONE_DAY)
    last_day = day + timedelta(days=_LOOKAHEAD_DAYS)
    if plan.end is not None:
        last_day = min(last_day, plan.end)
    while day <= last_day:
        for occurrence in occurrences_on(plan, day, zone):
            if occurrence.due_at >= now:
                return occurrence
        day += _ONE_DAY
    return None


def local_today(now: datetime, zone: tzinfo) -> date:
    """The client's calendar date at now."""
    return _as_utc(now).astimezone(zone).date()


def start_of_local_day(day: date, zone: tzinfo) -> datetime:
    """The UTC instant the local day begins: local midnight, or the first valid minute after it."""
    return _first_valid_instant(datetime.combine(day, time(0, 0)), zone)


def end_of_local_day(day: date, zone: tzinfo) -> datetime:
    """The UTC instant the local day ends (exclusive): the start of the next local day."""
    return start_of_local_day(day + _ONE_DAY, zone)


def in_quiet_hours(instant: datetime, zone: tzinfo, quiet_start: time | None, quiet_end: time | None) -> bool:
    """Quiet hours may wrap midnight (22:00–07:00). None/None or equal times: no quiet hours.

    Only one of the two set also means no quiet hours: there is no span to keep quiet.
    """
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return False
    wall = _as_utc(instant).astimezone(zone).time()
    if quiet_start < quiet_end:
        return quiet_start <= wall < quiet_end
    return wall >= quiet_start or wall < quiet_end


def end_of_quiet_hours(
    instant: datetime, zone: tzinfo, quiet_start: time | None, quiet_end: time | None
) -> datetime:
    """If instant is inside quiet hours, the UTC instant they end (next valid local minute rules apply);
    else instant itself."""
    instant = _as_utc(instant)
    if quiet_start is None or quiet_end is None or not in_quiet_hours(instant, zone, quiet_start, quiet_end):
        return instant
    local = instant.astimezone(zone)
    end_day = local.date()
    if quiet_start > quiet_end and local.time() >= quiet_start:
        end_day += _ONE_DAY
    wall_end = datetime.combine(end_day, quiet_end)
    first_end = _first_valid_instant(wall_end, zone)
    if first_end > instant:
        return first_end
    # The instant is in the second pass of a fall-back hour, after the end's first occurrence.
    return wall_end.replace(tzinfo=zone, fold=1).astimezone(UTC)


def this_evening(now: datetime, zone: tzinfo, evening: time = time(19, 0)) -> datetime | None:
    """Today's local `evening` as UTC if it is still ahead of now by at least 15 minutes, else None.

    For a 'snooze until this evening' button: a snooze of a few minutes would only nag.
    """
    now = _as_utc(now)
    today = local_today(now, zone)
    due_at = _first_valid_instant(datetime.combine(today, evening), zone)
    if due_at.astimezone(zone).date() != today or due_at - now < _SNOOZE_MARGIN:
        return None
    return due_at


def _plan_covers(plan: WeeklyPlan, day: date) -> bool:
    return plan.start <= day and (plan.end is None or day <= plan.end) and day.weekday() in plan.weekdays


@lru_cache(maxsize=4096)
def _occurrences_of_day(times: tuple[time, ...], day: date, zone: tzinfo) -> tuple[Occurrence, ...]:
    """Remembered, because a scheduler asks about the same few days on every tick."""
    found = []
    for wall in times:
        due_at = _first_valid_instant(datetime.combine(day, wall), zone)
        if due_at.astimezone(zone).date() == day:
            found.append(Occurrence(key=_occurrence_key(day, wall), local_day=day, due_at=due_at))
    return tuple(sorted(found, key=_due_order))


def _occurrence_key(day: date, wall: time) -> str:
    return f"{day.isoformat()}T{wall.hour:02d}:{wall.minute:02d}"


def _due_order(occurrence: Occurrence) -> tuple[datetime, str]:
    """Due time first; keys break the ties of several scheduled times that one gap pushed together."""
    return occurrence.due_at, occurrence.key


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def _first_valid_instant(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a naive local wall time: its first occurrence, or the next valid local minute
    if the clocks skip it."""
    due_at = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if due_at.astimezone(zone).replace(tzinfo=None) == wall:
        return due_at
    # The wall time is in a gap. The clocks jump forward at one instant between the two readings
    # of the wall time; find that instant to the second, then round up to a whole local minute.
    offsets = [wall.replace(tzinfo=zone, fold=fold).utcoffset() or timedelta() for fold in (0, 1)]
    earliest = wall - max(offsets)  # before the jump (as UTC, naive)
    latest = wall - min(offsets)  # after the jump
    low, high = 0, int((latest - earliest).total_seconds())
    while low < high:
        middle = (low + high) // 2
        candidate = (earliest + timedelta(seconds=middle)).replace(tzinfo=UTC)
        if candidate.astimezone(zone).replace(tzinfo=None) > wall:
            high = middle
        else:
            low = middle + 1
    jump = (earliest + timedelta(seconds=low)).replace(tzinfo=UTC)
    seconds_past_minute = jump.astimezone(zone).second
    if seconds_past_minute:
        jump += timedelta(seconds=60 - seconds_past_minute)
    return jump


class PlanFields(Protocol):
    """What a stored schedule holds about its plan (storage's ScheduleRow has these)."""

    @property
    def times(self) -> Sequence[str]: ...
    @property
    def weekdays(self) -> Sequence[int]: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...


def parse_clock_time(text: str | None) -> time | None:
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def plan_of(schedule: PlanFields) -> WeeklyPlan:
    """The weekly plan of a stored schedule (any row with its fields)."""
    times = tuple(t for t in (parse_clock_time(x) for x in schedule.times) if t is not None)
    return WeeklyPlan(
        times=times,
        weekdays=frozenset(schedule.weekdays),
        start=schedule.start_date,
        end=schedule.end_date,
    )


def local_instant(day: date, wall: time, zone: tzinfo) -> datetime:
    """A local wall time as an aware UTC instant (a time skipped by DST moves to the next
    valid minute, a repeated one is the first), as scheduled homework does."""
    plan = WeeklyPlan(times=(wall.replace(second=0, microsecond=0),), weekdays=frozenset(range(7)), start=day)
    return occurrences_on(plan, day, zone)[0].due_at


class InSeries(Protocol):
    """A session as a series sees it (``storage.SessionRow`` is one)."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def repeat(self) -> str: ...


def next_in_series(session: InSeries, zone: tzinfo) -> datetime | None:
    """The start of the next session of a weekly or biweekly series, at the same local time."""
    days = REPEAT_DAYS.get(session.repeat)
    if days is None:
        return None
    local = session.starts_at.astimezone(zone)
    return local_instant(local.date() + timedelta(days=days), local.time().replace(tzinfo=None), zone)
