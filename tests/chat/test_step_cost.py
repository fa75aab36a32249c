"""What a mood-check step costs the database, counted (issue 17, part 5): statements and commits.
Counts, not timings: they do not move with the machine's load, and each is what the throughput
benchmark's ``--cost`` found a step to take."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer
from tests.support.running_bot import RunningBot

STEPS = 6


class DatabaseWork:
    """Counts what one engine does: statements and commits."""

    def __init__(self, database: Database) -> None:
        self.statements: list[str] = []
        self.commits = 0
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *args: Any) -> None:
        self.statements.append(str(args[2]).split(maxsplit=1)[0])

    def _commit(self, *args: Any) -> None:
        self.commits += 1


async def mood_check(user: FakeUser) -> None:
    await user.send("/mood")
    await user.expect(2)
    await answer(user, "press:7", "toggle:Calm", "press:Done", "Slept badly.", "Nothing got in the way.")


async def test_a_mood_check_step_takes_a_few_statements_in_one_transaction(
    api: FakeBotApi, bot: RunningBot
) -> None:
    assert bot.runtime is not None
    user = api.user(1001)
    await mood_check(user)  # the first check starts the person's rows
    work = DatabaseWork(bot.runtime.database)
    await mood_check(user)
    await bot.stop()  # the last sends are written down
    # Each step: read the person with their conversation, write it back, queue the reply, and
    # (in the next transaction) delete the delivered one; starting and finishing add a few: 32
    # in all when this was written. The deliveries are written down by the next update's
    # transaction, or by one of their own if it does not come within a quarter of a second.
    assert len(work.statements) <= 6 * STEPS, work.statements
    assert work.commits <= 2 * STEPS
