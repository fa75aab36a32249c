"""Terminal transport: the same flows and database, in a terminal, for trying Between in a minute.

Buttons become numbered choices (``bot.transports.plain``); typing a number presses that
button. Scales take the number itself; free-text questions take the line as written. ``/skip``,
``/back`` and ``/cancel`` work as in Telegram; ``/quit`` (or Ctrl-D) leaves, and everything is
kept for next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bot.chat.turn import CommandReceived, Event, Sender, TextReceived
from bot.core.clock import Clock
from bot.core.messages import Attachment, Outgoing, Purpose, TextLimit
from bot.delivery.gateway import Gateway
from bot.delivery.sink import Capabilities
from bot.transports.plain import PlainChoices, render_prompt
from storage import Database

TRANSPORT = "terminal"
LOCAL_USER = "local"
CAPABILITIES = Capabilities(TextLimit(1_000_000), buttons=False, edits=False, attachments=True)
"""A terminal prints anything; files are saved next to the database."""

BANNER = (
    "Between — terminal chat (no TELEGRAM_BOT_TOKEN is set).\n"
    "Your answers are saved in {database}.\n"
    "To run in Telegram instead, put TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env "
    "and run the same command again.\n"
    "Type /help for what we can do, /quit to leave.\n"
)

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]
Background = Callable[[], AbstractAsyncContextManager[object]]
CatchUp = Callable[[], Awaitable[None]]


async def read_stdin_line() -> str | None:
    """One line from standard input without blocking the event loop; ``None`` at end of input."""
    if sys.stdin.isatty():
        print("> ", end="", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    return None if line == "" else line.rstrip("\n")


def write_stdout(text: str) -> None:
    print(text, flush=True)


def exports_folder(database: Database) -> Path | None:
    """Where attachments (an export) are saved: next to a SQLite file; None: only named."""
    location = Path(database.location or ".")
    return location.parent / "exports" if database.is_sqlite and location.name else None


class TerminalSink:
    """Prints outbox messages; what the numbers of a question mean is kept in ``choices``."""

    capabilities = CAPABILITIES

    def __init__(self, write: Write, choices: PlainChoices, files: Path | None = None) -> None:
        self._write = write
        self._choices = choices
        self._files = files
        self._run = secrets.token_hex(3)
        """Message ids are unique across runs: a question from an earlier run is still stored."""
        self._next_id = 0
        self.quiet = False  # while several typed numbers are pressed, show only the last result

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        self._next_id += 1
        shown = self._show(message)
        await self._choices.shown(chat_id, shown, message)
        return shown

    def _show(self, message: Outgoing) -> str | None:
        new_id = f"{self._run}-{self._next_id}"
        if message.purpose is Purpose.CLOSE_PROMPT:
            return message.edit_of
        if message.purpose is Purpose.TIMER:  # a live message moved on: print what is new
            if message.text and len(message.buttons) > 1:
                self._write(render_prompt(message))
            elif message.text:
                self._write(message.text + "\n")
            return message.edit_of
        if message.purpose in (Purpose.PROMPT, Purpose.UPDATE_PROMPT):
            if not (self.quiet and message.purpose is Purpose.UPDATE_PROMPT):
                self._write(render_prompt(message))
            return message.edit_of or new_id
        if message.text:
            self._write(message.text + "\n")
        if message.attachment is not None:
            self._write(f"[{message.attachment.kind}: {self._save(message.attachment)}]\n")
        return new_id

    def _save(self, attachment: Attachment) -> str:
        """Write a file the bot sends (an export) next to the database; say where it is."""
        if self._files is None:
            return attachment.filename
        self._files.mkdir(parents=True, exist_ok=True)
        path = self._files / Path(attachment.filename).name  # never a path from the message
        path.write_bytes(attachment.content)
        path.chmod(0o600)
        return f"saved as {path}"


class TerminalChat:
    """Runs one local client's chat until end of input or /quit."""

    def __init__(
        self, gateway: Gateway, database: Database, clock: Clock, read_line: ReadLine, write: Write
    ) -> None:
        self._gateway = gateway
        self._location = database.location
        self._read_line = read_line
        self._write = write
        self._choices = PlainChoices(database, TRANSPORT, clock)
        self.sink = TerminalSink(write, self._choices, exports_folder(database))
        self._sender = Sender(TRANSPORT, LOCAL_USER, LOCAL_USER, owner=True)

    async def _notice(self, notice: str | None) -> None:
        if notice:
            self._write(notice + "\n")

    async def _send(self, event: Event) -> None:
        await self._gateway.handle(self._sender, event, notice=self._notice)

    async def run(self, catch_up: CatchUp, background: Background | None = None) -> None:
        """Greet, ``catch_up`` on anything a previous run left, then chat with the background
        work (tickers, the drainer) running."""
        self._write(BANNER.format(database=self._location))
        await catch_up()
        async with background() if background is not None else contextlib.nullcontext():
            await self._send(CommandReceived("start"))
            while (line := await self._read_line()) is not None:
                line = line.strip()
                if not line:
                    continue
                if line.lower() in ("/quit", "/exit"):
                    break
                events = await self._events_for(line)
                for number, event in enumerate(events, start=1):
                    self.sink.quiet = number < len(events)
                    await self._send(event)
                self.sink.quiet = False
            self._write("Bye for now — everything is saved.")

    async def _events_for(self, line: str) -> list[Event]:
        if line.startswith("/"):
            head, _, args = line.partition(" ")
            return [CommandReceived(head[1:], args.strip())]
        presses = await self._choices.presses_for(LOCAL_USER, line)
        if presses is not None:
            return list(presses)
        return [TextReceived(line)]
