"""Storage: the database schema, its migrations, and small async repositories over it.

Owns: SQLAlchemy models, Alembic migrations, engine set-up (SQLite pragmas, UTC handling) and
the repositories that the bot's services use inside one transaction per update or tick.
May import: ``flows`` (plain data types) and the standard library; never ``telegram``/``bot``.
"""

from storage.database import Database
from storage.errors import StorageError

__all__ = ["Database", "StorageError"]
