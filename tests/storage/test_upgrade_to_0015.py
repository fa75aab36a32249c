"""A 0014 database holding a chat's typed choices upgrades to 0015: they are kept, and the new
tables (message versions, what was told once) start empty and work."""

from __future__ import annotations

from storage import Database
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.clock import FakeClock


async def test_a_0014_database_with_typed_choices_upgrades_to_0015(
    database_url: str, clock: FakeClock
) -> None:
    old = Database(database_url)
    try:
        await upgrade(old.engine, "0014")
        async with old.transaction() as tx:
            await tx.typed_choices.shown("signal", "alex", "17", "choice", ["t:a", "t:b"], clock())
    finally:
        await old.close()
    database = Database(database_url)
    try:
        await database.migrate()
        assert await current_revision(database.engine) == head_revision()
        async with database.transaction() as tx:
            assert [s.choices for s in await tx.typed_choices.recent("signal", "alex")] == [("t:a", "t:b")]
            await tx.message_versions.sent(
                "signal", "alex", "17", "17", edits=0, sent_at=clock(), changed_at=clock()
            )
            assert await tx.told_once.tell("signal", "captcha", "", clock())
            assert not await tx.told_once.tell("signal", "captcha", "", clock())
        async with database.transaction() as tx:
            latest = await tx.message_versions.latest("signal", "17")
            assert latest is not None and latest.edits == 0
    finally:
        await database.close()
