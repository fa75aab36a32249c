"""What the digest builder reads: plain frozen mirrors of stored rows.

The wiring reads the rows (``storage``) and maps them onto these, one to one, so the builder
never touches a database. Every datetime is aware UTC, as stored; the builder shows them in the
client's zone. A naive datetime (should not happen) is taken to be UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

ENTRY_COMPLETED: Final = "completed"
ENTRY_CANCELLED: Final = "cancelled"
FINISHED_ENTRIES: Final = frozenset({ENTRY_COMPLETED, ENTRY_CANCELLED})
"""Entries whose answers are final: done, or left part-way (every answer is kept). The stored
names (``storage.EntryStatus``; a test holds them equal)."""


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One homework entry (``storage.repositories.EntryRow``).

    ``status`` is 'completed', 'cancelled' (kept as a draft or left) or 'in_progress'. ``answers``
    are by step id and may lack any key (older rows, a flow left early).
    """

    id: int
    flow_id: str
    status: str
    answers: Mapping[str, Any]
    started_at: datetime
    completed_at: datetime | None = None
    flow_version: str | None = None
    """The version of the homework's definition it was answered under (None: today's)."""


@dataclass(frozen=True, slots=True)
class PromptInput:
    """One scheduled occurrence (``storage.schedules.DuePromptRow``).

    ``status``: 'pending', 'sent', 'started', 'completed', 'skipped', 'missed' or 'unreachable'.
    ``entry_id`` is the entry started from it, if any: a started prompt whose entry was finished
    counts as done, one whose entry was left counts as started but not finished.
    """

    flow_id: str
    due_at: datetime
    status: str
    skip_reason: str | None
    skip_note: str | None
    local_day: date
    entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class AssignmentInput:
    """One homework plan (``storage.schedules.ScheduleRow``) and the client's confidence in it.

    ``times`` are local "HH:MM"; ``weekdays`` 0 = Monday … 6 = Sunday; ``confidence`` 0–10.
    """

    flow_id: str
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    rationale: str | None
    confidence: int | None
    created_at: datetime
    cadence: str = "weekly"
    """"weekly" (its weekdays), "every_n_days", "before_session" or "before_other_session"."""
    interval_days: int | None = None


@dataclass(frozen=True, slots=True)
class NoteInput:
    """Something the client asked to bring to the session (``/note <text>``)."""

    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RiskEventInput:
    """Risk language was recognised: when, where ("thought_record.hot_thought", "note"…) and,
    if known, the detector's category ("suicidal_thoughts", "harmed_by_others"…).

    Never the words themselves: the therapist reads them in the entry, with the client.
    """

    at: datetime
    where: str
    category: str | None = None
    answers: tuple[str, ...] = ()
    """What they answered after it, in order: "safe" / "not_safe" (the crisis message, then the
    later "are you safe?")."""
    item_answer: str | None = None
    """For an item alert (category "item_alert"): the option the client chose ("More than half
    the days"), the measure's words, not theirs; kept even if they changed it later with /back."""


@dataclass(frozen=True, slots=True)
class RiskFlagInput:
    """An open high-risk flag (``storage.RiskFlagRow``): raised by an item alert or risk language,
    not yet cleared by the therapist. Shown whatever the period: it stays until /ack."""

    raised_at: datetime
    reason: str
    """"item_alert" or "risk_language"."""
    where: str


@dataclass(frozen=True, slots=True)
class GoalInput:
    """One of the client's goals (``storage.goals.GoalRow``) with every rating it had
    (``GoalRatingRow``: when, 0–10), and when its words last changed, if they did."""

    number: int
    text: str
    created_at: datetime
    retired_at: datetime | None = None
    reworded_at: datetime | None = None
    ratings: tuple[tuple[datetime, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ClientInput:
    """Who the digest is about, as the therapist knows them (an alias, never a name from Telegram)."""

    alias: str
    timezone: str
    """A stored zone name: IANA ("Europe/Berlin") or a fixed offset ("UTC+05:30"); unknown → UTC."""
    joined_at: datetime
    unreachable_since: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestRequest:
    """Everything one digest is built from.

    The period is ``[period_start, period_end)``: since the previous session (or since joining)
    until the digest is made, a lead time before ``session_at``. Rows outside it are ignored, so
    the wiring may pass a little more than needed. ``entries`` should include those that prompts
    of the period link to (``PromptInput.entry_id``), even if finished after the period, so that
    a prompt's homework counts as done. ``previous_entries`` (in
    ``[previous_period_start, period_start)``) are read only to compare mood with the period before.
    """

    client: ClientInput
    period_start: datetime
    period_end: datetime
    session_at: datetime
    previous_period_start: datetime | None = None
    entries: Sequence[EntryInput] = field(default_factory=tuple)
    previous_entries: Sequence[EntryInput] = field(default_factory=tuple)
    earlier_entries: Sequence[EntryInput] = field(default_factory=tuple)
    """Entries before ``previous_period_start`` of the homework types that look further back:
    a scored measure's baseline is its first score ever (the wiring passes those of scored flows)."""
    prompts: Sequence[PromptInput] = field(default_factory=tuple)
    assignments: Sequence[AssignmentInput] = field(default_factory=tuple)
    notes: Sequence[NoteInput] = field(default_factory=tuple)
    risk_events: Sequence[RiskEventInput] = field(default_factory=tuple)
    goals: Sequence[GoalInput] = field(default_factory=tuple)
    """Every goal of the client: the digest shows the active ones and those retired in the
    period, each with its ratings up to the period's end (the first is the baseline)."""
    risk_flags: Sequence[RiskFlagInput] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("period_start", "period_end", "session_at", "previous_period_start"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime")
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")
