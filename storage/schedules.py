"""Repositories for homework schedules and their due prompts (one row per local occurrence).

The tick asks narrow, indexed questions — which schedules need their next day created, which
prompts are due, which need a reminder, which expired — so its cost does not grow with the
number of clients when nothing is due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import DuePrompt, Person, Schedule

SCHEDULES = cast(Table, Schedule.__table__)
DUE_PROMPTS = cast(Table, DuePrompt.__table__)
PEOPLE = cast(Table, Person.__table__)


class PromptStatus:
    PENDING = "pending"  # materialised, not yet sent (or snoozed until due_at)
    SENT = "sent"  # shown, waiting for Start / Snooze / Skip
    STARTED = "started"
    SKIPPED = "skipped"
    MISSED = "missed"
    UNREACHABLE = "unreachable"

    OPEN = (PENDING, SENT)


@dataclass(slots=True)
class ScheduleRow:
    id: int
    person_id: int
    flow_id: str
    times: list[str]
    weekdays: list[int]
    start_date: date
    end_date: date | None
    quiet_start: str | None
    quiet_end: str | None
    rationale: str | None
    created_by: int | None
    status: str
    materialized_through: date | None
    materialize_at: datetime
    not_before: datetime
    created_at: datetime
    updated_at: datetime
    confidence: int | None = None
    confidence_at: datetime | None = None


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


_RECIPIENT = (
    PEOPLE.c.transport,
    PEOPLE.c.chat_id,
    PEOPLE.c.status,
    PEOPLE.c.timezone,
    SCHEDULES.c.quiet_start,
    SCHEDULES.c.quiet_end,
)
_RECIPIENT_COLUMNS = len(_RECIPIENT)

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


class Schedules:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        person_id: int,
        flow_id: str,
        times: Sequence[str],
        weekdays: Sequence[int],
        start_date: date,
        end_date: date | None,
        quiet_start: str | None,
        quiet_end: str | None,
        rationale: str | None,
        created_by: int | None,
        now: datetime,
    ) -> int:
        result = await self._connection.execute(
            SCHEDULES.insert()
            .values(
                person_id=person_id,
                flow_id=flow_id,
                times=list(times),
                weekdays=sorted(weekdays),
                start_date=start_date,
                end_date=end_date,
                quiet_start=quiet_start,
                quiet_end=quiet_end,
                rationale=rationale,
                created_by=created_by,
                status="active",
                materialized_through=None,
                materialize_at=now,
                not_before=now,
                created_at=now,
                updated_at=now,
            )
            .returning(SCHEDULES.c.id)
        )
        return int(result.scalar_one())

    async def set_confidence(self, schedule_id: int, confidence: int, now: datetime) -> None:
        await self._connection.execute(
            update(SCHEDULES)
            .where(SCHEDULES.c.id == schedule_id)
            .values(confidence=confidence, confidence_at=now, updated_at=now)
        )

    async def get(self, schedule_id: int) -> ScheduleRow | None:
        row = (await self._connection.execute(select(SCHEDULES).where(SCHEDULES.c.id == schedule_id))).first()
        return None if row is None else ScheduleRow(*row)

    async def for_person(self, person_id: int) -> list[ScheduleRow]:
        result = await self._connection.execute(
            select(SCHEDULES)
            .where(SCHEDULES.c.person_id == person_id, SCHEDULES.c.status == "active")
            .order_by(SCHEDULES.c.id)
        )
        return [ScheduleRow(*row) for row in result]

    async def all_active(self) -> list[ScheduleRow]:
        result = await self._connection.execute(
            select(SCHEDULES).where(SCHEDULES.c.status == "active").order_by(SCHEDULES.c.id)
        )
        return [ScheduleRow(*row) for row in result]

    async def needing_materialisation(self, now: datetime, limit: int) -> list[tuple[ScheduleRow, str]]:
        """Active schedules whose next local day is due to be created, with their client's zone."""
        result = await self._connection.execute(
            select(SCHEDULES, PEOPLE.c.timezone)
            .join(PEOPLE, PEOPLE.c.id == SCHEDULES.c.person_id)
            .where(SCHEDULES.c.status == "active", SCHEDULES.c.materialize_at <= now)
            .order_by(SCHEDULES.c.materialize_at)
            .limit(limit)
        )
        return [(ScheduleRow(*row[:-1]), row[-1]) for row in result]

    async def materialised(
        self, schedule_id: int, through: date | None, next_at: datetime, now: datetime
    ) -> None:
        await self._connection.execute(
            update(SCHEDULES)
            .where(SCHEDULES.c.id == schedule_id)
            .values(materialized_through=through, materialize_at=next_at, updated_at=now)
        )

    async def remove(self, schedule_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            update(SCHEDULES)
            .where(SCHEDULES.c.id == schedule_id, SCHEDULES.c.status == "active")
            .values(status="removed", updated_at=now)
        )
        return result.rowcount == 1

    async def rematerialise_for_person(self, person_id: int, now: datetime) -> None:
        """The client's zone changed: recreate their future occurrences in the new zone."""
        await self._connection.execute(
            update(SCHEDULES)
            .where(SCHEDULES.c.person_id == person_id, SCHEDULES.c.status == "active")
            .values(materialized_through=None, materialize_at=now, not_before=now, updated_at=now)
        )


class DuePrompts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_many(self, schedule: ScheduleRow, occurrences: Sequence[NewOccurrence]) -> None:
        """Create occurrences; one that exists already (same schedule and local time) is left alone."""
        if not occurrences:
            return
        dialect: Any = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        await self._connection.execute(
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
                    "status": PromptStatus.PENDING,
                    "token": o.token,
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
                for o in occurrences
            ],
        )

    async def get(self, prompt_id: int) -> DuePromptRow | None:
        row = (
            await self._connection.execute(select(DUE_PROMPTS).where(DUE_PROMPTS.c.id == prompt_id))
        ).first()
        return None if row is None else DuePromptRow(*row)

    async def claim_due(self, now: datetime, limit: int) -> list[tuple[DuePromptRow, Recipient]]:
        """Pending prompts due by now, with their client, locked for this tick.

        ``FOR UPDATE SKIP LOCKED`` lets several bot processes share the work on PostgreSQL;
        SQLite has one writer, so SQLAlchemy leaves the clause out there.
        """
        result = await self._connection.execute(
            select(DUE_PROMPTS, *_RECIPIENT)
            .join(PEOPLE, PEOPLE.c.id == DUE_PROMPTS.c.person_id)
            .join(SCHEDULES, SCHEDULES.c.id == DUE_PROMPTS.c.schedule_id)
            .where(DUE_PROMPTS.c.status == PromptStatus.PENDING, DUE_PROMPTS.c.due_at <= now)
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=DUE_PROMPTS)
        )
        return [
            (DuePromptRow(*row[:-_RECIPIENT_COLUMNS]), Recipient(*row[-_RECIPIENT_COLUMNS:]))
            for row in result
        ]

    async def reminders_due(self, now: datetime, limit: int) -> list[tuple[DuePromptRow, Recipient]]:
        result = await self._connection.execute(
            select(DUE_PROMPTS, *_RECIPIENT)
            .join(PEOPLE, PEOPLE.c.id == DUE_PROMPTS.c.person_id)
            .join(SCHEDULES, SCHEDULES.c.id == DUE_PROMPTS.c.schedule_id)
            .where(
                DUE_PROMPTS.c.status == PromptStatus.SENT,
                DUE_PROMPTS.c.remind_at <= now,
                DUE_PROMPTS.c.reminded.is_(False),
            )
            .order_by(DUE_PROMPTS.c.remind_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=DUE_PROMPTS)
        )
        return [
            (DuePromptRow(*row[:-_RECIPIENT_COLUMNS]), Recipient(*row[-_RECIPIENT_COLUMNS:]))
            for row in result
        ]

    async def expired(self, now: datetime, limit: int) -> list[DuePromptRow]:
        result = await self._connection.execute(
            select(DUE_PROMPTS)
            .where(DUE_PROMPTS.c.status.in_(PromptStatus.OPEN), DUE_PROMPTS.c.expires_at <= now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [DuePromptRow(*row) for row in result]

    async def update(self, prompt_id: int, **values: Any) -> None:
        await self._connection.execute(
            update(DUE_PROMPTS).where(DUE_PROMPTS.c.id == prompt_id).values(**values)
        )

    async def mark_sent_many(self, sent: Sequence[tuple[int, datetime | None]], now: datetime) -> None:
        """Prompts just put in the outbox, with when to remind (None: no reminder)."""
        if sent:
            await self._connection.execute(
                _MARK_SENT, [{"key_id": i, "sent_at": now, "remind_at": at} for i, at in sent]
            )

    async def close_many(self, closed: Sequence[tuple[int, str, str | None]]) -> None:
        """Prompts that end without being acted on: (id, status, missed reason)."""
        if closed:
            await self._connection.execute(
                _CLOSE, [{"key_id": i, "status": st, "missed_reason": why} for i, st, why in closed]
            )

    async def record_prompt_message(self, prompt_id: int, token: str, message_id: str) -> None:
        await self._connection.execute(
            _RECORD_PROMPT_MESSAGE, {"key_id": prompt_id, "key_token": token, "message_id": message_id}
        )

    async def drop_future_pending(self, person_id: int, after: datetime) -> None:
        """Before re-creating a client's occurrences in a new zone: forget the unsent future ones."""
        await self._connection.execute(
            DUE_PROMPTS.delete().where(
                and_(
                    DUE_PROMPTS.c.person_id == person_id,
                    DUE_PROMPTS.c.status == PromptStatus.PENDING,
                    DUE_PROMPTS.c.due_at > after,
                    DUE_PROMPTS.c.snoozes == 0,  # a snoozed one keeps the time the client chose
                )
            )
        )

    async def drop_pending_for_schedule(self, schedule_id: int) -> None:
        await self._connection.execute(
            DUE_PROMPTS.delete().where(
                DUE_PROMPTS.c.schedule_id == schedule_id, DUE_PROMPTS.c.status == PromptStatus.PENDING
            )
        )

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[DuePromptRow]:
        """A person's prompts due in [start, end), oldest first (the digest reads them)."""
        result = await self._connection.execute(
            select(DUE_PROMPTS)
            .where(
                DUE_PROMPTS.c.person_id == person_id,
                # local days differ from UTC ones by at most a day: this bounds the index range
                DUE_PROMPTS.c.local_day >= (start - timedelta(days=2)).date(),
                DUE_PROMPTS.c.due_at >= start,
                DUE_PROMPTS.c.due_at < end,
            )
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
        )
        return [DuePromptRow(*row) for row in result]

    async def for_person(self, person_id: int, limit: int = 100) -> list[DuePromptRow]:
        result = await self._connection.execute(
            select(DUE_PROMPTS)
            .where(DUE_PROMPTS.c.person_id == person_id)
            .order_by(DUE_PROMPTS.c.due_at, DUE_PROMPTS.c.id)
            .limit(limit)
        )
        return [DuePromptRow(*row) for row in result]
