"""Storage: the database schema, its migrations, and small async repositories over it.

Owns: SQLAlchemy models, Alembic migrations, engine set-up (SQLite pragmas, UTC handling) and
the repositories that the bot's services use inside one transaction per update or tick.
May import: ``flows`` (plain data types) and the standard library; never ``telegram``/``bot``.
"""

from storage.database import Database
from storage.errors import StorageError
from storage.practice import (
    ON_DEMAND,
    CodePurpose,
    CodeRow,
    RiskEventRow,
    Role,
    SessionRow,
    SessionStatus,
    TherapistRow,
)
from storage.privacy import erase_person, export_person
from storage.repositories import (
    EntryRow,
    EntryStatus,
    OpenConversation,
    PendingMessage,
    PersonRow,
    Transaction,
)
from storage.schedules import DuePromptRow, NewOccurrence, PromptStatus, ScheduleRow

__all__ = [
    "ON_DEMAND",
    "CodePurpose",
    "CodeRow",
    "Database",
    "DuePromptRow",
    "EntryRow",
    "EntryStatus",
    "NewOccurrence",
    "OpenConversation",
    "PendingMessage",
    "PersonRow",
    "PromptStatus",
    "RiskEventRow",
    "Role",
    "ScheduleRow",
    "SessionRow",
    "SessionStatus",
    "StorageError",
    "TherapistRow",
    "Transaction",
    "erase_person",
    "export_person",
]
