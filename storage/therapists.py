"""Therapists: a person with the therapist role, their digest lead time and digest chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core.statuses import Role
from storage.repository import Repository, RowReader
from storage.tables import PEOPLE, THERAPISTS


@dataclass(slots=True)
class TherapistRow:
    person_id: int
    name: str
    lead_minutes: int
    digest_transport: str | None
    digest_chat_id: str | None
    digest_chat_title: str | None
    created_at: datetime
    updated_at: datetime


THERAPIST = RowReader.of(TherapistRow, THERAPISTS)


class Therapists(Repository):
    async def get(self, person_id: int) -> TherapistRow | None:
        return await self._one(THERAPIST, select(THERAPISTS).where(THERAPISTS.c.person_id == person_id))

    async def register(self, person_id: int, name: str, lead_minutes: int, now: datetime) -> None:
        await self._execute(
            THERAPISTS.insert().values(
                person_id=person_id, name=name, lead_minutes=lead_minutes, created_at=now, updated_at=now
            )
        )
        await self._update(PEOPLE, PEOPLE.c.id == person_id, role=Role.THERAPIST, updated_at=now)

    async def set_lead(self, person_id: int, minutes: int, now: datetime) -> None:
        await self._update(
            THERAPISTS, THERAPISTS.c.person_id == person_id, lead_minutes=minutes, updated_at=now
        )

    async def set_digest_chat(
        self, person_id: int, transport: str | None, chat_id: str | None, title: str | None, now: datetime
    ) -> None:
        await self._update(
            THERAPISTS,
            THERAPISTS.c.person_id == person_id,
            digest_transport=transport,
            digest_chat_id=chat_id,
            digest_chat_title=title,
            updated_at=now,
        )

    async def all(self) -> list[TherapistRow]:
        return await self._all(THERAPIST, select(THERAPISTS).order_by(THERAPISTS.c.person_id))


__all__ = ["THERAPIST", "TherapistRow", "Therapists"]
