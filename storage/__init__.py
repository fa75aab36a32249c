"""Storage: the database schema, its migrations, and small async repositories over it.

Owns: SQLAlchemy models, Alembic migrations, engine set-up (SQLite pragmas, UTC handling) and
the repositories that the bot's services use inside one transaction per update or tick, one
module per aggregate (``people``, ``conversations``, ``entries``, ``outbox``, ``schedules``,
``due_prompts``, ``therapists``, ``clients``, ``codes``, ``sessions``, ``notes``,
``risk_events``, ``risk_flags``, ``audit``, ``goals``, ``message_versions``), gathered by
``transaction.Transaction``.
Rows are read by column name (``repository.RowReader``). The statuses it stores are ``bot.core.statuses``'s.
May import: ``bot.core``, ``flows`` (plain data types) and the standard library; never
``telegram`` or the rest of ``bot``.
"""

from bot.core.statuses import (
    Cadence,
    CodePurpose,
    EntryStatus,
    PersonStatus,
    PromptStatus,
    Role,
    ScheduleStatus,
    SessionStatus,
)
from storage.codes import CodeRow
from storage.conversations import Conversations, OpenConversation
from storage.database import Database
from storage.due_prompts import DuePromptRow, NewOccurrence, Recipient
from storage.entries import EntryRow
from storage.errors import DatabaseUnavailable, StorageError
from storage.notes import NoteRow
from storage.outbox import PendingMessage
from storage.people import PersonRow
from storage.privacy import erase_person, export_person
from storage.risk_events import RiskEventRow
from storage.risk_flags import RiskFlagRow
from storage.schedules import ScheduleRow
from storage.sessions import ON_DEMAND, SessionRow
from storage.therapists import TherapistRow
from storage.transaction import Transaction

__all__ = [
    "ON_DEMAND",
    "Cadence",
    "CodePurpose",
    "CodeRow",
    "Conversations",
    "Database",
    "DatabaseUnavailable",
    "DuePromptRow",
    "EntryRow",
    "EntryStatus",
    "NewOccurrence",
    "NoteRow",
    "OpenConversation",
    "PendingMessage",
    "PersonRow",
    "PersonStatus",
    "PromptStatus",
    "Recipient",
    "RiskEventRow",
    "RiskFlagRow",
    "Role",
    "ScheduleRow",
    "ScheduleStatus",
    "SessionRow",
    "SessionStatus",
    "StorageError",
    "TherapistRow",
    "Transaction",
    "erase_person",
    "export_person",
]
