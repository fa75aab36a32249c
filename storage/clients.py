"""A therapist's clients: the link made by an invitation, consent, and aliases.

Authorization lives in the questions asked here: a therapist's client is found by
``(therapist, alias)`` or ``(therapist, person id)``, never by a bare id, so a command can only
ever reach that therapist's own clients.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import func, select

from bot.core.statuses import Role
from storage.codes import open_invitations_of
from storage.people import PERSON, PersonRow
from storage.repository import Repository
from storage.tables import CODES, ENTRIES, PEOPLE


def alias_key(alias: str) -> str:
    """How aliases are compared: Unicode-normalised and case-folded ("Émile" = "ÉMILE")."""
    return unicodedata.normalize("NFKC", alias).casefold()


class Clients(Repository):
    """A therapist's clients. Every lookup names the therapist."""

    async def link(self, person_id: int, therapist_id: int, alias: str, now: datetime) -> None:
        await self._update(
            PEOPLE,
            PEOPLE.c.id == person_id,
            therapist_id=therapist_id,
            alias=alias,
            role=Role.CLIENT,
            updated_at=now,
        )

    async def record_consent(self, person_id: int, version: str, now: datetime) -> None:
        await self._update(
            PEOPLE, PEOPLE.c.id == person_id, consent_version=version, consented_at=now, updated_at=now
        )

    async def alias_taken(self, therapist_id: int, alias: str, now: datetime) -> bool:
        """An alias already names a client, or waits in an open invitation (compared as
        :func:`alias_key`: case and accents as people read them, not as SQL's ``lower`` does)."""
        key = alias_key(alias)
        clients = await self._execute(select(PEOPLE.c.alias).where(PEOPLE.c.therapist_id == therapist_id))
        invited = await self._execute(select(CODES.c.alias).where(*open_invitations_of(therapist_id, now)))
        return any(alias_key(taken or "") == key for taken in (*clients.scalars(), *invited.scalars()))

    async def by_alias(self, therapist_id: int, alias: str) -> PersonRow | None:
        """The therapist's client with this alias; None if there is none — or it is someone
        else's: the caller cannot tell the two apart."""
        key = alias_key(alias)
        return next((c for c in await self.of(therapist_id) if alias_key(c.alias or "") == key), None)

    async def by_id(self, therapist_id: int, person_id: int) -> PersonRow | None:
        return await self._one(
            PERSON, select(PEOPLE).where(PEOPLE.c.therapist_id == therapist_id, PEOPLE.c.id == person_id)
        )

    async def of(self, therapist_id: int) -> list[PersonRow]:
        """The therapist's clients, by alias."""
        clients = await self._all(PERSON, select(PEOPLE).where(PEOPLE.c.therapist_id == therapist_id))
        return sorted(clients, key=lambda c: alias_key(c.alias or ""))

    async def last_activity(self, person_ids: list[int]) -> dict[int, datetime]:
        """When each client last did homework (an entry updated)."""
        if not person_ids:
            return {}
        result = await self._execute(
            select(ENTRIES.c.person_id, func.max(ENTRIES.c.updated_at).label("updated_at"))
            .where(ENTRIES.c.person_id.in_(person_ids))
            .group_by(ENTRIES.c.person_id)
        )
        return {int(row.person_id): row.updated_at for row in result}


__all__ = ["Clients", "alias_key"]
