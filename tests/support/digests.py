"""One realistic client between two sessions, as the digest's builder gets them.

``fortnight()``: Alex in Berlin, across the switch to summer time, with moods, thought records,
breathing and urge surfing, goals rated twice (one reworded, one retired, one new), skips with
reasons, missed prompts, notes, low confidence, a risk event, and a client who became
unreachable two days before the session. The builder, render, section and delivery tests all
read it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest import (
    AssignmentInput,
    ClientInput,
    DigestRequest,
    EntryInput,
    GoalInput,
    NoteInput,
    PromptInput,
    RiskEventInput,
)

BERLIN = ZoneInfo("Europe/Berlin")


def local(day: date, hh: int, mm: int, zone: ZoneInfo = BERLIN) -> datetime:
    """A local wall time as aware UTC, as rows store it."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone).astimezone(UTC)


class DigestRows:
    """Collects entries and prompts the way the bot stores them."""

    def __init__(self) -> None:
        self.entries: list[EntryInput] = []
        self.prompts: list[PromptInput] = []

    def entry(
        self,
        flow_id: str,
        at: datetime,
        answers: dict[str, Any],
        *,
        minutes: int = 3,
        status: str = "completed",
    ) -> int:
        entry_id = len(self.entries) + 1
        done = at + timedelta(minutes=minutes) if status == "completed" else None
        self.entries.append(EntryInput(entry_id, flow_id, status, answers, at, done))
        return entry_id

    def prompt(
        self,
        flow_id: str,
        day: date,
        hh: int,
        mm: int,
        status: str,
        *,
        entry: int | None = None,
        reason: str | None = None,
        note: str | None = None,
        zone: ZoneInfo = BERLIN,
    ) -> None:
        self.prompts.append(PromptInput(flow_id, local(day, hh, mm, zone), status, reason, note, day, entry))


MOODS = {  # (day, time) → (mood, feelings, note); any other done occurrence is mood 5
    (20, "08:00"): (6, ["calm", "hopeful"], None),
    (20, "20:30"): (5, ["tired"], None),
    (21, "20:30"): (4, ["tired", "stressed"], None),
    (22, "08:00"): (5, None, None),
    (23, "08:00"): (3, ["anxious"], None),
    (23, "20:30"): (1, ["sad", "lonely"], "Couldn't stop crying after the call with Dad."),
    (24, "08:00"): (2, ["sad", "numb"], None),
    (25, "08:00"): (4, ["tired"], None),
    (25, "20:30"): (5, ["calm"], None),
    (26, "20:30"): (6, ["content"], None),
    (27, "08:00"): (6, ["hopeful", "~rested"], None),
    (27, "20:30"): (7, ["content", "calm"], "Good walk with Sam."),
    (29, "08:00"): (5, ["tired"], None),
    (29, "20:30"): (4, ["anxious", "tired"], None),
    (30, "08:00"): (5, ["stressed"], None),
    (30, "20:30"): (3, ["sad"], None),
    (31, "08:00"): (4, ["tired"], None),
}


def fortnight() -> DigestRequest:
    rows = DigestRows()
    march = [date(2026, 3, d) for d in range(19, 32)] + [date(2026, 4, 1)]

    # Mood check, 08:00 and 20:30 every day (the 19th: the plan starts after the session).
    for day in march:
        for hh, mm in ((8, 0), (20, 30)):
            key = (day.day, f"{hh:02d}:{mm:02d}")
            if day.month == 3 and day.day == 19 and hh == 8:
                continue
            if (day.month == 3 and day.day == 31 and hh == 20) or day.month == 4:
                rows.prompt("mood_check", day, hh, mm, "unreachable")
            elif key == (21, "08:00"):
                rows.prompt("mood_check", day, hh, mm, "skipped", reason="no_time")
            elif key == (22, "20:30"):
                rows.prompt(
                    "mood_check", day, hh, mm, "skipped", reason="other", note="At my sister's,\nno signal"
                )
            elif key == (28, "08:00"):
                rows.prompt("mood_check", day, hh, mm, "skipped")
            elif key in ((24, "20:30"), (28, "20:30")):
                rows.prompt("mood_check", day, hh, mm, "missed")
            elif key == (26, "08:00"):  # started, gave a mood, left at the feelings
                started = rows.entry("mood_check", local(day, 8, 4), {"mood": 3}, status="cancelled")
                rows.prompt("mood_check", day, hh, mm, "started", entry=started)
            else:
                mood, feelings, note = MOODS.get(key, (5, ["calm"], None))
                answers = {"mood": mood, "feelings": feelings, "note": note}
                done = rows.entry("mood_check", local(day, hh, mm) + timedelta(minutes=2), answers)
                rows.prompt("mood_check", day, hh, mm, "started", entry=done)

    # Thought record, 19:00 on Mon, Wed, Fri.
    tr1 = rows.entry(
        "thought_record",
        local(date(2026, 3, 20), 19, 5),
        {
            "situation": "Team meeting on Friday afternoon. My manager asked who had checked the figures.",
            "emotions": ["anxious", "ashamed"],
            "emotion_intensity": {"anxious": 80, "ashamed": 60},
            "hot_thought": "They all think I'm useless and I'm going to be let go.",
            "belief_before": 80,
            "traps": ["mind_reading", "catastrophising"],
            "evidence_for": "I missed a mistake in the report last month.",
            "evidence_against": (
                "My manager thanked me for the fix.\nNobody has mentioned my job being at risk."
            ),
            "balanced_thought": "I made one mistake and fixed it; that's what everyone does.",
            "belief_balanced": 60,
            "emotion_rerate": {"anxious": 40, "ashamed": 30},
            "obstacles": None,
        },
        minutes=14,
    )
    rows.prompt("thought_record", date(2026, 3, 20), 19, 0, "started", entry=tr1)
    rows.prompt("thought_record", date(2026, 3, 23), 19, 0, "skipped", reason="too_hard")
    tr2 = rows.entry(
        "thought_record",
        local(date(2026, 3, 25), 19, 40),
        {
            "situation": "Sunday evening, thinking about the week ahead.",
            "emotions": ["~dread", "sad"],
            "emotion_intensity": {"~dread": 70, "sad": 50},
            "hot_thought": "This week will be a disaster again.",
            "belief_before": 70,
            "traps": ["fortune_telling"],
            "evidence_for": "Last Monday was hard.",
            "evidence_against": "Tuesday and Wednesday were fine.",
            "balanced_thought": "Some days are hard, and I've got through them before.",
            "belief_balanced": 50,
            "emotion_rerate": {"~dread": 40},
            "obstacles": "Hard to find evidence against when I'm tired.",
        },
        minutes=18,
    )
    rows.prompt("thought_record", date(2026, 3, 25), 19, 0, "started", entry=tr2)
    rows.prompt("thought_record", date(2026, 3, 27), 19, 0, "missed")
    tr3 = rows.entry(
        "thought_record",
        local(date(2026, 3, 30), 19, 12),
        {
            "situation": "After the phone call with Dad.",
            "emotions": ["sad", "guilty"],
            "emotion_intensity": {"sad": 90, "guilty": 70},
            "hot_thought": "Everyone would be better off without me.",
        },
        status="cancelled",
    )
    rows.prompt("thought_record", date(2026, 3, 30), 19, 0, "started", entry=tr3)
    rows.prompt("thought_record", date(2026, 4, 1), 19, 0, "unreachable")

    # Breathing, 07:30 Monday to Friday.
    calm = {20: (3, 6), 23: (2, 5), 25: (4, 6), 27: (5, 7), 30: (3, 4), 31: (4, 6)}
    for day in (date(2026, 3, d) for d in (20, 23, 24, 25, 26, 27, 30, 31)):
        if day.day == 24:
            rows.prompt("breathing", day, 7, 30, "skipped", reason="forgot")
        elif day.day == 26:
            rows.prompt("breathing", day, 7, 30, "missed")
        else:
            before, after = calm[day.day]
            breath: dict[str, Any] = {
                "pattern": "box",
                "minutes": "3",
                "calm_before": before,
                "breathe": {"planned_seconds": 180, "seconds": 180, "stopped_early": False, "check_ins": []},
                "calm_after": after,
                "obstacles": "The kids woke up halfway." if day.day == 30 else None,
            }
            if day.day == 30:
                breath["breathe"] = {"planned_seconds": 180, "seconds": 75, "stopped_early": True}
            done = rows.entry("breathing", local(day, 7, 31), breath, minutes=4)
            rows.prompt("breathing", day, 7, 30, "started", entry=done)
    rows.prompt("breathing", date(2026, 4, 1), 7, 30, "unreachable")

    # Urge surfing, not scheduled: done on their own.
    rows.entry(
        "urge_surfing",
        local(date(2026, 3, 21), 22, 40),
        {
            "urge": "Drink",
            "intensity_before": 8,
            "minutes": "10",
            "surf": {
                "planned_seconds": 600,
                "seconds": 600,
                "stopped_early": False,
                "check_ins": [{"at": 120, "answer": "riding"}, {"at": 300, "answer": "easing"}],
            },
            "intensity_after": 4,
            "acted": "no",
            "note": None,
            "obstacles": None,
        },
        minutes=11,
    )
    rows.entry(
        "urge_surfing",
        local(date(2026, 3, 26), 23, 5),
        {
            "urge": "Text my ex",
            "intensity_before": 7,
            "minutes": "10",
            "surf": {"planned_seconds": 600, "seconds": 240, "stopped_early": True, "check_ins": []},
            "intensity_after": 6,
            "acted": "partly",
            "note": "Wrote it but didn't send it.",
            "obstacles": "Too tired to keep going.",
        },
        minutes=5,
    )

    # Goals, rated on two Sundays (and once in the period before: the baseline).
    listed = [["1", "Sleep through the night most nights"], ["3", "Ring Mum without dreading it"]]
    rows.entry(
        "goal_rating",
        local(date(2026, 3, 22), 18, 0),
        {"goals": [*listed, ["4", "Go back to the gym"]], "rating": {"1": 3, "3": 4, "4": 2}},
    )
    rows.entry(
        "goal_rating",
        local(date(2026, 3, 29), 18, 0),
        {"goals": [*listed, ["5", "Cook a real meal twice a week"]], "rating": {"1": 5, "3": 6, "5": 3}},
    )

    # The period before, for the mood comparison: average 5.2 over 5 check-ins.
    previous = [
        EntryInput(900 + n, "mood_check", "completed", {"mood": m}, at, at + timedelta(minutes=1))
        for n, (m, at) in enumerate(
            (m, local(date(2026, 3, 6 + 2 * n), 20, 30)) for n, m in enumerate((5, 6, 4, 6, 5))
        )
    ]

    return DigestRequest(
        client=ClientInput(
            alias="Alex",
            timezone="Europe/Berlin",
            joined_at=local(date(2026, 2, 12), 11, 0),
            unreachable_since=local(date(2026, 3, 31), 9, 12),
        ),
        period_start=local(date(2026, 3, 19), 10, 0),
        period_end=local(date(2026, 4, 2), 7, 45),
        session_at=local(date(2026, 4, 2), 10, 0),
        previous_period_start=local(date(2026, 3, 5), 10, 0),
        entries=rows.entries,
        previous_entries=previous,
        prompts=rows.prompts,
        assignments=[
            AssignmentInput(
                "mood_check",
                ("08:00", "20:30"),
                tuple(range(7)),
                "Notice how mood moves across the day.",
                8,
                local(date(2026, 2, 12), 11, 30),
            ),
            AssignmentInput(
                "thought_record",
                ("19:00",),
                (0, 2, 4),
                "Catch the thoughts behind the Sunday dread.",
                4,
                local(date(2026, 3, 19), 10, 40),
            ),
            AssignmentInput(
                "breathing", ("07:30",), (0, 1, 2, 3, 4), None, 7, local(date(2026, 3, 19), 10, 45)
            ),
        ],
        notes=[
            NoteInput("Talk about Dad's call.", local(date(2026, 3, 23), 21, 5)),
            NoteInput("Can we go over the breathing again?", local(date(2026, 3, 28), 11, 20)),
            NoteInput("Old note from before the last session", local(date(2026, 3, 18), 9, 0)),
        ],
        risk_events=[
            RiskEventInput(
                local(date(2026, 3, 30), 19, 14), "thought_record.hot_thought", "suicidal_thoughts"
            )
        ],
        goals=_goals(),
    )


def _goals() -> list[GoalInput]:
    """Five goals written down since joining: two retired (one before this period), one reworded
    in it, one new in it; the first rating of each is the baseline."""
    joined, sunday, later = (
        local(date(2026, 2, 12), 11, 40),
        local(date(2026, 3, 22), 18, 2),
        local(date(2026, 3, 29), 18, 2),
    )
    baseline = local(date(2026, 3, 8), 18, 2)
    return [
        GoalInput(
            1, "Sleep through the night most nights", joined, ratings=((baseline, 2), (sunday, 3), (later, 5))
        ),
        GoalInput(
            2,
            "Stop checking work email at night",
            joined,
            retired_at=local(date(2026, 3, 1), 9, 0),
            ratings=((joined, 1),),
        ),
        GoalInput(
            3,
            "Ring Mum without dreading it",
            joined,
            reworded_at=local(date(2026, 3, 19), 10, 50),
            ratings=((baseline, 4), (sunday, 4), (later, 6)),
        ),
        GoalInput(
            4,
            "Go back to the gym",
            joined,
            retired_at=local(date(2026, 3, 23), 17, 30),
            ratings=((baseline, 1), (sunday, 2)),
        ),
        GoalInput(
            5, "Cook a real meal twice a week", local(date(2026, 3, 23), 17, 35), ratings=((later, 3),)
        ),
    ]
