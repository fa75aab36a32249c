"""When the fake daemon writes each response: at once, held back, delayed, or reversed.

signal-cli handles every request on its own virtual thread (JsonRpcReader), so answers
come back in whatever order the work finishes. Tests make that happen on purpose, without
sleeping: hold a method's answers until released, or reverse the next N answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class ResponseGate:
    """Decides the order in which responses reach the wire."""

    def __init__(self) -> None:
        self._held: dict[str, asyncio.Event] = {}
        self._delays: dict[str, float] = {}
        self._reverse_remaining = 0
        self._reverse_buffer: list[Callable[[], None]] = []

    def hold(self, method: str) -> None:
        """Keep answers to ``method`` back until :meth:`release` (requests are still handled)."""
        self._held.setdefault(method, asyncio.Event())

    def release(self, method: str) -> None:
        """Let held answers to ``method`` go, and stop holding it."""
        event = self._held.pop(method, None)
        if event is not None:
            event.set()

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` of real time (0 turns it off)."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def reverse_next(self, count: int) -> None:
        """Collect the next ``count`` answers and write them last-first."""
        if count < 2:
            raise ValueError("reversing needs at least two responses")
        self._reverse_remaining = count
        self._reverse_buffer = []

    async def pass_through(self, method: str, write: Callable[[], None]) -> None:
        """Run ``write`` when this response's turn comes."""
        delay = self._delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        event = self._held.get(method)
        if event is not None:
            await event.wait()
        if self._reverse_remaining:
            self._reverse_buffer.append(write)
            if len(self._reverse_buffer) < self._reverse_remaining:
                return
            buffered, self._reverse_buffer, self._reverse_remaining = self._reverse_buffer, [], 0
            for buffered_write in reversed(buffered):
                buffered_write()
            return
        write()

    def release_all(self) -> None:
        """Free every held answer (on shutdown)."""
        for method in list(self._held):
            self.release(method)
        buffered, self._reverse_buffer, self._reverse_remaining = self._reverse_buffer, [], 0
        for write in buffered:
            write()
