"""The fake signal-cli daemon is only useful if it behaves like the real one.

A tiny JSON-RPC client written here (no library) talks to it over TCP and a Unix socket and
checks what the Signal transport will rely on: answers matched by id and out of order,
notifications, batches, manual receive with queueing across disconnects, the envelope and
result shapes of signal-cli's JSON classes, Signal's edit and long-text rules, injected
errors, and the users' view of what the bot sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import (
    IDENTITY_FAILURE,
    LONG_TEXT_TYPE,
    NETWORK_FAILURE,
    RATE_LIMIT_FAILURE,
    SUCCESS,
    FakeSignalCli,
    data_uri,
)

pytestmark = pytest.mark.asyncio

ACCOUNT = "+15550100000"
ACCOUNT_UUID = "00000000-0000-4000-8000-000000000001"
WAIT = 5.0


class RpcFailure(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error['code']}: {error['message']}")
        self.code: int = error["code"]
        self.message: str = error["message"]
        self.data: Any = error.get("data")


class RpcClient:
    """Line-delimited JSON-RPC 2.0 over a stream: requests matched to answers by id."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.lines: list[Any] = []
        self.answer_order: list[Any] = []
        self.notifications: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.closed = asyncio.Event()
        self._pending: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self._batches: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
        self._unrouted: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._task = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def tcp(cls, port: int) -> RpcClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
        return cls(reader, writer)

    @classmethod
    async def unix(cls, path: Path) -> RpcClient:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=2**24)
        return cls(reader, writer)

    async def _read(self) -> None:
        try:
            while line := await self.reader.readline():
                message = json.loads(line)
                self.lines.append(message)
                if isinstance(message, list):
                    await self._batches.put(message)
                elif "method" in message:
                    await self.notifications.put(message)
                elif message.get("id") in self._pending:
                    self.answer_order.append(message["id"])
                    self._pending.pop(message["id"]).set_result(message)
                else:
                    await self._unrouted.put(message)
        except ConnectionError:
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionResetError("daemon closed the connection"))
            self.closed.set()

    def write(self, payload: Any) -> None:
        raw = payload if isinstance(payload, str) else json.dumps(payload)
        self.writer.write(raw.encode() + b"\n")

    def request(self, method: str, params: Any = None) -> asyncio.Future[dict[str, Any]]:
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        payload: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": request_id}
        if params is not None:
            payload["params"] = params
        self.write(payload)
        return future

    async def call(self, method: str, params: Any = None) -> Any:
        answer = await asyncio.wait_for(self.request(method, params), WAIT)
        if "error" in answer:
            raise RpcFailure(answer["error"])
        return answer["result"]

    def notify(self, method: str, params: Any = None) -> None:
        payload: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = params
        self.write(payload)

    async def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.write(requests)
        return await asyncio.wait_for(self._batches.get(), WAIT)

    async def unrouted(self) -> dict[str, Any]:
        """The next answer no request waits for (errors with id null)."""
        return await asyncio.wait_for(self._unrouted.get(), WAIT)

    async def next_receive(self) -> dict[str, Any]:
        notification = await asyncio.wait_for(self.notifications.get(), WAIT)
        assert notification["method"] == "receive"
        return notification["params"]  # type: ignore[no-any-return]

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
        await self._task


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def daemon(clock: FakeClock) -> AsyncIterator[FakeSignalCli]:
    async with FakeSignalCli(ACCOUNT, account_uuid=ACCOUNT_UUID, clock=clock) as fake:
        yield fake


@pytest_asyncio.fixture
async def client(daemon: FakeSignalCli) -> AsyncIterator[RpcClient]:
    rpc = await RpcClient.tcp(daemon.port)
    yield rpc
    await rpc.close()


def _ms(clock: FakeClock) -> int:
    return int(clock.now.timestamp() * 1000)


# ---------------------------------------------------------------------- JSON-RPC framing


async def test_version_and_unknown_method(daemon: FakeSignalCli, client: RpcClient) -> None:
    assert daemon.address == f"127.0.0.1:{daemon.port}"
    assert await client.call("version") == {"version": "0.14.6"}
    with pytest.raises(RpcFailure) as failure:
        await client.call("sendPaymentNotification", {"recipient": ["+1"]})
    assert (failure.value.code, failure.value.message, failure.value.data) == (
        -32601,
        "Method not implemented",
        None,
    )
    [call] = daemon.calls_to("version")
    assert call.answered and call.result == {"version": "0.14.6"}


async def test_malformed_input_gets_errors_with_null_id(client: RpcClient) -> None:
    client.write("{not json")
    parse = await client.unrouted()
    assert parse["error"]["code"] == -32700 and parse["id"] is None
    client.write({"jsonrpc": "2.0", "id": 99})
    missing = await client.unrouted()
    assert missing == {
        "jsonrpc": "2.0",
        "error": {"code": -32600, "message": "method field must be set", "data": None},
        "id": 99,
    }
    client.write({"jsonrpc": "1.0", "method": "version", "id": 98})
    old = await client.unrouted()
    assert old["error"]["message"] == "only jsonrpc version 2.0 is supported"
    client.write([])
    empty = await client.unrouted()
    assert empty["error"]["code"] == -32600 and empty["id"] is None


async def test_held_answers_come_back_out_of_order_and_match_by_id(
    daemon: FakeSignalCli, client: RpcClient
) -> None:
    alex = daemon.user("Alex")
    daemon.hold("send")
    sending = client.request("send", {"recipient": [alex.uuid], "message": "first"})
    version = await asyncio.wait_for(client.request("version"), WAIT)
    assert version["result"] == {"version": "0.14.6"}
    [shown] = await alex.expect()  # handled already, only the answer is held
    assert not sending.done()
    daemon.release("send")
    answer = await asyncio.wait_for(sending, WAIT)
    assert answer["result"]["timestamp"] == shown.timestamp
    assert client.answer_order == [2, 1]


async def test_reverse_next_answers(daemon: FakeSignalCli, client: RpcClient) -> None:
    daemon.reverse_next(3)
    futures = [client.request("version") for _ in range(3)]
    await asyncio.wait_for(asyncio.gather(*futures), WAIT)
    assert client.answer_order == [3, 2, 1]
    await client.call("version")
    assert client.answer_order[-1] == 4


async def test_per_method_delay_lets_a_later_answer_overtake(
    daemon: FakeSignalCli, client: RpcClient
) -> None:
    alex = daemon.user("Alex")
    daemon.delay("send", 0.2)
    slow = client.request("send", {"recipient": [alex.uuid], "message": "slow"})
    fast = client.request("version")
    await asyncio.wait_for(asyncio.gather(slow, fast), WAIT)
    assert client.answer_order == [2, 1]
    daemon.delay("send", 0)
    await client.call("send", {"recipient": [alex.uuid], "message": "prompt"})
    assert client.answer_order[-1] == 3


async def test_notification_is_handled_but_never_answered(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    client.notify("send", {"recipient": alex.uuid, "message": "no answer wanted"})
    [shown] = await alex.expect()
    assert shown.text == "no answer wanted"
    assert await client.call("version") == {"version": "0.14.6"}
    assert len(client.lines) == 1  # only the version answer
    [call] = daemon.calls_to("send")
    assert call.is_notification and not call.answered


async def test_batch_gets_one_array_without_notifications(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    answers = await client.batch(
        [
            {
                "jsonrpc": "2.0",
                "method": "send",
                "params": {"recipient": [alex.uuid], "message": "a"},
                "id": "s",
            },
            {"jsonrpc": "2.0", "method": "version", "id": "v"},
            {"jsonrpc": "2.0", "method": "sendTyping", "params": {"recipient": [alex.uuid]}},
            {"jsonrpc": "2.0", "method": "nope", "id": "n"},
        ]
    )
    by_id = {answer["id"]: answer for answer in answers}
    assert set(by_id) == {"s", "v", "n"}
    assert by_id["s"]["result"]["results"][0]["type"] == SUCCESS
    assert by_id["n"]["error"]["code"] == -32601
    assert alex.bot_typing
    assert [m.text for m in alex.messages()] == ["a"]


# ---------------------------------------------------------------------- manual receive


async def test_messages_queue_until_subscribed(daemon: FakeSignalCli, clock: FakeClock) -> None:
    alex = daemon.user("Alex")  # no number: phone-number privacy
    first = await alex.send("hello")
    clock.advance(minutes=5)
    second = await alex.send("are you there?")
    assert daemon.queued == 2
    client = await RpcClient.tcp(daemon.port)
    try:
        assert await client.call("subscribeReceive") == 0
        assert await daemon.wait_for_subscription() == 0
        one, two = await client.next_receive(), await client.next_receive()
    finally:
        await client.close()
    assert client.lines[0] == {"jsonrpc": "2.0", "result": 0, "id": 1}  # nothing came unasked
    assert one["subscription"] == 0 and one["result"]["account"] == ACCOUNT
    envelope = one["result"]["envelope"]
    assert envelope == {
        "source": alex.uuid,
        "sourceNumber": None,
        "sourceUuid": alex.uuid,
        "sourceName": "Alex",
        "sourceDevice": 1,
        "timestamp": first,
        "serverReceivedTimestamp": first,
        "serverDeliveredTimestamp": _ms(clock),
        "dataMessage": {
            "timestamp": first,
            "message": "hello",
            "expiresInSeconds": 0,
            "isExpirationUpdate": False,
            "viewOnce": False,
        },
    }
    assert two["result"]["envelope"]["dataMessage"]["message"] == "are you there?"
    assert two["result"]["envelope"]["timestamp"] == second
    assert daemon.queued == 0


async def test_dropped_connection_loses_nothing_after_resubscribe(daemon: FakeSignalCli) -> None:
    alex = daemon.user("Alex", "+15550100001")
    client = await RpcClient.tcp(daemon.port)
    assert await client.call("subscribeReceive") == 0
    await alex.send("one")
    assert (await client.next_receive())["result"]["envelope"]["dataMessage"]["message"] == "one"
    await daemon.drop_connections()
    await asyncio.wait_for(client.closed.wait(), WAIT)
    await daemon.wait_until(lambda: daemon.connections == 0)
    assert daemon.subscriptions == []
    await alex.send("two")
    await alex.send("three")
    assert daemon.queued == 2
    again = await RpcClient.tcp(daemon.port)
    try:
        assert await again.call("subscribeReceive") == 1  # ids count on across connections
        texts = [(await again.next_receive())["result"]["envelope"]["dataMessage"]["message"] for _ in "ab"]
        assert texts == ["two", "three"]
        assert [e["dataMessage"]["message"] for e in daemon.delivered] == ["one", "two", "three"]
        envelope = daemon.delivered[0]
        assert envelope["sourceNumber"] == "+15550100001" and envelope["source"] == "+15550100001"
    finally:
        await again.close()
        await client.close()


async def test_unsubscribe_queues_again(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    subscription = await client.call("subscribeReceive")
    with pytest.raises(RpcFailure) as unknown:
        await client.call("unsubscribeReceive", {"subscription": subscription + 7})
    assert (unknown.value.code, unknown.value.message) == (-1, "Unknown subscription id")
    assert await client.call("unsubscribeReceive", {"subscription": subscription}) == {}
    await alex.send("while nobody listens")
    assert daemon.queued == 1 and client.notifications.empty()
    second = await client.call("subscribeReceive")
    params = await client.next_receive()
    assert params["subscription"] == second == subscription + 1


async def test_drop_on_send_after_processing_delivers_but_never_answers(daemon: FakeSignalCli) -> None:
    alex = daemon.user("Alex")
    client = await RpcClient.tcp(daemon.port)
    daemon.drop_on("send")
    pending = client.request("send", {"recipient": [alex.uuid], "message": "did it go?"})
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(pending, WAIT)
    assert [m.text for m in alex.messages()] == ["did it go?"]
    assert not daemon.calls_to("send")[0].answered
    await client.close()

    client = await RpcClient.tcp(daemon.port)
    daemon.drop_on("send", after_processing=False)
    pending = client.request("send", {"recipient": [alex.uuid], "message": "never sent"})
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(pending, WAIT)
    assert [m.text for m in alex.messages()] == ["did it go?"]
    await client.close()


async def test_refused_then_accepted_on_the_same_port(daemon: FakeSignalCli) -> None:
    port = daemon.port
    client = await RpcClient.tcp(port)
    await daemon.refuse_connections()
    await asyncio.wait_for(client.closed.wait(), WAIT)
    with pytest.raises(ConnectionRefusedError):
        await RpcClient.tcp(port)
    await daemon.accept_connections()
    assert daemon.port == port
    again = await RpcClient.tcp(port)
    assert await again.call("version") == {"version": "0.14.6"}
    await again.close()
    await client.close()


async def test_unix_socket(tmp_path: Path) -> None:
    socket_path = tmp_path / "signal-cli.sock"
    async with FakeSignalCli(ACCOUNT, unix_socket=socket_path) as fake:
        alex = fake.user("Alex")
        await alex.send("over the socket")
        client = await RpcClient.unix(socket_path)
        await client.call("subscribeReceive")
        params = await client.next_receive()
        assert params["result"]["envelope"]["dataMessage"]["message"] == "over the socket"
        await client.close()


# ---------------------------------------------------------------------- sending and results


async def test_send_result_and_what_the_user_sees(
    daemon: FakeSignalCli, client: RpcClient, clock: FakeClock
) -> None:
    sam = daemon.user("Sam", "+15550100002", shares_number=False)
    alex = daemon.user("Alex")
    by_uuid = await client.call(
        "send", {"recipient": [alex.uuid], "message": "Hi Alex", "textStyle": "0:2:BOLD"}
    )
    assert by_uuid == {
        "timestamp": by_uuid["timestamp"],
        "results": [
            {"recipientAddress": {"uuid": alex.uuid, "number": None, "username": None}, "type": "SUCCESS"}
        ],
    }
    assert by_uuid["timestamp"] >= _ms(clock)
    by_number = await client.call("send", {"recipient": "+15550100002", "message": "Hi Sam"})
    assert by_number["results"][0]["recipientAddress"] == {
        "uuid": sam.uuid,
        "number": "+15550100002",
        "username": None,
    }
    [to_alex] = await alex.expect()
    assert (to_alex.text, to_alex.timestamp, to_alex.text_styles) == (
        "Hi Alex",
        by_uuid["timestamp"],
        ["0:2:BOLD"],
    )
    assert (await sam.expect())[0].text == "Hi Sam"
    with pytest.raises(RpcFailure) as unknown:
        await client.call("send", {"recipient": ["+15559999999"], "message": "?"})
    assert (unknown.value.code, unknown.value.message) == (-1, "The user +15559999999 is not registered.")
    with pytest.raises(RpcFailure) as empty:
        await client.call("send", {"recipient": [alex.uuid]})
    assert empty.value.code == -1 and "empty message" in empty.value.message
    [call] = [c for c in daemon.calls_to("send") if c.params.get("message") == "Hi Alex"]
    assert call.at == clock.now and call.result == by_uuid


async def test_quote_of_our_message_and_timestamps_unique_under_a_frozen_clock(
    daemon: FakeSignalCli, client: RpcClient
) -> None:
    alex = daemon.user("Alex")
    question = await client.call("send", {"recipient": [alex.uuid], "message": "How strong, 0–10?"})
    reply = await client.call(
        "send",
        {
            "recipient": [alex.uuid],
            "message": "Thanks",
            "quoteTimestamp": question["timestamp"],
            "quoteAuthor": alex.uuid,
        },
    )
    assert reply["timestamp"] > question["timestamp"]
    _, thanks = await alex.expect(2)
    assert thanks.quote_timestamp == question["timestamp"]
    with pytest.raises(RpcFailure) as missing:
        await client.call("send", {"recipient": [alex.uuid], "message": "x", "quoteTimestamp": 1})
    assert missing.value.message == "Quote author parameter is missing"


# ---------------------------------------------------------------------- edits


async def _send(client: RpcClient, to: str, text: str, **extra: Any) -> int:
    result = await client.call("send", {"recipient": [to], "message": text, **extra})
    return int(result["timestamp"])


async def test_edits_must_name_the_latest_version(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    original = await _send(client, alex.uuid, "10 minutes left")
    first = await _send(client, alex.uuid, "9 minutes left", editTimestamp=original, noUrgent=True)
    stale = await _send(client, alex.uuid, "8 minutes left", editTimestamp=original, noUrgent=True)
    [countdown] = await alex.expect()
    assert countdown.text == "9 minutes left"
    assert countdown.history == ["10 minutes left", "9 minutes left"]
    assert countdown.latest_timestamp == first and not countdown.versions[1].urgent
    assert [(d.timestamp, d.target_timestamp, d.text) for d in countdown.dropped_edits] == [
        (stale, original, "8 minutes left")
    ]
    assert [v.rule for v in daemon.violations] == ["edit-latest-timestamp"]
    client.notify("send", {"recipient": [alex.uuid], "message": "8 minutes left", "editTimestamp": first})
    await alex.wait_until(lambda: countdown.edits == 2)
    assert countdown.text == "8 minutes left" and countdown.latest_timestamp > stale
    assert alex.message(first) is countdown and alex.unread() == []


async def test_at_most_ten_edits(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    latest = await _send(client, alex.uuid, "v0")
    for version in range(1, 12):
        latest_before = latest
        latest = await _send(client, alex.uuid, f"v{version}", editTimestamp=latest)
    [message] = await alex.expect()
    assert message.edits == 10 and message.text == "v10"
    assert [v.rule for v in daemon.violations] == ["edit-limit"]
    assert daemon.dropped_edits[0].target_timestamp == latest_before


async def test_edits_only_within_24_hours_of_the_original(
    daemon: FakeSignalCli, client: RpcClient, clock: FakeClock
) -> None:
    alex = daemon.user("Alex")
    original = await _send(client, alex.uuid, "draft")
    clock.advance(hours=23, minutes=59)
    edited = await _send(client, alex.uuid, "in time", editTimestamp=original)
    clock.advance(minutes=2)
    await _send(client, alex.uuid, "too late", editTimestamp=edited)
    [message] = await alex.expect()
    assert message.text == "in time"
    assert [v.rule for v in daemon.violations] == ["edit-24h"]


async def test_edit_of_a_message_that_is_not_ours(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    theirs = await alex.send("my answer")
    result = await client.call("send", {"recipient": [alex.uuid], "message": "x", "editTimestamp": theirs})
    assert result["results"][0]["type"] == SUCCESS  # the daemon accepts it …
    assert alex.messages() == []  # … the phone shows nothing
    assert [v.rule for v in daemon.violations] == ["edit-not-ours"]


# ---------------------------------------------------------------------- long texts


async def test_long_body_is_split_by_current_daemons(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    text = "ä" * 1500  # 3000 bytes, 1500 characters
    await _send(client, alex.uuid, text)
    [message] = await alex.expect()
    assert message.text == text and message.long_text and message.attachments == []
    assert daemon.violations == []


async def test_long_body_is_a_violation_without_splitting(clock: FakeClock) -> None:
    async with FakeSignalCli(ACCOUNT, clock=clock, splits_long_text=False) as fake:
        alex = fake.user("Alex")
        client = await RpcClient.tcp(fake.port)
        await _send(client, alex.uuid, "x" * 2000)
        text = "y" * 2500
        await _send(client, alex.uuid, text)
        as_attachment = await _send(
            client,
            alex.uuid,
            text[:2000],
            attachment=[data_uri(LONG_TEXT_TYPE, "long.txt", text.encode())],
        )
        fits, cut, reassembled = await alex.expect(3)
        await client.close()
    assert fits.text == "x" * 2000
    assert cut.text == "y" * 2000
    assert reassembled.text == text and reassembled.long_text and reassembled.attachments == []
    assert reassembled.timestamp == as_attachment
    assert [(v.rule, v.timestamp) for v in fake.violations] == [("long-body", cut.timestamp)]


# ---------------------------------------------------------------------- errors


async def test_rate_limit_error_shape(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    daemon.fail_next(RATE_LIMIT_FAILURE, recipient=alex, retry_after_seconds=120, token="captcha-token")
    with pytest.raises(RpcFailure) as limited:
        await client.call("send", {"recipient": [alex.uuid], "message": "reminder"})
    assert limited.value.code == -5
    assert limited.value.message == "Failed to send message due to rate limiting"
    response = limited.value.data["response"]
    assert response["results"] == [
        {
            "recipientAddress": {"uuid": alex.uuid, "number": None, "username": None},
            "type": "RATE_LIMIT_FAILURE",
            "token": "captcha-token",
            "retryAfterSeconds": 120,
        }
    ]
    assert isinstance(response["timestamp"], int)
    assert alex.messages() == []
    # A rate limit does not prove the message stayed undelivered (signal-cli #2071).
    daemon.fail_next(RATE_LIMIT_FAILURE, retry_after_seconds=5, delivered=True)
    with pytest.raises(RpcFailure):
        await client.call("send", {"recipient": [alex.uuid], "message": "arrived anyway"})
    assert [m.text for m in alex.messages()] == ["arrived anyway"]
    await client.call("send", {"recipient": [alex.uuid], "message": "next one fine"})


async def test_identity_failure_until_trusted(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex", "+15550100001")
    alex.reinstall()
    with pytest.raises(RpcFailure) as untrusted:
        await client.call("send", {"recipient": ["+15550100001"], "message": "hi"})
    assert untrusted.value.code == -4
    assert untrusted.value.message == "Failed to send message due to untrusted identities"
    assert untrusted.value.data["response"]["results"][0]["type"] == IDENTITY_FAILURE
    assert await client.call("trust", {"recipient": [alex.uuid], "trustAllKnownKeys": True}) == {}
    await client.call("send", {"recipient": [alex.uuid], "message": "hi again"})
    assert [m.text for m in alex.messages()] == ["hi again"]


async def test_other_failures_are_user_errors_and_mixed_results_succeed(
    daemon: FakeSignalCli, client: RpcClient
) -> None:
    alex, sam = daemon.user("Alex"), daemon.user("Sam")
    daemon.fail_next(NETWORK_FAILURE, recipient=alex)
    with pytest.raises(RpcFailure) as network:
        await client.call("send", {"recipient": [alex.uuid], "message": "x"})
    assert (network.value.code, network.value.message) == (-1, "Failed to send message")
    assert network.value.data["response"]["results"][0]["type"] == NETWORK_FAILURE
    sam.unregister()
    mixed = await client.call("send", {"recipients": [alex.uuid, sam.uuid], "message": "both?"})
    assert [r["type"] for r in mixed["results"]] == ["SUCCESS", "UNREGISTERED_FAILURE"]
    assert [m.text for m in alex.messages()] == ["both?"] and sam.messages() == []
    daemon.fail_next_rpc("send", -3, "Failed to send message: timeout")
    with pytest.raises(RpcFailure) as io_error:
        await client.call("send", {"recipient": [alex.uuid], "message": "y"})
    assert (io_error.value.code, io_error.value.data) == (-3, None)
    assert [log.type for log in daemon.send_log] == [
        "NETWORK_FAILURE",
        "SUCCESS",
        "UNREGISTERED_FAILURE",
    ]


# ---------------------------------------------------------------------- attachments


async def test_attachments_from_data_uris_and_paths(
    daemon: FakeSignalCli, client: RpcClient, tmp_path: Path
) -> None:
    alex = daemon.user("Alex")
    chart = tmp_path / "mood.png"
    chart.write_bytes(b"\x89PNG fake chart")
    export = data_uri("application/json", "export.json", b'{"rows": []}')
    await client.call(
        "send", {"recipient": [alex.uuid], "message": "Your export", "attachments": [export, str(chart)]}
    )
    [message] = await alex.expect()
    assert [(a.content_type, a.filename, a.data) for a in message.attachments] == [
        ("application/json", "export.json", b'{"rows": []}'),
        ("image/png", "mood.png", b"\x89PNG fake chart"),
    ]
    with pytest.raises(RpcFailure) as missing:
        await client.call("send", {"recipient": [alex.uuid], "attachment": str(tmp_path / "gone.png")})
    assert missing.value.code == -32603 and "AttachmentInvalidException" in missing.value.message


async def test_incoming_attachment_envelope_and_attachment_folder(clock: FakeClock, tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    async with FakeSignalCli(ACCOUNT, clock=clock, attachment_dir=folder) as fake:
        alex = fake.user("Alex")
        await alex.send_attachment(b"\x89PNG photo", "image/png", "photo.png", width=4, height=3)
        client = await RpcClient.tcp(fake.port)
        await client.call("subscribeReceive")
        data = (await client.next_receive())["result"]["envelope"]["dataMessage"]
        [attachment] = data["attachments"]
        assert attachment == {
            "contentType": "image/png",
            "filename": "photo.png",
            "id": attachment["id"],
            "size": 10,
            "width": 4,
            "height": 3,
            "caption": None,
            "uploadTimestamp": attachment["uploadTimestamp"],
        }
        assert data["message"] is None
        assert [p.name for p in folder.iterdir()] == [attachment["id"]]
        fetched = await client.call("getAttachment", {"id": attachment["id"], "recipient": alex.uuid})
        assert base64.b64decode(fetched["data"]) == b"\x89PNG photo"
        await client.close()
    async with FakeSignalCli(ACCOUNT, attachment_dir=tmp_path / "ignored", ignore_attachments=True) as fake:
        await fake.user("Sam").send_attachment(b"img")
        assert not (tmp_path / "ignored").exists()


# ---------------------------------------------------------------------- envelopes users send


async def test_quote_reaction_edit_typing_and_receipt_envelopes(
    daemon: FakeSignalCli, client: RpcClient
) -> None:
    alex = daemon.user("Alex", "+15550100001")
    question = await _send(client, alex.uuid, "Done? 1 yes 2 no")
    answer = await alex.quote_reply(question, "1")
    edited = await alex.edit(answer, "2")
    await alex.react("👍", question)
    await alex.typing()
    await alex.receipt([question])
    await client.call("subscribeReceive")
    envelopes = [(await client.next_receive())["result"]["envelope"] for _ in range(5)]
    quote = envelopes[0]["dataMessage"]["quote"]
    assert quote == {
        "id": question,
        "author": ACCOUNT,
        "authorNumber": ACCOUNT,
        "authorUuid": ACCOUNT_UUID,
        "text": "Done? 1 yes 2 no",
        "attachments": [],
    }
    edit = envelopes[1]["editMessage"]
    assert edit["targetSentTimestamp"] == answer
    assert (edit["dataMessage"]["timestamp"], edit["dataMessage"]["message"]) == (edited, "2")
    assert envelopes[1]["timestamp"] == edited and "dataMessage" not in envelopes[1]
    reaction = envelopes[2]["dataMessage"]
    assert reaction["message"] is None
    assert reaction["reaction"] == {
        "emoji": "👍",
        "targetAuthor": ACCOUNT,
        "targetAuthorNumber": ACCOUNT,
        "targetAuthorUuid": ACCOUNT_UUID,
        "targetSentTimestamp": question,
        "isRemove": False,
    }
    assert envelopes[3]["typingMessage"]["action"] == "STARTED"
    receipt = envelopes[4]["receiptMessage"]
    assert (receipt["isRead"], receipt["isDelivery"], receipt["timestamps"]) == (True, False, [question])
    for envelope in envelopes:
        contents = {"dataMessage", "editMessage", "syncMessage", "receiptMessage", "typingMessage"} & set(
            envelope
        )
        assert len(contents) == 1


async def test_older_daemon_shapes_and_sync_messages(clock: FakeClock) -> None:
    async with FakeSignalCli(ACCOUNT, account_uuid=ACCOUNT_UUID, clock=clock, legacy_shapes=True) as fake:
        alex = fake.user("Alex", "+15550100001")
        await alex.send("old style")
        long_text = "z" * 2100
        await alex.send(long_text)
        sent = fake.push_sync_sent(alex, "typed on the practice phone")
        client = await RpcClient.tcp(fake.port)
        await client.call("subscribeReceive")
        old, long, sync = [(await client.next_receive())["result"]["envelope"] for _ in range(3)]
        await client.close()
    data = old["dataMessage"]
    assert (data["mentions"], data["attachments"], data["contacts"]) == ([], [], [])
    assert "isExpirationUpdate" not in data
    assert len(long["dataMessage"]["message"]) == 2000
    assert long["dataMessage"]["attachments"][0]["contentType"] == LONG_TEXT_TYPE
    assert sync["sourceUuid"] == ACCOUNT_UUID and sync["sourceDevice"] == 2
    sent_message = sync["syncMessage"]["sentMessage"]
    assert sent_message["destinationUuid"] == alex.uuid and sent_message["timestamp"] == sent


# ---------------------------------------------------------------------- the other methods


async def test_reactions_typing_receipts_deletes_profile(daemon: FakeSignalCli, client: RpcClient) -> None:
    alex = daemon.user("Alex")
    theirs = await alex.send("I did it")
    ours = await _send(client, alex.uuid, "Great!")
    reaction = await client.call(
        "sendReaction",
        {"recipient": [alex.uuid], "emoji": "❤️", "targetAuthor": alex.uuid, "targetTimestamp": theirs},
    )
    assert reaction["results"][0]["type"] == SUCCESS and alex.reactions == {theirs: "❤️"}
    await client.call("sendTyping", {"recipient": [alex.uuid]})
    started = alex.bot_typing
    await client.call("sendTyping", {"recipient": [alex.uuid], "stop": True})
    assert (started, alex.bot_typing) == (True, False)
    await client.call("sendReceipt", {"recipient": alex.uuid, "targetTimestamp": [theirs]})
    assert alex.receipts == [("read", [theirs])]
    await client.call("remoteDelete", {"recipient": [alex.uuid], "targetTimestamp": ours})
    assert alex.messages() == [] and alex.all_messages()[0].deleted
    assert await client.call("updateProfile", {"givenName": "Between", "about": "Practice"}) == {}
    assert daemon.profile == {"givenName": "Between", "about": "Practice"}
    assert daemon.violations == []


async def test_group_send_and_list_groups(daemon: FakeSignalCli, client: RpcClient) -> None:
    therapist = daemon.user("Dr K", "+15550100009")
    digests = daemon.group("Digests", [therapist])
    [listed] = await client.call("listGroups")
    assert (listed["id"], listed["name"], listed["isMember"]) == (digests.id, "Digests", True)
    result = await client.call("send", {"groupId": digests.id, "message": "Weekly digest"})
    assert result["results"][0]["groupId"] == digests.id
    assert [m.text for m in await digests.expect()] == ["Weekly digest"]
    posted = await digests.send(therapist, "/link 4711")
    await client.call("subscribeReceive")
    envelope = (await client.next_receive())["result"]["envelope"]
    assert envelope["timestamp"] == posted
    assert envelope["dataMessage"]["groupInfo"] == {
        "groupId": digests.id,
        "groupName": "Digests",
        "revision": 2,
        "type": "DELIVER",
    }


async def test_pacing_counters_by_the_injected_clock(
    daemon: FakeSignalCli, client: RpcClient, clock: FakeClock
) -> None:
    alex, sam = daemon.user("Alex"), daemon.user("Sam")
    for _ in range(3):
        await _send(client, alex.uuid, "burst")
    clock.advance(seconds=1)
    await _send(client, alex.uuid, "later")
    await _send(client, sam.uuid, "other")
    assert daemon.max_sends_in_window(alex, 1.0, by="clock") == 3
    assert daemon.max_sends_in_window(sam, 1.0, by="clock") == 1
    assert daemon.max_sends_in_window(None, 1.0, by="clock") == 3
    assert daemon.max_sends_in_window(alex, 2.0, by="clock") == 4
    assert [e.at for e in daemon.send_log][-1] == clock.now
    assert daemon.calls_to("send")[-1].at - daemon.calls_to("send")[0].at == timedelta(seconds=1)
