"""Exposure practice with the ladder the therapist gives with the assignment, end to end through
the real Application and the fake Bot API: the ladder given in one line and in the guided
/assign, stored with the assignment, offered to the client as the choices at "which step" with
"Another step" letting them name it; without a ladder they name the step as before. The digest
reads each practice as distress before → peak → end, and across the period."""

from __future__ import annotations

import pytest

from flows import Flow
from flows.registry import BUILT_IN
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer, ask, digest_now, therapist_and_client
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

EXPOSURE: Flow = BUILT_IN.by_id("exposure")  # type: ignore[assignment]
LADDER = ["Photo of a dog", "A dog on a lead", "Stroke a dog"]
WHICH_STEP = "Which step of your ladder did you practise?"


async def start_exposure(client: FakeUser) -> list[str]:
    """/exposure: the intro, then the first question; its buttons."""
    client.mark_read()
    await client.send("/exposure")
    intro, first = await client.expect(2)
    assert intro.text == EXPOSURE.intro
    assert (first.text or "").startswith(WHICH_STEP)
    return first.labels()


async def rest_of_the_practice(client: FakeUser, before: str, peak: str, end: str) -> str:
    await answer(client, before, peak, end, "20", "press:Skip", "press:Skip")
    return client.last_message().text or ""


async def test_a_ladder_given_in_one_line_is_what_the_client_picks_from(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 2600)
    # before any ladder: the client names the step
    labels = await start_exposure(client)
    assert labels == [] and client.last_message().text == f"{WHICH_STEP}\nPlease describe it in a few words."
    await client.send("/cancel")
    await client.expect(1)

    await therapist.send(
        '/assign Sam exposure 18:00 daily ladder "Photo of a dog; A dog on a lead; Stroke a dog" '
        '"step by step"'
    )
    (assigned,) = await therapist.expect(1)
    assert (assigned.text or "").startswith("Assigned to Sam: exposure practice, 18:00 (every day")
    assert "\nLadder: 1. Photo of a dog 2. A dog on a lead 3. Stroke a dog" in (assigned.text or "")
    assert await rows(database, "schedules", "flow_id", "given", "rationale") == [
        ("exposure", {"ladder": LADDER}, "step by step")
    ]
    await bot.tick()
    told, _confidence = await client.expect(2)
    assert "Ladder: 1. Photo of a dog 2. A dog on a lead 3. Stroke a dog" in (told.text or "")
    listed = await ask(therapist, "/assignments Sam")
    assert "Why: step by step\n   Ladder: 1. Photo of a dog 2. A dog on a lead 3. Stroke a dog" in listed

    # the draft kept from before the ladder is offered; a fresh start offers the ladder
    client.mark_read()
    await client.send("/exposure")
    (offer,) = await client.expect(1)
    await client.press(offer.labels()[-1])  # start afresh
    _intro, first = await client.expect(2)
    assert first.text == WHICH_STEP and first.labels() == [*LADDER, "Another step"]
    await client.press("A dog on a lead")
    (suds,) = await client.expect(1)
    assert suds.text == tapped(EXPOSURE.steps[1].prompt)
    done = await rest_of_the_practice(client, "70", "90", "50")
    assert done == "Thank you — it's in your journal. Distress 70 → 90 → 50."

    # "Another step": they are asked to name it
    labels = await start_exposure(client)
    assert labels == [*LADDER, "Another step"]
    await client.press("Another step")
    (name_it,) = await client.expect(1)
    assert (name_it.text or "").startswith("Please describe it in a few words.")
    await client.send("Walk past a dog")
    await client.expect(1)
    await rest_of_the_practice(client, "40", "50", "20")

    await start_exposure(client)
    await client.press("A dog on a lead")
    await client.expect(1)
    await rest_of_the_practice(client, "50", "60", "20")
    answered = [a["ladder_step"] for (a,) in await rows(database, "entries", "answers", status="completed")]
    assert answered == ["2", "~Walk past a dog", "2"]

    client.mark_read()
    await client.send("/history")
    (journal,) = await client.expect(1)
    assert "A dog on a lead · distress 70 → 90 → 50" in (journal.text or "")
    assert "Walk past a dog · distress 40 → 50 → 20" in (journal.text or "")

    text = await digest_now(bot, therapist)
    section = text.split("EXPOSURE PRACTICE", 1)[1]
    assert (
        "Distress across 3 entries, mean: 53 → 67 → 30; mean drop from the highest to the end: 37" in section
    )
    assert "“A dog on a lead”, first and latest: 70 → 90 → 50 (" in section
    assert ": “A dog on a lead” — distress 70 → 90 → 50\n" in section
    assert ": “Walk past a dog” — distress 40 → 50 → 20\n" in section


async def test_the_guided_assign_asks_for_the_ladder_and_a_bad_one_is_asked_again(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 2700)
    therapist.mark_read()
    await therapist.send("/assign")
    await therapist.expect(1)
    await answer(therapist, "press:Sam", "press:Exposure practice", "18:00", "press:Weekdays")
    assert (therapist.last_message().text or "").startswith("The steps of your client's ladder")
    await answer(therapist, "; ;")  # no steps: asked again, kindly, nothing lost
    assert "Please write between 1 and 12 steps" in (therapist.last_message().text or "")
    await answer(therapist, "Photo of a dog\nA dog on a lead", "press:Today", "press:Skip")
    assert (therapist.last_message().text or "").startswith("Assigned to Sam: exposure practice, 18:00")
    assert await rows(database, "schedules", "given") == [
        ({"ladder": ["Photo of a dog", "A dog on a lead"]},)
    ]
    await bot.tick()
    await client.expect(2)
    assert await start_exposure(client) == ["Photo of a dog", "A dog on a lead", "Another step"]

    # one line with a ladder that cannot stand: a kind reply, nothing assigned
    therapist.mark_read()
    await therapist.send(f'/assign Sam exposure 18:00 daily ladder "{"x" * 61}"')
    (refused,) = await therapist.expect(1)
    assert (refused.text or "").startswith("I couldn't read that: Please write between 1 and 12 steps")
    assert len(await rows(database, "schedules", "id")) == 1
