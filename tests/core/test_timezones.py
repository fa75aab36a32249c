"""Understanding a client's /timezone answer: city names, IANA names and UTC offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.timezones import ZoneChoice, describe_zone, find_zones, zone_from_name

NOW = datetime(2026, 1, 5, 13, 5, tzinfo=UTC)


def names(text: str, limit: int = 5) -> list[str]:
    return [choice.name for choice in find_zones(text, limit)]


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("Berlin", "Europe/Berlin", "Europe/Berlin (Berlin)"),
        ("berlin", "Europe/Berlin", "Europe/Berlin (Berlin)"),
        ("  BERLIN ", "Europe/Berlin", "Europe/Berlin (Berlin)"),
        ("new york", "America/New_York", "America/New_York (New York)"),
        ("New_York", "America/New_York", "America/New_York (New York)"),
        ("Sao Paulo", "America/Sao_Paulo", "America/Sao_Paulo (Sao Paulo)"),
        ("São Paulo", "America/Sao_Paulo", "America/Sao_Paulo (Sao Paulo)"),
        ("Kolkata", "Asia/Kolkata", "Asia/Kolkata (Kolkata)"),
        ("port au prince", "America/Port-au-Prince", "America/Port-au-Prince (Port-au-Prince)"),
        ("Europe/Berlin", "Europe/Berlin", "Europe/Berlin (Berlin)"),
        ("europe/berlin", "Europe/Berlin", "Europe/Berlin (Berlin)"),
        ("America/New York", "America/New_York", "America/New_York (New York)"),
        ("Etc/GMT-3", "Etc/GMT-3", "Etc/GMT-3"),  # IANA's sign is reversed: this is UTC+3
        ("London", "Europe/London", "Europe/London (London)"),
        ("Paris", "Europe/Paris", "Europe/Paris (Paris)"),
        ("Delhi", "Asia/Kolkata", "Asia/Kolkata (Delhi)"),
        ("Mumbai", "Asia/Kolkata", "Asia/Kolkata (Mumbai)"),
        ("Beijing", "Asia/Shanghai", "Asia/Shanghai (Beijing)"),
        ("San Francisco", "America/Los_Angeles", "America/Los_Angeles (San Francisco)"),
        ("Los Angeles", "America/Los_Angeles", "America/Los_Angeles (Los Angeles)"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires (Buenos Aires)"),
    ],
)
def test_a_city_or_iana_name_gives_its_zone(text: str, name: str, label: str) -> None:
    assert find_zones(text) == [ZoneChoice(name=name, label=label)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("UTC+2", "UTC+02:00"),
        ("utc + 2", "UTC+02:00"),
        ("GMT-3", "UTC-03:00"),
        ("gmt−3", "UTC-03:00"),  # a typographic minus sign
        ("+05:30", "UTC+05:30"),
        ("+0530", "UTC+05:30"),
        ("UTC+5:45", "UTC+05:45"),
        ("-09:30", "UTC-09:30"),
        ("UTC+14", "UTC+14:00"),
        ("UTC-12:00", "UTC-12:00"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("UTC+0", "UTC"),
        ("-00:00", "UTC"),
    ],
)
def test_an_offset_gives_one_fixed_zone(text: str, name: str) -> None:
    assert find_zones(text) == [ZoneChoice(name=name, label=name)]


@pytest.mark.parametrize("text", ["UTC+14:30", "UTC+15", "-14:15", "+5:20", "+05:07", "UTC+123", "", "   "])
def test_impossible_offsets_and_empty_text_give_nothing(text: str) -> None:
    assert find_zones(text) == []


def test_city_prefixes_come_after_exact_matches_sorted_by_name_up_to_the_limit() -> None:
    assert names("san") == [
        "America/Argentina/San_Juan",
        "America/Argentina/San_Luis",
        "America/Los_Angeles",  # San Francisco
        "America/Santa_Isabel",
        "America/Santarem",
    ]
    assert names("san", limit=2) == ["America/Argentina/San_Juan", "America/Argentina/San_Luis"]
    assert names("san", limit=0) == []
    assert names("Europe/Be") == ["Europe/Belfast", "Europe/Belgrade", "Europe/Berlin"]
    assert names("istanbul") == ["Asia/Istanbul", "Europe/Istanbul"]
    # An exact city ranks before the longer ones it begins, whatever their names.
    assert names("south") == ["Australia/South", "Antarctica/South_Pole", "Atlantic/South_Georgia"]


def test_unknown_places_and_legacy_names_give_nothing() -> None:
    assert find_zones("Atlantis") == []
    assert find_zones("Japan") == []  # a legacy IANA name; Tokyo is the city
    assert find_zones("Eastern") == []  # US/Eastern is only a legacy alias
    assert find_zones("localtime") == []  # the host's own zone is never offered


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Berlin", ZoneInfo("Europe/Berlin")),
        ("Etc/UTC", ZoneInfo("Etc/UTC")),
        ("UTC", UTC),
        ("UTC+05:30", timezone(timedelta(hours=5, minutes=30))),
        ("UTC-03:00", timezone(timedelta(hours=-3))),
        ("UTC+14:00", timezone(timedelta(hours=14))),
    ],
)
def test_zone_from_name(name: str, expected: object) -> None:
    assert zone_from_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        "europe/berlin",
        "UTC+5",
        "UTC+05:20",
        "UTC+15:00",
        "",
        "localtime",
        "right/UTC",
        "../x",
    ],
)
def test_zone_from_name_refuses_unknown_names(name: str) -> None:
    with pytest.raises(ValueError):
        zone_from_name(name)


def test_every_found_name_can_be_stored_and_read_back() -> None:
    for text in ("Berlin", "san", "UTC+5:45", "utc", "Delhi", "Europe/Be", "Etc/GMT-3"):
        for choice in find_zones(text):
            zone_from_name(choice.name)


@pytest.mark.parametrize(
    ("name", "now", "text"),
    [
        ("Europe/Berlin", NOW, "Europe/Berlin — now 14:05 there (UTC+01:00)"),
        ("Europe/Berlin", NOW.replace(month=7), "Europe/Berlin — now 15:05 there (UTC+02:00)"),
        ("America/St_Johns", NOW, "America/St_Johns — now 09:35 there (UTC-03:30)"),
        ("Asia/Kathmandu", NOW, "Asia/Kathmandu — now 18:50 there (UTC+05:45)"),
        ("UTC+05:30", NOW, "UTC+05:30 — now 18:35 there"),
        ("UTC", NOW, "UTC — now 13:05 there"),
    ],
)
def test_describe_zone(name: str, now: datetime, text: str) -> None:
    assert describe_zone(name, now) == text


def test_describe_zone_refuses_a_naive_now_and_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="naive"):
        describe_zone("Europe/Berlin", datetime(2026, 1, 5, 13, 5))
    with pytest.raises(ValueError, match="unknown"):
        describe_zone("Mars/Olympus", NOW)
