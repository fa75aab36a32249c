"""The digest as the therapist reads it: snapshots of the text, message-sized parts, the chart.

Snapshots live in ``tests/digest/snapshots/digest/``. After a deliberate change to the wording, run
``UPDATE_SNAPSHOTS=1 pytest tests/digest/test_digest_render.py`` and read the diff before committing it.
"""

from __future__ import annotations

import logging
import os
import struct
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.messages import TextLimit, split_text, utf16_length
from bot.digest import (
    ClientInput,
    DigestRequest,
    EntryInput,
    build_digest,
    document_filename,
    render_document,
    render_summary,
    render_text,
    sparkline,
)
from bot.digest.chart import mood_chart_png, time_ticks
from bot.digest.delivery import PART_LIMIT
from tests.support.digests import fortnight

SNAPSHOTS = Path(__file__).parent / "snapshots" / "digest"


def assert_snapshot(name: str, text: str) -> None:
    """Compare with the stored snapshot; with UPDATE_SNAPSHOTS=1, write it instead (then review it)."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert text + "\n" == path.read_text(encoding="utf-8"), f"{path.name} differs from the snapshot"


def assert_lossless(text: str, parts: list[str]) -> list[str]:
    """Parts appear in order and only whitespace was dropped between them; returns what was dropped."""
    dropped = []
    at = 0
    for part in parts:
        found = text.index(part, at)
        dropped.append(text[at:found])
        assert not text[at:found].strip(), "something other than whitespace was dropped"
        at = found + len(part)
    assert not text[at:].strip()
    return dropped[1:]


def first_digest() -> DigestRequest:
    """A client who joined four days ago and has done nothing yet."""
    joined = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return DigestRequest(
        client=ClientInput("Jo", "Europe/London", joined),
        period_start=joined,
        period_end=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
        session_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
    )


def test_the_fortnight_reads_as_in_the_snapshot() -> None:
    assert_snapshot("fortnight.txt", render_text(build_digest(fortnight())))


def test_the_summary_reads_as_in_the_snapshot_and_fits_a_caption() -> None:
    summary = render_summary(build_digest(fortnight()))
    assert utf16_length(summary) < 1024
    assert_snapshot("fortnight_summary.txt", summary)


def test_a_first_digest_with_nothing_done_yet() -> None:
    digest = build_digest(first_digest())
    assert_snapshot("first_empty.txt", render_text(digest))
    assert mood_chart_png(digest) is None


def test_the_digest_splits_at_a_blank_line_and_loses_nothing() -> None:
    """Split by the one splitter (``split_text``), as the digest is queued and the sink sends it."""
    text = render_text(build_digest(fortnight()))
    assert utf16_length(text) > 4096
    parts = split_text(text, PART_LIMIT)
    assert len(parts) == 2 and all(utf16_length(p) <= 4096 for p in parts)
    assert assert_lossless(text, parts) == ["\n\n"]


def test_small_limits_split_only_at_line_breaks() -> None:
    text = render_text(build_digest(fortnight()))
    for limit in (300, 700, 1500):
        parts = split_text(text, TextLimit(limit, utf16_length))
        assert all(utf16_length(p) <= limit for p in parts)
        assert all("\n" in gap for gap in assert_lossless(text, parts)), limit


def test_an_over_long_line_splits_at_words_and_emoji_count_twice() -> None:
    line = " ".join(f"word{n}🌿" for n in range(1500))  # one line, ~12,000 UTF-16 units
    text = f"HOMEWORK\nshort line\n\n{line}\nlast line"
    parts = split_text(text, PART_LIMIT)
    assert all(utf16_length(p) <= 4096 for p in parts) and len(parts) >= 3
    gaps = assert_lossless(text, parts)
    assert all(gap in ("\n", " ", "\n\n") for gap in gaps)
    assert all(p.split()[-1].startswith("word") or p.endswith("line") for p in parts)

    unbroken = "🌿" * 3000  # no space at all: cut anywhere, losing nothing
    pieces = split_text(unbroken, PART_LIMIT)
    assert "".join(pieces) == unbroken and all(utf16_length(p) <= 4096 for p in pieces)
    assert split_text("short", PART_LIMIT) == ["short"]


def test_sparkline_uses_a_fixed_zero_to_ten_scale() -> None:
    assert sparkline([0, 1, 3, 5, 7, 9, 10]) == "▁▂▃▅▆▇█"
    assert sparkline([5, 5]) == "▅▅"  # a flat line stays mid-height, never stretched
    assert sparkline([-3, 14, float("nan")]) == "▁█ "
    assert sparkline([]) == ""


def test_the_chart_is_an_800_by_400_png() -> None:
    png = mood_chart_png(build_digest(fortnight()))
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (800, 400)


def test_chart_ticks_fall_on_local_midnights() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 3, 3, 18, 0, tzinfo=kolkata)
    ticks = time_ticks(start, start + timedelta(days=14))
    assert all(
        (t.hour, t.minute) == (0, 0) and t.utcoffset() == timedelta(hours=5, minutes=30) for t, _ in ticks
    )
    assert ticks[0][1] == "4 Mar" and 3 <= len(ticks) <= 8
    hours = time_ticks(start, start + timedelta(hours=20))
    assert hours[0][1] == "Tue 18:00" and all(t.minute == 0 for t, _ in hours)
    months = time_ticks(start, start + timedelta(days=365))
    assert months[0][1] == "Apr 2026" and all(t.day == 1 for t, _ in months)


def test_a_year_of_data_still_fits_a_caption_and_splits_cleanly() -> None:
    from benchmarks.digest_build import year_request

    digest = build_digest(year_request())
    summary = render_summary(digest)
    assert utf16_length(summary) < 1024 and summary.endswith("The full digest is attached.")
    text = render_text(digest)
    parts = split_text(text, PART_LIMIT)
    assert len(parts) > 10 and all(utf16_length(p) <= 4096 for p in parts)
    assert all("\n" in gap for gap in assert_lossless(text, parts))


def test_the_document_and_its_name() -> None:
    digest = build_digest(fortnight())
    assert render_document(digest).decode("utf-8") == render_text(digest) + "\n"
    assert document_filename(digest) == "digest-alex-2026-04-02.txt"


def test_nothing_is_logged_while_building_and_rendering(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        digest = build_digest(fortnight())
        split_text(render_text(digest), PART_LIMIT)
        render_summary(digest)
    assert caplog.records == []


def test_a_client_in_kolkata_reads_local_dates_in_the_text() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    late = datetime(2026, 3, 9, 23, 50, tzinfo=kolkata)  # 18:20 UTC: the 9th there, the 9th here
    early = datetime(2026, 3, 10, 1, 10, tzinfo=kolkata)  # 19:40 UTC on the 9th, but the 10th there
    entries = [
        EntryInput(1, "mood_check", "completed", {"mood": 2}, late, late),
        EntryInput(2, "mood_check", "completed", {"mood": 6}, early, early),
    ]
    request = DigestRequest(
        client=ClientInput("Priya", "Asia/Kolkata", datetime(2026, 3, 1, tzinfo=UTC)),
        period_start=datetime(2026, 3, 3, 12, 30, tzinfo=UTC),
        period_end=datetime(2026, 3, 17, 10, 30, tzinfo=UTC),
        session_at=datetime(2026, 3, 17, 12, 30, tzinfo=UTC),
        entries=entries,
    )
    text = render_text(build_digest(request))
    assert "⚑ Very low mood: 2/10 · Mon 9 Mar 23:50" in text
    assert "Covering Tue 3 Mar 18:00 – Tue 17 Mar 16:00" in text
    assert "2 check-ins · lowest 2 · average 4.0 · highest 6" in text
    assert date(2026, 3, 10) == build_digest(request).section("mood_check").points[1].at.date()


def test_importing_the_digest_does_not_load_matplotlib() -> None:
    code = "import sys, bot.digest, bot.digest.chart; sys.exit('matplotlib' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2]).returncode == 0
    )
