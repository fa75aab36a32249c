"""The in-process Signal rig: the real runtime, the Signal transport and the fake signal-cli
daemon on one clock (the test's); reconnecting is immediate (the transport's sleep is injected)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.practice.admission import consent_version
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from bot.transports.signal.app import SignalConfig, SignalTransport, signal_running
from bot.transports.signal.texts import PRIVACY_NOTE
from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import FakeSignalCli, FakeSignalUser

ACCOUNT = "+15550100000"


async def _no_wait(_: float) -> None:
    await asyncio.sleep(0)


@dataclass
class SignalRig:
    daemon: FakeSignalCli
    runtime: Runtime
    transport: SignalTransport
    clock: FakeClock

    async def client(self, name: str = "Alex") -> FakeSignalUser:
        """A Signal user who joined and agreed to the consent text (as an invitation leaves them)."""
        user = self.daemon.user(name)
        async with self.runtime.database.transaction() as tx:
            person = await tx.people.create("signal", user.uuid, user.uuid, "UTC", self.clock())
            await tx.clients.record_consent(person.id, consent_version(PRIVACY_NOTE), self.clock())
        return user


@asynccontextmanager
async def signal_rig(settings_for: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[SignalRig]:
    async with FakeSignalCli(ACCOUNT, clock=clock) as daemon:
        settings = settings_for(signal_account=ACCOUNT, signal_cli_address=daemon.address)
        async with open_runtime(settings, clock) as runtime:
            config = SignalConfig(ACCOUNT, daemon.address, send_interval=0, send_rate=0)
            async with signal_running(
                config, runtime.gateway, runtime.courier, runtime.database, clock, sleep=_no_wait
            ) as transport:
                with runtime.transports.running("signal", transport.links):
                    yield SignalRig(daemon, runtime, transport, clock)
