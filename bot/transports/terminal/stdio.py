"""The process's own standard input and output, for the terminal chat.

Lines are read without a thread that could outlive the chat (``loop.add_reader`` on a terminal
or a pipe; a file is read at once), so Ctrl-C leaves at once (``ctrl_c_sets``): it ends the
chat the way ``/quit`` does, with the goodbye, and the command exits 0. Output goes through a
:class:`~bot.transports.terminal.screen.TtyScreen` on a terminal, else one line at a time.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import shutil
import signal
import sys
from collections import deque
from collections.abc import Iterator
from typing import TextIO

from bot.core.clock import Clock
from bot.transports.terminal.screen import LineScreen, Screen, TtyScreen

CHUNK = 65536


class StdinLines:
    """Typed lines from a file descriptor, read on the event loop; None at end of input."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lines: deque[str | None] = deque()
        self._partial = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._ready: asyncio.Event | None = None
        self._installed = False

    async def __call__(self) -> str | None:
        if not self._installed:
            self._install()
        assert self._ready is not None
        while not self._lines:
            self._ready.clear()
            await self._ready.wait()
        return self._lines.popleft()

    def _install(self) -> None:
        loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._installed = True
        try:
            loop.add_reader(self._fd, self._readable)
        except (PermissionError, OSError):  # a regular file: it never blocks, read it all now
            while self._read_chunk():
                pass

    def _readable(self) -> None:
        if not self._read_chunk():
            asyncio.get_running_loop().remove_reader(self._fd)

    def _read_chunk(self) -> bool:
        """Read what is there; False at end of input."""
        data = os.read(self._fd, CHUNK)
        text = self._decoder.decode(data, final=not data)
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self._push(line.rstrip("\r"))
        if not data:
            if self._partial:
                self._push(self._partial)
                self._partial = ""
            self._push(None)
        return bool(data)

    def _push(self, line: str | None) -> None:
        self._lines.append(line)
        if self._ready is not None:
            self._ready.set()


@contextlib.contextmanager
def ctrl_c_sets(event: asyncio.Event) -> Iterator[None]:
    """While the block runs, Ctrl-C (SIGINT) sets ``event`` instead of raising
    KeyboardInterrupt: the chat leaves the way /quit does."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, event.set)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def stdout_screen(clock: Clock, stream: TextIO | None = None, tty: bool | None = None) -> Screen:
    """The screen for ``stream`` (standard output): redrawn in place on a TTY, else lines."""
    out = stream or sys.stdout
    is_tty = out.isatty() if tty is None else tty

    def write_raw(text: str) -> None:
        out.write(text)
        out.flush()

    if is_tty:
        return TtyScreen(write_raw, lambda: shutil.get_terminal_size().columns)
    return LineScreen(lambda text: write_raw(text + "\n"), clock)
