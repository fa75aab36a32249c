"""Signal as the runtime sees it (``bot.transports.messenger``): configured by the practice's
number, run through signal-cli's daemon, joined by ``start CODE`` sent to that number."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.core.i18n import N_, _
from bot.transports.messenger import Host, Messenger, Running, Settings, own_settings
from bot.transports.signal import texts
from bot.transports.signal.settings import SignalSettings

log = logging.getLogger(__name__)

TRANSPORT = "signal"
REPEAT_WINDOW = 1
"""A repeat is the very envelope handled last (its sender's timestamp); Signal numbers
messages by the sender's clock, so an older timestamp can be a new message."""
MODE = "Between starts in Signal mode (signal-cli at {address}). Stop it with Ctrl-C."


def own(settings: Settings) -> SignalSettings:
    return own_settings(settings, SignalSettings)


def chat_link(account: str) -> str:
    """Opens a chat with the practice's number (``signal.me``)."""
    return f"https://signal.me/#p/{account}"


class SignalLinks:
    """Signal has no deep links with a payload: the way in is ``start CODE`` sent to the
    practice's number, which a ``signal.me`` link opens a chat with."""

    def __init__(self, account: str) -> None:
        self.account = account

    def start_link(self, code: str) -> str | None:
        """The way in, in the language being read (the therapist's, who passes it on)."""
        return _(texts.JOIN).format(code=code, number=self.account, link=chat_link(self.account))


@asynccontextmanager
async def running(host: Host, settings: Settings) -> AsyncIterator[Running]:
    """Receive from signal-cli until the block ends (with the background runner, if handed one)."""
    from bot.transports.signal.app import SignalConfig, signal_running

    mine = own(settings)
    assert mine.signal_account is not None
    config = SignalConfig(
        account=mine.signal_account,
        address=mine.signal_cli_address,
        send_interval=mine.signal_send_interval_seconds,
        send_rate=mine.signal_send_rate_per_second,
        trust_new_identities=mine.signal_trust_new_identities,
    )
    async with signal_running(config, host.gateway, host.courier, host.database, host.clock) as transport:
        log.info("receiving Signal messages for the practice's number through %s", transport.client.address)
        async with host.background() if host.background is not None else contextlib.nullcontext():
            yield Running(transport.links, transport.status)


def starting(settings: Settings) -> str:
    return MODE.format(address=own(settings).signal_cli_address)


async def registration_link(settings: Settings, code: str) -> str | None:
    account = own(settings).signal_account
    return SignalLinks(account).start_link(code) if account is not None else None


SIGNAL = Messenger(
    name=TRANSPORT,
    settings=SignalSettings,
    configured=lambda settings: own(settings).signal_account is not None,
    turned_on_by=N_("SIGNAL_ACCOUNT=<the practice's Signal number> (signal-cli running: see the README)"),
    running=running,
    starting=starting,
    registration_link=registration_link,
    join_labelled=texts.JOIN_LABELLED,
    privacy_note=texts.PRIVACY_NOTE,
    asks_language=True,
    repeat_window=REPEAT_WINDOW,
    prompt_jitter=lambda settings: own(settings).signal_prompt_jitter_seconds,
)
