"""The words of a homework plan: times of day and weekdays, read and written for people.

Pure and standard-library only, so flows can read a therapist's answer with the same rules as
``between schedule``; ``bot.local_time`` re-exports these. Errors are ``ValueError`` with a
short message meant for the person who typed the words, in the language being read. Day names
are read in English (as commands are the same words everywhere) and in every installed language
("mo-fr", "Montag", "täglich").
"""

from __future__ import annotations

import re
from datetime import time
from functools import cache

from babel.dates import get_day_names

from bot.core.formatting import weekday_name
from bot.core.i18n import N_, _, every_language, installed, ngettext, pN_

_TIME_SEPARATORS = re.compile(r"[\s,;]+")
_TIME_PATTERN = re.compile(r"(\d{1,2}):(\d{2})")


def parse_times(text: str) -> tuple[time, ...]:
    """'08:00,20:30' or '8:00 20:30' → sorted unique times.

    Raises ValueError with a short message for the client on bad input (hours 0–23, minutes 0–59).
    """
    tokens = [token for token in _TIME_SEPARATORS.split(text.strip()) if token]
    if not tokens:
        raise ValueError(_("Please give at least one time, like 08:00 or 20:30."))
    found = set()
    for token in tokens:
        match = _TIME_PATTERN.fullmatch(token)
        if match is None:
            raise ValueError(
                _("'{typed}' is not a time. Please write times like 08:00 or 20:30.").format(
                    typed=_shorten(token)
                )
            )
        hour, minute = int(match[1]), int(match[2])
        if hour > 23:
            raise ValueError(_("'{typed}': hours go from 0 to 23.").format(typed=token))
        if minute > 59:
            raise ValueError(_("'{typed}': minutes go from 00 to 59.").format(typed=token))
        found.add(time(hour, minute))
    return tuple(sorted(found))


FORMAL = (
    pN_("formal", "Please give at least one time, like 08:00 or 20:30."),
    pN_("formal", "'{typed}' is not a time. Please write times like 08:00 or 20:30."),
    pN_("formal", "Please name some days, like mon,wed,fri or mon-fri or daily."),
    pN_("formal", "'{typed}' is not a day I know. Try mon,wed,fri or mon-fri or daily."),
)
"""The errors above as a therapist reads them (their /assign), where a language addresses
therapists differently (``bot.core.i18n.FORMAL``)."""

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_BY_NAME = {
    **{name[:2]: number for number, name in enumerate(_DAY_NAMES)},
    **{name[:3]: number for number, name in enumerate(_DAY_NAMES)},
    **{name: number for number, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_EVERY_DAY = frozenset(range(7))
_WORKING_DAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})
_WEEKDAYS_BY_PHRASE = {
    "daily": _EVERY_DAY,
    "every day": _EVERY_DAY,
    "everyday": _EVERY_DAY,
    "weekdays": _WORKING_DAYS,
    "weekends": _WEEKEND,
    "weekend": _WEEKEND,
}

_PHRASE_BY_WEEKDAYS = {
    _EVERY_DAY: N_("every day"),
    _WORKING_DAYS: N_("weekdays"),
    _WEEKEND: N_("weekends"),
    frozenset[int](): N_("no days"),
}
_TYPED_PHRASES = (
    (N_("daily"), _EVERY_DAY),
    *((phrase, days) for days, phrase in _PHRASE_BY_WEEKDAYS.items() if days),
)
"""What may be typed for whole sets of days, in each installed language ("täglich", "werktags"):
the words a plan is described with, and "daily"."""


def parse_weekdays(text: str) -> frozenset[int]:
    """'daily' / 'weekdays' / 'weekends' / 'mon,wed,fri' / 'mon-fri' / 'Mo Tu' / 'sat-mon' → weekday numbers.

    English 2- or 3-letter names (full names too), case-insensitive; a range may wrap the week's
    end. Raises ValueError with a short message for the client otherwise.
    """
    normalised = " ".join(text.casefold().split())
    phrases = _phrases()
    if normalised in phrases:
        return phrases[normalised]
    tokens = [token for token in re.split(r"[\s,;]+", re.sub(r"\s*-\s*", "-", normalised)) if token]
    if not tokens:
        raise ValueError(_("Please name some days, like mon,wed,fri or mon-fri or daily."))
    found: set[int] = set()
    names = _day_names()
    for token in tokens:
        first_name, dash, last_name = token.partition("-")
        first = names.get(first_name.rstrip("."))
        last = names.get(last_name.rstrip(".")) if dash else first
        if first is None or last is None:
            raise ValueError(
                _("'{typed}' is not a day I know. Try mon,wed,fri or mon-fri or daily.").format(
                    typed=_shorten(token)
                )
            )
        found.update((first + offset) % 7 for offset in range((last - first) % 7 + 1))
    return frozenset(found)


@cache
def _phrases() -> dict[str, frozenset[int]]:
    """English's phrases and each installed language's words for them."""
    found = dict(_WEEKDAYS_BY_PHRASE)
    for phrase, days in _TYPED_PHRASES:
        for said in every_language(phrase):
            found.setdefault(" ".join(said.casefold().split()), days)
    return found


@cache
def _day_names() -> dict[str, int]:
    """English day names and prefixes, then each installed language's (Babel's names: "mo",
    "montag", "di."), English first where two languages would read a name differently."""
    found = dict(_WEEKDAY_BY_NAME)
    for language in installed():
        for width in ("abbreviated", "wide", "short"):
            for number, name in get_day_names(width, locale=language).items():
                plain = str(name).casefold().rstrip(".")
                found.setdefault(plain, number)
                found.setdefault(plain[:2], number)
    return found


def describe_weekdays(days: frozenset[int]) -> str:
    """Human text: 'every day', 'weekdays', 'weekends', or 'Mon, Wed, Fri' ('no days' when empty)."""
    if not days <= _EVERY_DAY:
        raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(days)}")
    if days in _PHRASE_BY_WEEKDAYS:
        return _(_PHRASE_BY_WEEKDAYS[days])
    return ", ".join(weekday_name(day) for day in sorted(days))


CADENCE_PHRASES = {
    "before_session": N_("the day before each session"),
    "before_other_session": N_("the day before every other session"),
    "every_n_days": "every {n} days",  # (in words by ngettext below)
}
"""How a plan that is not weekly reads (by ``bot.core.statuses.Cadence``)."""


def describe_plan_days(cadence: str, weekdays: frozenset[int], interval_days: int | None) -> str:
    """'every day', 'Mon, Wed' for a weekly plan; 'every 14 days', 'the day before each session'
    (in the language being read)."""
    if cadence == "every_n_days":
        n = interval_days or 0
        return ngettext("every {n} day", "every {n} days", n).format(n=interval_days)
    phrase = CADENCE_PHRASES.get(cadence)
    return describe_weekdays(weekdays) if phrase is None else _(phrase)


def _shorten(token: str, limit: int = 20) -> str:
    """Echo what the client typed, but never a whole paragraph of it."""
    return token if len(token) <= limit else token[: limit - 1] + "…"
