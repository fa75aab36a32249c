"""Risk events: risk language a client wrote, their answer to "are you safe?", and its follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.repository import Repository, RowReader
from storage.tables import RISK


@dataclass(slots=True)
class RiskEventRow:
    id: int
    person_id: int
    at: datetime
    where: str
    category: str
    text: str | None
    answer: str | None
    answered_at: datetime | None
    follow_up_at: datetime | None
    follow_up_sent_at: datetime | None
    follow_up_answer: str | None


RISK_EVENT = RowReader.of(RiskEventRow, RISK)


class RiskEvents(Repository):
    async def add(
        self,
        person_id: int,
        at: datetime,
        where: str,
        category: str,
        text: str | None,
        follow_up_at: datetime | None,
    ) -> int:
        return await self._insert(
            RISK,
            person_id=person_id,
            at=at,
            where=where[:64],
            category=category[:32],
            text=text,
            follow_up_at=follow_up_at,
        )

    async def get(self, event_id: int) -> RiskEventRow | None:
        return await self._one(RISK_EVENT, select(RISK).where(RISK.c.id == event_id))

    async def latest(self, person_id: int) -> RiskEventRow | None:
        return await self._one(
            RISK_EVENT, select(RISK).where(RISK.c.person_id == person_id).order_by(RISK.c.id.desc()).limit(1)
        )

    async def follow_up_pending(self, person_id: int) -> bool:
        """Whether a later "are you safe?" is already on its way to this person."""
        return bool(await self._count(RISK, RISK.c.person_id == person_id, RISK.c.follow_up_at.is_not(None)))

    async def answer(self, event_id: int, answer: str, now: datetime) -> None:
        await self._update(RISK, RISK.c.id == event_id, answer=answer, answered_at=now)

    async def follow_ups_due(self, now: datetime, limit: int) -> list[RiskEventRow]:
        return await self._all(
            RISK_EVENT,
            select(RISK)
            .where(RISK.c.follow_up_at <= now)
            .order_by(RISK.c.follow_up_at)
            .limit(limit)
            .with_for_update(skip_locked=True),  # claimed: sent in the same transaction
        )

    async def follow_up_sent(self, event_id: int, now: datetime) -> None:
        await self._update(RISK, RISK.c.id == event_id, follow_up_at=None, follow_up_sent_at=now)

    async def follow_up_answer(self, event_id: int, answer: str) -> None:
        await self._update(RISK, RISK.c.id == event_id, follow_up_answer=answer)

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[RiskEventRow]:
        return await self._in_period(RISK_EVENT, RISK, "at", person_id, start, end)


__all__ = ["RISK_EVENT", "RiskEventRow", "RiskEvents"]
