"""Every status and role Between stores, spelled once.

The values are the strings in the database, so nothing stored changes. They are ``StrEnum``s:
a member equals its string (``EntryStatus.COMPLETED == "completed"``), rows keep plain ``str``
fields, and a misspelt member is an error where a misspelt string would be a branch that never
runs. Pure vocabulary: storage writes these, the services compare against them.
"""

from __future__ import annotations

from enum import StrEnum, nonmember


class Role(StrEnum):
    """What a person is to the bot (``people.role``)."""

    CLIENT = "client"
    THERAPIST = "therapist"


class PersonStatus(StrEnum):
    """Whether the transport can reach a person (``people.status``)."""

    ACTIVE = "active"
    UNREACHABLE = "unreachable"  # blocked the bot, or the chat is gone; writing to us again ends it


class EntryStatus(StrEnum):
    """One homework entry (``entries.status``)."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ScheduleStatus(StrEnum):
    """A homework plan (``schedules.status``): removed plans are kept for the digest."""

    ACTIVE = "active"
    REMOVED = "removed"


class Cadence(StrEnum):
    """How a homework plan finds its occurrences (``schedules.cadence``)."""

    WEEKLY = "weekly"  # its times on its weekdays
    EVERY_N_DAYS = "every_n_days"  # its times every ``interval_days`` from its start date
    BEFORE_SESSION = "before_session"  # the day before each session, at its time
    BEFORE_OTHER_SESSION = "before_other_session"  # the day before every other session

    SESSIONS = nonmember((BEFORE_SESSION, BEFORE_OTHER_SESSION))


class PromptStatus(StrEnum):
    """One scheduled occurrence of a homework (``due_prompts.status``)."""

    PENDING = "pending"  # materialised, not yet sent (or snoozed until due_at)
    SENT = "sent"  # shown, waiting for Start / Snooze / Skip
    STARTED = "started"
    SKIPPED = "skipped"
    MISSED = "missed"
    UNREACHABLE = "unreachable"

    OPEN = nonmember((PENDING, SENT))
    """Not yet acted on: the tick may still send, remind or close these."""


class SessionStatus(StrEnum):
    """A therapy session, or an on-demand digest (``therapy_sessions.status``)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DIGEST_SENT = "digest_sent"
    PASSED = "passed"  # it began before its digest could be sent


class CodePurpose(StrEnum):
    """What redeeming a one-time code does (``one_time_codes.purpose``)."""

    REGISTER = "register"  # a therapist's registration, from the admin
    INVITE = "invite"  # a client's invitation, from their therapist
    DIGEST_CHAT = "digest_chat"  # links a group or channel as a therapist's digest chat


__all__ = [
    "Cadence",
    "CodePurpose",
    "EntryStatus",
    "PersonStatus",
    "PromptStatus",
    "Role",
    "ScheduleStatus",
    "SessionStatus",
]
