"""Every string a therapist reads from safety: the alerts (client-facing crisis texts are fixed in
``bot/chat/texts.py``, reviewed, never improvised). Written in the therapist's language, which
may not be their client's (formal "Sie" in German)."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_
from flows.places import RISK_CATEGORIES

# --- safety alerts (never the client's words, unless the practice turns that on) ---------------
RISK_ALERT: Final = N_(
    "⚑ Risk language — {alias}, {when} ({zone}), in {where}: {category}. They were shown crisis "
    "resources and asked whether they are safe; they'll be asked once more later."
)
RISK_ALERT_WITH_WORDS: Final = N_(
    "⚑ Risk language — {alias}, {when} ({zone}), in {where}: {category}. They were shown crisis "
    "resources and asked whether they are safe; they'll be asked once more later.\nTheir words: “{text}”"
)
"""The alert where the practice has chosen to include the client's words (RISK_ALERT_INCLUDES_TEXT)."""
CATEGORIES: Final = RISK_CATEGORIES
"""The phrase list's categories as an alert names them."""
NOT_SAFE_ALERT: Final = N_(
    "⚑ {alias} answered that they are not safe ({when}, {zone}). They were shown crisis resources again."
)

# --- item alerts (PHQ-9 item 9 and any step a homework file gives an alert) ---------------------
ITEM_ALERT: Final = N_(
    "⚑ {urgency} — {alias} answered {measure}, item {number} (“{item}”): “{answer}” ({when}, {zone}). "
    "They were shown crisis resources and asked whether they are safe; they'll be asked once more "
    "later. Their other answers are not included here. Once you've followed up, /ack {alias} clears "
    "the high-risk flag."
)
ITEM_URGENCY: Final = (
    N_("Item alert, please follow up soon"),
    N_("Item alert, please follow up today"),
    N_("URGENT item alert, please follow up as soon as you can"),
)
"""By how high the answer is among those the alert fires on: the lowest ("several days"),
one in between ("more than half the days"), the highest ("nearly every day")."""

# --- the high-risk flag and /ack --------------------------------------------------------------
ACK_COMMAND: Final = N_("Clear a client's high-risk flag")
"""/ack in the therapist's command menu."""
ACK_USAGE: Final = N_("/ack <alias> clears a client's high-risk flag once you've followed up, e.g. /ack Sam.")
ACK_NO_FLAG: Final = N_("{alias} has no high-risk flag right now — nothing to clear.")
ACK_DONE: Final = N_(
    "Cleared {alias}'s high-risk flag (raised {since}). Thank you for following up; it's noted "
    "with your name and the time."
)
ACK_NO_CLIENT: Final = N_("You have no client called {alias}. /clients lists them.")
