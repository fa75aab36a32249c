"""The tables the repositories query, as SQLAlchemy Core ``Table`` objects (one name each)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from storage.models import (
    AuditEvent,
    ClientNote,
    Conversation,
    DuePrompt,
    Entry,
    HomeworkDefinition,
    OneTimeCode,
    OutboxMessage,
    Person,
    RiskEvent,
    RiskFlag,
    Schedule,
    Therapist,
    TherapySession,
)

PEOPLE = cast(Table, Person.__table__)
ENTRIES = cast(Table, Entry.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
SCHEDULES = cast(Table, Schedule.__table__)
DUE_PROMPTS = cast(Table, DuePrompt.__table__)
THERAPISTS = cast(Table, Therapist.__table__)
CODES = cast(Table, OneTimeCode.__table__)
SESSIONS = cast(Table, TherapySession.__table__)
NOTES = cast(Table, ClientNote.__table__)
AUDIT = cast(Table, AuditEvent.__table__)
RISK = cast(Table, RiskEvent.__table__)
RISK_FLAGS = cast(Table, RiskFlag.__table__)
DEFINITIONS = cast(Table, HomeworkDefinition.__table__)
