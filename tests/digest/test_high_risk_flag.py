"""The high-risk flag in the digest (pure): first of everything in the text and the caption,
whenever it was raised (it stays until /ack), and nothing when there is none; an item alert's
event line names the option chosen, never the client's words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.i18n import reading
from bot.digest import (
    AssignmentInput,
    ClientInput,
    DigestRequest,
    RiskEventInput,
    RiskFlagInput,
    build_digest,
    render_summary,
    render_text,
)
from tests.support.measures import PHQ9_ITEM_9

JOINED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
REQUEST = DigestRequest(
    client=ClientInput("Jo", "UTC", JOINED),
    period_start=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    period_end=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
    session_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
)


def test_no_flag_no_line() -> None:
    text = render_text(build_digest(REQUEST))
    assert text.startswith("Pre-session digest: Jo") and "HIGH-RISK" not in text


def test_the_flag_comes_first_even_when_raised_before_the_period() -> None:
    request = replace(
        REQUEST,
        risk_flags=(
            RiskFlagInput(datetime(2026, 2, 20, 9, 0, tzinfo=UTC), "risk_language", "message"),
            RiskFlagInput(datetime(2026, 3, 3, 18, 5, tzinfo=UTC), "item_alert", "phq9.item9"),
        ),
        risk_events=(
            RiskEventInput(
                datetime(2026, 3, 3, 18, 5, tzinfo=UTC),
                "phq9.item9",
                "item_alert",
                ("safe",),
                item_answer="Several days",
            ),
        ),
    )
    digest = build_digest(request)
    first, *_ = render_text(digest).split("\n\n")
    assert first == (
        f"⚠ HIGH-RISK FLAG — Jo: item alert in {PHQ9_ITEM_9}, Tue 3 Mar 18:05 (open since Fri 20 Feb "
        "09:00, 2 in all). Please follow up; /ack Jo clears the flag."
    )
    assert f"⚑ Item alert: {PHQ9_ITEM_9} answered “Several days” · Tue 3 Mar 18:05 · when asked: safe" in (
        render_text(digest)
    )
    assert render_summary(digest).startswith(
        "⚠ HIGH-RISK FLAG — item alert, Tue 3 Mar 18:05: /ack Jo once you've followed up\n"
    )


def test_a_before_session_plan_reads_as_one() -> None:
    plan = AssignmentInput("mood_check", ("18:00",), tuple(range(7)), None, None, JOINED, "before_session")
    text = render_text(build_digest(replace(REQUEST, assignments=(plan,))))
    assert "Mood check · 18:00 the day before each session" in text


def test_a_flagged_item_is_named_as_a_german_therapist_reads_it() -> None:
    """Not by its id ("item9"): by the homework file's own label, in the therapist's language."""
    flag = RiskFlagInput(datetime(2026, 3, 3, 18, 5, tzinfo=UTC), "item_alert", "phq9.item9")
    with reading("de", formal=True):
        text = render_text(build_digest(replace(REQUEST, risk_flags=(flag,))))
    assert "PHQ-9 (9 lieber tot oder sich Leid zufügen)" in text
    assert "item9" not in text
