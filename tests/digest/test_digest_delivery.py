"""How a digest is sent: as text when it fits in a few messages, else a summary and the whole
text as a document; the chart as a photo."""

from __future__ import annotations

import dataclasses

from bot.core.messages import utf16_length
from bot.digest import EntryInput, build_digest, render_text
from bot.digest.delivery import MAX_TEXT_PARTS, compose
from bot.transports.telegram.sink import TEXT_LIMIT
from tests.support.digests import fortnight


def test_a_digest_that_fits_goes_as_text_and_the_chart_as_a_photo() -> None:
    digest = build_digest(fortnight())
    messages = compose(digest, chart=b"\x89PNG\r\n\x1a\nchart")
    *texts, photo = messages
    assert "".join(m.text or "" for m in texts).replace("\n", "") == render_text(digest).replace("\n", "")
    assert all(m.attachment is None and utf16_length(m.text or "") <= TEXT_LIMIT.size for m in texts)
    assert photo.attachment is not None and photo.attachment.kind == "photo"
    assert photo.text is not None and digest.alias in photo.text


def test_a_long_digest_goes_as_a_summary_and_a_document() -> None:
    request = fortnight()
    long_record = {
        "situation": "A long situation. " * 120,
        "hot_thought": "A long thought. " * 60,
        "balanced_thought": "A long balanced thought. " * 60,
    }
    extra = [
        EntryInput(
            1000 + n, "thought_record", "completed", long_record, request.period_start, request.period_start
        )
        for n in range(6)
    ]
    digest = build_digest(dataclasses.replace(request, entries=(*request.entries, *extra)))
    messages = compose(digest, chart=None)
    summary, document = messages
    assert summary.attachment is None and utf16_length(summary.text or "") < 1024
    assert document.attachment is not None and document.attachment.kind == "document"
    assert document.attachment.content.decode("utf-8").count("A long situation.") == 6 * 120
    assert len(messages) < MAX_TEXT_PARTS + 1


def test_messages_survive_the_outbox_as_json() -> None:
    from bot.core.messages import Outgoing

    for message in compose(build_digest(fortnight()), chart=b"\x89PNG\r\n\x1a\n" + bytes(range(256))):
        assert Outgoing.from_json(message.to_json()) == message
