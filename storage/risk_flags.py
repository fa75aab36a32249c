"""High-risk flags: a client flagged by an item alert or risk language, until their therapist
clears it. A flag is open while ``cleared_at`` is NULL; clearing closes every open one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.repository import Repository, RowReader
from storage.tables import RISK_FLAGS


@dataclass(slots=True)
class RiskFlagRow:
    id: int
    person_id: int
    raised_at: datetime
    reason: str
    where: str
    risk_event_id: int | None
    cleared_at: datetime | None
    cleared_by: int | None


RISK_FLAG = RowReader.of(RiskFlagRow, RISK_FLAGS)
_OPEN = RISK_FLAGS.c.cleared_at.is_(None)


class RiskFlags(Repository):
    async def raise_flag(
        self, person_id: int, at: datetime, reason: str, where: str, risk_event_id: int | None
    ) -> int:
        return await self._insert(
            RISK_FLAGS,
            person_id=person_id,
            raised_at=at,
            reason=reason[:16],
            where=where[:64],
            risk_event_id=risk_event_id,
        )

    async def open_for(self, person_id: int) -> list[RiskFlagRow]:
        """The person's open flags, oldest first."""
        return await self._all(
            RISK_FLAG,
            select(RISK_FLAGS)
            .where(RISK_FLAGS.c.person_id == person_id, _OPEN)
            .order_by(RISK_FLAGS.c.raised_at, RISK_FLAGS.c.id),
        )

    async def open_for_people(self, person_ids: Sequence[int]) -> dict[int, list[RiskFlagRow]]:
        """Open flags by person, oldest first (for a therapist's list of clients)."""
        if not person_ids:
            return {}
        found: dict[int, list[RiskFlagRow]] = {}
        rows = await self._all(
            RISK_FLAG,
            select(RISK_FLAGS)
            .where(RISK_FLAGS.c.person_id.in_(list(person_ids)), _OPEN)
            .order_by(RISK_FLAGS.c.raised_at, RISK_FLAGS.c.id),
        )
        for row in rows:
            found.setdefault(row.person_id, []).append(row)
        return found

    async def clear(self, person_id: int, by: int, at: datetime) -> int:
        """Close every open flag of the person; returns how many there were."""
        return await self._update(
            RISK_FLAGS, RISK_FLAGS.c.person_id == person_id, _OPEN, cleared_at=at, cleared_by=by
        )


__all__ = ["RISK_FLAG", "RiskFlagRow", "RiskFlags"]
