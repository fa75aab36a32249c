"""Due prompts: one row per local occurrence of a schedule, from created to acted on or missed.

The tick asks narrow, indexed questions (which prompts are due, which need a reminder, which
expired) and locks what it claims, so several bot processes can share the work on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.core.statuses import PromptStatus
from storage.repository import Repository, RowReader
from storage.schedules import ScheduleRow
from storage.tables import DUE_PROMPTS, PEOPLE, SCHEDULES


@dataclass(slots=True)
class DuePromptRow:
    id: int
    schedule_id: int
    person_id: int
    flow_id: str
    occurrence: str
    local_day: date
    due_at: datetime
    expires_at: datetime
    status: str
    token: str
    sent_at: datetime | None
    acted_at: datetime | None
    remind_at: datetime | None
    reminded: bool
    snoozes: int
    message_id: str | None
    skip_reason: str | None
    skip_note: str | None
    missed_reason: str | None
    entry_id: int | None


@dataclass(frozen=True, slots=True)
class NewOccurrence:
    occurrence: str
    local_day: date
    due_at: datetime
    expires_at: datetime
    token: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a prompt goes to, and their quiet hours, as the tick needs them."""

    transport: str
    chat_id: str
    status: str
    timezone: str
    quiet_start: str | None
    quiet_end: str | None
    language: str | None = None
    """The language they read (None: the practice's default)."""


DUE_PROMPT = RowReader.of(DuePromptRow, DUE_PROMPTS)
RECIPIENT = RowReader(
    Recipient,
    {
        "transport": PEOPLE.c.transport,
        "chat_id": PEOPLE.c.chat_id,
        "status": PEOPLE.c.status,
        "timezone": PEOPLE.c.timezone,
        "quiet_start": SCHEDULES.c.quiet_start,
        "quiet_end": SCHEDULES.c.quiet_end,
        "language": PEOPLE.c.language,
    },
)

_RECORD_PROMPT_MESSAGE = (
    update(DUE_PROMPTS)
    .where(DUE_PROMPTS.c.id == bindparam("key_id"), DUE_PROMPTS.c.token == bindparam("key_token"))
    .values(message_id=bindparam("message_id"))
)
_MARK_SENT = (
    update(DUE_PROMPTS)
    .where(DUE_PROMPTS.c.id == bindparam("key_id"))
    .values(status=PromptStatus.SENT, sent_at=bindparam("sent_at"), remind_at=bindparam("remind_at"))
)
_CLOSE = (
    update(DUE_PROMPTS)
    .where(
        DUE_PROMPTS.c.id == bindparam("key_id"),
        or_(*(DUE_PROMPTS.c.status == literal(s) for s in PromptStatus.OPEN)),  # still open, not acted on
    )
    .values(status=bindparam("status"), missed_reason=bindparam("missed_reason"))
)
_NEW_PROMPT = {
    "status": PromptStatus.PENDING,
    "sent_at": None,
    "acted_at": None,
    "remind_at": None,
    "reminded": False,
    "snoozes": 0,
    "message_id": None,
    "skip_reason": None,
    "skip_note": None,
    "missed_reason": None,
    "entry_id": None,
}
"""A new occurrence's values besides its schedule and time."""


def _claim(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Prompts with their recipient, locked for this tick.

    ``FOR UPDATE SKIP LOCKED`` lets several bot processes share the work on PostgreSQL;
    SQLite has one writer, so SQLAlchemy leaves the clause out there.
    """
    return (
        select(DUE_PROMPTS, *RECIPIENT.columns)
        .join(PEOPLE, PEOPLE.c.id == DUE_PROMPTS.c.person_id)
        .join(SCHEDULES, SCHEDULES.c.id == DUE_PROMPTS.c.schedule_id)
        .where(*conditions)
        .with_for_update(skip_locked=True, of=DUE_PROMPTS)
    )


class DuePrompts(Repository):
    async def add_many(self, schedule: ScheduleRow, occurrences: Sequence[NewOccurrence]) -> None:
        """Create occurrences; one that exists already (same schedule and local time) is left alone."""
        if not occurrences:
            return
        dialect: Any = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        await self._execute(
            dialect.insert(DUE_PROMPTS).on_conflict_do_nothing(),
            [
                {
                    "schedule_id": schedule.id,
                    "person_id": schedule.person_id,
                    "flow_id": schedule.flow_id,
                    "occurrence": o.occurrence,
                    "local_day": o.local_day,
                    "due_at": o.due_at,
                    "expires_at": o.expires_at,
                    "token": o.token,
                    **_NEW_PROMPT,
                }
                for o in occurrences
            ],
        )

    async def get(self, prompt_id: int) -> DuePromptRow | None:
        return await self._one(DUE_PROMPT, select(DUE_PROMPTS).where(DUE_PROMPTS.c.id == prompt_id))

    async def claim_due(self, now: datetime, limit: int) -> list[tuple[DuePromptRow, Recipient]]:
        """Pending prompts due by now, with their client, locked for this tick."""
        return await self._claimed(
            _claim(DUE_PROMPTS.c.status == PromptStatus.PENDING, DUE_PROMPTS.c.due_at <= now)
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
            .limit(limit)
        )

    async def reminders_due(self, now: datetime, limit: int) -> list[tuple[DuePromptRow, Recipient]]:
        return await self._claimed(
            _claim(
                DUE_PROMPTS.c.status == PromptStatus.SENT,
                DUE_PROMPTS.c.remind_at <= now,
                DUE_PROMPTS.c.reminded.is_(False),
            )
            .order_by(DUE_PROMPTS.c.remind_at)
            .limit(limit)
        )

    async def _claimed(self, statement: Select[Any]) -> list[tuple[DuePromptRow, Recipient]]:
        return [(DUE_PROMPT.read(row), RECIPIENT.read(row)) for row in await self._execute(statement)]

    async def expired(self, now: datetime, limit: int) -> list[DuePromptRow]:
        return await self._all(
            DUE_PROMPT,
            select(DUE_PROMPTS)
            .where(DUE_PROMPTS.c.status.in_(PromptStatus.OPEN), DUE_PROMPTS.c.expires_at <= now)
            .limit(limit)
            .with_for_update(skip_locked=True),
        )

    async def update(self, prompt_id: int, **values: Any) -> None:
        await self._update(DUE_PROMPTS, DUE_PROMPTS.c.id == prompt_id, **values)

    async def mark_sent_many(self, sent: Sequence[tuple[int, datetime | None]], now: datetime) -> None:
        """Prompts just put in the outbox, with when to remind (None: no reminder)."""
        if sent:
            await self._execute(
                _MARK_SENT, [{"key_id": i, "sent_at": now, "remind_at": at} for i, at in sent]
            )

    async def close_many(self, closed: Sequence[tuple[int, str, str | None]]) -> None:
        """Prompts that end without being acted on: (id, status, missed reason)."""
        if closed:
            await self._execute(
                _CLOSE, [{"key_id": i, "status": st, "missed_reason": why} for i, st, why in closed]
            )

    async def record_prompt_message(self, prompt_id: int, token: str, message_id: str) -> None:
        await self._execute(
            _RECORD_PROMPT_MESSAGE, {"key_id": prompt_id, "key_token": token, "message_id": message_id}
        )

    async def drop_future_pending(self, person_id: int, after: datetime) -> None:
        """Before re-creating a client's occurrences in a new zone: forget the unsent future ones."""
        await self._execute(
            DUE_PROMPTS.delete().where(
                and_(
                    DUE_PROMPTS.c.person_id == person_id,
                    DUE_PROMPTS.c.status == PromptStatus.PENDING,
                    DUE_PROMPTS.c.due_at > after,
                    DUE_PROMPTS.c.snoozes == 0,  # a snoozed one keeps the time the client chose
                )
            )
        )

    async def drop_pending_not_in(self, schedule_id: int, first_day: date, keep: Sequence[str]) -> int:
        """Unsent prompts of a before-session plan from ``first_day`` on whose session moved or
        was cancelled (their occurrence is not among ``keep``); returns how many."""
        result = await self._execute(
            DUE_PROMPTS.delete().where(
                DUE_PROMPTS.c.schedule_id == schedule_id,
                DUE_PROMPTS.c.status == PromptStatus.PENDING,
                DUE_PROMPTS.c.local_day >= first_day,
                DUE_PROMPTS.c.occurrence.not_in(list(keep)),
            )
        )
        return int(result.rowcount)

    async def drop_pending_for_schedule(self, schedule_id: int) -> None:
        await self._execute(
            DUE_PROMPTS.delete().where(
                DUE_PROMPTS.c.schedule_id == schedule_id, DUE_PROMPTS.c.status == PromptStatus.PENDING
            )
        )

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[DuePromptRow]:
        """A person's prompts due in [start, end), oldest first (the digest reads them)."""
        # local days differ from UTC ones by at most a day: this bounds the index range
        near = DUE_PROMPTS.c.local_day >= (start - timedelta(days=2)).date()
        return await self._in_period(DUE_PROMPT, DUE_PROMPTS, "due_at", person_id, start, end, near)

    async def next_pending(self, person_id: int, after: datetime) -> DuePromptRow | None:
        """The person's next prompt still to be sent after ``after`` (a snoozed one too)."""
        rows = await self._all(
            DUE_PROMPT,
            select(DUE_PROMPTS)
            .where(
                DUE_PROMPTS.c.person_id == person_id,
                DUE_PROMPTS.c.status == PromptStatus.PENDING,
                DUE_PROMPTS.c.due_at > after,
            )
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
            .limit(1),
        )
        return rows[0] if rows else None

    async def for_person(self, person_id: int, limit: int = 100) -> list[DuePromptRow]:
        return await self._all(
            DUE_PROMPT,
            select(DUE_PROMPTS)
            .where(DUE_PROMPTS.c.person_id == person_id)
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
            .limit(limit),
        )


__all__ = ["DUE_PROMPT", "RECIPIENT", "DuePromptRow", "DuePrompts", "NewOccurrence", "Recipient"]
