"""Manual receive: envelopes wait on "Signal's server" until some client subscribes.

With ``--receive-mode=manual`` signal-cli only pulls messages while a ``subscribeReceive``
is active; each subscription belongs to its connection (SignalJsonRpcDispatcherHandler drops
them when the connection ends), and subscription ids come from one counter for the whole
daemon, starting at 0.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .models import JsonDict

# Writes one notification line to a connection; returns False if it is gone.
Writer = Callable[[JsonDict], bool]


@dataclass
class Subscription:
    id: int
    connection: int
    write: Writer


class ReceiveQueue:
    """Queued envelopes and the live subscriptions they are handed to."""

    def __init__(self, account_number: str, now_ms: Callable[[], int]) -> None:
        self.account_number = account_number
        self.now_ms = now_ms
        self.pending: deque[JsonDict] = deque()
        self.delivered: list[tuple[int, JsonDict]] = []
        self.subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(0)

    def subscribe(self, connection: int, write: Writer) -> int:
        subscription = Subscription(next(self._ids), connection, write)
        self.subscriptions[subscription.id] = subscription
        # Queued envelopes follow the answer, as signal-cli starts receiving after it.
        asyncio.get_running_loop().call_soon(self.flush)
        return subscription.id

    def unsubscribe(self, connection: int, subscription_id: int | None) -> bool:
        """Drop one subscription of this connection (the first one when no id is given)."""
        mine = [s for s in self.subscriptions.values() if s.connection == connection]
        if subscription_id is None:
            if mine:
                del self.subscriptions[mine[0].id]
            return True
        if not any(s.id == subscription_id for s in mine):
            return False
        del self.subscriptions[subscription_id]
        return True

    def connection_closed(self, connection: int) -> None:
        for subscription in [s for s in self.subscriptions.values() if s.connection == connection]:
            del self.subscriptions[subscription.id]

    def push(self, envelope: JsonDict) -> None:
        self.pending.append(envelope)
        self.flush()

    def flush(self) -> None:
        """Hand queued envelopes, oldest first, to every live subscription."""
        while self.pending and self.subscriptions:
            envelope = self.pending[0]
            envelope["serverDeliveredTimestamp"] = self.now_ms()
            written = False
            for subscription in list(self.subscriptions.values()):
                notification = {
                    "jsonrpc": "2.0",
                    "method": "receive",
                    "params": {
                        "subscription": subscription.id,
                        "result": {"envelope": envelope, "account": self.account_number},
                    },
                }
                if subscription.write(notification):
                    written = True
                    self.delivered.append((subscription.id, envelope))
                else:
                    del self.subscriptions[subscription.id]
            if not written:
                return
            self.pending.popleft()
