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
    prompts: Sequence[PromptInput] = field(default_factory=tuple)
    assignments: Sequence[AssignmentInput] = field(default_factory=tuple)
    notes: Sequence[NoteInput] = field(default_factory=tuple)
    risk_events: Sequence[RiskEventInput] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("period_start", "period_end", "session_at", "previous_period_start"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime")
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")
