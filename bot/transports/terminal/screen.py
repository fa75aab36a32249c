"""What the terminal chat prints, and how: messages as blocks, a running timer as one live line.

On a TTY the live line (a breathing phase, an urge-surfing countdown) is redrawn in place with
ANSI cursor moves, above the ``> `` prompt, which is shown again after anything printed. Written
anywhere else (a pipe, a file, a test), each frame is one line, and only every few seconds of
the clock, so a minute of breathing is a handful of lines, not a hundred.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.core.clock import Clock

PROMPT = "> "
UP_AND_CLEAR = "\x1b[{rows}F\x1b[J"
"""Move to the start of the line ``rows`` up, then clear to the end of the screen."""
CLEAR_LINE = "\r\x1b[2K"
FRAME_SEPARATOR = " — "
SPARSE_EVERY = timedelta(seconds=20)
"""Off a TTY, a timer's frames are printed at most this often (a question always at once)."""
MARGIN = 4
"""Columns kept free on the live line (an emoji can take two)."""

Write = Callable[[str], None]


@runtime_checkable
class Screen(Protocol):
    """Where the terminal chat prints: ``screen(text)`` for a message, ``status`` for the live
    line of a running timer; ``prompt`` / ``answered`` around reading a line."""

    def __call__(self, text: str) -> None: ...

    def status(self, text: str) -> None: ...

    def prompt(self) -> None: ...

    def answered(self, typed: bool) -> None: ...


def one_line(text: str) -> str:
    """A frame's lines joined into one (blank lines dropped)."""
    return FRAME_SEPARATOR.join(line.strip() for line in text.splitlines() if line.strip())


class LineScreen:
    """A screen that only appends lines (a pipe, a file, a test's script): sparse frames."""

    def __init__(self, write: Write, clock: Clock) -> None:
        self._write = write
        self._clock = clock
        self._last_frame: datetime | None = None

    def __call__(self, text: str) -> None:
        self._write(text)
        self._last_frame = None  # after a message, the next frame shows where the timer is

    def status(self, text: str) -> None:
        now = self._clock()
        if self._last_frame is not None and now - self._last_frame < SPARSE_EVERY:
            return
        self._last_frame = now
        self._write(one_line(text))

    def prompt(self) -> None:
        return None

    def answered(self, typed: bool) -> None:
        return None


class TtyScreen:
    """A terminal: the live line is redrawn in place, and the prompt follows what is printed.

    ``out`` writes raw characters (no newline added); ``width`` is the terminal's width now."""

    def __init__(self, out: Write, width: Callable[[], int] = lambda: 80) -> None:
        self._out = out
        self._width = width
        self._live_rows = 0
        """Rows of the live block just above the cursor (0: none there)."""
        self._prompting = False

    def __call__(self, text: str) -> None:
        self._clear_prompt()
        self._out(text + "\n")
        self._live_rows = 0  # the live block, if any, stays above as it was
        self._reprompt()

    def status(self, text: str) -> None:
        width = max(20, self._width() - MARGIN)
        rows = [row for line in text.splitlines() if line.strip() for row in textwrap.wrap(line, width)]
        self._clear_prompt()
        if self._live_rows:
            self._out(UP_AND_CLEAR.format(rows=self._live_rows))
        self._out("\n".join(rows) + "\n")
        self._live_rows = len(rows)
        self._reprompt()

    def prompt(self) -> None:
        self._prompting = True
        self._out(PROMPT)

    def answered(self, typed: bool) -> None:
        """A line was typed and echoed (``typed``), or input ended (Ctrl-D, Ctrl-C): either
        way the cursor goes below whatever was live."""
        if self._prompting and not typed:
            self._out("\n")
        self._prompting = False
        self._live_rows = 0

    def _clear_prompt(self) -> None:
        if self._prompting:
            self._out(CLEAR_LINE)

    def _reprompt(self) -> None:
        if self._prompting:
            self._out(PROMPT)
