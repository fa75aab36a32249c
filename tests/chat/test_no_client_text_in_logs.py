"""Never log what a client wrote: every journey, with a canary in everything the client types,
at DEBUG level for our own loggers (libraries as the CLI sets them), leaves no canary behind."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from bot.cli import schedule as admin
from bot.core.i18n import _, reading
from bot.core.logs import QUIET_LIBRARIES
from tests.support.fake_bot_api import FakeBotApi
from tests.support.journeys import answer
from tests.support.running_bot import RunningBot

CANARY = "CANARYzebra9931"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything logged, as `between run` with LOG_LEVEL=DEBUG would log it."""
    caplog.set_level(logging.DEBUG)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield caplog
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def said_in(language: str) -> Callable[[str], str]:
    """A button's label as a client reading ``language`` sees it."""

    def said(label: str) -> str:
        with reading(language):
            return _(label)

    return said


@pytest.mark.parametrize("language", ["en", "de"])
async def test_no_journey_logs_what_the_client_wrote(
    api: FakeBotApi, bot: RunningBot, logs: pytest.LogCaptureFixture, language: str
) -> None:
    """The same journeys for a client reading English and one reading German (their words and
    their buttons in German; the log lines are the same ids, flows and steps)."""
    assert bot.runtime is not None
    said = said_in(language)
    user = api.user(7001, language_code=language)
    if language != "en":  # (enrolled before they wrote: their language is their choice)
        await user.send("/language")
        await user.expect(1)
        await user.press("Deutsch")
        await user.expect(1)
        await user.send("/help")  # the consent, asked again in German
        await user.expect(1)
        await user.press(said("I agree"))
        await user.expect(1)
    await user.send(f"hello {CANARY}")  # outside any flow
    await user.expect(1)
    await user.send(f"/{CANARY}")  # an unknown command
    await user.expect(1)
    await user.send(f"/timezone {CANARY}")
    await user.expect(1)

    await user.send("/mood")
    await user.expect(2)
    await answer(
        user, f"{CANARY} 7", "press:7", f"toggle:{said('Calm')}", f"press:{said('Done')}", f"note {CANARY}"
    )
    await answer(user, f"obstacle {CANARY}")

    await user.send("/thought")
    await user.expect(2)
    await answer(
        user, f"situation {CANARY}", f"{CANARY}", f"press:{said('Done')}", "press:80", f"hot {CANARY}"
    )
    await answer(user, "press:70")
    await user.send("/cancel")  # a draft with the canary in it is kept…
    await user.expect(1)
    await user.send("/thought")  # …and offered again
    await user.expect(1)
    await user.press(said("Carry on"))
    await user.expect(1)
    await user.send("/cancel")
    await user.expect(1)

    await user.send("/urge")
    await user.expect(2)
    await answer(user, f"urge {CANARY}", "press:6", f"press:{said('5 minutes')}", f"during {CANARY}", "stop")
    await answer(user, "press:2", f"press:{said('Partly')}", f"noticed {CANARY}", f"in the way {CANARY}")

    await user.send("/breathe")
    await user.expect(2)
    await answer(user, f"press:{said('Box · 4-4-4-4')}", f"press:{said('1 minute')}", "press:5")
    bot.clock.advance(seconds=70)
    await bot.tick()  # the timer ends: its live message asks how calm they feel now
    await api.wait_until(lambda: "0" in user.last_message().labels())
    await answer(user, "press:6", f"breathing {CANARY}")

    await user.send("/history")
    await user.expect(1)
    await user.send_photo(caption=f"photo {CANARY}")
    await user.expect(1)
    await user.send(f"typo {CANARY}")
    message_id = user.last_sent_id  # (its message id: send returns the update's)
    assert message_id is not None
    await user.expect(1)
    await user.edit(message_id, f"edited {CANARY}")
    await user.press_data(f"{CANARY}:p1", message_id=user.last_message().message_id)  # forged

    await admin.add_schedule(
        bot.runtime.database, bot.settings, bot.clock, admin.NewSchedule("7001", "mood", "09:30")
    )
    bot.clock.advance(minutes=31)
    await bot.tick()
    await user.expect(1)
    await answer(user, f"press:{said('Skip today')}", f"press:{said('Something else')}", f"reason {CANARY}")

    # the therapist's side: a note to bring, a rationale, an alias, the digest that quotes them
    await user.send(f"/note bring {CANARY}")
    await user.expect(1)
    code = await bot.runtime.practice.issue_registration(f"Dr {CANARY}", bot.clock())
    therapist = api.user(7002)
    await therapist.send(f"/start {code}")
    await therapist.expect(2)
    await therapist.send(f"/invite {CANARY}")
    _, code_line = await therapist.expect(2)
    client = api.user(7003)
    await client.send(f"/start {code_line.text}")
    await client.expect(1)
    await client.press("I agree")
    await client.expect(2)
    await client.send(f"/note {CANARY} to bring")
    await client.expect(1)
    await therapist.send(f'/assign {CANARY} mood 20:00 "because {CANARY}"')
    await therapist.expect(1)
    await therapist.send(f"/digest {CANARY}")
    await therapist.expect(1)
    await therapist.send(f"/session {CANARY} 2026-03-20 {CANARY}")
    await therapist.expect(1)
    await bot.tick()
    await therapist.expect_text(f"{CANARY} to bring")  # the digest quotes it: to the therapist only

    await bot.stop()
    logged = [record for record in logs.records]
    assert len(logged) > 30  # the journeys were logged (ids, flows, steps)…
    canary = CANARY.casefold()  # (typed feelings are stored lower-cased)
    for record in logged:  # …and not one line carries what the client wrote
        assert canary not in record.getMessage().casefold(), record.name
        assert canary not in (record.exc_text or "").casefold(), record.name
    assert canary not in logs.text.casefold()
