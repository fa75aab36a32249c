"""The terminal chat as the runtime sees it (``bot.transports.messenger``): never configured
beside the messengers, it is the chat on this machine when none of them is."""

from __future__ import annotations

from bot.transports.messenger import Host, Messenger, ReadLine, Write

TRANSPORT = "terminal"


async def chat_here(host: Host, read_line: ReadLine | None, write: Write | None) -> None:
    """The terminal chat until end of input or /quit (on this process's standard input and
    output unless told otherwise); everything is kept."""
    from bot.transports.terminal.chat import TerminalChat, read_stdin_line, write_stdout

    chat = TerminalChat(
        host.gateway,
        host.database,
        host.clock,
        read_line or read_stdin_line,
        write or write_stdout,
        turned_on_by=host.turned_on_by,
    )
    host.courier.register(TRANSPORT, chat.sink)
    try:
        await chat.run(catch_up=host.catch_up, background=host.background)
    finally:
        host.courier.unregister(TRANSPORT)


TERMINAL = Messenger(name=TRANSPORT, chat_here=chat_here)
