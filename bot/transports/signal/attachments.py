"""Files a client sent are never kept: signal-cli downloads each one into its data folder's
``attachments/`` (named by the attachment's ``id``) unless it runs with ``--ignore-attachments``,
so Between deletes them once the message is read. Between reads none of them (a kind "I can't
read files"), and a long text's attachment holds what the client wrote: it goes too.

The folder is signal-cli's default, found the way signal-cli finds it (``$XDG_DATA_HOME`` or
``~/.local/share``, then ``signal-cli/attachments``), for a daemon run by the same user on the
same machine. A daemon started with ``--config`` elsewhere keeps its files there: run it with
``--ignore-attachments`` (the README's advice either way).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def signal_cli_attachments(environ: Mapping[str, str] = os.environ) -> Path:
    """signal-cli's default attachment folder for this user."""
    data_home = environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home).expanduser() if data_home else Path.home() / ".local" / "share"
    return base / "signal-cli" / "attachments"


def attachment_ids(data: Mapping[str, Any]) -> list[str]:
    """The ids of the files a message carried, as plain file names (never a path)."""
    found = []
    for attachment in data.get("attachments") or []:
        name = attachment.get("id") if isinstance(attachment, dict) else None
        if isinstance(name, str) and name and name == Path(name).name and name not in (".", ".."):
            found.append(name)
    return found


def forget_attachments(folder: Path | None, data: Mapping[str, Any]) -> int:
    """Delete the files of this message that signal-cli downloaded; how many there were.
    A file that cannot be deleted is said in the log (its id only), once per message."""
    if folder is None:
        return 0
    deleted = 0
    for name in attachment_ids(data):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            continue  # --ignore-attachments, or never downloaded
        except OSError as error:
            log.warning("signal attachment %s not deleted from %s: %s", name, folder, type(error).__name__)
            continue
        deleted += 1
    return deleted
