"""What a client reads about Telegram itself, before they agree to anything."""

from __future__ import annotations

from typing import Final

PRIVACY_NOTE: Final = (
    "• Telegram: chats with bots are not end-to-end encrypted, and Telegram keeps a copy of "
    "this chat on its servers.\n"
)
"""Telegram's paragraph of the consent text (``bot.chat.texts.CONSENT``'s ``{privacy}``)."""
