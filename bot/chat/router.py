"""One table of commands and one of button-data prefixes: the features register, the chat routes.

A feature (practice, safety, scheduling, and the chat's own journal, drafts, privacy…) adds its
commands and buttons to a :class:`Router` when the runtime is wired; the conversation service
looks them up here and never imports a feature. The command menu and ``/help`` are built from the
same table, so a command is added in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.chat.turn import Turn
from bot.core.errors import RouteConflict
from bot.core.formatting import sentence
from bot.core.i18n import _
from storage import OpenConversation

if TYPE_CHECKING:
    from bot.chat.flow_runner import FlowRunner


class Audience(StrEnum):
    """Who may use a command: clients (and anyone not a therapist), therapists, or everyone."""

    CLIENTS = "clients"
    THERAPISTS = "therapists"
    EVERYONE = "everyone"


@dataclass(slots=True)
class Context:
    """What a command or button handler works with: the turn, the open conversation (if any),
    the flow runner, and the command's words or the button's data."""

    turn: Turn
    current: OpenConversation | None
    runner: FlowRunner
    args: str = ""
    data: str = ""
    message_id: str | None = None
    """The message the pressed button was on."""


CommandHandler = Callable[[Context], Awaitable[None]]
ButtonHandler = Callable[[Context], Awaitable[str | None]]
"""A button handler returns a short notice for the client's button spinner, or None."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    """One line for the command menu and /help (the client's words); empty: not in the menu."""
    handle: CommandHandler
    audience: Audience = Audience.EVERYONE
    help: str = ""
    """Its line in the client's /help; empty: not listed there."""
    homework: bool = False
    """A homework type's command (listed with the homework types, in the registry's order)."""
    before_consent: bool = False
    """Works for a client who has not agreed to the current consent text yet (export, erasure)."""

    def described(self) -> str:
        """Its description in the language being read (a homework type's, as a sentence)."""
        return sentence(_(self.description))

    def help_line(self) -> str:
        """Its /help line in the language being read (a homework type's names its command)."""
        return (
            _(self.help).format(command=self.name, description=_(self.description))
            if self.homework
            else _(self.help)
        )


@dataclass(frozen=True, slots=True)
class ButtonRoute:
    prefix: str
    handle: ButtonHandler
    before_consent: bool = False
    """Works for a client who has not agreed to the current consent text yet (the crisis
    message's buttons, erasure)."""


class Router:
    """The command table and the button table, filled in by the features at wiring time."""

    def __init__(self) -> None:
        self._commands: dict[tuple[str, Audience], Command] = {}
        self._order: list[Command] = []
        self._buttons: list[ButtonRoute] = []
        self.menu_order: tuple[str, ...] = ()
        """Names in the order menus and /help show them; homework commands stand where
        :data:`HOMEWORK` does, in the order they were added; others follow at the end."""

    def command(self, command: Command) -> None:
        key = (command.name, command.audience)
        if key in self._commands:
            raise RouteConflict(f"/{command.name} is registered twice")
        self._commands[key] = command
        self._order.append(command)

    def button(self, route: ButtonRoute) -> None:
        for other in self._buttons:
            if other.prefix.startswith(route.prefix) or route.prefix.startswith(other.prefix):
                raise RouteConflict(f"button prefixes {other.prefix!r} and {route.prefix!r} overlap")
        self._buttons.append(route)

    def find_command(self, name: str, *, therapist: bool) -> Command | None:
        """The therapist's own command first (for a therapist), then the one for everyone, then
        the clients' (which therapists may use too: they can practise like anyone)."""
        order = (
            (Audience.THERAPISTS, Audience.EVERYONE, Audience.CLIENTS)
            if therapist
            else (
                Audience.EVERYONE,
                Audience.CLIENTS,
            )
        )
        return next((c for a in order if (c := self._commands.get((name, a))) is not None), None)

    def knows(self, name: str) -> bool:
        return any(key[0] == name for key in self._commands)

    def find_button(self, data: str) -> ButtonRoute | None:
        return next((r for r in self._buttons if data.startswith(r.prefix)), None)

    def passes_consent_gate(self, *, button: str | None = None, command: str | None = None) -> bool:
        """What a client may do before agreeing to the current consent text: answer the crisis
        message, take their data, or erase it."""
        if button is not None:
            route = self.find_button(button)
            return route is not None and route.before_consent
        return any(c.before_consent for (name, _), c in self._commands.items() if name == command)

    def commands_for(self, audience: Audience) -> list[Command]:
        """The commands one audience sees (in menus and help), in menu order."""
        shown = [c for c in self._order if c.audience in (audience, Audience.EVERYONE)]
        rank = {name: index for index, name in enumerate(self.menu_order)}
        homework = rank.get(HOMEWORK, len(rank))
        return sorted(shown, key=lambda c: homework if c.homework else rank.get(c.name, len(rank)))


HOMEWORK = "(homework)"
"""Where the homework types' commands stand in :attr:`Router.menu_order`."""

BUTTON_FIELD_SEPARATOR = ":"


def button_fields(data: str, prefix: str) -> list[str]:
    """The fields of button data after its prefix (``"cf:12:7"`` → ``["12", "7"]``): one reader
    for every prefix, so none parses its data its own way."""
    return data.removeprefix(prefix).split(BUTTON_FIELD_SEPARATOR)


def button_data(prefix: str, *fields: object) -> str:
    """Button data for a prefix and its fields; the inverse of :func:`button_fields`."""
    return prefix + BUTTON_FIELD_SEPARATOR.join(str(f) for f in fields)
