"""The pre-session digest for the therapist: what happened between two sessions.

Owns: the plain inputs the digest reads (``inputs``: one frozen dataclass per kind of stored row),
the pure builder (``build``: rows → a frozen tree of facts), the text renderer and Telegram
splitting (``render``), and the mood chart (``chart``).
May import: the standard library, ``flows`` (labels of options), ``bot.messages`` and
``bot.timezones`` (pure helpers); matplotlib only inside ``chart.mood_chart_png``. Never
``storage``, never ``telegram``: the wiring maps stored rows onto the inputs and sends the result.

Nothing here logs, and nothing here reads a clock: the same request always gives the same digest.
"""

from bot.digest.build import (
    BreathingSession,
    BreathingSummary,
    ConfidenceRating,
    DayLine,
    Digest,
    EmotionChange,
    Flag,
    FlagKind,
    HomeworkAdherence,
    MoodPoint,
    MoodSummary,
    Note,
    Obstacle,
    Occurrence,
    OccurrenceStatus,
    PlanLine,
    ThoughtRecord,
    UrgeSummary,
    UrgeSurf,
    build_digest,
)
from bot.digest.inputs import (
    AssignmentInput,
    ClientInput,
    DigestRequest,
    EntryInput,
    NoteInput,
    PromptInput,
    RiskEventInput,
)
from bot.digest.render import (
    document_filename,
    render_document,
    render_summary,
    render_text,
    sparkline,
    split_for_telegram,
)

__all__ = [
    "AssignmentInput",
    "BreathingSession",
    "BreathingSummary",
    "ClientInput",
    "ConfidenceRating",
    "DayLine",
    "Digest",
    "DigestRequest",
    "EmotionChange",
    "EntryInput",
    "Flag",
    "FlagKind",
    "HomeworkAdherence",
    "MoodPoint",
    "MoodSummary",
    "Note",
    "NoteInput",
    "Obstacle",
    "Occurrence",
    "OccurrenceStatus",
    "PlanLine",
    "PromptInput",
    "RiskEventInput",
    "ThoughtRecord",
    "UrgeSummary",
    "UrgeSurf",
    "build_digest",
    "document_filename",
    "render_document",
    "render_summary",
    "render_text",
    "sparkline",
    "split_for_telegram",
]
