"""The pre-session digest for the therapist: what happened between two sessions.

Owns: the plain inputs the digest reads (``inputs``: one frozen dataclass per kind of stored row),
the pure builder (``build``: rows → a frozen tree of facts, one section per homework type in the
registry, each declared beside its flow), the text renderer (``render``), the charts (``chart``:
the mood's, and each scored measure's), the therapist-facing strings of sending it (``texts``)
and the sending (``delivery``).
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``; matplotlib only inside
``chart``'s drawing functions. Build, render, chart and inputs never import ``storage`` or a
transport: the delivery maps stored rows onto the inputs and queues the result.

Nothing here logs, and nothing here reads a clock: the same request in the same language always
gives the same digest. A therapist's digest is built, rendered and its charts worded inside
``reading(therapist's language)`` (the delivery does it); the client's own words stay as written.
"""

from bot.digest.build import (
    ConfidenceRating,
    DayLine,
    Digest,
    Flag,
    FlagKind,
    HighRisk,
    HomeworkAdherence,
    Note,
    Obstacle,
    Occurrence,
    OccurrenceStatus,
    PlanLine,
    SectionFacts,
    build_digest,
)
from bot.digest.inputs import (
    AssignmentInput,
    ClientInput,
    DigestRequest,
    EntryInput,
    GoalInput,
    NoteInput,
    PromptInput,
    RiskEventInput,
    RiskFlagInput,
)
from bot.digest.render import (
    document_filename,
    render_document,
    render_summary,
    render_text,
)
from flows.sections import sparkline

__all__ = [
    "AssignmentInput",
    "ClientInput",
    "ConfidenceRating",
    "DayLine",
    "Digest",
    "DigestRequest",
    "EntryInput",
    "Flag",
    "FlagKind",
    "GoalInput",
    "HighRisk",
    "HomeworkAdherence",
    "Note",
    "NoteInput",
    "Obstacle",
    "Occurrence",
    "OccurrenceStatus",
    "PlanLine",
    "PromptInput",
    "RiskEventInput",
    "RiskFlagInput",
    "SectionFacts",
    "build_digest",
    "document_filename",
    "render_document",
    "render_summary",
    "render_text",
    "sparkline",
]
