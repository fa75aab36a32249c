"""Typed lines for the terminal chat, and everything it printed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from tests.support.clock import FakeClock


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


Step = str | tuple[float, str] | Callable[[], None]
"""A typed line; (seconds, text): move the clock, then wait until ``text`` is printed; or a
check to run at that point of the chat (between two typed lines)."""


class TimedScript(Script):
    """A script whose steps may also move the clock and wait for what the terminal prints, or
    check something mid-chat."""

    def __init__(self, steps: Iterable[Step], clock: FakeClock) -> None:
        super().__init__([])
        self.steps = list(steps)
        self.clock = clock
        self.printed = asyncio.Event()

    def write(self, text: str) -> None:
        super().write(text)
        self.printed.set()

    async def read_line(self) -> str | None:
        while self.steps:
            step = self.steps.pop(0)
            if isinstance(step, str):
                return step
            if callable(step):
                step()
                continue
            seconds, expected = step  # let the clock run, then wait for the timer to show it
            self.clock.advance(seconds=seconds)
            if not expected:  # nothing to wait for: give the timer's loop a moment
                await asyncio.sleep(0.05)
            async with asyncio.timeout(5):
                while expected not in self.text:  # the terminal's own timer loop prints it
                    self.printed.clear()
                    await self.printed.wait()
        return None
