"""An in-process fake of ``signal-cli -a NUMBER daemon --tcp --receive-mode=manual``.

Line-delimited JSON-RPC 2.0 over TCP on 127.0.0.1 (and optionally a Unix socket), as
JsonRpcReader reads it: every request is handled concurrently, notifications (no ``id``)
are handled but never answered, a batch gets one array of answers. All state lives in one
asyncio event loop; nothing here is thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .account import SignalAccount
from .envelopes import Address
from .methods import METHODS
from .models import (
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    USER_ERROR,
    JsonDict,
    RpcCall,
    RpcError,
)
from .ordering import ResponseGate
from .receive import ReceiveQueue

_LINE_LIMIT = 64 * 1024 * 1024


class _Connection:
    """One client connection; ``write`` drops lines once it is closing."""

    def __init__(self, number: int, writer: asyncio.StreamWriter) -> None:
        self.number = number
        self.writer = writer
        self.tasks: set[asyncio.Task[None]] = set()

    def write(self, payload: Any) -> bool:
        if self.writer.is_closing():
            return False
        self.writer.write(json.dumps(payload, separators=(",", ":")).encode() + b"\n")
        return True

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()


class DaemonServer:
    """Sockets, framing and dispatch; :class:`FakeSignalCli` adds the test-facing API."""

    def __init__(
        self,
        account_number: str,
        *,
        account_uuid: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        unix_socket: Path | None = None,
        splits_long_text: bool = True,
        version: str = "0.14.6",
    ) -> None:
        self.clock = clock
        self.unix_socket = unix_socket
        self.version = version
        address = Address(uuid=account_uuid or str(uuid.uuid4()), number=account_number)
        self.account = SignalAccount(address, clock, self._loop_time, splits_long_text=splits_long_text)
        self.receive = ReceiveQueue(account_number, lambda: int(self.clock().timestamp() * 1000))
        self.gate = ResponseGate()
        self.calls: list[RpcCall] = []
        self.connections_accepted = 0
        self.refused = False
        self._connections: dict[int, _Connection] = {}
        self._servers: list[asyncio.Server] = []
        self._port = 0
        self._rpc_failures: list[tuple[str, RpcError, int]] = []
        self._drops: list[tuple[str, bool]] = []
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port (the same port again after a refusal) and listen."""
        if self._servers:
            return
        tcp = await asyncio.start_server(self._serve, "127.0.0.1", self._port, limit=_LINE_LIMIT)
        self._port = int(tcp.sockets[0].getsockname()[1])
        self._servers = [tcp]
        if self.unix_socket is not None:
            with contextlib.suppress(FileNotFoundError):
                self.unix_socket.unlink()
            unix = await asyncio.start_unix_server(self._serve, str(self.unix_socket), limit=_LINE_LIMIT)
            self._servers.append(unix)
        self.refused = False

    async def stop(self) -> None:
        """Drop every client and stop listening."""
        self.gate.release_all()
        await self._stop_listening()

    async def _stop_listening(self) -> None:
        """Stop accepting, drop clients, then wait (wait_closed waits for open clients too)."""
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        await self.drop_connections()
        for server in servers:
            await server.wait_closed()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeSignalCli is not started; use `async with FakeSignalCli(...)`")
        return self._port

    @property
    def address(self) -> str:
        """Value for SIGNAL_CLI_ADDRESS: ``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    async def drop_connections(self) -> None:
        """Close every client socket now (the daemon restarting, or the network failing)."""
        connections = list(self._connections.values())
        for connection in connections:
            connection.close()
        for connection in connections:
            with contextlib.suppress(ConnectionError):
                await connection.writer.wait_closed()

    async def refuse_connections(self) -> None:
        """Stop listening and drop clients: connects fail until :meth:`accept_connections`."""
        self.refused = True
        await self._stop_listening()

    async def accept_connections(self) -> None:
        """Listen again, on the same port."""
        await self.start()

    # ------------------------------------------------------------------ connections

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_accepted += 1
        connection = _Connection(self.connections_accepted, writer)
        self._connections[connection.number] = connection
        self._notify()
        try:
            while not writer.is_closing():
                try:
                    line = await reader.readline()
                except (ConnectionError, ValueError):
                    break
                if not line:
                    break
                self._on_line(connection, line)
        finally:
            self.receive.connection_closed(connection.number)
            del self._connections[connection.number]
            connection.close()
            self._notify()

    def _on_line(self, connection: _Connection, line: bytes) -> None:
        if not line.strip():
            connection.write(_error_reply(RpcError(PARSE_ERROR, "Empty input line"), None))
            return
        try:
            message = json.loads(line)
        except ValueError as exc:
            connection.write(_error_reply(RpcError(PARSE_ERROR, str(exc)), None))
            return
        if isinstance(message, list):
            self._spawn(connection, self._batch(connection, message))
        elif isinstance(message, dict):
            if "result" in message or "error" in message:
                return  # a response to us: signal-cli logs and ignores it
            self._spawn(connection, self._single(connection, message))
        else:
            error = RpcError(INVALID_REQUEST, f"unexpected type: {type(message).__name__.upper()}")
            connection.write(_error_reply(error, None))

    def _spawn(self, connection: _Connection, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        connection.tasks.add(task)
        task.add_done_callback(connection.tasks.discard)

    async def _single(self, connection: _Connection, request: JsonDict) -> None:
        reply = await self._handle(connection, request)
        if reply is None:
            return
        method = str(request.get("method"))
        await self.gate.pass_through(method, lambda: self._write_reply(connection, reply))

    async def _batch(self, connection: _Connection, requests: list[Any]) -> None:
        if not requests:
            connection.write(_error_reply(RpcError(INVALID_REQUEST, "invalid request"), None))
            return
        handled = await asyncio.gather(*(self._handle(connection, r) for r in requests))
        replies = [reply for reply in handled if reply is not None]
        if replies:
            await self.gate.pass_through("batch", lambda: self._write_reply(connection, replies))

    def _write_reply(self, connection: _Connection, reply: Any) -> None:
        connection.write(reply)
        self._notify()

    async def _handle(self, connection: _Connection, request: Any) -> JsonDict | None:
        """One request: its reply, or None for a notification or a dropped connection."""
        request_id = request.get("id") if isinstance(request, dict) else None
        invalid = _invalid(request)
        if invalid is not None:
            return _error_reply(invalid, request_id)
        method = str(request["method"])
        params = request.get("params") or {}
        call = RpcCall(method, params, request_id, self.clock(), self._loop_time(), connection.number)
        self.calls.append(call)
        drop = self._take_drop(method)
        if drop is not None and not drop:
            connection.close()
            return None
        try:
            call.result = self._dispatch(connection, method, params)
        except RpcError as error:
            call.error = error.to_json()
        self._notify()
        if drop is not None:
            connection.close()
            return None
        if call.is_notification:
            return None
        call.answered = True
        if call.error is not None:
            return {"jsonrpc": "2.0", "error": call.error, "id": request_id}
        return {"jsonrpc": "2.0", "result": call.result, "id": request_id}

    def _dispatch(self, connection: _Connection, method: str, params: Any) -> Any:
        failure = self._take_rpc_failure(method)
        if failure is not None:
            raise failure
        if method == "subscribeReceive":
            return self.receive.subscribe(connection.number, connection.write)
        if method == "unsubscribeReceive":
            return self._unsubscribe(connection, params)
        if method == "version":
            return {"version": self.version}
        handler = METHODS.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not implemented")
        if not isinstance(params, dict):
            raise RpcError(INVALID_REQUEST, "params must be an object for this method")
        return handler(self.account, params)

    def _unsubscribe(self, connection: _Connection, params: Any) -> JsonDict:
        if isinstance(params, list):
            subscription = int(params[0]) if params else None
        else:
            value = params.get("subscription")
            subscription = None if value is None else int(value)
        if not self.receive.unsubscribe(connection.number, subscription):
            raise RpcError(USER_ERROR, "Unknown subscription id")
        return {}

    # ------------------------------------------------------------------ injected faults

    def _take_rpc_failure(self, method: str) -> RpcError | None:
        for index, (failing, error, remaining) in enumerate(self._rpc_failures):
            if failing == method:
                if remaining <= 1:
                    del self._rpc_failures[index]
                else:
                    self._rpc_failures[index] = (failing, error, remaining - 1)
                return error
        return None

    def _take_drop(self, method: str) -> bool | None:
        for index, (dropping, after_processing) in enumerate(self._drops):
            if dropping == method:
                del self._drops[index]
                return after_processing
        return None

    # ------------------------------------------------------------------ waiting

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def _notify(self) -> None:
        """Wake every waiting test: the state changed, so their conditions are re-checked."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._changed.wait()


def _invalid(request: Any) -> RpcError | None:
    """JsonRpcReader.parseJsonRpcRequest's checks."""
    if not isinstance(request, dict):
        return RpcError(INVALID_REQUEST, "invalid request")
    if request.get("jsonrpc") != "2.0":
        return RpcError(INVALID_REQUEST, "only jsonrpc version 2.0 is supported")
    if not isinstance(request.get("method"), str):
        return RpcError(INVALID_REQUEST, "method field must be set")
    params = request.get("params")
    if params is not None and not isinstance(params, dict | list):
        return RpcError(INVALID_REQUEST, "params must be an object or an array")
    return None


def _error_reply(error: RpcError, request_id: Any) -> JsonDict:
    return {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}
