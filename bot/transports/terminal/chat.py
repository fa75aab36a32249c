"""Terminal transport: the same flows and database, in a terminal, for trying Between in a minute.

Buttons become numbered choices (``bot.transports.plain``); typing a number (or a choice's
name) presses that button. Scales take the number itself; free-text questions take the line as
written. ``/skip``, ``/back`` and ``/cancel`` work as in Telegram; ``/quit``, Ctrl-D or Ctrl-C
leaves, and everything is kept for next time. A running timer is one live line
(``screen``); logs go to a file while the chat runs, and exports do not outlive it (``files``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from bot.chat.turn import CommandReceived, Event, Sender, TextReceived
from bot.core.clock import Clock
from bot.core.i18n import N_, _, every_language, reading
from bot.core.messages import Attachment, Outgoing, Purpose, TextLimit
from bot.delivery.gateway import Gateway
from bot.delivery.sink import Capabilities
from bot.transports.plain import GESTURES, PlainChoices, render_prompt
from bot.transports.terminal.files import Exports, data_folder, exports_folder, logs_to_file
from bot.transports.terminal.messenger import TRANSPORT
from bot.transports.terminal.screen import LineScreen, Screen
from bot.transports.terminal.stdio import StdinLines, ctrl_c_sets, stdout_screen
from flows.texts import BUTTON_SKIP
from storage import Database

LOCAL_USER = "local"
SKIP_WORD = "skip"
"""Typed alone, it skips an optional question as the questions say ("or type Skip"), as does
the Skip button's name in any language ("Überspringen"); a note that says only that is not
one anybody means to keep."""
CAPABILITIES = Capabilities(TextLimit(1_000_000), buttons=False, edits=False, attachments=True)
"""A terminal prints anything; files are saved next to the database while the chat runs."""

BANNER = N_(
    "Between — terminal chat (no messenger is configured).\n"
    "Your answers are saved in {database}.{logs}\n"
    "{switch}"
    "Type /help for what we can do, /quit (or Ctrl-C) to leave.\n"
)
"""The terminal's own words are in the practice's default language (DEFAULT_LANGUAGE); what
the chat says, and the goodbye, in the person's."""
LOGS_AT = N_(" Logs go to {path}.")
SWITCH = N_("To run in a messenger instead, put {settings} in .env and run the same command again.\n")
"""How to leave the terminal for a messenger: each one's setting that turns it on."""
SETTINGS_OR = N_(" or ")
SAVED = N_(
    "[{kind}: saved as {path} — copy it somewhere of your own: it is removed when you leave this chat]"
)
NOT_SAVED = N_("[{kind}: {name}]")
KINDS = {"document": N_("document"), "photo": N_("photo")}
GOODBYE = N_("Bye for now — everything is saved.")
QUIT_COMMANDS = ("/quit", "/exit")

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]
Background = Callable[[], AbstractAsyncContextManager[object]]
CatchUp = Callable[[], Awaitable[None]]


class StandardOutput:
    """The process's standard output: the chat makes it a screen that redraws a timer's line in
    place when it is a terminal (``stdio.stdout_screen``)."""

    def __call__(self, text: str) -> None:
        print(text, flush=True)


write_stdout = StandardOutput()
_stdin: StdinLines | None = None


async def read_stdin_line() -> str | None:
    """One line from standard input; ``None`` at end of input or after Ctrl-C."""
    global _stdin  # one reader for the process's one standard input
    if _stdin is None:
        _stdin = StdinLines(sys.stdin.fileno())
    return await _stdin()


def screen_for(write: Write | Screen, clock: Clock) -> Screen:
    """A screen as given, standard output's own, or lines appended by ``write``."""
    if isinstance(write, Screen):
        return write
    if isinstance(write, StandardOutput):
        return stdout_screen(clock)
    return LineScreen(write, clock)


class TerminalSink:
    """Prints outbox messages; what the numbers of a question mean is kept in ``choices``."""

    capabilities = CAPABILITIES

    def __init__(self, screen: Screen, choices: PlainChoices, exports: Exports) -> None:
        self._screen = screen
        self._choices = choices
        self.exports = exports
        self._run = secrets.token_hex(3)
        """Message ids are unique across runs: a question from an earlier run is still stored."""
        self._next_id = 0
        self._offered: dict[str, frozenset[int]] = {}
        """Per live message: the numbers it offered when last printed as a question."""
        self.quiet = False  # while several typed numbers are pressed, show only the last result
        self.language: str | None = None  # the person's, from the last message shown (for goodbye)

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        self._next_id += 1
        shown_id = self._id_for(message)
        numbers = await self._choices.shown(chat_id, shown_id, message)
        self._show(message, numbers, shown_id)
        if message.erased:
            self.exports.remove()
        return shown_id

    def _id_for(self, message: Outgoing) -> str | None:
        if message.purpose in (Purpose.CLOSE_PROMPT, Purpose.TIMER):
            return message.edit_of
        if message.purpose is Purpose.UPDATE_PROMPT and message.edit_of is not None:
            return message.edit_of
        return f"{self._run}-{self._next_id}"

    def _show(self, message: Outgoing, numbers: dict[str, int], shown_id: str | None) -> None:
        self.language = message.language or self.language
        if message.purpose is Purpose.CLOSE_PROMPT:  # what was chosen, or what happened to it
            if message.text:
                self._screen(GESTURES.speak(message.text.rsplit("\n\n", 1)[-1]) + "\n")
            return
        if message.purpose is Purpose.TIMER:
            self._frame(message, numbers, shown_id)
            return
        if message.purpose in (Purpose.PROMPT, Purpose.UPDATE_PROMPT):
            if not (self.quiet and message.purpose is Purpose.UPDATE_PROMPT):
                self._screen(render_prompt(message, numbers))
            if shown_id is not None:
                self._offered[shown_id] = frozenset(numbers.values())
            return
        if message.text:
            self._screen(GESTURES.speak(message.text) + "\n")
        if message.attachment is not None:
            with reading(message.language):
                self._screen(self._saved(message.attachment) + "\n")

    def _frame(self, message: Outgoing, numbers: dict[str, int], shown_id: str | None) -> None:
        """A live message moved on: a changed question (a check-in) is printed whole, with its
        numbers; otherwise the live line shows the frame and what stops it."""
        offered = frozenset(numbers.values())
        changed = shown_id is not None and self._offered.get(shown_id) != offered
        if shown_id is not None:
            self._offered[shown_id] = offered
        if changed and len(offered) > 1:
            self._screen(render_prompt(message, numbers))
        elif message.text:
            bare = Outgoing(text="", expects=message.expected, language=message.language)
            hint = render_prompt(bare, numbers).strip()
            self._screen.status(f"{message.text}\n{hint}" if len(offered) == 1 else message.text)

    def _saved(self, attachment: Attachment) -> str:
        path = self.exports.save(attachment)
        kind = _(KINDS[attachment.kind]) if attachment.kind in KINDS else attachment.kind
        if path is None:
            return _(NOT_SAVED).format(kind=kind, name=attachment.filename)
        return _(SAVED).format(kind=kind, path=path)


class TerminalChat:
    """Runs one local client's chat until end of input, /quit or Ctrl-C."""

    def __init__(
        self,
        gateway: Gateway,
        database: Database,
        clock: Clock,
        read_line: ReadLine,
        write: Write | Screen,
        turned_on_by: tuple[str, ...] = (),
    ) -> None:
        self._gateway = gateway
        self._turned_on_by = turned_on_by
        self._location = database.location
        self._folder = data_folder(database)
        self._read_line = read_line
        self._screen = screen_for(write, clock)
        self._own_screen = isinstance(write, StandardOutput)
        self._choices = PlainChoices(database, TRANSPORT, clock)
        self.sink = TerminalSink(self._screen, self._choices, Exports(exports_folder(database)))
        self._sender = Sender(TRANSPORT, LOCAL_USER, LOCAL_USER, owner=True)
        self._leave = asyncio.Event()
        """Set by Ctrl-C: the chat ends before the next line, as with /quit."""

    async def _notice(self, notice: str | None) -> None:
        if notice:
            self._screen(GESTURES.speak(notice) + "\n")

    async def _send(self, event: Event) -> None:
        await self._gateway.handle(self._sender, event, notice=self._notice)

    async def run(self, catch_up: CatchUp, background: Background | None = None) -> None:
        """Greet, ``catch_up`` on anything a previous run left, then chat with the background
        work (tickers, the drainer) running. Exports are removed when it ends, however it ends."""
        self.sink.exports.remove()  # left by a chat that was killed
        with logs_to_file(self._folder) if self._own_screen else contextlib.nullcontext() as log_file:
            logs = _(LOGS_AT).format(path=log_file) if log_file is not None else ""
            settings = _(SETTINGS_OR).join(_(setting) for setting in self._turned_on_by)
            switch = _(SWITCH).format(settings=settings) if self._turned_on_by else ""
            self._screen(_(BANNER).format(database=self._location, logs=logs, switch=switch))
            try:
                with ctrl_c_sets(self._leave) if self._own_screen else contextlib.nullcontext():
                    await catch_up()
                    async with background() if background is not None else contextlib.nullcontext():
                        await self._send(CommandReceived("start"))
                        await self._chat()
            finally:
                self.sink.exports.remove()
            with reading(self.sink.language):  # the person's language by now, if they chose one
                self._screen(_(GOODBYE))

    async def _chat(self) -> None:
        while (line := await self._next_line()) is not None:
            line = line.strip()
            if not line:
                continue
            if line.lower() in QUIT_COMMANDS:
                break
            events = await self._events_for(line)
            for number, event in enumerate(events, start=1):
                self.sink.quiet = number < len(events)
                await self._send(event)
            self.sink.quiet = False

    async def _next_line(self) -> str | None:
        """The next typed line; None at end of input or once Ctrl-C was pressed."""
        if self._leave.is_set():
            return None
        self._screen.prompt()
        reading = asyncio.ensure_future(self._read_line())
        leaving = asyncio.ensure_future(self._leave.wait())
        line: str | None = None
        try:
            await asyncio.wait({reading, leaving}, return_when=asyncio.FIRST_COMPLETED)
            line = reading.result() if reading.done() and not self._leave.is_set() else None
        finally:
            for task in (reading, leaving):
                task.cancel()
            self._screen.answered(typed=line is not None)
        return line

    async def _events_for(self, line: str) -> list[Event]:
        if line.startswith("/"):
            head, _, args = line.partition(" ")
            return [CommandReceived(head[1:], args.strip())]
        if line.strip().casefold() in _skip_words():  # the questions say "or type Skip"
            return [CommandReceived(SKIP_WORD)]
        presses = await self._choices.presses_for(LOCAL_USER, line)
        if presses is not None:
            return list(presses)
        return [TextReceived(line)]


def _skip_words() -> frozenset[str]:
    """What typed alone means /skip: "skip" and the Skip button's name in every language."""
    return frozenset({SKIP_WORD, *(word.casefold() for word in every_language(BUTTON_SKIP))})
