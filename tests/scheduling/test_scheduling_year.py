"""A simulated year through the real scheduler, in a zone whose clocks shift by 30 minutes.

Australia/Lord_Howe moves from +10:30 to +11:00 on the first Sunday of October (02:00 → 02:30)
and back on the first Sunday of April (02:00 → 01:30). Times at 02:15 and 01:45 fall into the gap
and the repeated half hour. Whatever the day, each scheduled local time is prompted exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.cli import schedule as admin
from bot.core.messages import Outgoing
from bot.runtime.settings import Settings
from bot.runtime.wiring import open_runtime, tick
from tests.support.clock import FakeClock


class PromptSink:
    def __init__(self) -> None:
        self.prompts: list[int] = []

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        if message.due_prompt_id is not None and message.edit_of is None:
            self.prompts.append(message.due_prompt_id)
        return str(len(self.prompts))


async def test_exactly_one_prompt_per_scheduled_local_time_for_a_year(
    settings_for: Callable[..., Settings],
) -> None:
    clock = FakeClock(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    settings = settings_for(reminder_delay_minutes=60 * 48, downtime_grace_minutes=60 * 8)
    async with open_runtime(settings, clock) as runtime:
        sink = PromptSink()
        runtime.courier.register("telegram", sink)
        await admin.add_schedule(
            runtime.database, settings, clock, admin.NewSchedule("4001", "mood", "01:45,02:15,12:00")
        )
        async with runtime.database.transaction() as tx:
            person = await tx.people.find("telegram", "4001")
            assert person is not None
            await tx.people.set_timezone(person.id, "Australia/Lord_Howe", clock())
            await tx.schedules.rematerialise_for_person(person.id, clock())
        while clock.now < datetime(2027, 1, 1, tzinfo=UTC):
            await tick(runtime)
            clock.advance(hours=6)  # well inside the grace window; the tick is every few seconds for real
        await tick(runtime)
        async with runtime.database.transaction() as tx:
            prompts = await tx.due_prompts.for_person(person.id, limit=5000)

    sent = [p for p in prompts if p.sent_at is not None]
    assert len(sink.prompts) == len(set(sink.prompts)) == len(sent)
    per_day = Counter(p.local_day for p in sent)
    first, last = date(2026, 1, 2), date(2026, 12, 31)  # whole local days inside the run
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert [per_day[d] for d in days] == [3] * len(days)
    late = [p for p in prompts if p.missed_reason in ("late", "not_sent") and first <= p.local_day <= last]
    assert late == []  # every one was sent in time (then missed only because nobody answered)
    by_key = {p.occurrence: p.due_at for p in prompts}
    # the spring-forward gap: 02:15 does not exist on 2026-10-04, so it comes at 02:30 (+11:00)
    assert by_key["2026-10-04T02:15"] == datetime(2026, 10, 3, 15, 30, tzinfo=UTC)
    # the repeated half hour on 2026-04-05: 01:45 happens twice, prompted once, the first time
    assert by_key["2026-04-05T01:45"] == datetime(2026, 4, 4, 14, 45, tzinfo=UTC)
