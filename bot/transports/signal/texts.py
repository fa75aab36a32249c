"""What a person reads about Signal itself: the consent paragraph, the way in, the safety-number
notice, the breathing guide. Marked for the catalogue; translated where shown, in the language
of whoever reads it (the message's, or the therapist's for the notice)."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, ngettext

PRIVACY_NOTE: Final = N_(
    "• Signal: this chat is end-to-end encrypted between your phone and the practice's number, "
    "but the practice's server receives and keeps what you write here (as does the Signal program "
    "it runs). It is still not an emergency service.\n"
)
"""Signal's paragraph of the consent text (``bot.chat.texts.CONSENT``'s ``{privacy}``)."""

# TRANSLATORS: "start" stays the same word in every language (it is the command).
JOIN: Final = N_("send “start {code}” to {number} on Signal (this opens a chat with it: {link})")
"""How someone joins on Signal, which has no links that carry a code."""
JOIN_LABELLED: Final = "Signal: {link}"
"""The Signal line of an invitation when the practice runs more than one messenger."""

SAFETY_NUMBER_CHANGED: Final = N_(
    "{alias}'s Signal safety number has changed: they may have reinstalled Signal, or someone "
    "else may now have their number. I've stopped sending them anything until you have checked "
    "with them (in a session or by phone) and the practice's admin has confirmed the new number."
)
"""Told to a client's therapist once, when Signal refuses a send for a changed safety number."""


def breathing_guide(rounds: int) -> str:
    """Sent with the breathing animation on Signal, where a message cannot change every few
    seconds (formatted with ``phases`` and ``rounds``), in the language being read."""
    return ngettext(
        "🫁 Breathe with the circle: it grows while you breathe in, rests while you hold, and "
        "shrinks while you breathe out.\n{phases}\n\n"
        "It repeats for as long as you like; the message below counts down your {rounds} round, "
        "and you can stop whenever you want.",
        "🫁 Breathe with the circle: it grows while you breathe in, rests while you hold, and "
        "shrinks while you breathe out.\n{phases}\n\n"
        "It repeats for as long as you like; the message below counts down your {rounds} rounds, "
        "and you can stop whenever you want.",
        rounds,
    )


# TRANSLATORS: one phase of a breathing pattern and its length: "Breathe in 4 s".
BREATHING_PHASE: Final = N_("{phase} {seconds} s")
BREATHING_PHASES_SEPARATOR: Final = " · "
