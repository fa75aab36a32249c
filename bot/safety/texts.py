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

# --- item alerts (PHQ-9 item 9 and any step a homework file gives an alert) ---------------------
ITEM_ALERT: Final = (
    "⚑ {urgency} — {alias} answered {measure}, item {number} (“{item}”): “{answer}” ({when}, {zone}). "
    "They were shown crisis resources and asked whether they are safe; they'll be asked once more "
    "later. Their other answers are not included here. Once you've followed up, /ack {alias} clears "
    "the high-risk flag."
)
ITEM_URGENCY: Final = (
    "Item alert, please follow up soon",
    "Item alert, please follow up today",
    "URGENT item alert, please follow up as soon as you can",
)
"""By how high the answer is among those the alert fires on: the lowest ("several days"),
one in between ("more than half the days"), the highest ("nearly every day")."""

# --- the high-risk flag and /ack --------------------------------------------------------------
ACK_USAGE: Final = "/ack <alias> clears a client's high-risk flag once you've followed up, e.g. /ack Sam."
ACK_NO_FLAG: Final = "{alias} has no high-risk flag right now — nothing to clear."
ACK_DONE: Final = (
    "Cleared {alias}'s high-risk flag (raised {since}). Thank you for following up; it's noted "
    "with your name and the time."
)
ACK_NO_CLIENT: Final = "You have no client called {alias}. /clients lists them."
