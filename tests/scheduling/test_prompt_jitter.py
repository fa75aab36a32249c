"""Scheduled prompts to a messenger with a spread (Signal: SIGNAL_PROMPT_JITTER_SECONDS, a
minute by default) go out over that window rather than as one burst: each person's delay is
the same all day and known from the clock, a messenger without one sends on time, and nothing
but scheduled prompts waits for it (a reply, a crisis message)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.chat import texts
from bot.chat.turn import CommandReceived, Sender, TextReceived
from bot.cli.schedule import NewSchedule, add_schedule
from bot.practice.admission import consent_version
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime, tick
from bot.scheduling.scheduler import goes_at
from bot.transports.signal.texts import PRIVACY_NOTE
from storage import DuePromptRow
from tests.support.clock import FakeClock
from tests.support.enrolment import enrol
from tests.support.rows import rows
from tests.support.sinks import FakeSink

EIGHT = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
DAY = EIGHT.date()


def _prompt(person_id: int, day: date = DAY, due: datetime = EIGHT) -> DuePromptRow:
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return DuePromptRow(
        1, 1, person_id, "mood_check", "o", day, due, end, "pending", "t", None, None, None, False, 0,
        None, None, None, None, None,
    )  # fmt: skip


def test_a_delay_is_the_same_for_one_person_on_one_day_within_the_window() -> None:
    window = timedelta(seconds=60)
    delays = [goes_at(_prompt(person), window) - EIGHT for person in range(1, 41)]
    assert all(timedelta(0) <= d < window for d in delays)
    assert len(set(delays)) == 40  # spread, not one burst
    assert goes_at(_prompt(7), window) == goes_at(_prompt(7), window)
    snoozed = _prompt(7, due=EIGHT + timedelta(minutes=15))
    assert goes_at(snoozed, window) - snoozed.due_at == delays[6]  # the same delay all day
    tomorrow = _prompt(7, EIGHT.date() + timedelta(days=1), EIGHT + timedelta(days=1))
    assert goes_at(tomorrow, window) - tomorrow.due_at != delays[6]
    assert goes_at(_prompt(7), timedelta(0)) == EIGHT
    late = _prompt(7, due=datetime(2026, 3, 3, 23, 59, 59, 500_000, tzinfo=UTC))
    assert goes_at(late, timedelta(hours=1)) == late.due_at  # never past the end of its day


async def _signal_client(runtime: Runtime, name: str, now: datetime) -> int:
    async with runtime.database.transaction() as tx:
        person = await tx.people.create("signal", name, name, "UTC", now)
        await tx.clients.record_consent(person.id, consent_version(PRIVACY_NOTE), now)
    return person.id


async def test_eight_oclock_prompts_to_signal_spread_over_the_window_and_telegram_keeps_its_time(
    settings_for: Callable[..., Settings],
) -> None:
    clock = FakeClock(EIGHT - timedelta(hours=1))
    async with open_runtime(settings_for(signal_prompt_jitter_seconds=60), clock) as runtime:
        signal_people = [await _signal_client(runtime, f"aci-{n}", clock()) for n in range(5)]
        await enrol(runtime.database, 7, clock())
        for person in [*signal_people, "7"]:
            client = f"#{person}" if isinstance(person, int) else person
            await add_schedule(
                runtime.database, runtime.settings, clock, NewSchedule(client, "mood", "08:00")
            )
        await tick(runtime)
        clock.now = EIGHT
        sent_at: dict[int, datetime] = {}
        for _ in range(7):  # 08:00:00 … 08:01:00, a tick every ten seconds
            await runtime.scheduler.tick()
            for person_id, local_day, at in await rows(
                runtime.database, "due_prompts", "person_id", "local_day", "sent_at"
            ):
                if at is not None and local_day == EIGHT.date():
                    sent_at.setdefault(person_id, at)
            clock.advance(10)
        telegram = next(p for p in sent_at if p not in signal_people)
        assert sent_at[telegram] == EIGHT  # no spread: on time
        on_signal = [sent_at[p] for p in signal_people]
        assert all(EIGHT <= at <= EIGHT + timedelta(seconds=60) for at in on_signal)
        assert len(set(on_signal)) > 1  # not one burst


async def test_a_reply_and_a_crisis_message_never_wait_for_the_spread(
    settings_for: Callable[..., Settings],
) -> None:
    clock = FakeClock(EIGHT - timedelta(hours=1))
    async with open_runtime(settings_for(signal_prompt_jitter_seconds=3600), clock) as runtime:
        person = await _signal_client(runtime, "aci-alex", clock())
        await add_schedule(
            runtime.database, runtime.settings, clock, NewSchedule(f"#{person}", "mood", "08:00")
        )
        clock.now = EIGHT
        await tick(runtime)
        sink = FakeSink()
        runtime.courier.register("signal", sink)
        alex = Sender("signal", "aci-alex", "aci-alex")
        for event in (CommandReceived("mood"), TextReceived("I want to kill myself")):
            handled = await runtime.conversations.handle(alex, event)
            await runtime.courier.deliver("signal", "aci-alex", handled.replies)
        shown = "\n".join(text or "" for text in sink.shown)
        assert "How is your mood" in shown and texts.CRISIS.split(".")[0] in shown
        assert "mood check" not in shown  # the scheduled prompt still waits for its turn
