"""Understanding a client's `/timezone` answer: a city name or a UTC offset, turned into a zone we store.

We store either an IANA name ("Europe/Berlin"), which follows daylight saving, or a fixed offset
written "UTC+05:30" / "UTC-03:00" / "UTC", for clients who would rather say it that way.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache

from bot.core.i18n import _

log = logging.getLogger(__name__)

_MAX_OFFSET = timedelta(hours=14)
_OFFSET_MINUTES = frozenset({0, 15, 30, 45})
# Names in the zone database that are not a place a client lives in, or that depend on the host.
_UNLISTED_NAMES = frozenset({"localtime", "Factory", "posixrules"})
# Old names kept only for compatibility; each also exists under a continent/ocean name.
_LEGACY_AREAS = frozenset({"Brazil", "Canada", "Chile", "Etc", "Mexico", "US", "SystemV"})
# Big cities whose zone is named after another city; London, Paris, Los Angeles… are found as they are.
_ALIASES = {
    "Bangalore": "Asia/Kolkata",
    "Beijing": "Asia/Shanghai",
    "Bengaluru": "Asia/Kolkata",
    "Delhi": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "San Francisco": "America/Los_Angeles",
    "Washington": "America/New_York",
}


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """One candidate zone for what the client typed."""

    name: str  # what we store: "Europe/Berlin", or a fixed offset "UTC+05:30" / "UTC-03:00" / "UTC"
    label: str  # what the client reads: "Europe/Berlin (Berlin)" or "UTC+05:30"


def zone_from_name(name: str) -> tzinfo:
    """The tzinfo for a stored name (IANA via zoneinfo.ZoneInfo, or 'UTC±HH:MM' as datetime.timezone).

    Raises ValueError if the name is unknown. Only names the zone database lists are accepted, so a
    stored name can never reach files like "right/…" (leap seconds) or the host's "localtime".
    """
    offset = _parse_stored_offset(name)
    if offset is not None:
        return UTC if not offset else timezone(offset)
    if name not in _known_names():
        raise ValueError(f"unknown time zone {name!r}")
    return zoneinfo.ZoneInfo(name)


def find_zones(text: str, limit: int = 5) -> list[ZoneChoice]:
    """Candidates for what the client typed, best first, at most `limit`.

    An offset ('UTC+2', 'GMT-3', '+05:30', 'utc') or an exact IANA name gives one candidate (none
    for an offset beyond ±14:00 or with minutes other than 00/15/30/45). A city name matches the
    last part of IANA names and a few common aliases, ignoring case, accents, spaces/underscores:
    exact matches first, then prefix matches, each sorted by name.
    """
    query = _normalise(text)
    if not query or limit <= 0:
        return []
    typed_offset = _TYPED_OFFSET.fullmatch(query)
    if typed_offset is not None:
        sign, hours, minutes = typed_offset.groups()
        offset = _checked_offset(sign or "+", int(hours or 0), int(minutes or 0))
        if offset is None:
            return []
        name = _offset_name(offset)
        return [ZoneChoice(name=name, label=name)]
    if "/" in query:
        return _choices_by_full_name(query, limit)
    exact: list[tuple[str, str]] = []
    prefixed: list[tuple[str, str]] = []
    for city, name, place in _city_index():
        if city == query:
            exact.append((name, place))
        elif city.startswith(query):
            prefixed.append((name, place))
    choices: list[ZoneChoice] = []
    seen: set[str] = set()
    for name, place in [*sorted(exact), *sorted(prefixed)]:
        if name not in seen:
            seen.add(name)
            choices.append(ZoneChoice(name=name, label=_label(name, place)))
    return choices[:limit]


def describe_zone(name: str, now: datetime) -> str:
    """For the confirmation: 'Europe/Berlin — now 14:05 there (UTC+01:00)' (in the language
    being read).

    A fixed offset already says its offset, so it is not repeated: 'UTC+05:30 — now 18:35 there'.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {now.isoformat()}")
    local = now.astimezone(zone_from_name(name))
    text = _("{zone} — now {time} there").format(zone=name, time=f"{local:%H:%M}")
    if _parse_stored_offset(name) is not None:
        return text
    return f"{text} ({_offset_text(local.utcoffset() or timedelta())})"


def _choices_by_full_name(query: str, limit: int) -> list[ZoneChoice]:
    """'Europe/Berlin' (any case, spaces for underscores) gives itself; 'Europe/Be' its completions."""
    names_by_normalised_name = _names_by_normalised_name()
    if query in names_by_normalised_name:
        names = [names_by_normalised_name[query]]
    else:
        names = sorted(name for key, name in names_by_normalised_name.items() if key.startswith(query))
    return [ZoneChoice(name=name, label=_label(name, _city_of(name))) for name in names[:limit]]


_STORED_OFFSET = re.compile(r"UTC(?:([+-])(\d{2}):(\d{2}))?")
# After _normalise: 'utc' or 'gmt', a signed [h]h[[:]mm], or both. (The empty match never meets a query.)
_TYPED_OFFSET = re.compile(r"(?:(?:utc|gmt) ?)?(?:([+-]) ?(\d{1,2})(?::?(\d{2}))?)?")


def _parse_stored_offset(name: str) -> timedelta | None:
    """The offset of a stored 'UTC±HH:MM' / 'UTC' name; None for anything else (IANA names)."""
    match = _STORED_OFFSET.fullmatch(name)
    if match is None:
        return None
    if match[1] is None:
        return timedelta()
    offset = _checked_offset(match[1], int(match[2]), int(match[3]))
    if offset is None:
        raise ValueError(f"unknown time zone {name!r}")
    return offset


def _checked_offset(sign: str, hours: int, minutes: int) -> timedelta | None:
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes not in _OFFSET_MINUTES or offset > _MAX_OFFSET:
        return None
    return -offset if sign == "-" else offset


def _offset_name(offset: timedelta) -> str:
    return "UTC" if not offset else _offset_text(offset)


def _offset_text(offset: timedelta) -> str:
    """'UTC+05:30', 'UTC-03:00', 'UTC+00:00'."""
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _label(name: str, place: str) -> str:
    """'Europe/Berlin (Berlin)'; 'Etc/GMT-3' alone, as its "city" would misread (it is UTC+3)."""
    return name if name.startswith("Etc/") else f"{name} ({place})"


def _city_of(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _normalise(text: str) -> str:
    """Case, accents, underscores, hyphens, dots, apostrophes and repeated spaces do not matter."""
    without_accents = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    folded = without_accents.casefold().replace("\N{MINUS SIGN}", "-")
    spaced = re.sub(r"[_\s]+|(?<=[a-z])-(?=[a-z])", " ", folded)
    return re.sub(r"[.'’]", "", spaced).strip()


@cache
def _known_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _UNLISTED_NAMES)


@cache
def _names_by_normalised_name() -> dict[str, str]:
    """Area/city names only: the bare legacy ones ('Japan', 'Singapore') would shadow real cities."""
    return {_normalise(name): name for name in _known_names() if "/" in name}


@cache
def _city_index() -> tuple[tuple[str, str, str], ...]:
    """(normalised city, IANA name, city as shown) for every place a client may live in.

    When two names share a city (America/Buenos_Aires and America/Argentina/Buenos_Aires), only
    the deeper, current one is kept.
    """
    deepest: dict[tuple[str, str], str] = {}
    for name in _known_names():
        area, _, rest = name.partition("/")
        if not rest or area in _LEGACY_AREAS:
            continue
        city = _normalise(_city_of(name))
        key = (area, city)
        if key not in deepest or name.count("/") > deepest[key].count("/"):
            deepest[key] = name
    index = [(city, name, _city_of(name)) for (_, city), name in deepest.items()]
    index += [(_normalise(alias), name, alias) for alias, name in _ALIASES.items()]
    return tuple(sorted(index))


def zone_or_utc(name: str) -> tzinfo:
    """A stored zone name as tzinfo; an unknown one (should not happen) falls back to UTC."""
    try:
        return zone_from_name(name)
    except ValueError:
        log.warning("unknown stored time zone %r; using UTC", name)
        return zone_from_name("UTC")
