"""Who may reach whom, as a matrix: every therapist command × the therapist's own client, another
therapist's client, no such client, and someone who is not a therapist.

Naming another therapist's client must get the same answer as naming no one (nothing to learn
from it) and change nothing.
"""

from __future__ import annotations

import pytest

from bot.chat import texts
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import ask, invite, join, register
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

# {alias} / {number} are filled in per target; ids are those the setup below creates
COMMANDS = (
    "/assign {alias} mood 09:00",
    "/assignments {alias}",
    "/session {alias} 2026-03-10 10:00",
    "/digest {alias}",
    "/unassign {number}",
    "/cancelsession {number}",
)


@pytest.fixture
async def practice(api: FakeBotApi, bot: RunningBot) -> dict[str, FakeUser]:
    """Two therapists, one client each (Sam is A's, Max is B's), each with homework and a session."""
    a = await register(bot, api, 700, "A")
    b = await register(bot, api, 701, "B")
    sam = await join(bot, api, 710, await invite(a, "Sam"), "Sam")
    maxi = await join(bot, api, 711, await invite(b, "Max"), "Max")
    await bot.tick()
    for therapist, alias in ((a, "Sam"), (b, "Max")):
        assert (await ask(therapist, f"/assign {alias} mood 20:00")).startswith(f"Assigned to {alias}")
        assert (await ask(therapist, f"/session {alias} 2026-03-09 10:00")).startswith("Session #")
    await bot.tick()
    return {"a": a, "b": b, "sam": sam, "max": maxi}


def _target(command: str, alias: str, number: int) -> str:
    return command.format(alias=alias, number=number)


async def schedules_and_sessions(database: Database) -> list[tuple[object, ...]]:
    """Every assignment and session: id, whose, and in what state."""
    return await rows(database, "schedules", "id", "person_id", "status") + await rows(
        database, "therapy_sessions", "id", "client_id", "status"
    )


@pytest.mark.parametrize("command", COMMANDS)
async def test_another_therapists_client_is_no_one(
    practice: dict[str, FakeUser], bot: RunningBot, database: Database, command: str
) -> None:
    a = practice["a"]
    before = await schedules_and_sessions(database)
    # Max's schedule and session are #2; nothing has #99
    others = await ask(a, _target(command, "Max", 2))
    nobody = await ask(a, _target(command, "Nox", 99))
    assert others.replace("Max", "X").replace("#2", "#N").replace(" 2 ", " N ") == nobody.replace(
        "Nox", "X"
    ).replace("#99", "#N").replace(" 99 ", " N ")
    assert "Max" not in others or "no client called Max" in others
    assert await schedules_and_sessions(database) == before  # nothing of B's changed, nothing new for Max
    assert [
        action for (action,) in await rows(database, "audit_log", "action") if action.startswith("digest")
    ] == []


@pytest.mark.parametrize("command", COMMANDS)
async def test_own_client_is_reachable(practice: dict[str, FakeUser], bot: RunningBot, command: str) -> None:
    reply = await ask(practice["a"], _target(command, "Sam", 1))
    assert "no client called" not in reply and "There is no" not in reply


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_client_cannot_use_therapist_commands(
    practice: dict[str, FakeUser], bot: RunningBot, database: Database, command: str
) -> None:
    before = (await count(database, "schedules"), await count(database, "therapy_sessions"))
    assert await ask(practice["sam"], _target(command, "Sam", 1)) == texts.UNKNOWN_COMMAND
    assert await ask(practice["sam"], _target(command, "Max", 2)) == texts.UNKNOWN_COMMAND
    assert (await count(database, "schedules"), await count(database, "therapy_sessions")) == before


async def test_a_client_reaches_only_their_own_assignment(
    practice: dict[str, FakeUser], database: Database
) -> None:
    sam = practice["sam"]
    confidence = next(m for m in sam.messages() if m.labels()[:2] == ["0", "1"])
    query = await sam.press_data("cf:2:3", message_id=confidence.message_id)  # Max's assignment
    assert (await sam.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    assert await rows(database, "schedules", "id", "confidence") == [(1, None), (2, None)]


async def test_therapist_lists_show_only_their_own(practice: dict[str, FakeUser]) -> None:
    clients = await ask(practice["a"], "/clients")
    sessions = await ask(practice["a"], "/sessions")
    assert "Sam" in clients and "Max" not in clients
    assert "Sam" in sessions and "Max" not in sessions
