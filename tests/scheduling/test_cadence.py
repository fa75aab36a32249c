"""Which days a plan that is not weekly fires on (pure): every N days from its start, the day
before every session, the day before every other session."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.statuses import Cadence
from bot.scheduling.cadence import cadence_days

MONDAY = date(2026, 3, 2)
THURSDAYS = [MONDAY + timedelta(days=3 + 7 * n) for n in range(4)]


def days(cadence: str, first: date, last: date, **options: object) -> list[date] | None:
    return cadence_days(cadence, first, last, start=MONDAY, interval_days=None, **options)  # type: ignore[arg-type]


def test_a_weekly_plan_is_left_to_its_weekdays() -> None:
    assert days(Cadence.WEEKLY, MONDAY, MONDAY + timedelta(days=30)) is None


def test_every_n_days_counts_from_the_start() -> None:
    found = cadence_days(
        Cadence.EVERY_N_DAYS,
        MONDAY + timedelta(days=1),
        MONDAY + timedelta(days=30),
        start=MONDAY,
        interval_days=14,
    )
    assert found == [date(2026, 3, 16), date(2026, 3, 30)]


def test_before_every_session_is_the_day_before_each() -> None:
    found = days(Cadence.BEFORE_SESSION, MONDAY, MONDAY + timedelta(days=30), session_days=THURSDAYS)
    assert found == [d - timedelta(days=1) for d in THURSDAYS]


def test_before_every_other_session_is_the_first_third_and_so_on() -> None:
    found = days(Cadence.BEFORE_OTHER_SESSION, MONDAY, MONDAY + timedelta(days=30), session_days=THURSDAYS)
    assert found == [THURSDAYS[0] - timedelta(days=1), THURSDAYS[2] - timedelta(days=1)]


def test_only_days_in_the_window_and_not_before_the_start() -> None:
    assert days(Cadence.BEFORE_SESSION, date(2026, 3, 4), date(2026, 3, 5), session_days=THURSDAYS) == [
        date(2026, 3, 4)
    ]
    assert days(Cadence.BEFORE_SESSION, MONDAY, MONDAY, session_days=[MONDAY]) == []  # its eve is gone
