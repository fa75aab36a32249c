"""Errors that storage raises (defined with every other in ``bot.core.errors``); driver errors
are translated into these at the boundary."""

from bot.core.errors import DatabaseUnavailable, MigrationError, StorageError, UnreadableValue

__all__ = ["DatabaseUnavailable", "MigrationError", "StorageError", "UnreadableValue"]
