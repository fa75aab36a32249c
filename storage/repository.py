"""What every repository shares: one transaction's connection, and rows read by column name.

A row record is a dataclass whose fields are named after columns. :class:`RowReader` fills each
field from its own column (``row._mapping[column]``), never by position, so reordering a select,
a join that brings two ``updated_at`` columns, or a column added to a table cannot swap fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, CursorResult, Executable, Row, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

R = TypeVar("R")


class RowReader(Generic[R]):
    """Builds one kind of row record from result rows, each field from the column it names."""

    def __init__(self, record: Callable[..., R], columns: Mapping[str, ColumnElement[Any]]) -> None:
        self._record = record
        self._columns = tuple(columns.items())

    @classmethod
    def of(cls, record: Callable[..., R], table: Table) -> RowReader[R]:
        """Every field of the dataclass ``record`` from ``table``'s column of that name; a field
        with no such column fails here, at import, not when a row is read."""
        return cls(record, {field.name: table.c[field.name] for field in fields(record)})  # type: ignore[arg-type]

    @property
    def columns(self) -> list[ColumnElement[Any]]:
        """What to select to read this record."""
        return [column for _, column in self._columns]

    def read(self, row: Row[Any]) -> R:
        mapping = row._mapping
        return self._record(**{name: mapping[column] for name, column in self._columns})


class Repository:
    """A repository over one transaction's connection: the :class:`Transaction` makes one of
    each, so everything a unit of work writes commits together or not at all."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return await self._connection.execute(statement, parameters)

    async def _one(self, reader: RowReader[R], statement: Executable) -> R | None:
        """The first row the statement finds, as a record; None if it finds none."""
        row = (await self._connection.execute(statement)).first()
        return None if row is None else reader.read(row)

    async def _all(self, reader: RowReader[R], statement: Executable) -> list[R]:
        return [reader.read(row) for row in await self._connection.execute(statement)]

    async def _in_period(
        self,
        reader: RowReader[R],
        table: Table,
        at: str,
        person_id: int,
        start: datetime,
        end: datetime,
        *conditions: ColumnElement[bool],
    ) -> list[R]:
        """A person's rows whose ``at`` column falls in [start, end), oldest first: what the
        digest reads for the period it covers."""
        moment = table.c[at]
        return await self._all(
            reader,
            select(table)
            .where(table.c.person_id == person_id, moment >= start, moment < end, *conditions)
            .order_by(moment, table.c.id),
        )

    async def _insert(self, table: Table, **values: Any) -> int:
        """Insert one row; returns its new id."""
        result = await self._connection.execute(insert(table).values(values).returning(table.c.id))
        return int(result.scalar_one())

    async def _update(self, table: Table, *conditions: ColumnElement[bool], **values: Any) -> int:
        """Set ``values`` on the rows that meet every condition; returns how many there were."""
        result = await self._connection.execute(update(table).where(*conditions).values(values))
        return result.rowcount

    async def _count(self, table: Table, *conditions: ColumnElement[bool]) -> int:
        result = await self._connection.execute(select(func.count()).select_from(table).where(*conditions))
        return int(result.scalar_one())


__all__ = ["Repository", "RowReader"]
