"""The Signal transport: one connection to signal-cli, envelopes in, the sink registered.

Started and stopped in pairs by the runtime, which hands in the gateway, the courier, the
database (the typed-choice mapping) and the clock. An address nobody answers at start-up is one
:class:`ConfigurationError` line; a daemon lost later is retried (``rpc``) while the rest of
the process (Telegram, the scheduler) goes on, and :meth:`SignalTransport.status` says so.

Envelopes are handled one at a time, in the order read, each committed before the next.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.chat import texts
from bot.chat.turn import CommandReceived, Recipient
from bot.core.clock import Clock
from bot.core.errors import ConfigurationError, DeliveryError
from bot.core.i18n import _, reading
from bot.core.messages import Outgoing
from bot.core.statuses import Role
from bot.delivery.courier import Courier
from bot.delivery.gateway import Gateway
from bot.delivery.pacing import Pacer
from bot.transports.plain import PlainChoices
from bot.transports.signal.attachments import forget_attachments, signal_cli_attachments
from bot.transports.signal.breathing import BreathingGuide
from bot.transports.signal.identity import therapist_teller
from bot.transports.signal.inbound import Incoming, Translator, command_in, group_chat, incoming
from bot.transports.signal.messenger import TRANSPORT, SignalLinks
from bot.transports.signal.rpc import Address, RpcClient, Sleep
from bot.transports.signal.sink import SignalSink
from storage import Database

log = logging.getLogger(__name__)

ALWAYS_KNOWN = ("start", "help", "skip", "back", "cancel", "link")
"""Words read as commands without a slash even before the command menu is asked."""


@dataclass(frozen=True, slots=True)
class SignalConfig:
    account: str
    """The practice's number, +E.164 (signal-cli's ``-a``)."""
    address: str
    send_interval: float = 1.0
    send_rate: float = 1.0
    trust_new_identities: bool = False
    attachments: Path | None = field(default_factory=signal_cli_attachments)
    """signal-cli's attachment folder: what a client sent is deleted from it once read."""


class SignalTransport:
    """Receives from signal-cli and hands each message to the gateway."""

    def __init__(
        self,
        config: SignalConfig,
        gateway: Gateway,
        database: Database,
        clock: Clock,
        sleep: Sleep,
        wake: Callable[[], None],
    ) -> None:
        self.config = config
        self._gateway = gateway
        self._database = database
        choices = PlainChoices(database, TRANSPORT, clock)
        self.client = RpcClient(Address.parse(config.address), self.on_receive, sleep=sleep)
        pacer = Pacer(rate=config.send_rate, chat_interval=config.send_interval, chat_burst=1)
        self.sink = SignalSink(
            self.client.call,
            choices,
            clock,
            database,
            pacer=pacer,
            sleep=sleep,
            trust_new_identities=config.trust_new_identities,
            on_identity_changed=therapist_teller(database, clock, wake),
            guide=BreathingGuide(database),
        )
        self._translator = Translator(
            choices, self.sink.versions, gateway.therapist_commands(), therapist_in(database)
        )
        self.links = SignalLinks(config.account)
        self._known = frozenset(ALWAYS_KNOWN) | {name.lower() for name, _ in gateway.commands()}

    async def on_receive(self, params: dict[str, Any]) -> None:
        message = incoming(params, None)
        if message is None:
            return
        try:
            await self._handle(message)
        finally:
            forget_attachments(self.config.attachments, message.data)

    async def _handle(self, message: Incoming) -> None:
        if message.group_id is not None:
            await self._in_group(message, message.group_id)
            return
        sender = self._translator.sender(message)
        await self._gateway.sent_so_far(sender)  # "1" answers the question being sent, once it is
        events = await self._translator.events(message, self._known)

        async def notice(text: str | None) -> None:
            if text:
                await self._say(sender.chat_id, text)

        for number, event in enumerate(events, start=1):
            last = number == len(events)  # "1 3": one envelope, the id is written with the last
            await self._gateway.handle(sender, event, message.timestamp if last else None, notice=notice)

    async def _in_group(self, message: Incoming, group_id: str) -> None:
        """``link CODE`` links the group as a therapist's digest chat; other commands are
        answered "private chats only"; anything else there is not for us."""
        text = message.data.get("message")
        command = command_in(text, self._known) if isinstance(text, str) else None
        if command is None or message.edited:
            return
        chat = group_chat(group_id)
        if command.name.lower() == "link":
            recipient = Recipient(TRANSPORT, chat)
            await self._gateway.link_chat(recipient, message.group_name, message.uuid, command.args.strip())
        elif isinstance(command, CommandReceived):
            with reading(await self._language_of(message.uuid)):
                await self._say(chat, _(texts.PRIVATE_ONLY))

    async def _language_of(self, uuid: str) -> str | None:
        """The language of the person who wrote (None: someone we have no row for)."""
        async with self._database.transaction() as tx:
            person = await tx.people.find(TRANSPORT, uuid)
        return person.language if person is not None else None

    async def _say(self, chat_id: str, text: str) -> None:
        """A short notice straight to the chat (an expired answer, "private chats only")."""
        try:
            await self.sink.deliver(chat_id, Outgoing(text=text))
        except DeliveryError as error:
            log.info("signal notice to %s not shown: %s", chat_id, type(error).__name__)

    def status(self) -> dict[str, object]:
        """What ``between status`` shows: connected or not, a pause, a captcha, safety numbers."""
        paused = self.sink.pause.remaining()
        return {
            "connected": self.client.connected.is_set(),
            "address": str(self.client.address),
            "failed_connects": self.client.failures,
            "paused_seconds": round(paused) if paused else 0,
            "captcha": self.sink.told.captcha,
            "safety_numbers_changed": len(self.sink.told.identity_changed),
        }


def therapist_in(database: Database) -> Callable[[str], Awaitable[bool]]:
    """``is_therapist(chat_id)``: whether the person writing in that chat is a therapist."""

    async def is_therapist(chat_id: str) -> bool:
        async with database.transaction() as tx:
            person = await tx.people.find(TRANSPORT, chat_id)
        return person is not None and person.role == Role.THERAPIST

    return is_therapist


@asynccontextmanager
async def signal_running(
    config: SignalConfig,
    gateway: Gateway,
    courier: Courier,
    database: Database,
    clock: Clock,
    *,
    sleep: Sleep = asyncio.sleep,
) -> AsyncIterator[SignalTransport]:
    """Connect to signal-cli and subscribe; the sink is registered while the block runs."""
    transport = SignalTransport(config, gateway, database, clock, sleep, courier.wake)
    await transport.sink.told.recall()
    try:
        await transport.client.start()
    except OSError as error:
        raise ConfigurationError(
            f"cannot reach signal-cli at {config.address} ({type(error).__name__}): start it with "
            f"`signal-cli -a {config.account} daemon --tcp {config.address} --receive-mode=manual` "
            "(or fix SIGNAL_CLI_ADDRESS)"
        ) from None
    courier.register(TRANSPORT, transport.sink)
    try:
        yield transport
    finally:
        courier.unregister(TRANSPORT)
        await transport.client.stop()
