"""The digests' charts drawn in a process beside the bot's (the second core): the same PNGs as
drawn in a worker thread, from the plain facts a process can be handed."""

from __future__ import annotations

from bot.digest import build_digest
from bot.digest.delivery import DigestDelivery, _charts
from bot.runtime.wiring import Runtime
from tests.support.digests import fortnight


async def test_charts_drawn_in_a_chart_process_are_those_drawn_in_a_thread(runtime: Runtime) -> None:
    digest = build_digest(fortnight())
    delivery = DigestDelivery(runtime.database, runtime.clock, chart_processes=1)
    try:
        in_process = await delivery._draw(digest)
        again = await delivery._draw(digest)  # the same process, matplotlib loaded
    finally:
        await delivery.close()
    mood, scores = in_process
    assert mood is not None and mood.startswith(b"\x89PNG")
    assert in_process == again == _charts(digest)
    assert [label for label, _ in scores] == [series.label for series in digest.score_charts]
