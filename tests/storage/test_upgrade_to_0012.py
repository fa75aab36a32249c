"""A 0010 database holding a client, a plan and a risk event upgrades to 0012: the plan stays a
weekly one, the client carries no flag until one is raised, and a flag raised and cleared after
the upgrade is stored with who cleared it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage import Cadence, Database
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.clock import FakeClock
from tests.support.rows import old_person


async def test_a_0010_database_with_rows_upgrades_to_0012(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    clock = FakeClock()
    now = clock()
    old = Database(url)
    try:
        await upgrade(old.engine, "0010")
        async with old.transaction() as tx:
            person = await old_person(tx.connection, "7", now, update_id=1)
            event_id = await tx.risk_events.add(person, now, "message", "suicidal_thoughts", None, None)
            await tx.connection.exec_driver_sql(
                "INSERT INTO schedules (person_id, flow_id, times, weekdays, start_date, status,"
                " materialize_at, not_before, created_at, updated_at)"
                " VALUES (?, 'mood_check', '[\"09:00\"]', '[0,1,2,3,4,5,6]', '2026-03-02', 'active',"
                " '2026-03-02 09:00:00', '2026-03-02 09:00:00',"
                " '2026-03-02 09:00:00', '2026-03-02 09:00:00')",
                (person,),
            )
    finally:
        await old.close()

    database = Database(url)
    try:
        await database.migrate()
        assert await current_revision(database.engine) == head_revision()
        async with database.transaction() as tx:
            (plan,) = await tx.schedules.for_person(person)
            assert (plan.cadence, plan.interval_days, plan.start_date) == (
                Cadence.WEEKLY,
                None,
                date(2026, 3, 2),
            )
            assert await tx.risk_flags.open_for(person) == []
            await tx.risk_flags.raise_flag(person, now, "risk_language", "message", event_id)
            assert [f.risk_event_id for f in await tx.risk_flags.open_for(person)] == [event_id]
            assert await tx.risk_flags.clear(person, by=99, at=now) == 1
            assert await tx.risk_flags.open_for(person) == []
            assert await tx.risk_flags.clear(person, by=99, at=now) == 0
    finally:
        await database.close()
