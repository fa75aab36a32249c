"""What a client reads about Telegram itself, before they agree to anything."""

from __future__ import annotations

from typing import Final

from bot.core.gestures import Gestures

PRIVACY_NOTE: Final = (
    "• Telegram: chats with bots are not end-to-end encrypted, and Telegram keeps a copy of "
    "this chat on its servers.\n"
)
"""Telegram's paragraph of the consent text (``bot.chat.texts.CONSENT``'s ``{privacy}``)."""

GESTURES: Final = Gestures(
    tap="tap",
    pick_number="tap one below, or type it",
    pick_one="tap one of the buttons below",
    pick_any="tap any that fit",
    use_latest="use the buttons on the latest message",
)
"""How a client answers in Telegram: buttons under the message (``bot.core.gestures``)."""

JOIN_LABELLED: Final = "Telegram: {link}"
"""The Telegram line of an invitation when the practice runs more than one messenger."""
