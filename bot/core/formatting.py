"""One way to write dates, times and durations for people: "Tue 3 Mar 08:05" everywhere.

Pure and locale-free for now (English names); every message that shows a moment to a client or
a therapist goes through here, so the wording is the same in every chat and changes in one place.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final

WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_FULL_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_FULL_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def clock(moment: datetime | time) -> str:
    """'08:05'."""
    return f"{moment:%H:%M}"


def day(value: date, *, year: bool = False) -> str:
    """'Tue 3 Mar' (with ``year``: 'Tue 3 Mar 2026')."""
    text = f"{WEEKDAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]}"
    return f"{text} {value.year}" if year else text


def long_day(value: date) -> str:
    """'Tuesday 3 March', for the one date that matters most in a message."""
    return f"{WEEKDAY_FULL_NAMES[value.weekday()]} {value.day} {MONTH_FULL_NAMES[value.month - 1]}"


def day_and_time(moment: datetime, *, year: bool = False) -> str:
    """'Tue 3 Mar 08:05' — a local moment (convert it to the reader's zone first)."""
    return f"{day(moment.date(), year=year)} {clock(moment)}"


def minutes_and_seconds(seconds: float) -> str:
    """'4:05' for a countdown or a time ridden out."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def sentence(text: str) -> str:
    """The first letter upper case, the rest as written ("PHQ-9" stays, "mood check" → "Mood check";
    ``str.capitalize`` would write "Phq-9")."""
    return text[:1].upper() + text[1:]
