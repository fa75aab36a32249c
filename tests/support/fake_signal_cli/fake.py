"""The test-facing side of the fake daemon: people, groups, faults, records, waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from .account import Chat, SendLogEntry
from .driver import FakeSignalGroup, FakeSignalUser, group_id_for
from .envelopes import Address, envelope
from .models import (
    RESULT_TYPES,
    DroppedEdit,
    InjectedResult,
    JsonDict,
    RpcCall,
    RpcError,
    ShownMessage,
    Violation,
)
from .server import DaemonServer


class FakeSignalCli(DaemonServer):
    """A fake ``signal-cli -a NUMBER daemon --receive-mode=manual``; see the package docstring."""

    def __init__(
        self,
        account_number: str = "+15550100000",
        *,
        account_uuid: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        unix_socket: Path | None = None,
        splits_long_text: bool = True,
        legacy_shapes: bool = False,
        attachment_dir: Path | None = None,
        ignore_attachments: bool = False,
        version: str = "0.14.6",
    ) -> None:
        super().__init__(
            account_number,
            account_uuid=account_uuid,
            clock=clock,
            unix_socket=unix_socket,
            splits_long_text=splits_long_text,
            version=version,
        )
        self.legacy_shapes = legacy_shapes
        self.attachment_dir = attachment_dir
        self.ignore_attachments = ignore_attachments
        self._users: dict[str, FakeSignalUser] = {}
        self._groups: dict[str, FakeSignalGroup] = {}

    async def __aenter__(self) -> FakeSignalCli:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ people

    def user(
        self,
        name: str = "Alex",
        number: str | None = None,
        *,
        shares_number: bool = True,
        user_uuid: str | None = None,
    ) -> FakeSignalUser:
        """A new Signal user. Without ``number`` (or with ``shares_number=False``) their
        envelopes carry ``sourceNumber: null``, as under phone-number privacy."""
        address = Address(user_uuid or str(uuid.uuid4()), number, name)
        person = self.account.add_person(address, number_known=number is not None and shares_number)
        user = FakeSignalUser(self, person, shares_number=shares_number and number is not None)
        self._users[address.uuid] = user
        return user

    def group(self, name: str, members: list[FakeSignalUser]) -> FakeSignalGroup:
        """A group with the practice's number and ``members`` in it."""
        group_id = group_id_for(name, len(self._groups))
        self.account.groups[group_id] = (name, [member.uuid for member in members])
        chat = self.account.group_chats.setdefault(group_id, Chat(key=group_id))
        group = FakeSignalGroup(self, group_id, name, chat)
        self._groups[group_id] = group
        return group

    def deliver(self, raw_envelope: JsonDict) -> None:
        """Queue an envelope on "Signal's server"; subscribers get it at once."""
        self.receive.push(raw_envelope)
        self._notify()

    def push_sync_sent(self, to: FakeSignalUser, text: str) -> int:
        """A message the practice sent from its own phone (a syncMessage to this daemon)."""
        stamp = self.account.next_timestamp()
        sent: JsonDict = {
            "destination": to.source.legacy_identifier,
            "destinationNumber": to.source.number,
            "destinationUuid": to.uuid,
            "timestamp": stamp,
            "message": text,
            "expiresInSeconds": 0,
            "viewOnce": False,
        }
        self.deliver(envelope(self.account.address, stamp, device=2, syncMessage={"sentMessage": sent}))
        return stamp

    @property
    def queued(self) -> int:
        """Envelopes waiting for a subscriber."""
        return len(self.receive.pending)

    @property
    def delivered(self) -> list[JsonDict]:
        """Envelopes written to subscribers, in order (once per subscription)."""
        return [envelope for _, envelope in self.receive.delivered]

    @property
    def subscriptions(self) -> list[int]:
        return sorted(self.receive.subscriptions)

    @property
    def connections(self) -> int:
        """Clients connected now."""
        return len(self._connections)

    # ------------------------------------------------------------------ what the bot did

    def calls_to(self, method: str) -> list[RpcCall]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, user: FakeSignalUser) -> list[ShownMessage]:
        """Every message the bot sent this user, deleted ones included."""
        return list(user.chat.messages)

    @property
    def violations(self) -> list[Violation]:
        """Signal rules the bot broke (edits clients drop, over-long bodies, …)."""
        return self.account.violations

    @property
    def dropped_edits(self) -> list[DroppedEdit]:
        return self.account.dropped_edits

    @property
    def profile(self) -> JsonDict:
        """What ``updateProfile`` set."""
        return self.account.profile

    @property
    def send_log(self) -> list[SendLogEntry]:
        return self.account.send_log

    def max_sends_in_window(
        self,
        recipient: FakeSignalUser | None = None,
        seconds: float = 1.0,
        *,
        methods: tuple[str, ...] = ("send",),
        by: Literal["loop", "clock"] = "loop",
    ) -> int:
        """The most calls of ``methods`` within any ``seconds``-long window, to one recipient
        or (without one) in total; ``by`` picks the event loop's time or the injected clock."""
        times = sorted(
            entry.loop_time if by == "loop" else entry.at.timestamp()
            for entry in self.account.send_log
            if entry.method in methods and (recipient is None or entry.recipient == recipient.uuid)
        )
        best = 0
        start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ------------------------------------------------------------------ faults and ordering

    def fail_next(
        self,
        result_type: str,
        *,
        method: str = "send",
        recipient: FakeSignalUser | None = None,
        times: int = 1,
        retry_after_seconds: int | None = None,
        token: str | None = None,
        delivered: bool = False,
    ) -> None:
        """Give ``result_type`` instead of SUCCESS for the next ``times`` recipients of
        ``method``. With no success left in a call it becomes signal-cli's error: -4 (only
        identity failures), -5 (only rate limits) or -1, ``data.response`` holding the results."""
        if result_type not in RESULT_TYPES:
            raise ValueError(f"unknown result type {result_type!r}; one of {sorted(RESULT_TYPES)}")
        self.account.injected.append(
            InjectedResult(
                type=result_type,
                method=method,
                recipient=None if recipient is None else recipient.uuid,
                remaining=times,
                retry_after_seconds=retry_after_seconds,
                token=token,
                delivered=delivered,
            )
        )

    def fail_next_rpc(
        self, method: str, code: int, message: str, data: object = None, *, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with this JSON-RPC error, unhandled."""
        self._rpc_failures.append((method, RpcError(code, message, data), times))

    def drop_on(self, method: str, *, after_processing: bool = True) -> None:
        """Close the connection when the next ``method`` request arrives, without answering;
        ``after_processing`` says whether the daemon did the work first (the message went)."""
        self._drops.append((method, after_processing))

    def hold(self, method: str) -> None:
        """Handle ``method`` calls but keep their answers back until :meth:`release`."""
        self.gate.hold(method)

    def release(self, method: str) -> None:
        self.gate.release(method)

    def reverse_next(self, count: int) -> None:
        """Write the next ``count`` answers in reverse order."""
        self.gate.reverse_next(count)

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` after a real delay (for soak tests; prefer :meth:`hold`)."""
        self.gate.delay(method, seconds)

    # ------------------------------------------------------------------ waiting

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented contract
        *,
        message: str | Callable[[], str] | None = None,
    ) -> None:
        """Wait until ``predicate()`` holds, re-checked after every request and delivery."""
        try:
            async with asyncio.timeout(timeout):
                await self._until(predicate)
        except TimeoutError:
            raise AssertionError(self._timed_out(timeout, message)) from None

    def _timed_out(self, timeout: float, message: str | Callable[[], str] | None) -> str:
        what = message() if callable(message) else message or "the condition"
        return f"timed out after {timeout}s waiting for {what}\n{self.describe_calls()}"

    async def wait_for_subscription(self, timeout: float = 5.0) -> int:  # noqa: ASYNC109
        """Wait until some client has subscribed; returns the newest subscription id."""
        await self.wait_until(lambda: bool(self.receive.subscriptions), timeout, message="a subscribeReceive")
        return max(self.receive.subscriptions)

    def describe_calls(self, count: int = 15) -> str:
        recent = self.calls[-count:]
        if not recent:
            return "no JSON-RPC calls yet"
        return "recent calls:\n" + "\n".join(f"  {call.summary()}" for call in recent)
