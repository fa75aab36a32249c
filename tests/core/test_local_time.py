"""When homework is due: local plans to UTC instants, across every daylight-saving oddity of 2026."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.core.local_time import (
    Occurrence,
    WeeklyPlan,
    describe_weekdays,
    end_of_local_day,
    end_of_quiet_hours,
    in_quiet_hours,
    local_today,
    next_occurrence,
    occurrences_between,
    occurrences_due,
    occurrences_on,
    parse_times,
    parse_weekdays,
    start_of_local_day,
    this_evening,
)

EVERY_DAY = frozenset(range(7))
FIXED = timezone(timedelta(hours=-3, minutes=-30), "UTC-03:30")
ZONES: dict[str, tzinfo] = {
    name: ZoneInfo(name)
    for name in (
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Auckland",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/Santiago",  # its clocks change at midnight
        "Asia/Beirut",  # so do these
    )
} | {"UTC-03:30": FIXED}
BERLIN = ZONES["Europe/Berlin"]
NEW_YORK = ZONES["America/New_York"]

YEAR_TIMES = tuple(time(*hm) for hm in ((0, 0), (0, 30), (1, 59), (2, 0), (2, 30), (3, 0), (12, 0), (23, 59)))
YEAR_2026 = WeeklyPlan(times=YEAR_TIMES, weekdays=EVERY_DAY, start=date(2026, 1, 1), end=date(2026, 12, 31))
# The scheduled times of YEAR_TIMES that the clocks skip in 2026 (they fire at the next valid minute) …
SKIPPED = {
    "Europe/Berlin": {"2026-03-29T02:00", "2026-03-29T02:30"},
    "America/New_York": {"2026-03-08T02:00", "2026-03-08T02:30"},
    "Australia/Lord_Howe": {"2026-10-04T02:00"},  # 02:00 → 02:30, a half-hour jump
    "Pacific/Auckland": {"2026-09-27T02:00", "2026-09-27T02:30"},
    "Asia/Kolkata": set(),
    "Asia/Kathmandu": set(),
    "America/Santiago": {"2026-09-06T00:00", "2026-09-06T00:30"},
    "Asia/Beirut": {"2026-03-29T00:00", "2026-03-29T00:30"},
    "UTC-03:30": set(),
}
# … and the ones that happen twice (they fire once, at the first).
DOUBLED = {
    "Europe/Berlin": {"2026-10-25T02:00", "2026-10-25T02:30"},
    "America/New_York": {"2026-11-01T01:59"},
    "Australia/Lord_Howe": {"2026-04-05T01:59"},  # 01:30–01:59 happen twice
    "Pacific/Auckland": {"2026-04-05T02:00", "2026-04-05T02:30"},
    "Asia/Kolkata": set(),
    "Asia/Kathmandu": set(),
    "America/Santiago": {"2026-04-04T23:59"},
    "Asia/Beirut": {"2026-10-24T23:59"},
    "UTC-03:30": set(),
}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def every_day(*times: time, start: date = date(2026, 1, 1), end: date | None = None) -> WeeklyPlan:
    return WeeklyPlan(times=times, weekdays=EVERY_DAY, start=start, end=end)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def scheduled_wall(occurrence: Occurrence) -> datetime:
    return datetime.fromisoformat(occurrence.key)


def exists(wall: datetime, zone: tzinfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def instants_of(wall: datetime, zone: tzinfo) -> set[datetime]:
    return {wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}


# ---- the gap and overlap rules, one row each -----------------------------------------------------


@pytest.mark.parametrize(
    ("zone_name", "day", "wall", "due_at", "due_wall"),
    [
        # Spring forward: a skipped time fires at the next valid local minute.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0), time(3, 0)),
        ("Europe/Berlin", date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0), time(3, 0)),
        ("Europe/Berlin", date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 0, 59), time(1, 59)),
        ("Europe/Berlin", date(2026, 3, 29), time(3, 0), utc(2026, 3, 29, 1, 0), time(3, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0), time(3, 0)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30), time(2, 30)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 15, 30), time(2, 30)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(1, 59), utc(2026, 10, 3, 15, 29), time(1, 59)),
        ("Pacific/Auckland", date(2026, 9, 27), time(2, 45), utc(2026, 9, 26, 14, 0), time(3, 0)),
        ("America/Santiago", date(2026, 9, 6), time(0, 0), utc(2026, 9, 6, 4, 0), time(1, 0)),
        ("Asia/Beirut", date(2026, 3, 29), time(0, 30), utc(2026, 3, 28, 22, 0), time(1, 0)),
        # Fall back: a doubled time fires once, at its first occurrence.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(3, 0), utc(2026, 10, 25, 2, 0), time(3, 0)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), time(1, 30)),
        ("America/New_York", date(2026, 11, 1), time(2, 0), utc(2026, 11, 1, 7, 0), time(2, 0)),
        ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45), time(1, 45)),
        ("Australia/Lord_Howe", date(2026, 4, 5), time(2, 0), utc(2026, 4, 4, 15, 30), time(2, 0)),
        ("Pacific/Auckland", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 13, 30), time(2, 30)),
        ("America/Santiago", date(2026, 4, 4), time(23, 30), utc(2026, 4, 5, 2, 30), time(23, 30)),
        # No daylight saving: half-hour, 45-minute and fixed offsets.
        ("Asia/Kolkata", date(2026, 3, 29), time(8, 0), utc(2026, 3, 29, 2, 30), time(8, 0)),
        ("Asia/Kolkata", date(2026, 3, 29), time(0, 0), utc(2026, 3, 28, 18, 30), time(0, 0)),
        ("Asia/Kathmandu", date(2026, 3, 29), time(8, 0), utc(2026, 3, 29, 2, 15), time(8, 0)),
        ("UTC-03:30", date(2026, 3, 29), time(22, 0), utc(2026, 3, 30, 1, 30), time(22, 0)),
    ],
)
def test_a_scheduled_local_time_becomes_one_utc_instant(
    zone_name: str, day: date, wall: time, due_at: datetime, due_wall: time
) -> None:
    zone = ZONES[zone_name]
    [occurrence] = occurrences_on(every_day(wall), day, zone)
    assert occurrence == Occurrence(key=f"{day}T{wall:%H:%M}", local_day=day, due_at=due_at)
    assert occurrence.due_at.tzinfo is UTC
    assert occurrence.due_at.astimezone(zone).time() == due_wall


def test_times_pushed_together_by_a_gap_keep_their_own_keys_in_scheduled_order() -> None:
    plan = every_day(time(3, 0), time(2, 30), time(2, 0))
    found = occurrences_on(plan, date(2026, 3, 29), BERLIN)
    assert [o.key for o in found] == ["2026-03-29T02:00", "2026-03-29T02:30", "2026-03-29T03:00"]
    assert {o.due_at for o in found} == {utc(2026, 3, 29, 1, 0)}


@pytest.mark.parametrize(
    ("zone_name", "day", "start", "end"),
    [
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)),  # 23 h
        ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0)),  # 25 h
        ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4, 0), utc(2026, 9, 7, 3, 0)),  # no midnight
        ("America/Santiago", date(2026, 4, 4), utc(2026, 4, 4, 3, 0), utc(2026, 4, 5, 4, 0)),
        ("Asia/Beirut", date(2026, 3, 29), utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 21, 0)),
        ("Asia/Kathmandu", date(2026, 6, 1), utc(2026, 5, 31, 18, 15), utc(2026, 6, 1, 18, 15)),
        ("UTC-03:30", date(2026, 6, 1), utc(2026, 6, 1, 3, 30), utc(2026, 6, 2, 3, 30)),
    ],
)
def test_a_local_day_runs_from_its_first_valid_minute_to_the_next_days(
    zone_name: str, day: date, start: datetime, end: datetime
) -> None:
    zone = ZONES[zone_name]
    assert (start_of_local_day(day, zone), end_of_local_day(day, zone)) == (start, end)
    assert local_today(start, zone) == day
    assert local_today(end - timedelta(minutes=1), zone) == day


def test_a_date_the_zone_skipped_entirely_has_no_occurrences() -> None:
    apia = ZoneInfo("Pacific/Apia")  # went from 2011-12-29 straight to 2011-12-31
    skipped = date(2011, 12, 30)
    assert start_of_local_day(skipped, apia) == end_of_local_day(skipped, apia) == utc(2011, 12, 30, 10, 0)
    plan = every_day(time(0, 0), time(12, 0), start=date(2011, 12, 28))
    assert occurrences_on(plan, skipped, apia) == []
    found = occurrences_between(plan, date(2011, 12, 29), date(2011, 12, 31), apia)
    assert [o.key for o in found] == [
        "2011-12-29T00:00",
        "2011-12-29T12:00",
        "2011-12-31T00:00",
        "2011-12-31T12:00",
    ]
    next_up = next_occurrence(plan, utc(2011, 12, 30, 0, 0), apia)
    assert next_up is not None and next_up.key == "2011-12-31T00:00"


# ---- a simulated year per zone -------------------------------------------------------------------


@pytest.fixture(scope="module")
def year_of_occurrences() -> Callable[[str], list[Occurrence]]:
    cache: dict[str, list[Occurrence]] = {}

    def of(zone_name: str) -> list[Occurrence]:
        if zone_name not in cache:
            cache[zone_name] = occurrences_between(
                YEAR_2026, date(2025, 12, 1), date(2027, 1, 31), ZONES[zone_name]
            )
        return cache[zone_name]

    return of


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_year_has_every_scheduled_time_once_in_order_inside_its_day(
    zone_name: str, year_of_occurrences: Callable[[str], list[Occurrence]]
) -> None:
    zone = ZONES[zone_name]
    found = year_of_occurrences(zone_name)
    days = days_of(2026)

    # Exactly one occurrence per (local day, scheduled time), and nothing outside the plan.
    assert [o.key for o in found] == [f"{day}T{wall:%H:%M}" for day in days for wall in YEAR_TIMES]
    assert all(o.local_day.isoformat() == o.key[:10] for o in found)

    # Due times only move forward; a tie only where one gap pushed several times onto one minute.
    for earlier, later in pairwise(found):
        assert earlier.due_at <= later.due_at
        if earlier.due_at == later.due_at:
            assert earlier.local_day == later.local_day and earlier.key in SKIPPED[zone_name]

    # Each due time lies inside its own local day.
    bounds = {day: (start_of_local_day(day, zone), end_of_local_day(day, zone)) for day in days}
    assert all(bounds[o.local_day][0] <= o.due_at < bounds[o.local_day][1] for o in found)

    # The due wall time is the scheduled one, or the first valid minute after it on gap days.
    skipped, doubled = set(), set()
    for occurrence in found:
        assert occurrence.due_at.tzinfo is UTC
        scheduled = scheduled_wall(occurrence)
        due_wall = occurrence.due_at.astimezone(zone).replace(tzinfo=None)
        if due_wall != scheduled:
            skipped.add(occurrence.key)
            assert due_wall > scheduled and exists(due_wall, zone) and due_wall.second == 0
            minutes_between = int((due_wall - scheduled) / timedelta(minutes=1))
            assert not any(exists(scheduled + timedelta(minutes=n), zone) for n in range(minutes_between))
        elif len(instants_of(scheduled, zone)) == 2:
            doubled.add(occurrence.key)
            assert occurrence.due_at == min(instants_of(scheduled, zone))
    assert (skipped, doubled) == (SKIPPED[zone_name], DOUBLED[zone_name])


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_clock_ticking_every_15_minutes_materialises_each_occurrence_once(
    zone_name: str, year_of_occurrences: Callable[[str], list[Occurrence]]
) -> None:
    """Like the scheduler: sleep until the next due time, then take everything due since the last run."""
    zone, tick = ZONES[zone_name], timedelta(minutes=15)
    now = last_run = utc(2025, 12, 30, 0, 0)
    upcoming = next_occurrence(YEAR_2026, now, zone)
    materialised: list[Occurrence] = []
    while now < utc(2027, 1, 2, 0, 0):
        now += tick
        if upcoming is None or upcoming.due_at > now:
            continue
        due = occurrences_due(YEAR_2026, last_run, now, zone)
        assert due[0] == upcoming
        assert all(now - tick < o.due_at <= now for o in due)  # neither early nor a tick late
        materialised += due
        last_run = now
        upcoming = next_occurrence(YEAR_2026, now + timedelta(seconds=1), zone)
    assert upcoming is None
    assert materialised == year_of_occurrences(zone_name)
    assert len({o.key for o in materialised}) == len(materialised)


def test_next_occurrence_is_at_or_after_now() -> None:
    plan = every_day(time(8, 0), time(20, 30), start=date(2026, 3, 2), end=date(2026, 3, 3))
    due = utc(2026, 3, 2, 7, 0)  # 08:00 in Berlin
    assert next_occurrence(plan, due, BERLIN) == Occurrence("2026-03-02T08:00", date(2026, 3, 2), due)
    following = next_occurrence(plan, due + timedelta(microseconds=1), BERLIN)
    assert following is not None and following.key == "2026-03-02T20:30"
    before_start = next_occurrence(plan, utc(2026, 1, 1), BERLIN)
    assert before_start is not None and before_start.key == "2026-03-02T08:00"
    last = next_occurrence(plan, utc(2026, 3, 3, 19, 30), BERLIN)
    assert last is not None and last.key == "2026-03-03T20:30"
    assert next_occurrence(plan, utc(2026, 3, 3, 19, 31), BERLIN) is None
    assert next_occurrence(every_day(start=date(2026, 3, 2)), due, BERLIN) is None


def test_next_occurrence_looks_past_a_local_midnight_that_utc_has_not_reached() -> None:
    plan = every_day(time(23, 0))
    # 2026-03-03 00:30 in Auckland is still 2026-03-02 in UTC.
    found = next_occurrence(plan, utc(2026, 3, 2, 11, 30), ZONES["Pacific/Auckland"])
    assert found is not None and found.key == "2026-03-03T23:00"


# ---- weekdays and plan bounds --------------------------------------------------------------------


def test_only_the_plans_weekdays_between_start_and_end_have_occurrences() -> None:
    plan = WeeklyPlan(
        times=(time(8, 0),), weekdays=frozenset({0, 2, 4}), start=date(2026, 3, 4), end=date(2026, 3, 13)
    )
    found = occurrences_between(plan, date(2026, 3, 1), date(2026, 3, 31), BERLIN)
    assert [o.local_day for o in found] == [
        date(2026, 3, 4),  # Wednesday, the start
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 11),
        date(2026, 3, 13),  # Friday, the end (inclusive)
    ]
    assert occurrences_on(plan, date(2026, 3, 10), BERLIN) == []  # a Tuesday
    assert occurrences_on(plan, date(2026, 3, 2), BERLIN) == []  # a Monday before the start
    assert occurrences_on(plan, date(2026, 3, 16), BERLIN) == []  # a Monday after the end
    assert occurrences_between(plan, date(2026, 3, 10), date(2026, 3, 9), BERLIN) == []


def test_a_plan_keeps_its_times_sorted_and_unique_and_refuses_nonsense() -> None:
    plan = every_day(time(20, 30), time(8, 0), time(20, 30))
    assert plan.times == (time(8, 0), time(20, 30))
    assert plan == every_day(time(8, 0), time(20, 30))
    with pytest.raises(ValueError, match="minutes"):
        every_day(time(8, 0, 30))
    with pytest.raises(ValueError, match="weekdays"):
        WeeklyPlan(times=(time(8, 0),), weekdays=frozenset({7}), start=date(2026, 1, 1))
    with pytest.raises(ValueError, match="before it starts"):
        every_day(time(8, 0), start=date(2026, 1, 2), end=date(2026, 1, 1))


# ---- quiet hours and snoozing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_wall", "quiet"),
    [
        (datetime(2026, 1, 10, 21, 59), False),
        (datetime(2026, 1, 10, 22, 0), True),
        (datetime(2026, 1, 10, 23, 59), True),
        (datetime(2026, 1, 11, 3, 0), True),
        (datetime(2026, 1, 11, 6, 59), True),
        (datetime(2026, 1, 11, 7, 0), False),
        (datetime(2026, 1, 11, 12, 0), False),
    ],
)
def test_quiet_hours_wrap_midnight(local_wall: datetime, quiet: bool) -> None:
    instant = local_wall.replace(tzinfo=BERLIN)
    assert in_quiet_hours(instant, BERLIN, time(22, 0), time(7, 0)) is quiet
    expected_end = utc(2026, 1, 11, 6, 0) if quiet else instant  # 07:00 in Berlin
    assert end_of_quiet_hours(instant, BERLIN, time(22, 0), time(7, 0)) == expected_end


def test_quiet_hours_within_one_day_and_no_quiet_hours() -> None:
    inside, outside = utc(2026, 1, 10, 13, 0), utc(2026, 1, 10, 15, 0)  # 14:00 and 16:00 in Berlin
    assert in_quiet_hours(inside, BERLIN, time(13, 0), time(15, 0))
    assert end_of_quiet_hours(inside, BERLIN, time(13, 0), time(15, 0)) == utc(2026, 1, 10, 14, 0)
    assert not in_quiet_hours(outside, BERLIN, time(13, 0), time(15, 0))
    for quiet_start, quiet_end in ((None, None), (time(22, 0), time(22, 0)), (time(22, 0), None)):
        assert not in_quiet_hours(inside, BERLIN, quiet_start, quiet_end)
        assert end_of_quiet_hours(inside, BERLIN, quiet_start, quiet_end) == inside


def test_quiet_hours_ending_in_a_gap_end_at_the_next_valid_minute() -> None:
    instant = utc(2026, 3, 28, 23, 30)  # 00:30 on the night Berlin skips 02:00–03:00
    assert end_of_quiet_hours(instant, BERLIN, time(22, 0), time(2, 30)) == utc(2026, 3, 29, 1, 0)


@pytest.mark.parametrize(
    ("instant", "end"),
    [
        (utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 5, 30)),  # 01:15 EDT, the first pass: 01:30 EDT
        (utc(2026, 11, 1, 6, 15), utc(2026, 11, 1, 6, 30)),  # 01:15 EST, the second pass: 01:30 EST
    ],
)
def test_quiet_hours_ending_in_a_doubled_hour_end_after_the_instant(instant: datetime, end: datetime) -> None:
    assert in_quiet_hours(instant, NEW_YORK, time(22, 0), time(1, 30))
    assert end_of_quiet_hours(instant, NEW_YORK, time(22, 0), time(1, 30)) == end


@pytest.mark.parametrize(
    ("now", "evening", "expected"),
    [
        (utc(2026, 1, 10, 12, 0), time(19, 0), utc(2026, 1, 10, 18, 0)),
        (utc(2026, 1, 10, 17, 44), time(19, 0), utc(2026, 1, 10, 18, 0)),  # 18:44 in Berlin
        (utc(2026, 1, 10, 17, 45), time(19, 0), utc(2026, 1, 10, 18, 0)),  # 18:45: exactly 15 min ahead
        (utc(2026, 1, 10, 17, 46), time(19, 0), None),
        (utc(2026, 1, 10, 18, 30), time(19, 0), None),
        (utc(2026, 1, 10, 19, 0), time(21, 0), utc(2026, 1, 10, 20, 0)),
        (utc(2026, 7, 10, 16, 44), time(19, 0), utc(2026, 7, 10, 17, 0)),  # summer time
    ],
)
def test_this_evening(now: datetime, evening: time, expected: datetime | None) -> None:
    assert this_evening(now, BERLIN, evening) == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: next_occurrence(every_day(time(8, 0)), naive, BERLIN),
        lambda naive: occurrences_due(every_day(time(8, 0)), naive, naive, BERLIN),
        lambda naive: local_today(naive, BERLIN),
        lambda naive: in_quiet_hours(naive, BERLIN, time(22, 0), time(7, 0)),
        lambda naive: end_of_quiet_hours(naive, BERLIN, time(22, 0), time(7, 0)),
        lambda naive: this_evening(naive, BERLIN),
    ],
)
def test_a_naive_now_is_refused(call: Callable[[datetime], object]) -> None:
    with pytest.raises(ValueError, match="naive"):
        call(datetime(2026, 1, 10, 12, 0))


# ---- what clients type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("08:00,20:30", (time(8, 0), time(20, 30))),
        ("8:00 20:30", (time(8, 0), time(20, 30))),
        (" 20:30, 8:00 ,08:00 ", (time(8, 0), time(20, 30))),
        ("0:00;23:59", (time(0, 0), time(23, 59))),
    ],
)
def test_parse_times(text: str, times: tuple[time, ...]) -> None:
    assert parse_times(text) == times


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please give at least one time, like 08:00 or 20:30."),
        (" , ", "Please give at least one time, like 08:00 or 20:30."),
        ("8", "'8' is not a time. Please write times like 08:00 or 20:30."),
        ("8:00 pm", "'pm' is not a time. Please write times like 08:00 or 20:30."),
        ("24:00", "'24:00': hours go from 0 to 23."),
        ("08:60", "'08:60': minutes go from 00 to 59."),
        ("x" * 40, f"'{'x' * 19}…' is not a time. Please write times like 08:00 or 20:30."),
    ],
)
def test_parse_times_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_times(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", EVERY_DAY),
        ("Every  Day", EVERY_DAY),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("mon,wed,fri", {0, 2, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("MON - FRI", {0, 1, 2, 3, 4}),
        ("Mo Tu", {0, 1}),
        ("sat-mon", {5, 6, 0}),
        ("fr-mo, we", {4, 5, 6, 0, 2}),
        ("thu-thu", {3}),
        ("Monday, thursday", {0, 3}),
        ("su", {6}),
        # each installed language's names too (German: commands are English, days need not be)
        ("Mo, Mi, Fr", {0, 2, 4}),
        ("Di.-Do.", {1, 2, 3}),
        ("montag, DONNERSTAG", {0, 3}),
        ("Sa-So", {5, 6}),
        ("täglich", EVERY_DAY),
        ("werktags", {0, 1, 2, 3, 4}),
    ],
)
def test_parse_weekdays(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please name some days, like mon,wed,fri or mon-fri or daily."),
        ("funday", "'funday' is not a day I know. Try mon,wed,fri or mon-fri or daily."),
        ("mon-xyz", "'mon-xyz' is not a day I know. Try mon,wed,fri or mon-fri or daily."),
        ("m", "'m' is not a day I know. Try mon,wed,fri or mon-fri or daily."),
        ("mon--fri", "'mon--fri' is not a day I know. Try mon,wed,fri or mon-fri or daily."),
    ],
)
def test_parse_weekdays_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_weekdays(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (EVERY_DAY, "every day"),
        ({0, 1, 2, 3, 4}, "weekdays"),
        ({5, 6}, "weekends"),
        ({4, 0, 2}, "Mon, Wed, Fri"),
        ({6, 0}, "Mon, Sun"),
        (set(), "no days"),
    ],
)
def test_describe_weekdays(days: set[int], text: str) -> None:
    assert describe_weekdays(frozenset(days)) == text


def test_describe_weekdays_refuses_numbers_that_are_not_days() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        describe_weekdays(frozenset({7}))
