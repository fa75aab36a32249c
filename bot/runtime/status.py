"""How the running bot is doing, for ``between status`` (another process): each messenger's
state written to a small JSON file every few seconds, with the time it was written, so a bot
that stopped is told apart from one that is fine."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.core.clock import Clock

STATUS_EVERY_SECONDS = 5.0
STALE_AFTER_SECONDS = 30.0


def status_writer(
    path: Path, statuses: Callable[[], dict[str, dict[str, object]]], clock: Clock
) -> Callable[[], None]:
    """Writes ``statuses()`` to ``path`` (atomically: a reader never sees half a file)."""

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps({"written_at": clock().isoformat(), "transports": statuses()}))
        os.replace(partial, path)

    return write


def database_status(down_since: datetime | None, reason: str) -> dict[str, object]:
    """The database's line: reachable, or since when not (the updates wait with the messenger)."""
    if down_since is None:
        return {"is": "reachable"}
    return {
        "unreachable since": f"{down_since:%Y-%m-%d %H:%M:%S} UTC ({reason}); updates wait until it is back"
    }


def describe(path: Path, now: datetime) -> list[str]:
    """The lines ``between status`` prints."""
    if not path.is_file():
        return ["between is not running (no status written yet)"]
    status = json.loads(path.read_text())
    age = (now - datetime.fromisoformat(status["written_at"])).total_seconds()
    lines = [
        f"status written {age:.0f} s ago"
        + (" — the bot seems to have stopped" if age > STALE_AFTER_SECONDS else "")
    ]
    for transport, facts in status["transports"].items():
        lines.append(f"{transport}: " + ", ".join(f"{key} {value}" for key, value in facts.items()))
    return lines
