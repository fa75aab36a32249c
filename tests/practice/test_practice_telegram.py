"""The therapist's side end to end: registration → invitation → consent → assignment → prompts
answered → session → the digest arrives before it. The real Application, the fake Bot API server,
a real SQLite file and a clock we move (Monday 2026-03-02 09:00 UTC at the start)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.chat import texts
from bot.practice import texts as ptexts
from bot.practice.admission import consent_version
from bot.transports.telegram.texts import PRIVACY_NOTE
from flows.mood_check import MOOD_PROMPT
from storage import Database
from tests.support.bot_process import run_between
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import CODE, invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import TOKEN, RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_from_registration_to_the_digest_before_the_session(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 500, "Dr Ana Ruiz")
    code = await invite(therapist, "Sam")
    client = await join(bot, api, 600, code, first_name="Samantha")
    await bot.tick()
    assert (await therapist.expect_text("Sam accepted your invitation")).text == ptexts.CLIENT_JOINED.format(
        alias="Sam"
    )
    assert await rows(database, "people", "alias", "consent_version", "role", external_user_id="600") == [
        ("Sam", consent_version(PRIVACY_NOTE), "client")
    ]

    # homework, agreed in one line; the client hears what and why, and rates their confidence
    await therapist.send('/assign Sam mood 09:30 daily "to notice the dips as they come"')
    (assigned,) = await therapist.expect(1)
    assert assigned.text is not None and assigned.text.startswith("Assigned to Sam: mood check, 09:30")
    await bot.tick()
    told, confidence = await client.expect(2)
    assert told.text == (
        "Dr Ana Ruiz has set up a practice with you: mood check, 09:30 (every day), from today.\n\n"
        "Why: to notice the dips as they come"
    )
    assert confidence.labels() == [str(n) for n in range(11)]
    await client.press("4")
    (thanks,) = await client.expect(1)
    assert thanks.text == texts.CONFIDENCE_LOW
    query = await client.press_data("cf:1:9", message_id=confidence.message_id)  # one rating each
    assert (await client.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    assert await rows(database, "schedules", "confidence") == [(4,)]

    await therapist.send("/session Sam 2026-03-04 17:00")
    (session,) = await therapist.expect(1)
    assert session.text == ptexts.SESSION_ADDED.format(
        number=1, alias="Sam", when="Wed 4 Mar 17:00", zone="UTC", repeat="", digest="at Wed 4 Mar 15:00"
    )

    # Monday: the prompt at 09:30, answered with a low mood
    bot.clock.advance(minutes=30)
    await bot.tick()
    await client.expect_text(texts.PROMPT.format(title="mood check"))
    await client.press("Start now")
    await client.expect_text(MOOD_PROMPT)
    await client.press("2")
    await client.expect(1)
    for _ in range(3):
        await client.press("Skip")
        await client.expect(1)
    await client.send("/note I want to talk about the weekend")
    assert (await client.expect(1))[0].text == texts.NOTE_KEPT

    # Tuesday: skipped, with a reason
    bot.clock.advance(days=1)
    await bot.tick()
    await client.expect_text(texts.PROMPT.format(title="mood check"))
    await client.press("Skip today")
    await client.expect(1)
    await client.press("No time")
    await client.expect(1)

    # Wednesday: the prompt goes unanswered; the digest comes at 15:00, two hours before 17:00
    bot.clock.advance(days=1)
    await bot.tick()
    await client.expect_text(texts.PROMPT.format(title="mood check"))
    bot.clock.advance(hours=5, minutes=29)  # 14:59
    await bot.tick()
    assert not [m for m in therapist.unread() if "Pre-session digest" in (m.text or "") or m.kind == "photo"]
    bot.clock.advance(minutes=1)
    await bot.tick()
    digest_text, chart = await therapist.expect(2)
    text = digest_text.text or ""
    assert "Sam" in text and "Samantha" not in text  # the alias, never the Telegram name
    assert "I want to talk about the weekend" in text
    assert "No time" in text
    assert "worth discussing" in text
    assert chart.kind == "photo" and (chart.content or b"").startswith(PNG_SIGNATURE)
    assert await rows(database, "therapy_sessions", "status") == [("digest_sent",)]
    audited = await rows(database, "audit_log", "actor_id", "action", "subject_id")
    assert [row for row in audited if row[1].startswith("digest")] == [(1, "digest_sent", 2)]
    await bot.tick()  # never twice
    assert therapist.unread() == []


async def test_the_guided_assign(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    therapist = await register(bot, api, 501, "Lee")
    for alias, user_id in (("Ana", 601), ("Bo", 602)):
        await join(bot, api, user_id, await invite(therapist, alias), first_name=alias)
    await bot.tick()
    therapist.mark_read()
    await therapist.send("/assign")
    (question,) = await therapist.expect(1)
    assert question.labels() == ["Ana", "Bo"]
    await therapist.press("Bo")
    await therapist.expect(1)
    await therapist.press("Breathing exercise")
    await therapist.expect(1)
    await therapist.send("25:00")
    (again,) = await therapist.expect(1)
    assert "25:00" in (again.text or "")  # the parser's reason, then the question again
    await therapist.send("07:45, 21:00")
    await therapist.expect(1)
    await therapist.press("Weekdays")
    await therapist.expect(1)
    await therapist.press("Tomorrow")
    await therapist.expect(1)
    await therapist.send("Slow breathing before sleep helped in session.")
    (done,) = await therapist.expect(1)
    assert done.text is not None and done.text.startswith(
        "Assigned to Bo: breathing exercise, 07:45, 21:00 (weekdays"
    )
    assert await rows(
        database, "schedules", "person_id", "flow_id", "times", "weekdays", "start_date", "rationale"
    ) == [
        (
            3,
            "breathing",
            ["07:45", "21:00"],
            [0, 1, 2, 3, 4],
            date(2026, 3, 3),
            "Slow breathing before sleep helped in session.",
        )
    ]


async def test_a_client_who_says_not_now_is_not_linked(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 502, "Kim")
    code = await invite(therapist, "Jo")
    client = api.user(603)
    await client.send(f"/start {code}")
    await client.expect(1)
    await client.press(texts.BUTTON_NOT_NOW)
    (declined,) = await client.expect(1)
    assert declined.text == texts.CONSENT_DECLINED
    assert await rows(database, "people", external_user_id="603") == []  # nothing kept
    # the invitation still works until it expires; used once, it is gone
    await client.send(f"/start {code}")
    await client.expect(1)
    await client.press(texts.BUTTON_AGREE)
    await client.expect(2)
    other = api.user(604)
    await other.send(f"/start {code}")
    assert (await other.expect(1))[0].text == texts.CODE_INVALID


async def test_codes_are_single_use_expire_and_are_stored_hashed(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    assert bot.runtime is not None
    code = await bot.runtime.practice.issue_registration("Pat", bot.clock())
    stored = await rows(database, "one_time_codes", "code_hash")
    assert stored and code not in str(stored)
    bot.clock.advance(days=7, seconds=1)
    late = api.user(505)
    await late.send(f"/start {code}")
    assert (await late.expect(1))[0].text == texts.CODE_INVALID
    fresh = await bot.runtime.practice.issue_registration("Pat", bot.clock())
    first, second = api.user(506), api.user(507)
    await first.send(f"/start {fresh}")
    await first.expect(2)
    await second.send(f"/start {fresh}")
    assert (await second.expect(1))[0].text == texts.CODE_INVALID
    assert await rows(database, "people", "role", external_user_id="507") == []


async def test_guessing_codes_is_rate_limited(api: FakeBotApi, bot: RunningBot) -> None:
    guesser = api.user(508)
    for _ in range(5):
        await guesser.send("/start " + "A" * 43)
        assert (await guesser.expect(1))[0].text == texts.CODE_INVALID
    assert bot.runtime is not None
    real = await bot.runtime.practice.issue_registration("Sly", bot.clock())
    await guesser.send(f"/start {real}")
    assert (await guesser.expect(1))[0].text == texts.CODE_TOO_MANY  # even a real one, for now
    bot.clock.advance(minutes=11)
    await guesser.send(f"/start {real}")
    assert (await guesser.expect(2))[0].text == ptexts.REGISTERED.format(name="Sly")


async def test_digests_can_go_to_a_linked_channel(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 509, "Noor")
    await join(bot, api, 605, await invite(therapist, "Kai"), first_name="Kai")
    await bot.tick()
    therapist.mark_read()
    await therapist.send("/digestchat")
    _, line = await therapist.expect(2)
    channel = api.channel(-100777, "Noor's digests")
    stranger_channel = api.channel(-100778, "Someone else's")
    await stranger_channel.post("/link " + "B" * 43)
    await channel.post(line.text or "")
    await bot.tick()
    assert (await channel.expect(1))[0].text == ptexts.DIGEST_CHAT_LINKED.format(name="Noor")
    await therapist.expect_text(ptexts.DIGEST_CHAT_LINKED_PRIVATE.format(title="Noor's digests"))
    await therapist.send("/digest Kai")
    assert (await therapist.expect(1))[0].text == ptexts.DIGEST_QUEUED.format(
        alias="Kai", chat="Noor's digests"
    )
    await bot.tick()
    (digest,) = await channel.expect(1)  # no mood yet: no chart
    assert "Kai" in (digest.text or "")
    assert [m.text for m in stranger_channel.messages()] == [texts.CODE_INVALID]
    audited = await rows(database, "audit_log", "action")
    assert [row for row in audited if row[0].startswith("digest")] == [("digest_requested",)]


async def test_the_admin_command_prints_a_link_and_the_bare_code_last(
    api: FakeBotApi, bot: RunningBot, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
    added = await run_between("therapist", "add", "Dr Ana Ruiz", cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    *lines, code = added.stdout.strip().splitlines()

    assert CODE.fullmatch(code)
    assert f"https://t.me/between_test_bot?start={code}" in lines
    therapist = api.user(520)
    await therapist.send(f"/start {code}")
    assert (await therapist.expect(2))[0].text == ptexts.REGISTERED.format(name="Dr Ana Ruiz")


async def test_a_group_is_linked_only_by_the_therapist_who_asked(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await register(bot, api, 521, "Rae")
    await therapist.send("/digestchat")
    _, line = await therapist.expect(2)
    group = api.group(-5000, "Rae's team")
    colleague = api.user(522)
    await group.send(colleague, line.text or "")
    await bot.tick()
    assert (await group.expect(1))[0].text == ptexts.DIGEST_CHAT_WRONG_PERSON
    await group.send(therapist, (line.text or "").replace("/link", "/link@between_test_bot"))
    await bot.tick()
    assert (await group.expect(1))[0].text == ptexts.DIGEST_CHAT_LINKED.format(name="Rae")
    await group.send(therapist, line.text or "")  # used once
    await bot.tick()
    assert (await group.expect(1))[0].text == texts.CODE_INVALID
    assert "Rae's team" in await settings_of(therapist)
    await therapist.send("/digestchat private")
    assert (await therapist.expect(1))[0].text == ptexts.DIGEST_CHAT_PRIVATE


async def settings_of(therapist: FakeUser) -> str:
    therapist.mark_read()
    await therapist.send("/settings")
    (reply,) = await therapist.expect(1)
    return reply.text or ""
