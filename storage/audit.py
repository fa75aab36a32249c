"""The audit log: who read or changed a client's data, and when (ids and action names only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.repository import Repository
from storage.tables import AUDIT


class AuditLog(Repository):
    """Append-only: there is no update or delete here, by design."""

    async def record(
        self,
        at: datetime,
        actor_id: int | None,
        action: str,
        subject_id: int | None,
        detail: str | None = None,
    ) -> None:
        await self._execute(
            AUDIT.insert().values(
                at=at, actor_id=actor_id, action=action, subject_id=subject_id, detail=detail
            )
        )

    async def for_subject(self, subject_id: int) -> list[tuple[datetime, int | None, str, str | None]]:
        result = await self._execute(
            select(AUDIT.c.at, AUDIT.c.actor_id, AUDIT.c.action, AUDIT.c.detail)
            .where(AUDIT.c.subject_id == subject_id)
            .order_by(AUDIT.c.id)
        )
        return [(row.at, row.actor_id, row.action, row.detail) for row in result]


__all__ = ["AuditLog"]
