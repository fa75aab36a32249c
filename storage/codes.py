"""One-time codes, stored by their hash: therapist registrations, client invitations, digest chats.

Redeeming marks a code used in the same statement that checks it is still unused and
unexpired, so two redemptions cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select

from bot.core.statuses import CodePurpose
from storage.repository import Repository, RowReader
from storage.tables import CODES


@dataclass(slots=True)
class CodeRow:
    id: int
    purpose: str
    code_hash: str
    therapist_id: int | None
    name: str | None
    alias: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None


CODE = RowReader.of(CodeRow, CODES)


def usable(now: datetime) -> ColumnElement[bool]:
    """A code not used and not expired."""
    return CODES.c.used_at.is_(None) & (CODES.c.expires_at > now)


def open_invitations_of(therapist_id: int, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The therapist's invitations that can still be accepted."""
    return CODES.c.therapist_id == therapist_id, CODES.c.purpose == CodePurpose.INVITE, usable(now)


class Codes(Repository):
    """One-time codes, by their hash (the code itself is never stored)."""

    async def add(
        self,
        purpose: str,
        code_hash: str,
        now: datetime,
        expires_at: datetime,
        *,
        therapist_id: int | None = None,
        name: str | None = None,
        alias: str | None = None,
    ) -> int:
        return await self._insert(
            CODES,
            purpose=purpose,
            code_hash=code_hash,
            therapist_id=therapist_id,
            name=name,
            alias=alias,
            created_at=now,
            expires_at=expires_at,
        )

    async def find_usable(self, code_hash: str, now: datetime) -> CodeRow | None:
        return await self._one(CODE, select(CODES).where(CODES.c.code_hash == code_hash, usable(now)))

    async def use(self, code_id: int, person_id: int | None, now: datetime) -> bool:
        """Mark a code used; False if it was used (or expired) meanwhile."""
        used = await self._update(CODES, CODES.c.id == code_id, usable(now), used_at=now, used_by=person_id)
        return bool(used)

    async def open_invitations(self, therapist_id: int, now: datetime) -> list[CodeRow]:
        return await self._all(
            CODE,
            select(CODES).where(*open_invitations_of(therapist_id, now)).order_by(CODES.c.created_at),
        )


__all__ = ["CODE", "CodeRow", "Codes", "open_invitations_of", "usable"]
