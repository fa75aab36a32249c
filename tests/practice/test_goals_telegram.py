"""Goals end to end: the therapist's /goal (one line and guided, every kind of bad input), the
client's rating in Telegram, and the journey to the digest before the session. The real
Application, the fake Bot API server, a real SQLite file, a clock we move (Monday 2026-03-02
09:00 UTC at the start)."""

from __future__ import annotations

import json

import pytest

from bot.chat import texts
from bot.practice import texts as ptexts
from flows.goal_form import ACTION_PROMPT, CLIENT_PROMPT, NEW_WORDS_PROMPT, PICK_PROMPT, WORDS_PROMPT
from flows.goal_rating import INTRO, NO_GOALS, SUMMARY
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import ask, register, therapist_and_client
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here


def bad(problem: str) -> str:
    return ptexts.could_not_read(problem, ptexts.GOAL_USAGE)


async def test_goal_in_one_line_with_every_kind_of_bad_input(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, _ = await therapist_and_client(bot, api, 700)
    assert await ask(therapist, "/goal Sam") == ptexts.GOALS_NONE.format(alias="Sam")
    added = ptexts.GOAL_ADDED.format(number=1, alias="Sam")
    assert await ask(therapist, '/goal Sam add "Sleep through the night"') == added
    missing = ptexts.GOAL_QUOTES_MISSING.format(alias="Sam", action="add")
    assert await ask(therapist, "/goal Sam add ring Mum") == bad(missing)
    assert await ask(therapist, '/goal Sam add "  "') == bad(ptexts.GOAL_EMPTY)
    assert await ask(therapist, '/goal Kim add "Walk"') == ptexts.NO_SUCH_CLIENT.format(alias="Kim")
    assert await ask(therapist, "/goal Sam add “Ring Mum”") == ptexts.GOAL_ADDED.format(number=2, alias="Sam")
    assert await ask(therapist, "/goal Sam add 'Walk to work'") == ptexts.GOAL_ADDED.format(
        number=3, alias="Sam"
    )
    assert await ask(therapist, '/goal Sam add "A fourth"') == ptexts.GOAL_TOO_MANY.format(alias="Sam")
    edited = ptexts.GOAL_EDITED.format(number=2, alias="Sam")
    assert await ask(therapist, '/goal Sam edit 2 "Ring Mum without dreading it"') == edited
    assert await ask(therapist, "/goal Sam retire #3") == ptexts.GOAL_RETIRED.format(number=3, alias="Sam")
    retired = ptexts.GOAL_IS_RETIRED.format(number=3, alias="Sam")
    assert await ask(therapist, "/goal Sam retire 3") == retired
    assert await ask(therapist, '/goal Sam edit 3 "Walk"') == retired
    assert await ask(therapist, '/goal Sam edit 9 "Walk"') == ptexts.GOAL_NO_SUCH.format(
        alias="Sam", number=9
    )
    not_number = ptexts.GOAL_NOT_A_NUMBER.format(word="two", alias="Sam")
    assert await ask(therapist, '/goal Sam edit two "Walk"') == bad(not_number)
    assert await ask(therapist, "/goal Sam rename 1") == bad(ptexts.GOAL_UNKNOWN_ACTION.format(word="rename"))
    assert await ask(therapist, '/goal Sam retire 1 "why"') == bad(
        ptexts.GOAL_EXTRA_WORDS.format(alias="Sam")
    )

    listed = (await ask(therapist, "/goal Sam")).splitlines()
    assert listed[:5] == [
        "Sam's goals:",
        "#1 “Sleep through the night” — set Mon 2 Mar; not rated yet",
        "#2 “Ring Mum without dreading it” — set Mon 2 Mar; not rated yet",
        "Retired:",
        "#3 “Walk to work” — retired Mon 2 Mar",
    ]
    audited = await rows(database, "audit_log", "action", "detail")
    assert [a for a in audited if a[0].startswith("goal")] == [
        ("goal_added", "goal 1"),
        ("goal_added", "goal 2"),
        ("goal_added", "goal 3"),
        ("goal_edited", "goal 2"),
        ("goal_retired", "goal 3"),
    ]
    said = await rows(database, "goal_changes", "action", "text")
    assert ("added", "Ring Mum") in said and ("edited", "Ring Mum without dreading it") in said

    other = await register(bot, api, 710, "Bo")  # another therapist: Sam is not theirs
    other.mark_read()
    assert await ask(other, '/goal Sam add "Mine now"') == ptexts.NO_SUCH_CLIENT.format(alias="Sam")
    assert len(await rows(database, "goals", "id")) == 3


async def press_and_read(user: FakeUser, label: str) -> str:
    user.mark_read()
    await user.press(label)
    (reply,) = await user.expect(1)
    return reply.text or ""


async def test_goal_guided_when_a_part_is_missing(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, _ = await therapist_and_client(bot, api, 720)
    assert await ask(therapist, "/goal") == CLIENT_PROMPT
    assert await press_and_read(therapist, "Sam") == ACTION_PROMPT
    assert await press_and_read(therapist, "Add a goal") == WORDS_PROMPT
    assert await ask(therapist, "Sleep through the night") == ptexts.GOAL_ADDED.format(number=1, alias="Sam")

    assert await ask(therapist, "/goal Sam add") == WORDS_PROMPT
    open_first = texts.FINISH_OPEN_FIRST.format(a_title="a goal form")
    assert await ask(therapist, "/goal Sam retire") == open_first  # one question at a time
    assert await ask(therapist, "Ring Mum") == ptexts.GOAL_ADDED.format(number=2, alias="Sam")

    assert await ask(therapist, "/goal Sam edit") == PICK_PROMPT
    assert therapist.last_message().labels() == ["#1 Sleep through the night", "#2 Ring Mum"]
    assert await press_and_read(therapist, "#2 Ring Mum") == NEW_WORDS_PROMPT
    assert await ask(therapist, "Ring Mum on Sundays") == ptexts.GOAL_EDITED.format(number=2, alias="Sam")

    assert await ask(therapist, "/goal Sam edit 1") == WORDS_PROMPT
    assert await ask(therapist, "Sleep through most nights") == ptexts.GOAL_EDITED.format(
        number=1, alias="Sam"
    )

    assert await ask(therapist, "/goal Sam retire") == PICK_PROMPT
    assert await press_and_read(therapist, "#1 Sleep through most nights") == ptexts.GOAL_RETIRED.format(
        number=1, alias="Sam"
    )
    assert await rows(database, "goals", "number", "text", "status") == [
        (1, "Sleep through most nights", "retired"),
        (2, "Ring Mum on Sundays", "active"),
    ]


async def test_the_client_rates_each_goal_in_its_words_and_with_none_hears_a_kind_line(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 740)
    assert await ask(client, "/goals") == NO_GOALS
    assert await rows(database, "entries", "id") == []  # nothing was started
    await ask(therapist, '/goal Sam add "Sleep through the night"')
    await ask(therapist, '/goal Sam add "Ring Mum"')

    client.mark_read()
    await client.send("/goals")
    intro, first = await client.expect(2)
    assert intro.text == INTRO
    assert (first.text or "").startswith("“Sleep through the night”\n\nHow close are you to this goal? 0–10")
    assert first.labels() == [str(n) for n in range(11)]
    assert (await ask(client, "eleven")).startswith("I'm looking for a number from 0 to 10")
    assert (await press_and_read(client, "4")).startswith("“Ring Mum”")
    await client.press("6")
    await client.expect_text(SUMMARY)
    assert await rows(database, "goal_ratings", "value") == [(4,), (6,)]
    journal = await ask(client, "/history")
    assert "“Sleep through the night” 4/10 · “Ring Mum” 6/10" in journal

    client.mark_read()
    await client.send("/goals")
    await client.expect(2)
    await press_and_read(client, "9")
    await client.send("/cancel")  # left half way: the goal rated so far is kept
    await client.expect_text(texts.CANCELLED.format(title="goal rating", command="goals"))
    assert await rows(database, "goal_ratings", "value") == [(4,), (6,), (9,)]


async def test_goals_from_the_therapist_to_the_digest_before_the_session(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    """Two goals, rated twice a week apart from the weekly prompt; the digest shows both series
    and the change, and the client's export has each rating with the words it was given under."""
    therapist, client = await therapist_and_client(bot, api, 760)
    await ask(therapist, '/goal Sam add "Sleep through the night"')
    await ask(therapist, '/goal Sam add "Ring Mum"')
    assigned = await ask(therapist, "/assign Sam goals 10:00 mon")
    assert assigned.startswith("Assigned to Sam: goal rating, 10:00")
    await bot.tick()
    await client.expect(2)  # what was agreed, and how confident they feel
    await client.press("8")
    await client.expect(1)
    await ask(therapist, "/session Sam 2026-03-10 17:00")

    for sleep, mum in (("3", "4"), ("6", "5")):
        bot.clock.advance(hours=1)  # Monday 10:00
        await bot.tick()
        await client.expect_text(texts.PROMPT.format(title="goal rating"))
        await client.press("Start now")
        await client.expect_text("“Sleep through the night”")
        await client.press(sleep)
        await client.expect_text("“Ring Mum")
        await client.press(mum)
        await client.expect_text(SUMMARY)
        if sleep == "3":  # between the two ratings, goal 2 is reworded
            await ask(therapist, '/goal Sam edit 2 "Ring Mum on Sundays"')
        bot.clock.advance(days=7, hours=-1)  # the Monday after, 09:00

    bot.clock.advance(days=-6, hours=6)  # Tuesday 15:00: two hours before the session
    therapist.mark_read()
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest")
    text = digest.text or ""
    assert "#1 “Sleep through the night” · set Mon 2 Mar\n  3 → 6 (+3)" in text
    assert "#2 “Ring Mum on Sundays” · set Mon 2 Mar · reworded Mon 2 Mar\n  4 → 5 (+1)" in text
    assert "first Mon 2 Mar, latest Mon 9 Mar · 2 ratings" in text

    client.mark_read()
    await client.send("/export")
    _, data_file, table_file = await client.expect(3)
    data = json.loads((data_file.content or b"").decode("utf-8"))
    ratings = [e["answers"]["rating"] for e in data["entries"] if e["flow_id"] == "goal_rating"]
    assert ratings == [
        {"Sleep through the night": 3, "Ring Mum": 4},
        {"Sleep through the night": 6, "Ring Mum on Sundays": 5},
    ]
    assert [r["value"] for r in data["goal_ratings"]] == [3, 4, 6, 5]
    assert "Ring Mum on Sundays 5" in (table_file.content or b"").decode("utf-8-sig")
