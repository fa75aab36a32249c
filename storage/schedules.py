"""Homework schedules: what a client is asked to do, when, and how sure they are to do it.

The tick asks which schedules need their next local day created (``materialize_at``), an
indexed question whose cost does not grow with the number of clients when nothing is due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.core.statuses import Cadence, ScheduleStatus
from storage.repository import Repository, RowReader
from storage.tables import PEOPLE, SCHEDULES


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
    cadence: str = Cadence.WEEKLY
    interval_days: int | None = None
    given: dict[str, list[str]] | None = None
    """Lists given with the assignment, by name (``{"ladder": ["…", "…"]}``)."""


SCHEDULE = RowReader.of(ScheduleRow, SCHEDULES)
_ACTIVE = SCHEDULES.c.status == ScheduleStatus.ACTIVE


class Schedules(Repository):
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
        cadence: str = Cadence.WEEKLY,
        interval_days: int | None = None,
        given: dict[str, list[str]] | None = None,
    ) -> int:
        return await self._insert(
            SCHEDULES,
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
            cadence=cadence,
            interval_days=interval_days,
            given=given or None,
            status=ScheduleStatus.ACTIVE,
            materialized_through=None,
            materialize_at=now,
            not_before=now,
            created_at=now,
            updated_at=now,
        )

    async def set_confidence(self, schedule_id: int, confidence: int, now: datetime) -> None:
        await self._update(
            SCHEDULES,
            SCHEDULES.c.id == schedule_id,
            confidence=confidence,
            confidence_at=now,
            updated_at=now,
        )

    async def get(self, schedule_id: int) -> ScheduleRow | None:
        return await self._one(SCHEDULE, select(SCHEDULES).where(SCHEDULES.c.id == schedule_id))

    async def for_person(self, person_id: int) -> list[ScheduleRow]:
        return await self._all(
            SCHEDULE,
            select(SCHEDULES).where(SCHEDULES.c.person_id == person_id, _ACTIVE).order_by(SCHEDULES.c.id),
        )

    async def latest_given(self, person_id: int, flow_id: str) -> dict[str, list[str]] | None:
        """The lists given with the newest active assignment of this homework that has any."""
        found = await self._all(
            SCHEDULE,
            select(SCHEDULES)
            .where(SCHEDULES.c.person_id == person_id, SCHEDULES.c.flow_id == flow_id, _ACTIVE)
            .order_by(SCHEDULES.c.id.desc()),
        )
        return next((s.given for s in found if s.given), None)

    async def all_active(self) -> list[ScheduleRow]:
        return await self._all(SCHEDULE, select(SCHEDULES).where(_ACTIVE).order_by(SCHEDULES.c.id))

    async def needing_materialisation(self, now: datetime, limit: int) -> list[tuple[ScheduleRow, str]]:
        """Active schedules whose next local day is due to be created, with their client's zone."""
        result = await self._execute(
            select(SCHEDULES, PEOPLE.c.timezone)
            .join(PEOPLE, PEOPLE.c.id == SCHEDULES.c.person_id)
            .where(_ACTIVE, SCHEDULES.c.materialize_at <= now)
            .order_by(SCHEDULES.c.materialize_at)
            .limit(limit)
            .with_for_update(of=SCHEDULES, skip_locked=True)  # claimed: created in the same transaction
        )
        return [(SCHEDULE.read(row), row._mapping[PEOPLE.c.timezone]) for row in result]

    async def materialised(
        self, schedule_id: int, through: date | None, next_at: datetime, now: datetime
    ) -> None:
        await self._update(
            SCHEDULES,
            SCHEDULES.c.id == schedule_id,
            materialized_through=through,
            materialize_at=next_at,
            updated_at=now,
        )

    async def remove(self, schedule_id: int, now: datetime) -> bool:
        removed = await self._update(
            SCHEDULES,
            SCHEDULES.c.id == schedule_id,
            _ACTIVE,
            status=ScheduleStatus.REMOVED,
            updated_at=now,
        )
        return removed == 1

    async def recheck_sessions(self, person_id: int, now: datetime) -> None:
        """The client's sessions changed: their before-session plans look again now (the days
        already created are checked against the sessions as they are)."""
        await self._update(
            SCHEDULES,
            SCHEDULES.c.person_id == person_id,
            _ACTIVE,
            SCHEDULES.c.cadence.in_(Cadence.SESSIONS),
            materialized_through=None,
            materialize_at=now,
            updated_at=now,
        )

    async def rematerialise_for_person(self, person_id: int, now: datetime) -> None:
        """The client's zone changed: recreate their future occurrences in the new zone."""
        await self._update(
            SCHEDULES,
            SCHEDULES.c.person_id == person_id,
            _ACTIVE,
            materialized_through=None,
            materialize_at=now,
            not_before=now,
            updated_at=now,
        )


__all__ = ["SCHEDULE", "ScheduleRow", "Schedules"]
