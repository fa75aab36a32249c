"""The text of each data-defined homework per (id, version), as first run: old entries are always
read under the definition they were answered with, whatever the file says today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.repository import Repository, RowReader
from storage.tables import DEFINITIONS


@dataclass(frozen=True, slots=True)
class DefinitionRow:
    flow_id: str
    version: str
    source: str
    stored_at: datetime


DEFINITION = RowReader.of(DefinitionRow, DEFINITIONS)


class HomeworkDefinitions(Repository):
    async def all(self) -> list[DefinitionRow]:
        """Every kept definition, by id and version."""
        query = select(DEFINITIONS).order_by(DEFINITIONS.c.flow_id, DEFINITIONS.c.version)
        return await self._all(DEFINITION, query)

    async def keep(self, flow_id: str, version: str, source: str, now: datetime) -> None:
        """Keep a version's text (once: a version is never rewritten)."""
        await self._connection.execute(
            DEFINITIONS.insert().values(flow_id=flow_id, version=version, source=source, stored_at=now)
        )


__all__ = ["DEFINITION", "DefinitionRow", "HomeworkDefinitions"]
