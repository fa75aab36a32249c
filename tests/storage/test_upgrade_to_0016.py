"""A 0014 database holding a client and a plan upgrades to 0016: the plan has no list given with
it (the client names their step, as before), and a plan written after the upgrade keeps its
ladder, sealed like its rationale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage import Database
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.clock import FakeClock
from tests.support.rows import old_person


async def test_a_0014_database_with_a_plan_upgrades_to_lists_given_with_assignments(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    clock = FakeClock()
    now = clock()
    old = Database(url)
    try:
        await upgrade(old.engine, "0014")
        async with old.transaction() as tx:
            person = await old_person(tx.connection, "7", now, update_id=1)
            await tx.connection.exec_driver_sql(
                "INSERT INTO schedules (person_id, flow_id, times, weekdays, start_date, status,"
                " materialize_at, not_before, created_at, updated_at, cadence)"
                " VALUES (?, 'exposure', '[\"18:00\"]', '[0,1,2,3,4,5,6]', '2026-03-02', 'active',"
                " '2026-03-02 09:00:00', '2026-03-02 09:00:00',"
                " '2026-03-02 09:00:00', '2026-03-02 09:00:00', 'weekly')",
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
            assert (plan.flow_id, plan.given, plan.start_date) == ("exposure", None, date(2026, 3, 2))
            assert await tx.schedules.latest_given(person, "exposure") is None
            await tx.schedules.add(
                person_id=person,
                flow_id="exposure",
                times=["19:00"],
                weekdays=range(7),
                start_date=date(2026, 3, 3),
                end_date=None,
                quiet_start=None,
                quiet_end=None,
                rationale=None,
                created_by=None,
                now=now,
                given={"ladder": ["Photo of a dog", "A dog on a lead"]},
            )
            assert await tx.schedules.latest_given(person, "exposure") == {
                "ladder": ["Photo of a dog", "A dog on a lead"]
            }
            assert await tx.schedules.latest_given(person, "mood_check") is None
    finally:
        await database.close()
