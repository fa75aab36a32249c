"""The JSON-RPC client against the fake signal-cli daemon: answers matched by id in any order,
manual receive (subscribe after every connect), a lost connection retried with a capped
backoff (the sleep is injected: nothing waits), and signal-cli's errors as delivery errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.transports.signal.rpc import (
    Address,
    DaemonUnavailable,
    PermanentReply,
    RateLimited,
    RpcClient,
    TransientReply,
    UntrustedIdentity,
)
from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import IDENTITY_FAILURE, RATE_LIMIT_FAILURE, FakeSignalCli


class Received:
    """The handler: what arrived, in order."""

    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    async def __call__(self, params: dict[str, Any]) -> None:
        self.params.append(params)
        self._changed.set()

    async def count(self, n: int) -> None:
        """Wait (5 s at most) until ``n`` notifications were handled."""
        async with asyncio.timeout(5):
            while len(self.params) < n:
                self._changed.clear()
                await self._changed.wait()

    def texts(self) -> list[str | None]:
        return [p["result"]["envelope"].get("dataMessage", {}).get("message") for p in self.params]


class NoWait:
    """An injected sleep: records the delays asked for and only yields."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._changed = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self._changed.set()
        await asyncio.sleep(0)

    async def count(self, n: int) -> None:
        async with asyncio.timeout(5):
            while len(self.delays) < n:
                self._changed.clear()
                await self._changed.wait()


@pytest_asyncio.fixture
async def daemon() -> AsyncIterator[FakeSignalCli]:
    async with FakeSignalCli(clock=FakeClock()) as fake:
        yield fake


async def _client(daemon: FakeSignalCli, received: Received, sleep: NoWait | None = None) -> RpcClient:
    client = RpcClient(Address.parse(daemon.address), received, sleep=sleep or NoWait(), max_delay=8.0)
    await client.start()
    return client


async def test_answers_out_of_order_reach_their_own_calls(daemon: FakeSignalCli) -> None:
    client = await _client(daemon, Received())
    try:
        daemon.reverse_next(2)
        version, groups = await asyncio.gather(client.call("version"), client.call("listGroups"))
        assert version == {"version": daemon.version}
        assert groups == []
        assert [c.method for c in daemon.calls[-2:]] == ["version", "listGroups"]
    finally:
        await client.stop()


async def test_messages_queued_while_away_arrive_after_subscribing_in_order(daemon: FakeSignalCli) -> None:
    alex = daemon.user("Alex")
    await alex.send("one")
    await alex.send("two")
    assert daemon.queued == 2  # manual receive: nothing read before a subscription
    received = Received()
    client = await _client(daemon, received)
    try:
        await received.count(2)
        assert received.texts() == ["one", "two"]
        assert daemon.calls[0].method == "subscribeReceive"
    finally:
        await client.stop()


async def test_a_dropped_connection_fails_the_call_in_flight_then_reconnects_and_subscribes(
    daemon: FakeSignalCli,
) -> None:
    received = Received()
    sleep = NoWait()
    client = await _client(daemon, received, sleep)
    alex = daemon.user("Alex")
    try:
        daemon.drop_on("send")
        with pytest.raises(DaemonUnavailable) as lost:
            await client.call("send", {"recipient": [alex.uuid], "message": "hello"})
        assert isinstance(lost.value, TransientDeliveryError)
        await daemon.wait_until(lambda: len(daemon.calls_to("subscribeReceive")) == 2)
        await asyncio.wait_for(client.connected.wait(), 5)
        await alex.send("after")
        await received.count(1)
        assert received.texts() == ["after"]
        assert sleep.delays == [0.5]
        assert client.failures == 0
    finally:
        await client.stop()


async def test_reconnect_backoff_doubles_and_is_capped(daemon: FakeSignalCli) -> None:
    sleep = NoWait()
    client = await _client(daemon, Received(), sleep)
    try:
        await daemon.refuse_connections()
        await sleep.count(7)
        assert sleep.delays[:7] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
        with pytest.raises(DaemonUnavailable):
            await client.call("version")
        await daemon.accept_connections()
        await asyncio.wait_for(client.connected.wait(), 5)
        assert await client.call("version") == {"version": daemon.version}
    finally:
        await client.stop()


async def test_rate_limit_carries_retry_after_and_the_captcha_token(daemon: FakeSignalCli) -> None:
    client = await _client(daemon, Received())
    alex = daemon.user("Alex")
    try:
        daemon.fail_next(RATE_LIMIT_FAILURE, recipient=alex, retry_after_seconds=60, token="captcha-1")
        with pytest.raises(RateLimited) as limited:
            await client.call("send", {"recipient": [alex.uuid], "message": "hello"})
        assert limited.value.retry_after == 60
        assert limited.value.token == "captcha-1"
        assert isinstance(limited.value, TransientDeliveryError)
    finally:
        await client.stop()


async def test_untrusted_identity_user_io_and_unknown_method_errors(daemon: FakeSignalCli) -> None:
    client = await _client(daemon, Received())
    alex = daemon.user("Alex")
    try:
        daemon.fail_next(IDENTITY_FAILURE, recipient=alex)
        with pytest.raises(UntrustedIdentity) as untrusted:
            await client.call("send", {"recipient": [alex.uuid], "message": "hello"})
        assert untrusted.value.results()[0]["recipientAddress"]["uuid"] == alex.uuid
        daemon.fail_next_rpc("send", -3, "Failed to connect to Signal's server")
        with pytest.raises(TransientReply):
            await client.call("send", {"recipient": [alex.uuid], "message": "hello"})
        with pytest.raises(PermanentReply) as unknown:
            await client.call("noSuchMethod")
        assert unknown.value.code == -32601
        assert isinstance(unknown.value, PermanentDeliveryError)
        with pytest.raises(PermanentReply):
            await client.call("send", {"recipient": [alex.uuid]})  # -1: an empty message
    finally:
        await client.stop()


async def test_unix_socket(tmp_path: Path) -> None:
    socket = tmp_path / "signal.sock"
    async with FakeSignalCli(clock=FakeClock(), unix_socket=socket) as daemon:
        client = RpcClient(Address.parse(f"unix:{socket}"), Received(), sleep=NoWait())
        await client.start()
        try:
            assert await client.call("version") == {"version": daemon.version}
        finally:
            await client.stop()


async def test_nobody_listening_is_an_os_error_at_start(daemon: FakeSignalCli) -> None:
    await daemon.refuse_connections()
    with pytest.raises(OSError):
        await RpcClient(Address.parse(daemon.address), Received(), sleep=NoWait()).start()


@pytest.mark.parametrize("text", ["7583", "host:", ":7583", "host:99999", "unix:"])
def test_bad_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Address.parse(text)
