"""signal-cli's JSON-RPC 2.0 daemon, spoken with asyncio: one JSON object per line over TCP
(``host:port``) or a Unix socket (``unix:/path``).

The daemon handles requests concurrently, so answers come back in any order: each call waits
for the answer carrying its own ``id``. Everything without an ``id`` is a notification (a
``receive``) and goes, in the order read, to the handler, one at a time, while the reader keeps
matching answers (a handler may call the daemon itself).

In ``--receive-mode=manual`` nothing is received until a client calls ``subscribeReceive``; a
subscription ends with its connection, so it is made again after every (re)connect. A lost
connection fails the calls in flight (:class:`DaemonUnavailable`: whether the daemon did the
work is unknown) and is retried with a doubling, capped delay; ``sleep`` is injected so tests
do not wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.logs import describe_error
from bot.core.tasks import uninterrupted

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Notification = Callable[[JsonDict], Awaitable[None]]
"""Handles one notification's ``params`` (a ``receive``: ``{"subscription", "result"}``)."""
Sleep = Callable[[float], Awaitable[None]]

LINE_LIMIT = 64 * 1024 * 1024
"""The longest line read: an attachment travels base64 inside one JSON line."""
FIRST_DELAY = 0.5
MAX_DELAY = 30.0
CALL_TIMEOUT = 60.0
"""A call unanswered this long fails as transient (the daemon may be stuck on Signal's server)."""

USER_ERROR = -1
IO_ERROR = -3
UNTRUSTED_IDENTITY = -4
RATE_LIMITED = -5
METHOD_NOT_FOUND = -32601


@dataclass(frozen=True, slots=True)
class Address:
    """Where the daemon listens: ``127.0.0.1:7583`` or ``unix:/run/signal-cli/socket``."""

    host: str | None
    port: int | None
    path: str | None

    @classmethod
    def parse(cls, text: str) -> Address:
        """Raises ValueError with a line a person can act on."""
        if text.startswith("unix:"):
            path = text.removeprefix("unix:")
            if not path:
                raise ValueError("should be unix:/path/to/socket")
            return cls(None, None, path)
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("should be HOST:PORT (like 127.0.0.1:7583) or unix:/path/to/socket")
        return cls(host.strip("[]"), int(port), None)

    def __str__(self) -> str:
        return f"unix:{self.path}" if self.path is not None else f"{self.host}:{self.port}"

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.path is not None:
            return await asyncio.open_unix_connection(self.path, limit=LINE_LIMIT)
        return await asyncio.open_connection(self.host, self.port, limit=LINE_LIMIT)


class ErrorReply:
    """A JSON-RPC error answer: signal-cli's code, message and ``data`` (``data.response``
    carries the per-recipient results of a send that failed for everyone)."""

    code: int
    data: Any

    def results(self) -> list[JsonDict]:
        response = self.data.get("response") if isinstance(self.data, dict) else None
        results = response.get("results") if isinstance(response, dict) else None
        return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


class DaemonUnavailable(TransientDeliveryError):
    """Not connected to signal-cli, or the connection went while the call was in flight."""


class TransientReply(ErrorReply, TransientDeliveryError):
    """An error worth trying again later (-3: signal-cli could not reach Signal's server)."""

    def __init__(self, code: int, message: str, data: Any, retry_after: float | None = None) -> None:
        TransientDeliveryError.__init__(self, f"signal-cli error {code}", retry_after=retry_after)
        self.code, self.data = code, data
        self.reason = message[:80]


class RateLimited(TransientReply):
    """-5: Signal limits this account; ``retry_after`` from the results, and a ``token`` when
    a person must solve a captcha (``submitRateLimitChallenge``)."""

    @property
    def token(self) -> str | None:
        return next((str(r["token"]) for r in self.results() if r.get("token")), None)


class PermanentReply(ErrorReply, PermanentDeliveryError):
    """An error retrying will not mend (-1: refused as asked; -32601: no such method)."""

    def __init__(self, code: int, message: str, data: Any) -> None:
        PermanentDeliveryError.__init__(self, f"signal-cli error {code}")
        self.code, self.data = code, data
        self.reason = message[:80]


class UntrustedIdentity(PermanentReply):
    """-4: the recipient's safety number changed (a reinstall, or a different person)."""


def retry_after_of(results: list[JsonDict]) -> float | None:
    waits = [float(r["retryAfterSeconds"]) for r in results if r.get("retryAfterSeconds") is not None]
    return max(waits) if waits else None


def error_for(error: JsonDict) -> Exception:
    """The delivery error for a JSON-RPC ``error`` member (never its message in our logs:
    signal-cli may quote a number or a name in it)."""
    code = int(error.get("code", 0))
    message = str(error.get("message", ""))
    data = error.get("data")
    if code == RATE_LIMITED:
        reply = RateLimited(code, message, data)
        reply.retry_after = retry_after_of(reply.results())
        return reply
    if code == UNTRUSTED_IDENTITY:
        return UntrustedIdentity(code, message, data)
    if code == USER_ERROR or code <= -32600:
        return PermanentReply(code, message, data)
    return TransientReply(code, message, data)


class RpcClient:
    """One connection to the daemon at a time, reconnected whenever it is lost."""

    def __init__(
        self,
        address: Address,
        on_notification: Notification,
        *,
        sleep: Sleep = asyncio.sleep,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        call_timeout: float = CALL_TIMEOUT,
    ) -> None:
        self.address = address
        self._on_notification = on_notification
        self._sleep = sleep
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._call_timeout = call_timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._inbox: asyncio.Queue[JsonDict] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()
        self.failures = 0
        """Connection attempts failed in a row (0 while connected)."""
        self.lost_since: float | None = None
        """The loop time the connection was lost (None while connected)."""
        self.subscription: int | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and subscribe once (an error here is the caller's start-up line), then keep
        the connection: lost later, it is retried until :meth:`stop`."""
        reader, writer = await self.address.open()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._keep(reader, writer), name="signal-connection"),
            loop.create_task(self._dispatch(), name="signal-notifications"),
        ]
        try:
            async with asyncio.timeout(self._call_timeout):
                await self.connected.wait()
        except TimeoutError:
            await self.stop()
            raise ConnectionError("signal-cli did not accept subscribeReceive") from None

    async def stop(self) -> None:
        """Stop: the notification in hand is finished first (it commits), then the connection
        closes. Notifications read but not handled are not acknowledged by us (see the README)."""
        tasks, self._tasks = self._tasks, []
        for task in reversed(tasks):  # the dispatcher first: it finishes its notification
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._close()

    async def handled(self) -> None:
        """Wait until every notification read so far has been handled (and committed)."""
        await self._inbox.join()

    async def _keep(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve a connection until it is lost; then reconnect, with a capped doubling delay."""
        while True:
            await self._serve(reader, writer)
            self.lost_since = asyncio.get_running_loop().time()
            log.warning("signal-cli at %s: connection lost; reconnecting", self.address)
            while True:
                self.failures += 1
                await self._sleep(min(self._max_delay, self._first_delay * 2.0 ** min(self.failures - 1, 16)))
                try:
                    reader, writer = await self.address.open()
                    break
                except OSError as error:
                    if self.failures == 1:
                        log.warning(
                            "signal-cli at %s: cannot connect (%s)", self.address, type(error).__name__
                        )
            log.info("signal-cli at %s: connected again after %d tries", self.address, self.failures)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        reading = asyncio.get_running_loop().create_task(self._read(reader))
        try:
            self.subscription = int(await self.call("subscribeReceive"))
            self.failures, self.lost_since = 0, None
            self.connected.set()
            await reading
        except (DaemonUnavailable, PermanentReply, TransientReply) as error:
            log.warning("signal-cli at %s: subscribeReceive failed (%s)", self.address, error)
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            self._close()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await reader.readline()
            except (ConnectionError, ValueError):
                return
            if not line:
                return
            self._on_line(line)

    def _on_line(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            log.warning("signal-cli sent a line that is not JSON; ignored")
            return
        for item in message if isinstance(message, list) else [message]:
            if not isinstance(item, dict):
                continue
            if "method" in item and item.get("id") is None:
                params = item.get("params")
                if item["method"] == "receive" and isinstance(params, dict):
                    self._inbox.put_nowait(params)
                continue
            request_id = item.get("id")
            future = self._pending.pop(request_id, None) if isinstance(request_id, int) else None
            if future is None or future.done():
                continue
            if isinstance(item.get("error"), dict):
                future.set_exception(error_for(item["error"]))
            else:
                future.set_result(item.get("result"))

    async def _dispatch(self) -> None:
        """Notifications to the handler, one at a time, in the order read."""
        while True:
            params = await self._inbox.get()
            try:
                await uninterrupted(self._on_notification(params))
            except Exception as error:
                log.error("signal notification failed: %s", describe_error(error))
            finally:
                self._inbox.task_done()

    def _close(self) -> None:
        self.connected.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(DaemonUnavailable("connection to signal-cli lost"))

    # --- calls ----------------------------------------------------------------------------

    async def call(self, method: str, params: JsonDict | None = None) -> Any:
        """One request; its result, or a delivery error (see :func:`error_for`)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            raise DaemonUnavailable("not connected to signal-cli")
        request_id = next(self._ids)
        request: JsonDict = {"jsonrpc": "2.0", "method": method, "id": request_id}
        if params:
            request["params"] = params
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            writer.write(json.dumps(request, separators=(",", ":")).encode() + b"\n")
            await writer.drain()
        except ConnectionError:
            self._pending.pop(request_id, None)
            raise DaemonUnavailable("connection to signal-cli lost") from None
        try:
            async with asyncio.timeout(self._call_timeout):
                return await future
        except TimeoutError:
            raise DaemonUnavailable(f"no answer to {method} in {self._call_timeout:.0f} s") from None
        finally:
            self._pending.pop(request_id, None)
