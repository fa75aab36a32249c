"""Telegram's own text limit: 4096 characters counted in UTF-16 units, split by the one
splitter at the sink; another messenger's limit (bytes, say) goes through the same splitter."""

from __future__ import annotations

from bot.core.messages import TextLimit, split_text, utf16_length
from bot.transports.telegram.sink import CAPABILITIES, TEXT_LIMIT


def test_long_texts_split_at_breaks_and_lose_nothing() -> None:
    paragraph = "I kept thinking about it. " * 60
    text = "\n\n".join(paragraph.strip() + f" ({n}) 🌿" for n in range(8))
    parts = split_text(text, TEXT_LIMIT)
    assert len(parts) > 1 and all(utf16_length(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert split_text("short", TEXT_LIMIT) == ["short"]
    emoji = "🌿" * 3000  # 6000 UTF-16 units
    assert all(utf16_length(p) <= 4096 for p in split_text(emoji, TEXT_LIMIT))
    assert "".join(split_text(emoji, TEXT_LIMIT)) == emoji


def test_the_telegram_sink_says_what_it_can_do() -> None:
    assert CAPABILITIES.text_limit == TEXT_LIMIT and TEXT_LIMIT.size == 4096
    assert CAPABILITIES.buttons and CAPABILITIES.edits and CAPABILITIES.attachments


def test_a_limit_in_bytes_splits_the_same_way() -> None:
    in_bytes = TextLimit(2000, lambda text: len(text.encode("utf-8")))
    text = "Grüße aus dem Garten. " * 300
    parts = split_text(text, in_bytes)
    assert len(parts) > 1 and all(len(p.encode("utf-8")) <= 2000 for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
