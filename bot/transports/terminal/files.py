"""What the terminal chat keeps on this machine besides the database: exports, while the chat
runs, and its log file.

An export (``/export``) is saved next to the database, readable only by its owner, for the
client to copy somewhere of their own; it is removed when the chat ends (``/quit``, Ctrl-C,
end of input), when the client erases their data (``/delete``), and, if a chat was killed
before it could, when the next one starts. So it never outlives its purpose unencrypted.

While the chat runs, log records go to a file next to the database instead of the screen, so
none lands in the middle of the conversation.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.core.messages import Attachment
from storage import Database

EXPORT_PATTERN = "between-*"
LOG_FILE = "between.log"


def data_folder(database: Database) -> Path | None:
    """The folder of a SQLite database file; None for a server database."""
    location = Path(database.location or ".")
    return location.parent if database.is_sqlite and location.name else None


def exports_folder(database: Database) -> Path | None:
    """Where attachments (an export) are saved: next to a SQLite file; None: only named."""
    folder = data_folder(database)
    return folder / "exports" if folder is not None else None


class Exports:
    """The files the bot sent this chat, saved for the client while the chat runs."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def save(self, attachment: Attachment) -> Path | None:
        """Write a file the bot sends (an export); None where files are not kept."""
        if self.folder is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / Path(attachment.filename).name  # never a path from the message
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_bytes(attachment.content)
        return path

    def remove(self) -> int:
        """Remove every export saved here; returns how many there were."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.glob(EXPORT_PATTERN):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        return removed


def _on_screen(handler: logging.Handler) -> bool:
    stream = getattr(handler, "stream", None)
    screens = (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    return not isinstance(handler, logging.FileHandler) and stream is not None and stream in screens


@contextlib.contextmanager
def logs_to_file(folder: Path | None) -> Iterator[Path | None]:
    """While the chat runs, the log records printed on the screen go to ``folder/between.log``
    instead (without a folder, only errors stay on screen). Yields the file, if any."""
    root = logging.getLogger()
    moved = [h for h in root.handlers if _on_screen(h)]
    if not moved:
        yield None
        return
    levels = [h.level for h in moved]
    path = folder / LOG_FILE if folder is not None else None
    file_handler: logging.Handler | None = None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(moved[0].formatter)
        file_handler.setLevel(moved[0].level)
        root.addHandler(file_handler)
        path.chmod(0o600)
    for handler in moved:
        if file_handler is not None:
            root.removeHandler(handler)
        else:
            handler.setLevel(logging.ERROR)
    try:
        yield path
    finally:
        for handler, level in zip(moved, levels, strict=True):
            handler.setLevel(level)
            if handler not in root.handlers:
                root.addHandler(handler)
        if file_handler is not None:
            root.removeHandler(file_handler)
            file_handler.close()
