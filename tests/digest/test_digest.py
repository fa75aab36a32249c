"""The pre-session digest's builder: a pure function of stored rows, in the client's local time.

Most tests read ``fortnight()`` (tests/support/digests.py): one realistic client between two
sessions.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.messages import split_text
from bot.digest import (
    AssignmentInput,
    ClientInput,
    DigestRequest,
    EntryInput,
    FlagKind,
    OccurrenceStatus,
    PromptInput,
    RiskEventInput,
    build_digest,
    render_summary,
    render_text,
)
from bot.digest.delivery import PART_LIMIT
from tests.support.digests import DigestRows, fortnight, local


def test_adherence_per_homework_counts_every_prompt_with_reasons() -> None:
    digest = build_digest(fortnight())
    by_flow = {h.flow_id: h for h in digest.homework}
    assert list(by_flow) == ["mood_check", "thought_record", "breathing", "urge_surfing", "goal_rating"]

    mood = by_flow["mood_check"]
    assert (mood.scheduled, mood.done, mood.skipped, mood.missed, mood.started, mood.undelivered) == (
        27,
        18,
        3,
        2,
        1,
        3,
    )
    assert mood.skip_reasons == (("No time", 1), ("Something else", 1), ("", 1))
    assert mood.plans[0].times == ("08:00", "20:30") and not mood.plans[0].worth_discussing
    first_day = mood.days[0]
    assert first_day.day == date(2026, 3, 19) and len(first_day.occurrences) == 1
    sister = next(o for d in mood.days for o in d.occurrences if o.skip_note)
    assert (sister.skip_reason, sister.skip_note) == ("Something else", "At my sister's,\nno signal")

    thought = by_flow["thought_record"]
    assert (thought.scheduled, thought.done, thought.skipped, thought.missed, thought.started) == (
        6,
        2,
        1,
        1,
        1,
    )
    assert thought.plans[0].confidence == 4 and thought.plans[0].worth_discussing

    urges = by_flow["urge_surfing"]
    assert (urges.plans, urges.scheduled, urges.unprompted) == ((), 0, 2)
    assert [o.status for d in urges.days for o in d.occurrences] == [OccurrenceStatus.UNPROMPTED] * 2


def test_times_stay_local_across_the_switch_to_summer_time() -> None:
    digest = build_digest(fortnight())
    mood = next(h for h in digest.homework if h.flow_id == "mood_check")
    due = {o.at.strftime("%H:%M") for d in mood.days for o in d.occurrences}
    assert due == {"08:00", "20:30"}  # 07:00 UTC before 29 March, 06:00 UTC after
    assert digest.session_at.strftime("%H:%M %Z") == "10:00 CEST"
    assert digest.period_start.strftime("%H:%M %Z") == "10:00 CET"


def test_mood_series_stats_and_the_change_since_the_period_before() -> None:
    mood = build_digest(fortnight()).section("mood_check")
    assert mood.count == 19  # 18 done, and the mood given before leaving one part-way
    assert (mood.low, mood.high) == (1, 7)
    assert mood.mean is not None and mood.mean == pytest.approx(83 / 19)
    assert mood.previous_count == 5 and mood.previous_mean == pytest.approx(5.2)
    assert mood.change == pytest.approx(mood.mean - 5.2)
    assert mood.top_feelings[0] == ("Tired", 6)
    assert ("Hopeful", "rested") in [p.feelings for p in mood.points]  # the client's own word, no "~"
    assert [p.at for p in mood.points] == sorted(p.at for p in mood.points)


def test_every_thought_record_in_full_with_labels() -> None:
    first, second, third = build_digest(fortnight()).section("thought_record")
    assert first.finished and first.traps == ("Mind reading", "Catastrophising")
    assert [(e.label, e.before, e.after) for e in first.emotions] == [
        ("Anxious", 80, 40),
        ("Ashamed", 60, 30),
    ]
    assert (first.belief_before, first.belief_balanced) == (80, 60)
    assert (
        first.evidence_against
        == "My manager thanked me for the fix.\nNobody has mentioned my job being at risk."
    )
    assert [(e.label, e.before, e.after) for e in second.emotions] == [("dread", 70, 40), ("Sad", 50, None)]
    assert second.obstacles == "Hard to find evidence against when I'm tired."
    assert not third.finished and third.balanced_thought is None and third.hot_thought


def test_urge_surfing_and_breathing_summaries() -> None:
    digest = build_digest(fortnight())
    urges = digest.section("urge_surfing")
    assert urges.count == 2 and urges.rated == 2
    assert (urges.mean_before, urges.mean_after) == (7.5, 5.0)
    assert urges.acted == (("no", 1), ("partly", 1), ("yes", 0))
    assert urges.sessions[1].stopped_early and urges.sessions[1].seconds == 240
    breathing = digest.section("breathing")
    assert breathing.count == 6
    assert breathing.mean_before == pytest.approx(21 / 6) and breathing.mean_after == pytest.approx(34 / 6)
    assert breathing.sessions[4].stopped_early and breathing.sessions[4].seconds == 75


def test_obstacles_notes_and_confidence() -> None:
    digest = build_digest(fortnight())
    assert [(o.flow_id, o.text) for o in digest.obstacles] == [
        ("thought_record", "Hard to find evidence against when I'm tired."),
        ("urge_surfing", "Too tired to keep going."),
        ("breathing", "The kids woke up halfway."),
    ]
    assert [n.text for n in digest.notes] == ["Talk about Dad's call.", "Can we go over the breathing again?"]
    assert [(c.flow_id, c.confidence, c.worth_discussing) for c in digest.confidence] == [
        ("mood_check", 8, False),
        ("thought_record", 4, True),
        ("breathing", 7, False),
    ]


def test_confidence_of_five_is_worth_discussing_six_is_not() -> None:
    base = fortnight()
    plans = [
        AssignmentInput("mood_check", ("08:00",), (0,), None, 5, base.period_start),
        AssignmentInput("breathing", ("08:00",), (0,), None, 6, base.period_start),
        AssignmentInput("thought_record", ("08:00",), (0,), None, None, base.period_start),
    ]
    digest = build_digest(DigestRequest(**{**_fields(base), "assignments": plans}))
    assert [(c.confidence, c.worth_discussing) for c in digest.confidence] == [(5, True), (6, False)]


def test_flags_risk_first_then_unreachable_then_very_low_moods() -> None:
    flags = build_digest(fortnight()).flags
    assert [f.kind for f in flags] == [
        FlagKind.RISK_LANGUAGE,
        FlagKind.UNREACHABLE,
        FlagKind.HOMEWORK,
        FlagKind.HOMEWORK,
    ]
    assert (flags[0].where, flags[0].category) == ("thought_record.hot_thought", "suicidal_thoughts")
    assert flags[0].at is not None
    assert flags[0].at.strftime("%a %d %b %H:%M") == "Mon 30 Mar 19:14"
    assert [f.text for f in flags[2:]] == ["Very low mood: 1/10", "Very low mood: 2/10"]


def test_rows_outside_the_period_are_left_out() -> None:
    base = fortnight()
    late = base.period_end + timedelta(minutes=5)
    extra = EntryInput(5000, "mood_check", "completed", {"mood": 0}, late, late)
    early = EntryInput(
        5001, "mood_check", "completed", {"mood": 0}, base.period_start - timedelta(days=20), None
    )
    digest = build_digest(
        DigestRequest(
            **{
                **_fields(base),
                "entries": [*base.entries, extra, early],
                "risk_events": [*base.risk_events, RiskEventInput(late, "note")],
            }
        )
    )
    assert digest.section("mood_check").count == 19 and digest.section("mood_check").low == 1
    assert sum(f.kind is FlagKind.RISK_LANGUAGE for f in digest.flags) == 1
    assert "Old note" not in render_text(digest)


def test_the_builder_is_pure() -> None:
    request = fortnight()
    snapshot = copy.deepcopy(request)
    first, second = build_digest(request), build_digest(request)
    assert first == second and first is not second
    assert request == snapshot  # nothing it read was changed
    assert render_text(first) == render_text(second)


def test_partial_and_old_answer_shapes_never_crash() -> None:
    at = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    odd: list[dict[str, Any]] = [
        {},
        {"mood": None},
        {"mood": "7", "feelings": "tired"},
        {"mood": True},
        {"mood": 11, "feelings": [3, None, "calm"]},
        {"mood": 4.0, "feelings": {"calm": 1}, "note": 17},
    ]
    entries = [
        EntryInput(n, "mood_check", "completed", a, at + timedelta(minutes=n), None)
        for n, a in enumerate(odd)
    ]
    entries += [
        EntryInput(
            20, "thought_record", "completed", {"situation": "Bus", "emotion_intensity": [1, 2]}, at, at
        ),
        EntryInput(
            21, "thought_record", "completed", {"emotions": ["anxious"], "emotion_rerate": None}, at, at
        ),
        EntryInput(22, "thought_record", "completed", {"traps": None, "belief_before": "lots"}, at, at),
        EntryInput(23, "urge_surfing", "completed", {"intensity_before": 6, "surf": "broken"}, at, at),
        EntryInput(24, "urge_surfing", "completed", {"surf": {"seconds": "x"}, "acted": "maybe"}, at, at),
        EntryInput(
            25, "breathing", "completed", {"pattern": "square", "breathe": None, "calm_after": 12}, at, at
        ),
        EntryInput(26, "breathing", "cancelled", {"calm_before": 2}, at, None),
        EntryInput(27, "retired_flow", "completed", {"obstacles": "  "}, at, at),
        EntryInput(28, "mood_check", "in_progress", {"mood": 0}, at, None),
    ]
    prompts = [
        PromptInput("mood_check", at, "weird_status", None, None, at.date()),
        PromptInput("thought_record", at, "started", None, None, at.date(), entry_id=999),
        PromptInput("breathing", at, "skipped", "no_longer_an_option", "", at.date()),
    ]
    request = DigestRequest(
        client=ClientInput("Sam", "UTC+05:30", at - timedelta(days=1)),
        period_start=at - timedelta(hours=1),
        period_end=at + timedelta(days=1),
        session_at=at + timedelta(days=1, hours=2),
        entries=entries,
        prompts=prompts,
        assignments=[AssignmentInput("mood_check", (), (), "", 99, at)],
    )
    digest = build_digest(request)
    mood, urges = digest.section("mood_check"), digest.section("urge_surfing")
    assert [p.mood for p in mood.points] == [7, 4]
    assert mood.points[0].feelings == ("Tired",)
    assert len(digest.section("thought_record")) == 2  # the one with nothing in it is left out
    assert urges.count == 1 and urges.sessions[0].acted is None
    sessions = digest.section("breathing").sessions
    assert [(s.calm_before, s.calm_after) for s in sessions] == [(None, None), (2, None)]
    assert digest.confidence == ()  # 99 is not a rating
    text = render_text(digest)
    assert "Mood check" in text and "retired flow" in text.lower()
    assert len(render_summary(digest)) < 1024 and split_text(text, PART_LIMIT)


def test_a_client_in_kolkata_sees_local_times() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    day = date(2026, 3, 10)
    rows = DigestRows()
    done = rows.entry("mood_check", local(day, 8, 0, kolkata), {"mood": 6}, minutes=5)
    rows.prompt("mood_check", day, 8, 0, "started", entry=done, zone=kolkata)
    rows.prompt("mood_check", day, 20, 0, "sent", zone=kolkata)
    request = DigestRequest(
        client=ClientInput("Priya", "Asia/Kolkata", local(date(2026, 3, 1), 9, 0, kolkata)),
        period_start=local(date(2026, 3, 3), 18, 0, kolkata),
        period_end=local(date(2026, 3, 17), 16, 0, kolkata),
        session_at=local(date(2026, 3, 17), 18, 0, kolkata),
        entries=rows.entries,
        prompts=rows.prompts,
    )
    digest = build_digest(request)
    assert rows.prompts[0].due_at.strftime("%H:%M") == "02:30"  # stored in UTC
    text = render_text(digest)
    assert "· Tue 10 Mar — 08:00 done at 08:05; 20:00 still open" in text
    assert "Session Tue 17 Mar 2026, 18:00 · times are Priya's local time (Asia/Kolkata)" in text
    assert "02:30" not in text


def test_an_unknown_zone_falls_back_to_utc_and_says_so() -> None:
    base = fortnight()
    client = ClientInput("Alex", "Mars/Olympus_Mons", base.client.joined_at)
    digest = build_digest(DigestRequest(**{**_fields(base), "client": client}))
    assert digest.zone_name == "UTC" and digest.session_at.strftime("%H:%M") == "08:00"


def test_a_request_needs_aware_times_and_a_period_in_order() -> None:
    base = fortnight()
    with pytest.raises(ValueError, match="aware"):
        DigestRequest(**{**_fields(base), "session_at": datetime(2026, 4, 2, 10, 0)})
    with pytest.raises(ValueError, match="ends before"):
        DigestRequest(**{**_fields(base), "period_end": base.period_start - timedelta(days=1)})


def _fields(request: DigestRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in DigestRequest.__dataclass_fields__}
