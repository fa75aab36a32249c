"""What a client reads about Telegram itself, before they agree to anything."""

from __future__ import annotations

from typing import Final

from bot.core.gestures import Gestures
from bot.core.i18n import N_

PRIVACY_NOTE: Final = N_(
    "• Telegram: chats with bots are not end-to-end encrypted, and Telegram keeps a copy of "
    "this chat on its servers.\n"
)
"""Telegram's paragraph of the consent text (``bot.chat.texts.CONSENT``'s ``{privacy}``)."""

GESTURES: Final = Gestures(
    tap=N_("tap"),
    pick_number=N_("tap one below, or type it"),
    pick_one=N_("tap one of the buttons below"),
    pick_any=N_("tap any that fit"),
    use_latest=N_("use the buttons on the latest message"),
)
"""How a client answers in Telegram: buttons under the message (``bot.core.gestures``)."""

JOIN_LABELLED: Final = "Telegram: {link}"
"""The Telegram line of an invitation when the practice runs more than one messenger."""
