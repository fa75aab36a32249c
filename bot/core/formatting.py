"""One way to write dates, times and durations for people: "Tue 3 Mar 08:05" everywhere.

Every message that shows a moment to a client or a therapist goes through here, in the language
being read (``bot.core.i18n``), with Babel's calendar data: "Tue 3 Mar" in English, "Di., 3. März"
in German. A language without patterns of its own here gets Babel's for its locale.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final, Literal

from babel.dates import format_date, format_skeleton, format_timedelta, get_day_names, get_month_names
from babel.numbers import format_decimal

from bot.core.i18n import current

_PATTERNS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "day": "EEE d MMM",
        "day_year": "EEE d MMM y",
        "long_day": "EEEE d MMMM",
        "at": "{day} {time}",
        "date": "d MMM",
        "date_year": "d MMM y",
    },
    "de": {
        "day": "EEE, d. MMM",
        "day_year": "EEE, d. MMM y",
        "long_day": "EEEE, d. MMMM",
        "at": "{day}, {time}",
        "date": "d. MMM",
        "date_year": "d. MMM y",
    },
}
"""Date patterns (CLDR syntax) per language where Babel's defaults read less naturally in a chat."""


def clock(moment: datetime | time) -> str:
    """'08:05' (24 hours, as every language Between speaks writes it in a plan)."""
    return f"{moment:%H:%M}"


def day(value: date, *, year: bool = False) -> str:
    """'Tue 3 Mar' (with ``year``: 'Tue 3 Mar 2026')."""
    language = current()
    patterns = _PATTERNS.get(language)
    if patterns is None:
        return format_skeleton("yMMMEd" if year else "MMMEd", value, locale=language)
    return format_date(value, patterns["day_year" if year else "day"], locale=language)


def date_only(value: date, *, year: bool = False) -> str:
    """'4 Mar' (with ``year``: '4 Mar 2026') — a date without its weekday, as a chart's axis
    and title read it."""
    language = current()
    patterns = _PATTERNS.get(language)
    if patterns is None:
        return format_skeleton("yMMMd" if year else "MMMd", value, locale=language)
    return format_date(value, patterns["date_year" if year else "date"], locale=language)


def long_day(value: date) -> str:
    """'Tuesday 3 March', for the one date that matters most in a message."""
    language = current()
    pattern = _PATTERNS.get(language, {}).get("long_day", "EEEE d MMMM")
    return format_date(value, pattern, locale=language)


def day_and_time(moment: datetime, *, year: bool = False) -> str:
    """'Tue 3 Mar 08:05' — a local moment (convert it to the reader's zone first)."""
    joined = _PATTERNS.get(current(), _PATTERNS["en"])["at"]
    return joined.format(day=day(moment.date(), year=year), time=clock(moment))


def weekday_name(weekday: int, *, width: Literal["abbreviated", "wide"] = "abbreviated") -> str:
    """'Mon' for 0 … 'Sun' for 6 ('Monday' wide), in the language being read."""
    return str(get_day_names(width, locale=current())[weekday]).rstrip(".")


def month_name(month: int, *, width: Literal["abbreviated", "wide"] = "abbreviated") -> str:
    """'Jan' for 1 … 'Dec' for 12 ('January' wide), in the language being read."""
    return str(get_month_names(width, context="stand-alone", locale=current())[month]).rstrip(".")


def duration(span: timedelta) -> str:
    """'3 days', '5 minutes' — a rounded span in words, in the language being read."""
    return format_timedelta(span, locale=current())


def decimal(value: float, places: int = 1) -> str:
    """'4.4' in English, '4,4' in German: a figure with exactly ``places`` decimals."""
    pattern = "0." + "0" * places if places else "0"
    return format_decimal(value, format=pattern, locale=current())


def minutes_and_seconds(seconds: float) -> str:
    """'4:05' for a countdown or a time ridden out."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def sentence(text: str) -> str:
    """The first letter upper case, the rest as written ("PHQ-9" stays, "mood check" → "Mood check";
    ``str.capitalize`` would write "Phq-9")."""
    return text[:1].upper() + text[1:]
