"""Notes a client keeps for their next session (``/note``); the digest shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repository import Repository, RowReader
from storage.tables import NOTES


@dataclass(slots=True)
class NoteRow:
    id: int
    person_id: int
    text: str
    created_at: datetime


NOTE = RowReader.of(NoteRow, NOTES)


class ClientNotes(Repository):
    async def add(self, person_id: int, text: str, now: datetime) -> None:
        await self._execute(NOTES.insert().values(person_id=person_id, text=text, created_at=now))

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[NoteRow]:
        return await self._in_period(NOTE, NOTES, "created_at", person_id, start, end)


__all__ = ["NOTE", "ClientNotes", "NoteRow"]
