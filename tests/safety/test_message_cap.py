"""A flood from one person is capped: one kind word, then quiet until the minute has passed;
everyone else is answered as usual."""

from __future__ import annotations

from collections.abc import Callable

from bot.chat import texts
from bot.runtime.settings import Settings
from tests.support.clock import FakeClock
from tests.support.english_left import german
from tests.support.enrolment import enrol
from tests.support.fake_bot_api import FakeBotApi
from tests.support.running_bot import RunningBot


async def test_a_flood_is_capped_per_person(
    api: FakeBotApi, settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    running = RunningBot(settings_for(api, messages_per_minute=5), clock)
    await running.start()
    assert running.runtime is not None
    try:
        for user_id in (1200, 1201):
            await enrol(running.runtime.database, user_id, clock())

        flooder, neighbour = api.user(1200), api.user(1201)
        for n in range(5):
            await flooder.send(f"hello {n}")
            await flooder.expect(1)
        await flooder.send("one too many")
        assert (await flooder.expect(1))[0].text == texts.SLOW_DOWN
        for n in range(3):
            await flooder.send(f"still {n}")
        await neighbour.send("/help")  # others are answered meanwhile…
        await neighbour.expect_text(texts.HELP_HEADER)
        assert flooder.unread() == []  # …and the flood is dropped, quietly
        clock.advance(seconds=61)
        await flooder.send("/help")
        await flooder.expect_text(texts.HELP_HEADER)
    finally:
        await running.stop()


async def test_the_word_over_the_cap_is_in_the_persons_own_language_not_their_messengers(
    api: FakeBotApi, settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    """Their Telegram says English, they chose German: the kind word (and a pressed button's
    notice) comes in German."""
    running = RunningBot(settings_for(api, messages_per_minute=2), clock)
    await running.start()
    assert running.runtime is not None
    try:
        await enrol(running.runtime.database, 1300, clock())
        async with running.runtime.database.transaction() as tx:
            person = await tx.people.find("telegram", "1300")
            assert person is not None
            await tx.people.set_language(person, "de", clock())
        flooder = api.user(1300, language_code="en")
        for n in range(2):
            await flooder.send(f"hallo {n}")
            await flooder.expect(1)
        await flooder.send("eins zu viel")
        (slow_down,) = await flooder.expect(1)
        assert slow_down.text == german(texts.SLOW_DOWN) != texts.SLOW_DOWN
        query = await flooder.press_data("cf:1:5", message_id=slow_down.message_id)
        assert (await flooder.wait_callback_answer(query)).text == german(texts.SLOW_DOWN)
    finally:
        await running.stop()
