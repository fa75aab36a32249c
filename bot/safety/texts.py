"""Every string a therapist reads from safety: the alerts (client-facing crisis texts are fixed in
``bot/chat/texts.py``, reviewed, never improvised)."""

from __future__ import annotations

from typing import Final

# --- safety alerts (never the client's words, unless the practice turns that on) ---------------
RISK_ALERT: Final = (
    "⚑ Risk language — {alias}, {when} ({zone}), in {where}: {category}. They were shown crisis "
    "resources and asked whether they are safe; they'll be asked once more later."
)
RISK_ALERT_WORDS: Final = "\nTheir words: “{text}”"
NOT_SAFE_ALERT: Final = (
    "⚑ {alias} answered that they are not safe ({when}, {zone}). They were shown crisis resources again."
)
