"""Every messenger Between speaks, in one line: the only place outside a messenger's own folder
that names one (``tests/test_layers.py`` holds it to that). The runtime's settings, tables and
``between run`` are made from this tuple (``bot.transports.messenger``)."""

from __future__ import annotations

from bot.transports.messenger import Messenger, Settings
from bot.transports.signal.messenger import SIGNAL
from bot.transports.telegram.messenger import TELEGRAM
from bot.transports.terminal.messenger import TERMINAL

MESSENGERS: tuple[Messenger, ...] = (TELEGRAM, SIGNAL, TERMINAL)


def configured(settings: Settings) -> list[Messenger]:
    """The messengers the settings turn on, in the table's order (none: the chat here)."""
    return [messenger for messenger in MESSENGERS if messenger.configured(settings)]


def chat_here() -> Messenger:
    """The messenger that chats on this machine when none is configured."""
    return next(messenger for messenger in MESSENGERS if messenger.chat_here is not None)
