"""Clients who are already in: most tests are about homework, not about joining.

The bot only talks to people who joined with a therapist's invitation and agreed to the consent
text (tests/practice/test_practice_telegram.py tests exactly that). For every other end-to-end test, each
fake user is written into the database as such a client the moment the test creates them, the
way an earlier invitation would have left them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.practice.admission import consent_version
from bot.transports.telegram.texts import PRIVACY_NOTE


def enrol(database_url: str, user_id: int, now: datetime, timezone: str = "UTC") -> None:
    stamp = now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    with sqlite3.connect(database_url.split(":///", 1)[1], timeout=10) as connection:
        connection.execute(
            "INSERT OR IGNORE INTO people (transport, external_user_id, chat_id, role, timezone, status,"
            " created_at, updated_at, consent_version, consented_at)"
            " VALUES ('telegram', ?, ?, 'client', ?, 'active', ?, ?, ?, ?)",
            (str(user_id), str(user_id), timezone, stamp, stamp, consent_version(PRIVACY_NOTE), stamp),
        )
