"""One unit of work: the repositories over one connection, committed together or not at all.

Services get a :class:`Transaction` from ``Database.transaction()`` and use its repositories.
Rows come back as plain dataclasses, not ORM objects: nothing is lazy-loaded, nothing is
flushed behind your back, and the statements on the path every answer takes are built once, at
import, with bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.audit import AuditLog
from storage.choices import TypedChoices
from storage.clients import Clients
from storage.codes import Codes
from storage.conversations import Conversations
from storage.definitions import HomeworkDefinitions
from storage.due_prompts import DuePrompts
from storage.entries import Entries
from storage.goals import Goals
from storage.message_versions import MessageVersions, ToldOnceFacts
from storage.notes import ClientNotes
from storage.outbox import Outbox
from storage.people import People
from storage.risk_events import RiskEvents
from storage.risk_flags import RiskFlags
from storage.schedules import Schedules
from storage.sessions import TherapySessions
from storage.therapists import Therapists


class Transaction:
    """The repositories of one unit of work, sharing one connection and one commit."""

    def __init__(self, connection: AsyncConnection, *, owner: str = "") -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.people = People(connection)
        self.entries = Entries(connection)
        self.conversations = Conversations(connection)
        self.outbox = Outbox(connection, owner)
        self.schedules = Schedules(connection)
        self.due_prompts = DuePrompts(connection)
        self.therapists = Therapists(connection)
        self.codes = Codes(connection)
        self.clients = Clients(connection)
        self.sessions = TherapySessions(connection)
        self.notes = ClientNotes(connection)
        self.audit = AuditLog(connection)
        self.risk_events = RiskEvents(connection)
        self.risk_flags = RiskFlags(connection)
        self.typed_choices = TypedChoices(connection)
        self.goals = Goals(connection)
        self.definitions = HomeworkDefinitions(connection)
        self.message_versions = MessageVersions(connection)
        self.told_once = ToldOnceFacts(connection)
        self._on_rollback: list[Callable[[], None]] = []
        self._on_commit: list[Callable[[], None]] = []

    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this transaction does not commit (to restore in-memory state)."""
        self._on_rollback.append(callback)

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed."""
        self._on_commit.append(callback)

    def rolled_back(self) -> None:
        for callback in self._on_rollback:
            callback()
        self._on_rollback.clear()
        self._on_commit.clear()

    def committed(self) -> None:
        for callback in self._on_commit:
            callback()
        self._on_commit.clear()
        self._on_rollback.clear()

    async def lock_for_write(self) -> None:
        """Open the write transaction now, before reads whose result a later write depends on.

        On SQLite the driver otherwise opens it at the first write; PostgreSQL needs nothing.
        """
        if self.dialect == "sqlite":
            await self.connection.exec_driver_sql("BEGIN IMMEDIATE")

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run an ad-hoc statement in this transaction (tests, admin commands)."""
        return await self.connection.execute(statement, parameters)


__all__ = ["Transaction"]
