"""Rows shared by several repositories, as plain dataclasses (column order = the table's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class PersonRow:
    id: int
    transport: str
    external_user_id: str
    chat_id: str
    role: str
    timezone: str
    status: str
    created_at: datetime
    updated_at: datetime
    last_update_id: int | None = None
    unreachable_since: datetime | None = None
    therapist_id: int | None = None
    alias: str | None = None
    consent_version: str | None = None
    consented_at: datetime | None = None
