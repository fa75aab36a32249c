"""Texts as a messenger shows them: gesture markers (``bot.core.gestures``) in its own words."""

from __future__ import annotations

from bot.transports.plain import GESTURES as TYPED
from bot.transports.telegram.texts import GESTURES as TAPPED


def tapped(text: str) -> str:
    """``text`` as Telegram shows it ("tap Skip")."""
    return TAPPED.speak(text)


def typed(text: str) -> str:
    """``text`` as the terminal (and Signal) show it ("type Skip")."""
    return TYPED.speak(text)
