"""The kill-chaos benchmark, short: a real `between run` SIGKILLed three times at random moments
while clients are mid-flow; nothing they answered is lost or stored twice, nobody repeats."""

from __future__ import annotations

from benchmarks.kill_chaos import chaos


async def test_three_random_kills_lose_nothing_and_double_nothing() -> None:
    figures = await chaos(clients=3, kills=3, gaps=(0.2, 1.2), patience=20, seed=17)
    assert figures.kills == 3
    assert figures.homeworks > 0
    assert (figures.lost, figures.duplicated, figures.clients_who_repeated) == (0, 0, 0)
    assert figures.tracebacks == 0
