"""A per-person cap on messages: a flood (a stuck key, a script, someone testing us) is dropped
quietly after one kind word, instead of costing every other client their reply time."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.core.clock import Clock

WINDOW = timedelta(minutes=1)
MAX_SENDERS = 50_000
"""Senders remembered at once; beyond that the oldest are forgotten (bounded memory)."""


class MessageCap:
    """At most ``per_minute`` updates a minute from one sender; the first one over hears why."""

    def __init__(self, clock: Clock, per_minute: int) -> None:
        self._clock = clock
        self._per_minute = per_minute
        self._seen: dict[str, deque[datetime]] = {}
        self._told: set[str] = set()

    def check(self, sender: str) -> str:
        """'ok', 'tell' (over the cap: say so once) or 'drop'."""
        now = self._clock()
        times = self._seen.pop(sender, None) or deque()
        self._seen[sender] = times  # most recent last: the first ones are the stalest
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if len(self._seen) > MAX_SENDERS:
            stalest = next(iter(self._seen))
            del self._seen[stalest]
            self._told.discard(stalest)
        if len(times) < self._per_minute:
            if not times:  # a quiet minute: should they flood again, they hear it again
                self._told.discard(sender)
            times.append(now)
            return "ok"
        if sender in self._told:
            return "drop"
        self._told.add(sender)
        return "tell"
