"""Typed lines for the terminal chat, and everything it printed."""

from __future__ import annotations

from collections.abc import Iterable


class Script:
    """Feeds typed lines to the chat and keeps everything it printed."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        self.output: list[str] = []

    async def read_line(self) -> str | None:
        return self.lines.pop(0) if self.lines else None

    def write(self, text: str) -> None:
        self.output.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.output)
