"""A client's goals in storage, on real SQLite files: up to three active, numbers never reused,
each change dated with the old words kept, ratings with their time and the words they were given
under; sealed at rest, exported and erased with the client; and a 0010 database holding rows
upgrades to them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from storage import Database, EntryStatus
from storage.crypto import KeyRing
from storage.goals import MAX_ACTIVE, GoalAction
from storage.migrate import current_revision, head_revision, upgrade
from storage.privacy import erase_person, export_person, rows_left
from tests.support.rows import old_person

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def _client(database: Database) -> int:
    async with database.transaction() as tx:
        return (await tx.people.create("telegram", "5", "5", "UTC", NOW)).id


async def test_three_active_goals_at_most_numbered_for_good(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'goals.db'}")
    await database.migrate()
    person = await _client(database)
    async with database.transaction() as tx:
        added = [await tx.goals.add(person, f"goal {n}", 99, NOW) for n in range(1, MAX_ACTIVE + 2)]
        assert [g.number if g else None for g in added] == [1, 2, 3, None]  # a fourth is refused
        second = added[1]
        assert second is not None
        await tx.goals.retire(second, 99, NOW + WEEK)
        fourth = await tx.goals.add(person, "goal 4", 99, NOW + WEEK)
        assert fourth is not None and fourth.number == 4  # 2 is never given again
        assert [(g.number, g.status) for g in await tx.goals.of(person)] == [
            (1, "active"),
            (2, "retired"),
            (3, "active"),
            (4, "active"),
        ]
        retired = await tx.goals.by_number(person, 2)
        assert retired is not None and retired.retired_at == NOW + WEEK
    await database.close()


async def test_an_edit_keeps_the_old_words_and_each_rating_reads_the_words_it_was_given_under(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'goals.db'}")
    await database.migrate()
    person = await _client(database)
    async with database.transaction() as tx:
        goal = await tx.goals.add(person, "Sleep better", 99, NOW)
        assert goal is not None
        entry = await tx.entries.start(person, "goal_rating", NOW + timedelta(hours=1))
        assert await tx.goals.rate(person, [(1, 3), (7, 5), (1, 11)], entry, NOW + timedelta(hours=1)) == 1
        await tx.goals.edit(goal, "Sleep through the night", 99, NOW + WEEK)
        assert await tx.goals.rate(person, [(1, 6)], None, NOW + 2 * WEEK) == 1
        changes = await tx.goals.changes(person)
        assert [(c.action, c.text, c.at, c.actor_id) for c in changes] == [
            (GoalAction.ADDED, "Sleep better", NOW, 99),
            (GoalAction.EDITED, "Sleep through the night", NOW + WEEK, 99),
        ]
        rated = await tx.goals.ratings_with_words(person)
        assert [(r.number, r.words, r.value) for r in rated] == [
            (1, "Sleep better", 3),
            (1, "Sleep through the night", 6),
        ]
        assert [r.value for r in await tx.goals.ratings(person, before=NOW + WEEK)] == [3]
        await tx.goals.retire(goal, 99, NOW + 3 * WEEK)
        assert await tx.goals.rate(person, [(1, 8)], None, NOW + 3 * WEEK) == 0  # retired: not rated
    await database.close()


async def test_goal_words_are_sealed_exported_and_erased_with_the_client(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'sealed.db'}", keyring=ring)
    await database.migrate()
    person = await _client(database)
    async with database.transaction() as tx:
        goal = await tx.goals.add(person, "Talk to Dad about the farm", 99, NOW)
        assert goal is not None
        await tx.goals.rate(person, [(1, 4)], None, NOW)
    async with database.engine.connect() as connection:
        exported = await export_person(connection, person)
    assert [g["text"] for g in exported["goals"]] == ["Talk to Dad about the farm"]
    assert [c["text"] for c in exported["goal_changes"]] == ["Talk to Dad about the farm"]
    assert [r["value"] for r in exported["goal_ratings"]] == [4]
    async with database.transaction() as tx:
        await tx.goals.rate(person, [(1, 5)], None, NOW + WEEK)
    await database.close()
    with sqlite3.connect(tmp_path / "sealed.db") as raw:
        stored = [v for (v,) in raw.execute("SELECT text FROM goals UNION ALL SELECT text FROM goal_changes")]
    assert stored and all(v.startswith("enc:v1:") for v in stored) and not any("Dad" in v for v in stored)

    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'sealed.db'}", keyring=ring)
    async with database.transaction() as tx:
        await erase_person(tx.connection, person)
    async with database.engine.connect() as connection:
        assert await rows_left(connection, person) == {}
    await database.close()


async def test_a_0010_database_holding_rows_upgrades_to_goals(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'practice.db'}"
    database = Database(url)
    await upgrade(database.engine, "0010")
    assert await current_revision(database.engine) == "0010"
    async with database.transaction() as tx:
        person = await old_person(tx.connection, "5", NOW)
        entry = await tx.entries.start(person, "mood_check", NOW)
        await tx.entries.finish(entry, {"mood": 6}, EntryStatus.COMPLETED, NOW)
        await tx.notes.add(person, "bring this", NOW)
        with_goals = await tx.connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'goal%'")
        )
        assert with_goals.scalar_one() == 0
    await database.close()

    database = Database(url)
    await database.migrate()
    assert await current_revision(database.engine) == head_revision()
    async with database.transaction() as tx:
        (kept,) = await tx.entries.for_person(person)
        assert kept.answers == {"mood": 6}
        assert [n.text for n in await tx.notes.between(person, NOW, NOW + WEEK)] == ["bring this"]
        goal = await tx.goals.add(person, "Sleep better", None, NOW + WEEK)
        assert goal is not None and goal.number == 1
        assert await tx.goals.rate(person, [(1, 4)], kept.id, NOW + WEEK) == 1
    await database.close()
