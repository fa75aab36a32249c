"""Errors that storage raises; driver errors are translated into these at the boundary."""


class StorageError(Exception):
    """The database could not be reached, migrated or written."""
