"""One messenger, described: what the runtime needs to run it, without ever naming it.

Each messenger's folder (``bot/transports/<name>/``) exports one :class:`Messenger`; the runtime
lists them in one tuple (``bot.runtime.messengers``) and asks each whether it is configured,
runs the configured ones side by side, and builds its tables (invitation lines, consent
paragraphs, repeat windows, paces) from the descriptions. A messenger's settings are its own:
a pydantic model of its fields and checks, read from the same environment and ``.env`` as the
rest (the runtime's settings are made of every messenger's). Adding a messenger is one folder
plus one line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic_settings import BaseSettings

from bot.core.clock import Clock
from bot.core.links import LinkMaker

if TYPE_CHECKING:  # only named here: reading the settings imports no database or delivery code
    from bot.delivery.courier import Courier
    from bot.delivery.gateway import Gateway
    from storage import Database

ReadLine = Callable[[], Awaitable[str | None]]
"""The next line typed in a chat kept on this machine; None at the end of input."""
Write = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Host:
    """What the runtime hands a messenger it runs (transports never import the runtime)."""

    gateway: Gateway
    courier: Courier
    database: Database
    clock: Clock
    background: Callable[[], AbstractAsyncContextManager[object]] | None
    """The background runner (tickers, the outbox drainer), when the messenger is to hold it
    (None: the runtime holds it for every messenger)."""
    catch_up: Callable[[], Awaitable[None]]
    """Scheduled work and the outbox, here and now (a chat on this machine starts with it)."""
    turn_to_poll: Callable[[], Awaitable[None]]
    """Returns once this process may poll (one poller among several processes)."""
    turned_on_by: tuple[str, ...] = ()
    """Every messenger's setting that turns it on (``Messenger.turned_on_by``), for the chat
    here to say how to leave it for a messenger."""


@dataclass(frozen=True, slots=True)
class Running:
    """A messenger while it runs: its link maker and how it is doing (``between status``)."""

    links: LinkMaker
    status: Callable[[], dict[str, object]]


Settings = BaseSettings
"""The runtime's settings, made of every messenger's own (:func:`own_settings` narrows them)."""
Own = TypeVar("Own", bound=BaseSettings)


def own_settings(settings: Settings, model: type[Own]) -> Own:
    """The runtime's settings, as a messenger's own ``model`` (they are made of every one's)."""
    assert isinstance(settings, model), f"the runtime's settings hold {model.__name__}"
    return settings


async def _no_link(settings: Settings, code: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Messenger:
    """A messenger as the runtime sees it; every field says one thing the runtime needs."""

    name: str
    """The transport's name in the database (``people.transport``, the outbox)."""
    settings: type[BaseSettings] | None = None
    """Its own settings (fields and checks); None: it has none."""
    configured: Callable[[Settings], bool] = lambda settings: False
    """Whether the settings ask for it to run (``between run`` runs every configured one)."""
    running: Callable[[Host, Settings], AbstractAsyncContextManager[Running]] | None = None
    """Runs it beside the others while the block runs (its sink registered meanwhile)."""
    chat_here: Callable[[Host, ReadLine | None, Write | None], Awaitable[None]] | None = None
    """A chat on this machine, run when no messenger is configured (until end of input; on
    the process's standard input and output unless others are given)."""
    turned_on_by: str = ""
    """The setting that turns it on, as a person puts it in ``.env``."""
    starting: Callable[[Settings], str] = lambda settings: ""
    """The line ``between run`` prints as it starts it."""
    registration_link: Callable[[Settings, str], Awaitable[str | None]] = _no_link
    """How a therapist registers with a code here (``between therapist add``)."""
    join_labelled: str = "{link}"
    """How its line of an invitation starts when several messengers run."""
    privacy_note: str = ""
    """Its paragraph of the consent text: what it keeps, whether it is end-to-end encrypted."""
    asks_language: bool = False
    """It tells us nothing of a person's language (Telegram sends ``language_code``; Signal
    nothing): a newcomer is asked theirs before the consent text (``bot.chat.language``)."""
    repeat_window: int = 0
    """How far below a person's newest handled update id an id is still a repeat."""
    prompt_jitter: Callable[[Settings], float] = lambda settings: 0.0
    """Seconds its scheduled prompts are spread over (0: sent when due), so that prompts due at
    one time do not reach it as one burst; replies and crisis messages never wait for it."""
