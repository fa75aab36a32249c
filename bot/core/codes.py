"""One-time codes: registration links, client invitations, digest-chat links.

A code is 32 random bytes (256 bits) written URL-safe (43 characters: it fits Telegram's
``/start`` deep-link payload of at most 64 of ``A-Za-z0-9_-``). Only its SHA-256 is stored, so a
copy of the database cannot be used to join; it works once and expires.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import deque
from datetime import datetime, timedelta

from bot.core.clock import Clock

CODE_BYTES = 32
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
REGISTRATION_VALID = timedelta(days=7)
INVITATION_VALID = timedelta(days=7)
CHAT_LINK_VALID = timedelta(hours=1)


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def looks_like_code(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text.strip()) is not None


class AttemptLimiter:
    """At most ``limit`` failed code attempts per sender in ``window`` seconds.

    Guessing a 256-bit code is hopeless anyway; this keeps a flood of guesses from costing
    database work and says "slow down" to a person who pastes a broken link ten times. Kept in
    memory: a restart forgets it, which costs an attacker nothing worth having.
    """

    def __init__(self, clock: Clock, limit: int = 5, window: timedelta = timedelta(minutes=10)) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: dict[str, deque[datetime]] = {}

    def _now(self) -> datetime:
        return self._clock()

    def blocked(self, key: str) -> bool:
        failures = self._failures.get(key)
        if not failures:
            return False
        cutoff = self._now() - self._window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return len(failures) >= self._limit

    def failed(self, key: str) -> None:
        if len(self._failures) > 10_000:  # bounded memory under a flood of senders
            self._failures.clear()
        self._failures.setdefault(key, deque()).append(self._now())
