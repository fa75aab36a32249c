"""Sending pace: about 30 messages a second overall and about one a second per chat.

Telegram answers faster senders with 429 and a wait. We stay under its limits instead: new
messages go out on an even grid of slots overall (a send that is a little late does not push
the later ones), never more than ``rate`` within one second of the answers to earlier ones (a
sliding window, as the server counts), and each chat gets a small burst (a reply and the next
question) and then one message per interval. Edits and button answers are not messages and
are not paced, except a timer's frames (a live message changing on its own). An urgent message
(a crisis reply, a risk alert) is not held by its chat's pace nor by the even grid: it takes the
next send ahead of the others, and still counts (its chat's and the grid's later sends move back
one), and it never goes past ``rate`` answered within a second. The clock is injected, so tests
can move it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

SHARED_SPACING = 1.1
"""The grid of the send budget shared by several processes (``storage/send_budget.py``) spaces
sends this much wider than the rate: a send leaves a little after its slot (another process's
network, its event loop), and Telegram counts arrivals in any one second."""


@dataclass
class _ChatBucket:
    tokens: float
    updated: float


class Pacer:
    """Says how long a send must wait; records sends. ``rate <= 0`` turns pacing off."""

    def __init__(
        self,
        rate: float = 30.0,
        chat_interval: float = 1.0,
        chat_burst: int = 3,
        monotonic: Callable[[], float] = time.monotonic,
        headroom: float = 1.0,
    ) -> None:
        self.enabled = rate > 0
        self._spacing = headroom / rate if self.enabled else 0.0
        self._window_size = max(1, int(rate)) if self.enabled else 1
        self._answered: deque[float] = deque(maxlen=self._window_size)
        self._chat_interval = chat_interval
        self._chat_burst = float(chat_burst)
        self._monotonic = monotonic
        self._next_global = 0.0
        self._chats: dict[str, _ChatBucket] = {}

    def _bucket(self, chat: str, now: float) -> _ChatBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = self._chats[chat] = _ChatBucket(self._chat_burst, now)
        else:
            refill = (
                (now - bucket.updated) / self._chat_interval if self._chat_interval > 0 else self._chat_burst
            )
            bucket.tokens = min(self._chat_burst, bucket.tokens + refill)
            bucket.updated = now
        return bucket

    def delay(self, chat: str, *, urgent: bool = False) -> float:
        """Seconds until a message to ``chat`` may be sent (0.0: now); an ``urgent`` one waits
        only for the overall limit itself."""
        if not self.enabled:
            return 0.0
        now = self._monotonic()
        bucket = self._bucket(chat, now)
        window_wait = self._answered[0] + 1.0 - now if len(self._answered) == self._window_size else 0.0
        if urgent:
            return max(window_wait, 0.0)
        chat_wait = 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * self._chat_interval
        return max(self._next_global - now, chat_wait, window_wait, 0.0)

    def chat_delay(self, chat: str) -> float:
        """Seconds until ``chat``'s own pace lets a message go (the overall pace aside)."""
        if not self.enabled:
            return 0.0
        bucket = self._bucket(chat, self._monotonic())
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * self._chat_interval

    def overall_delay(self) -> float:
        """Seconds until the overall pace (the even grid, the sliding window) lets any message go."""
        if not self.enabled:
            return 0.0
        now = self._monotonic()
        window_wait = self._answered[0] + 1.0 - now if len(self._answered) == self._window_size else 0.0
        return max(self._next_global - now, window_wait, 0.0)

    @property
    def spacing(self) -> float:
        """Seconds between two slots of the overall pace."""
        return self._spacing

    def answered(self) -> None:
        """Record that a message sent was answered now (the window counts from here)."""
        if self.enabled:
            self._answered.append(self._monotonic())

    def spend(self, chat: str) -> None:
        """Record that a message to ``chat`` was sent now (an urgent one sent ahead of its turn
        too: the chat's bucket may go below empty, and the grid moves on by one slot)."""
        if not self.enabled:
            return
        now = self._monotonic()
        bucket = self._bucket(chat, now)
        bucket.tokens -= 1
        # on the grid: a send up to a quarter slot late does not push the later ones
        on_grid = now - self._next_global <= self._spacing / 4
        self._next_global = (self._next_global if on_grid else now) + self._spacing
        if len(self._chats) > 10_000:  # forget chats whose bucket has refilled since
            full_after = self._chat_burst * self._chat_interval
            self._chats = {c: b for c, b in self._chats.items() if now - b.updated < full_after}


LEAST_WAIT: Final = 0.001
"""The least the line waits for the next slot."""
REPLY: Final = 1
"""A reply (a client who just wrote waits for it; a live timer's frame): first in line."""
BROADCAST: Final = 2
"""A message nobody is waiting for this second (a scheduled prompt, a digest): after the replies."""


class Turns:
    """Who takes the next slot of the overall pace when several chats wait for it: replies
    before broadcasts, each kind first come, first served — so a client waiting for a reply is
    never behind a queue of digests. A chat that stepped out (to read its queue again) keeps its
    place. Urgent messages never wait here (see :meth:`Pacer.delay`)."""

    def __init__(self, pacer: Pacer, sleep: Callable[[float], Awaitable[None]]) -> None:
        self.pacer = pacer
        self.sleep = sleep
        self._waiting: list[_Waiter] = []
        self._places: dict[str, int] = {}
        self._numbers = itertools.count()
        self._granting: asyncio.Task[None] | None = None

    def expected_wait(self, priority: int) -> float:
        """About how long a send of ``priority`` joining now would wait for its slot."""
        ahead = sum(1 for waiter in self._waiting if waiter.priority <= priority)
        return self.pacer.overall_delay() + ahead * self.pacer.spacing

    async def take(self, chat: str, priority: int, interrupted: Callable[[], bool] = lambda: False) -> bool:
        """Wait for a slot for ``chat`` and take it (True); False when ``interrupted`` said to
        stop first (it is asked whenever a slot comes round)."""
        if not self._waiting and self.pacer.overall_delay() <= 0:
            self._places.pop(chat, None)
            self.pacer.spend(chat)
            return True
        loop = asyncio.get_running_loop()
        if len(self._places) > 10_000:  # places of chats that left for good
            self._places = {w.chat: w.place for w in self._waiting}
        place = self._places.setdefault(chat, next(self._numbers))
        waiter = _Waiter(priority, place, next(self._numbers), chat, interrupted, loop.create_future())
        heapq.heappush(self._waiting, waiter)
        if self._granting is None or self._granting.done():
            self._granting = loop.create_task(self._grant())
        try:
            return await waiter.turn
        finally:
            if not waiter.turn.done():  # cancelled: the slot goes to the next
                waiter.turn.cancel()

    async def _grant(self) -> None:
        """Hand out slots while anyone waits: each time one comes round, those told to stop
        leave, and the first in line takes it."""
        while self._waiting:
            stopping = [w for w in self._waiting if w.turn.done() or w.interrupted()]
            if stopping:
                for waiter in stopping:
                    if not waiter.turn.done():
                        waiter.turn.set_result(False)
                self._waiting = [w for w in self._waiting if not w.turn.done()]
                heapq.heapify(self._waiting)
                continue
            wait = self.pacer.overall_delay()
            if wait > 0:
                await self.sleep(max(wait, LEAST_WAIT))  # a clock of whole microseconds would not move
                continue
            first = heapq.heappop(self._waiting)
            self._places.pop(first.chat, None)
            self.pacer.spend(first.chat)
            first.turn.set_result(True)


@dataclass(order=True)
class _Waiter:
    """One send waiting for its slot, in line by (priority, place, arrival)."""

    priority: int
    place: int
    number: int
    chat: str = field(compare=False)
    interrupted: Callable[[], bool] = field(compare=False)
    turn: asyncio.Future[bool] = field(compare=False)
