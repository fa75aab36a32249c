"""Terminal transport: the same flows and database, in a terminal, for trying Between in a minute.

Buttons become numbered choices; typing a number presses that button. Scales take the number
itself; free-text questions take the line as written. ``/skip``, ``/back`` and ``/cancel`` work
as in Telegram; ``/quit`` (or Ctrl-D) leaves, and everything is kept for next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.chat.turn import ButtonPressed, CommandReceived, Event, Sender, TextReceived
from bot.core.messages import Attachment, Button, Outgoing, Purpose
from bot.runtime.wiring import Runtime, tick, timer_work
from storage import StorageError

log = logging.getLogger(__name__)

TRANSPORT = "terminal"
LOCAL_USER = "local"

BANNER = (
    "Between — terminal chat (no TELEGRAM_BOT_TOKEN is set).\n"
    "Your answers are saved in {database}.\n"
    "To run in Telegram instead, put TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env "
    "and run the same command again.\n"
    "Type /help for what we can do, /quit to leave.\n"
)
SCALE_HINT = "  (type a number from {low} to {high}{skip})"
CHOICE_HINT = "  (type a number{many})"
MANY_HINT = " — or several, like 1 3 — then the number for Done"
TEXT_HINT = "  (type your answer{skip})"
TIMER_HINT = "  (type {stop} to stop early)"
SKIP_HINT = ", or /skip"

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]


async def read_stdin_line() -> str | None:
    """One line from standard input without blocking the event loop; ``None`` at end of input."""
    if sys.stdin.isatty():
        print("> ", end="", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    return None if line == "" else line.rstrip("\n")


def write_stdout(text: str) -> None:
    print(text, flush=True)


class TerminalSink:
    """Prints outbox messages; remembers the open prompt's buttons so numbers can press them."""

    def __init__(self, write: Write, files: Path | None = None) -> None:
        self._write = write
        self._files = files
        """Where attachments (an export) are saved; None: only named."""
        self._next_id = 0
        self.buttons: tuple[Button, ...] = ()
        self.expects: str | None = None
        self.quiet = False  # while several typed numbers are pressed, show only the last result

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        self._next_id += 1
        if message.purpose is Purpose.CLOSE_PROMPT:
            return message.edit_of
        if message.purpose is Purpose.TIMER:  # a live message moved on: print what is new
            if message.text and len(message.buttons) > 1:
                self._write(self._render_prompt(message))
            elif message.text:
                self._write(message.text + "\n")
            self._answerable(message)
            return message.edit_of
        if message.purpose in (Purpose.PROMPT, Purpose.UPDATE_PROMPT):
            if not (self.quiet and message.purpose is Purpose.UPDATE_PROMPT):
                self._write(self._render_prompt(message))
            self._answerable(message)
            return message.edit_of or str(self._next_id)
        if message.text:
            self._write(message.text + "\n")
        if message.attachment is not None:
            self._write(f"[{message.attachment.kind}: {self._save(message.attachment)}]\n")
        return str(self._next_id)

    def _save(self, attachment: Attachment) -> str:
        """Write a file the bot sends (an export) next to the database; say where it is."""
        if self._files is None:
            return attachment.filename
        self._files.mkdir(parents=True, exist_ok=True)
        path = self._files / Path(attachment.filename).name  # never a path from the message
        path.write_bytes(attachment.content)
        path.chmod(0o600)
        return f"saved as {path}"

    def _answerable(self, message: Outgoing) -> None:
        """Typed numbers now press this message's buttons."""
        self.buttons = tuple(b for row in message.buttons for b in row)
        self.expects = message.expects

    def _render_prompt(self, message: Outgoing) -> str:
        lines = [message.text or ""]
        skip = SKIP_HINT if message.optional else ""
        buttons = [b for row in message.buttons for b in row]
        if message.expects == "scale":
            values = [int(b.label) for b in buttons if b.label.lstrip("-").isdigit()]
            lines.append(SCALE_HINT.format(low=min(values), high=max(values), skip=skip))
        elif message.expects in ("choice", "multi_choice"):
            lines += [f"  {number}) {b.label}" for number, b in enumerate(buttons, start=1)]
            many = MANY_HINT if message.expects == "multi_choice" else ""
            lines.append(CHOICE_HINT.format(many=many))
        elif message.expects == "text":
            lines.append(TEXT_HINT.format(skip=skip))
        elif message.expects == "timer" and len(buttons) > 1:  # a check-in
            lines += [f"  {number}) {b.label}" for number, b in enumerate(buttons, start=1)]
        elif message.expects == "timer":
            lines.append(TIMER_HINT.format(stop=len(buttons)))
        return "\n".join(lines)

    def presses_for(self, line: str) -> list[ButtonPressed] | None:
        """Numbers typed at a choice prompt press those buttons, in order."""
        if self.expects not in ("choice", "multi_choice", "timer"):
            return None
        parts = line.replace(",", " ").split()
        if not parts or not all(p.isdigit() and 1 <= int(p) <= len(self.buttons) for p in parts):
            return None
        return [ButtonPressed(self.buttons[int(p) - 1].data) for p in parts]


class TerminalChat:
    """Runs one local client's chat against the runtime until end of input or /quit."""

    def __init__(self, runtime: Runtime, read_line: ReadLine, write: Write) -> None:
        self._runtime = runtime
        self._read_line = read_line
        self._write = write
        location = Path(runtime.database.location or ".")
        files = location.parent / "exports" if runtime.database.is_sqlite and location.name else None
        self._sink = TerminalSink(write, files)
        self._sender = Sender(TRANSPORT, LOCAL_USER, LOCAL_USER)

    async def _send(self, event: Event) -> None:
        handled = await self._runtime.conversations.handle(self._sender, event)
        if handled.notice:
            self._write(handled.notice + "\n")
        await self._runtime.courier.deliver(TRANSPORT, LOCAL_USER, handled.replies)
        await self._runtime.courier.flush()

    async def run(self) -> None:
        self._write(BANNER.format(database=self._runtime.database.location))
        self._runtime.courier.register(TRANSPORT, self._sink)
        loop = asyncio.get_running_loop()
        tickers = [
            loop.create_task(self._tick_forever(), name="terminal-ticker"),
            loop.create_task(self._timers_forever(), name="terminal-timers"),
        ]
        try:
            await tick(self._runtime)  # anything left undelivered by a previous run
            await self._send(CommandReceived("start"))
            while (line := await self._read_line()) is not None:
                line = line.strip()
                if not line:
                    continue
                if line.lower() in ("/quit", "/exit"):
                    break
                events = self._events_for(line)
                for number, event in enumerate(events, start=1):
                    self._sink.quiet = number < len(events)
                    await self._send(event)
                self._sink.quiet = False
            self._write("Bye for now — everything is saved.")
        finally:
            for ticker in tickers:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            self._runtime.courier.unregister(TRANSPORT)

    async def _tick_forever(self) -> None:
        """Scheduled prompts show up in the terminal too (the ticker's interval is a setting)."""
        while True:
            await asyncio.sleep(self._runtime.settings.scheduler_tick_seconds)
            try:
                await tick(self._runtime)
            except StorageError:
                log.exception("scheduler tick failed; the next one retries")

    async def _timers_forever(self) -> None:
        """Timers run in real time here too: a countdown line, a breathing phase, a check-in."""
        while True:
            await asyncio.sleep(self._runtime.settings.timer_tick_seconds)
            try:
                if await timer_work(self._runtime):
                    await self._runtime.courier.deliver_due()
            except StorageError:
                log.exception("timer tick failed; the next one retries")

    def _events_for(self, line: str) -> list[Event]:
        if line.startswith("/"):
            head, _, args = line.partition(" ")
            return [CommandReceived(head[1:], args.strip())]
        presses = self._sink.presses_for(line)
        if presses is not None:
            return list(presses)
        return [TextReceived(line)]
