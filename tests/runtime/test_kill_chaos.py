"""The kill-chaos benchmark, short: a real `between run` SIGKILLed three times at random moments
while clients are mid-flow in a mood check, breathing (a live timer, its clock sped up), PHQ-9
(data-defined, item 9 above 0: the crisis reply, the therapist's alert, the flag) and the
activity log; nothing they answered is lost or stored twice, nobody repeats, every timer ends.

A client's patience counts only while the bot is up (from its first poll after a restart): on a
loaded machine a restart alone took longer than the patience, which the test then mistook for
an answer the bot never took."""

from __future__ import annotations

from benchmarks.kill_chaos import chaos


async def test_three_random_kills_lose_nothing_and_double_nothing() -> None:
    kinds = ("mood_check", "breathing", "phq9", "activity_log")
    figures = await chaos(clients=4, kills=3, gaps=(0.2, 1.2), patience=20, seed=17, kinds=kinds, speed=20)
    assert figures.kills == 3
    assert set(figures.homeworks) == set(kinds)
    assert (figures.lost, figures.duplicated, figures.clients_who_repeated) == (0, 0, 0)
    assert figures.timers_unfinished == 0
    safety = figures.safety
    assert safety.answers > 0
    assert (safety.alerts_missing, safety.events_missing, safety.events_repeated, safety.flags_missing) == (
        0,
        0,
        0,
        0,
    )
    assert figures.tracebacks == 0
