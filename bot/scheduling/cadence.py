"""On which local days a plan that is not weekly fires: every N days from its start, or the day
before every (other) session the therapist set. Pure: the sessions come in as local days.

"Before every session" asks the day before, at the plan's time, so the answer is in the digest
that goes out a little before the session. "Every other session" counts the client's sessions
(not cancelled) from when the plan was made: the first, the third, the fifth…; a session moved
is counted where it now is, a cancelled one not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.core.statuses import Cadence

_ONE_DAY = timedelta(days=1)


def cadence_days(
    cadence: str,
    first: date,
    last: date,
    *,
    start: date,
    interval_days: int | None,
    session_days: Sequence[date] = (),
) -> list[date] | None:
    """The days in [first, last] the plan fires on, in order; None for a weekly plan (its
    weekdays say). ``session_days``: the local days of the client's sessions, in order."""
    if cadence == Cadence.EVERY_N_DAYS:
        every = max(interval_days or 1, 1)
        return [d for d in _days(max(first, start), last) if (d - start).days % every == 0]
    if cadence in Cadence.SESSIONS:
        chosen = session_days[::2] if cadence == Cadence.BEFORE_OTHER_SESSION else session_days
        eves = sorted({day - _ONE_DAY for day in chosen})
        return [d for d in eves if max(first, start) <= d <= last]
    return None


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
