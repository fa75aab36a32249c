"""Links that open the bot with a code: each transport makes its own (a Telegram ``t.me`` deep
link; a messenger without them, none, and the code is shown bare)."""

from __future__ import annotations

from typing import Protocol


class LinkMaker(Protocol):
    """Made by a transport; the core asks it for a link and never builds one itself."""

    def start_link(self, code: str) -> str | None:
        """A link that opens the bot and hands it ``code``; None: show the bare code instead."""
        ...


class NoLinks:
    """For transports without links: the code is typed after ``/start``."""

    def start_link(self, code: str) -> str | None:
        return None
