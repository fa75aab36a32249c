"""Sending pace, on a clock we move: even spacing overall, a small burst then one a second per chat."""

from __future__ import annotations

import itertools

import pytest

from bot.core.messages import Outgoing
from bot.delivery.courier import Courier
from bot.delivery.pacing import Pacer
from bot.runtime.wiring import Runtime
from tests.support.sinks import FakeSink


class Monotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_overall_sends_are_spaced_evenly() -> None:
    clock = Monotonic()
    pacer = Pacer(rate=30, chat_interval=1.0, chat_burst=3, monotonic=clock)
    sent_at = []
    for n in range(90):
        clock.now += pacer.delay(f"chat{n}")
        pacer.spend(f"chat{n}")
        sent_at.append(clock.now)
        pacer.answered()  # answered at once
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert min(gaps) >= 1 / 30 - 1e-9 and max(gaps) <= 1 / 30 * 1.26
    assert sent_at[-1] - sent_at[0] == pytest.approx(89 / 30, rel=0.02)  # no drift
    for start in sent_at:  # and a sliding one-second window never holds more than 30
        assert sum(start <= t < start + 1 for t in sent_at) <= 30


def test_a_chat_gets_a_small_burst_then_one_a_second() -> None:
    clock = Monotonic()
    pacer = Pacer(rate=30, chat_interval=1.0, chat_burst=3, monotonic=clock, headroom=1.0)
    waits = []
    for _ in range(6):
        wait = pacer.delay("alex")
        waits.append(round(wait, 3))
        clock.now += wait
        pacer.spend("alex")
    assert waits[0] == 0.0 and all(w <= round(1 / 30, 3) for w in waits[1:3])
    assert all(w >= 0.9 for w in waits[3:])  # then about one a second
    assert pacer.delay("sam") == pytest.approx(1 / 30)  # another chat only waits for the overall pace


def test_late_answers_hold_the_window() -> None:
    """The server counts a message when it arrives: 30 answered within a second means wait."""
    clock = Monotonic()
    pacer = Pacer(rate=30, chat_interval=1.0, chat_burst=3, monotonic=clock)
    for n in range(30):
        clock.now += pacer.delay(f"c{n}")
        pacer.spend(f"c{n}")
    clock.now += 0.2  # the answers were slow, and all came in together
    for _ in range(30):
        pacer.answered()
    assert pacer.delay("c99") == pytest.approx(1.0)


def test_rate_zero_turns_pacing_off() -> None:
    pacer = Pacer(rate=0)
    for _ in range(100):
        assert pacer.delay("alex") == 0.0
        pacer.spend("alex")


async def test_the_drainer_keeps_the_pace_and_the_order(runtime: Runtime) -> None:
    clock = Monotonic()
    courier = Courier(
        runtime.database,
        runtime.clock,
        pacer=Pacer(rate=30, chat_interval=1.0, chat_burst=1, monotonic=clock),
        sleep=clock.sleep,
    )
    sent: list[tuple[str, float]] = []

    def note_the_time(chat_id: str, _: Outgoing) -> str:
        sent.append((chat_id, clock.now))
        return str(len(sent))

    sink = FakeSink(note_the_time)
    courier.register("telegram", sink)
    async with runtime.database.transaction() as tx:
        rows = [("telegram", f"c{n % 10}", None, Outgoing(text=f"m{n}").to_json()) for n in range(40)]
        await tx.outbox.put_rows(rows, runtime.clock())
    while await courier.deliver_due():
        pass
    assert len(sent) == 40
    times = [t for _, t in sent]
    assert all(b - a >= 1 / 30 * 0.75 - 1e-9 for a, b in itertools.pairwise(times))
    assert all(sum(start <= t < start + 1 for t in times) <= 30 for start in times)
    by_chat: dict[str, list[float]] = {}
    for chat, t in sent:
        by_chat.setdefault(chat, []).append(t)
    for sends in by_chat.values():
        assert len(sends) == 4
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(sends))
    await courier.flush()
    async with runtime.database.transaction() as tx:
        assert await tx.outbox.count() == 0
