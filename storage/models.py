"""The schema. Every change here comes with a migration in ``storage/migrations/versions``.

What a client (or their therapist, about them) writes is in ``EncryptedJson``/``EncryptedText``
columns, sealed at rest (``storage/crypto.py``): answers, drafts, selections, skip notes, notes,
rationales, risk texts and queued messages. Ids, times, statuses, step ids, aliases (looked up by
value) and schedule times are not.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import EncryptedJson, EncryptedText, JsonColumn, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    """Someone the bot talks to, on one transport (Telegram today, Signal later)."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("transport", "external_user_id", name="uq_people_identity"),
        UniqueConstraint("therapist_id", "alias", name="uq_people_therapist_alias"),
        # ids are never reused: an erased person's id stays theirs in the audit log
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    external_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="client")
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_update_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """The newest transport update handled for this person: a repeated delivery is at or below."""
    unreachable_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """Set when the transport says we cannot reach them (blocked the bot, chat gone)."""
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    """A client's therapist (the one whose invitation they accepted)."""
    alias: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """What the therapist calls this client: the digest uses it, never a name from Telegram."""
    consent_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """The consent text the client agreed to (None: not yet)."""
    consented_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    """The language they read: their own choice (/language), else their messenger's on first
    contact where we have it; None reads the practice's default (``DEFAULT_LANGUAGE``)."""


class Entry(Base):
    """One homework done, cancelled or in progress (its draft answers are on the conversation)."""

    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_person_started", "person_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJson("entries.answers"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    draft: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJson("entries.draft"), nullable=True)
    """Where a cancelled entry stopped (step, picks, path), so it can be resumed; else NULL."""
    flow_version: Mapped[str] = mapped_column(String(16), server_default="1")
    """The version of the homework's definition it was answered under (see ``definitions``)."""


class Conversation(Base):
    """The one open flow of a person: where they are and the draft of what they answered.

    One row, rewritten in the same transaction as each answer. When the flow ends its answers
    move to the entry (created when the flow started) and this row is deleted.
    """

    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    step_id: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJson("conversations.answers"))
    selection: Mapped[list[str]] = mapped_column(EncryptedJson("conversations.selection"))
    history: Mapped[list[str]] = mapped_column(JsonColumn)
    prompt_token: Mapped[str] = mapped_column(String(16))
    prompt_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_update_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """Newer than the person's while a flow is open: written with each answer, no extra write."""
    due_prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("due_prompts.id", ondelete="SET NULL"), nullable=True
    )
    """The scheduled prompt this conversation answers (started from it, or why it was skipped)."""
    wake_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    """When the clock next changes something (a timed step's live message); NULL otherwise."""
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """Set when risk language paused the flow: it waits (answers kept) until they carry on."""


class OutboxMessage(Base):
    """A message to send or edit, written in the same transaction as the state that caused it.

    Delivered right after the commit; one that fails stays here and is retried, so a reply is
    never lost to a crash or a network error.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat", "transport", "chat_id", "id"),
        Index("ix_outbox_due", "due_at"),
        # ids are never reused: a delivery written down late must not delete a newer message
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=True)
    transport: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJson("outbox.payload"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    coalesce_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Messages with the same key in a chat replace each other while unsent (a timer's frames:
    only the newest is worth sending)."""
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Sent before everything else queued for its chat, not held by the chat's pace (a crisis
    reply, a risk alert); among urgent messages, and among the others, the order is the id's."""
    lease_owner: Mapped[str | None] = mapped_column(String(40), nullable=True)
    """The bot process whose drainer claimed this message (PostgreSQL, several processes)."""
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """Until when the claim holds unless renewed: a process that died loses it then."""


class SendBudget(Base):
    """The bot token's sending pace, shared by every process on one database: the next free
    slot on an even grid (about 30 a second), taken in one atomic statement."""

    __tablename__ = "send_budget"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_slot: Mapped[datetime] = mapped_column(UtcDateTime())


class Schedule(Base):
    """When a client is invited to do one homework: local times on some weekdays, in their zone."""

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_materialize", "status", "materialize_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    times: Mapped[list[str]] = mapped_column(JsonColumn)
    """Local wall times, "HH:MM"."""
    weekdays: Mapped[list[int]] = mapped_column(JsonColumn)
    """0 = Monday … 6 = Sunday."""
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    rationale: Mapped[str | None] = mapped_column(EncryptedText("schedules.rationale"), nullable=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16))
    materialized_through: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The last local day whose occurrences exist as due prompts."""
    materialize_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """When the next local day's occurrences should be created (indexed: the tick asks for few)."""
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    """Occurrences before this instant are not created (the plan did not exist yet, or the
    client's zone changed): only later ones can be sent or missed."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confidence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """How confident the client felt about doing it, 0–10, when it was agreed."""
    confidence_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cadence: Mapped[str] = mapped_column(String(24), default="weekly", server_default="weekly")
    """How occurrences are found (``bot.core.statuses.Cadence``): the weekly plan of ``times`` on
    ``weekdays``; every ``interval_days`` from ``start_date``; or the day before every (other)
    session the therapist set, at ``times``."""
    interval_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    given: Mapped[dict[str, list[str]] | None] = mapped_column(
        EncryptedJson("schedules.given"), nullable=True
    )
    """Lists the therapist gave with the assignment, by name (an exposure ladder's steps, easiest
    first): the client picks from them where a step takes its options from that list."""


class DuePrompt(Base):
    """One scheduled occurrence: sent once, then started, snoozed, skipped or missed.

    Unique per (schedule, local occurrence), so materialising the same day twice is a no-op.
    """

    __tablename__ = "due_prompts"
    __table_args__ = (
        UniqueConstraint("schedule_id", "occurrence", name="uq_due_prompts_occurrence"),
        Index("ix_due_prompts_status_due", "status", "due_at"),
        Index("ix_due_prompts_status_remind", "status", "remind_at"),
        Index("ix_due_prompts_status_expires", "status", "expires_at"),
        Index("ix_due_prompts_person", "person_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[str] = mapped_column(String(16))
    """The scheduled local date and time, "YYYY-MM-DDTHH:MM"."""
    local_day: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """The end of the client's local day: not acted on by then, it is missed."""
    status: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    skip_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    skip_note: Mapped[str | None] = mapped_column(EncryptedText("due_prompts.skip_note"), nullable=True)
    missed_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)


class Therapist(Base):
    """A person who registered with an admin's one-time code: invites clients, reads digests."""

    __tablename__ = "therapists"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    lead_minutes: Mapped[int] = mapped_column(Integer, default=120)
    """How long before a session its digest is sent."""
    digest_transport: Mapped[str | None] = mapped_column(String(16), nullable=True)
    digest_chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """A group or channel verified with a one-time code; NULL: the therapist's private chat."""
    digest_chat_title: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OneTimeCode(Base):
    """A registration, invitation or chat-link code. Only its SHA-256 is stored; it works once."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=True, index=True
    )
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """Registration: the therapist's name, as the admin typed it."""
    alias: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Invitation: what the therapist will call the client."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), nullable=True)


class TherapySession(Base):
    """A session on the therapist's calendar; its digest is due a lead time before it."""

    __tablename__ = "therapy_sessions"
    __table_args__ = (
        Index("ix_therapy_sessions_digest_due", "status", "digest_due_at"),
        Index("ix_therapy_sessions_client", "client_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    repeat: Mapped[str] = mapped_column(String(16))
    """once, weekly or biweekly: the next one is written when this one's digest goes."""
    status: Mapped[str] = mapped_column(String(16))
    digest_due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    digest_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ClientNote(Base):
    """Something a client asked to bring to their next session (``/note``)."""

    __tablename__ = "client_notes"
    __table_args__ = (Index("ix_client_notes_person", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(EncryptedText("client_notes.text"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditEvent(Base):
    """Append-only: who read what about whom (digests sent or asked for, exports). Ids only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RiskEvent(Base):
    """Risk language was recognised in something a client wrote.

    The client got the crisis message at once and the therapist an alert; the client is asked
    once more, later, whether they are safe (``follow_up_at``).
    """

    __tablename__ = "risk_events"
    __table_args__ = (
        Index("ix_risk_events_person", "person_id", "at"),
        Index("ix_risk_events_follow_up", "follow_up_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    where: Mapped[str] = mapped_column(String(64))
    """Flow and step ("thought_record.hot_thought"), or "message", "note", "caption", "edit"."""
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(EncryptedText("risk_events.text"), nullable=True)
    """What they wrote (encrypted at rest); shown to the therapist only if the practice says so."""
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """"safe" or "not_safe", once they answered the crisis message."""
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """When to ask once more whether they are safe; NULL once asked (or not needed)."""
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    follow_up_answer: Mapped[str | None] = mapped_column(String(16), nullable=True)


class RiskFlag(Base):
    """A client's high-risk flag: raised by an item alert (PHQ-9 item 9) or risk language, shown
    first in every digest and in /clients until their therapist clears it (``/ack``). Raising and
    clearing are in the audit log too; ids, times and names only, never what anyone wrote."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        Index("ix_risk_flags_open", "person_id", "cleared_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(16))
    """"item_alert" or "risk_language"."""
    where: Mapped[str] = mapped_column(String(64))
    """Flow and step ("phq9.item9"), or the place risk language was recognised."""
    risk_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_events.id", ondelete="SET NULL"), nullable=True
    )
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cleared_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The therapist (person id) who cleared it."""


class TypedChoice(Base):
    """What typed numbers mean in a chat without buttons: the choices of a question shown there.

    A keyboard-less transport (the terminal, Signal) numbers a question's buttons; a typed "2"
    presses the second. Kept per chat and shown message, so a restart does not forget it and
    two questions open at once stay apart (``bot.transports.plain`` says which one a number
    means). Holds button data only (ids and tokens), never what anyone wrote.
    """

    __tablename__ = "typed_choices"
    __table_args__ = (
        UniqueConstraint("transport", "chat_id", "message_id"),
        Index("ix_typed_choices_chat", "transport", "chat_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    """The question's answer kind: only choice, multi-choice and timer questions take numbers."""
    choices: Mapped[list[str]] = mapped_column(JsonColumn)
    """The button data a typed 1, 2, 3 … presses, in that order."""
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Goal(Base):
    """A client's goal (Goal-Based Outcomes) in their own words, as their therapist wrote it down.

    Numbered per client from 1, never reused, so "/goal Sam edit 2" always means the same goal;
    at most three are active at once (``storage.goals`` keeps that). Each wording it had is in
    ``goal_changes``, each rating in ``goal_ratings``.
    """

    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("person_id", "number", name="uq_goals_person_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(EncryptedText("goals.text"))
    """Its words now (what each change said is in ``goal_changes``)."""
    status: Mapped[str] = mapped_column(String(16))
    """active or retired."""
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The therapist's person id (no reference: their erasure leaves the client's goals)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GoalChange(Base):
    """One dated change of a goal: added (its words), edited (the new words; the old ones are in
    the change before) or retired. Never updated or deleted, except with the client's data."""

    __tablename__ = "goal_changes"
    __table_args__ = (Index("ix_goal_changes_goal", "goal_id", "at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(EncryptedText("goal_changes.text"), nullable=True)
    """The goal's words from this change on (None for a retirement)."""
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class GoalRating(Base):
    """How close the client felt to one goal, 0–10, and when (from a goal rating entry)."""

    __tablename__ = "goal_ratings"
    __table_args__ = (
        Index("ix_goal_ratings_person", "person_id", "rated_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)


class HomeworkDefinition(Base):
    """The text of a data-defined homework, kept per (id, version) from the first time Between ran
    it, so entries answered under it read the same after the file is edited. Written by the
    practice, not by a client: not personal, not encrypted."""

    __tablename__ = "homework_definitions"
    __table_args__ = (UniqueConstraint("flow_id", "version", name="uq_homework_definitions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MessageVersion(Base):
    """One version of a message shown in a chat that edits messages in place (Signal): each edit
    is a new version with its own id, and the conversation keeps knowing the message by its
    first id (``message_id``). The newest row of a message says which version an edit must name
    and how many edits it has had, so a restart keeps the messenger's edit rules; a quote of any
    version finds its message. Holds ids, times and numbers only, never what anyone wrote.
    """

    __tablename__ = "message_versions"
    __table_args__ = (
        UniqueConstraint("transport", "version_id", name="uq_message_versions_version"),
        Index("ix_message_versions_message", "transport", "message_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[str] = mapped_column(String(64))
    edits: Mapped[int] = mapped_column(Integer)
    """How many edits the message had with this version (0: the message as first sent)."""
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """When the message (its first version) was sent: edits stop a day after."""
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    offered: Mapped[Any] = mapped_column(JsonColumn)
    """The numbers the message offered as this version (a check-in coming or going)."""
    question: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """It asked something: a quote of it once closed has expired."""


class ToldOnce(Base):
    """Something a transport says once and must not repeat after a restart: a captcha the
    operator must solve (``subject`` empty: the account), a client's safety number changed (told
    to their therapist; ``subject``: the chat), a newcomer's language asked or chosen before
    they have a row (``subject``: their user id). Forgotten once it no longer holds."""

    __tablename__ = "told_once"
    __table_args__ = (UniqueConstraint("transport", "fact", "subject", name="uq_told_once_fact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    fact: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    told_at: Mapped[datetime] = mapped_column(UtcDateTime())
