"""Encryption at rest (storage/crypto.py, storage/types.py, `between keys`).

What a client writes never reaches the database file in plaintext: a canary typed into every
kind of answer is absent from the raw bytes of the SQLite file and its WAL, and present again
when read back through the repositories. Keys rotate without losing a row, also when a rotation
is cut short; a malformed key is one line, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import main as cli
from bot.cli import schedule as admin
from bot.core.errors import ConfigurationError
from bot.runtime.wiring import open_runtime
from storage import Database, EntryStatus, NewOccurrence, StorageError
from storage.crypto import (
    KeyRing,
    KeyRingError,
    UnreadableValue,
    encode_secret,
    load_keyring,
    new_secret,
    sealed_key_id,
)
from storage.database import encrypted_columns
from storage.migrate import head_revision, upgrade
from storage.models import Base
from tests.support.bot_process import run_between
from tests.support.fake_bot_api import FakeBotApi
from tests.support.journeys import answer
from tests.support.postgres_server import postgres_or_skip
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CANARY = "CANARYquokka5522"
KEY = encode_secret(new_secret())
"""The practice's key in this module's end-to-end test, given as ENCRYPTION_KEYS."""
SEALED_SHAPE = re.compile(r"enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]+=*")


@pytest.fixture(autouse=True)
def keys_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read ENCRYPTION_KEYS from the environment, as in production; the key file
    tests take it away again."""
    monkeypatch.setenv("ENCRYPTION_KEYS", KEY)


def sqlite_file(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def raw_bytes(database: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# --- the key ring -----------------------------------------------------------------------------


def test_seal_and_open_round_trip() -> None:
    ring = KeyRing.generate()
    words = f"Grüße — 🌿 {CANARY}"
    sealed = ring.seal(words, "client_notes.text")
    assert SEALED_SHAPE.fullmatch(sealed) and sealed.isascii()
    assert sealed_key_id(sealed) == ring.newest and CANARY not in sealed
    assert ring.open(sealed, "client_notes.text") == words
    assert ring.seal(words, "client_notes.text") != sealed  # a fresh nonce every time
    assert (
        KeyRing.parse(",".join(ring.encoded()), "ENCRYPTION_KEYS").open(sealed, "client_notes.text") == words
    )
    assert repr(ring) == f"KeyRing(ids=['{ring.newest}'])" and ring.encoded()[0] not in repr(ring)


def test_a_tampered_value_or_one_moved_to_another_column_does_not_open() -> None:
    ring = KeyRing.generate()
    sealed = ring.seal(f"hot thought {CANARY}", "entries.answers")
    body = sealed[-20:]
    flipped = body[0].swapcase() if body[0].isalpha() else ("A" if body[0] != "A" else "B")
    tampered = sealed[:-20] + flipped + body[1:]
    for value, column in ((tampered, "entries.answers"), (sealed, "client_notes.text")):
        with pytest.raises(UnreadableValue) as raised:
            ring.open(value, column)
        message = str(raised.value)
        assert ring.newest in message and column in message and "does not open" in message
        assert CANARY not in message and "\n" not in message
    stranger = KeyRing.generate()
    with pytest.raises(UnreadableValue, match=f"sealed with key {ring.newest}, which is not among"):
        stranger.open(sealed, "entries.answers")


def test_every_sealed_column_is_bound_to_its_own_name() -> None:
    columns = {c.context for c in encrypted_columns()}
    assert columns == {
        "entries.answers",
        "entries.draft",
        "conversations.answers",
        "conversations.selection",
        "outbox.payload",
        "schedules.rationale",
        "schedules.given",
        "due_prompts.skip_note",
        "client_notes.text",
        "risk_events.text",
        "goals.text",
        "goal_changes.text",
    }
    for where in encrypted_columns():  # the associated data is the column the value lives in
        table = Base.metadata.tables[where.table]
        assert table.c[where.column].type.column == where.context  # type: ignore[attr-defined]


def test_malformed_keys_are_one_line_that_never_shows_the_key(tmp_path: Path) -> None:
    almost = KEY[:-2] + "!!"
    with pytest.raises(KeyRingError) as raised:
        load_keyring(f"{KEY},{almost}", tmp_path / "unused.key")
    assert str(raised.value) == (
        "ENCRYPTION_KEYS: key 2 is not an encryption key (32 random bytes in base64url, 43 or 44 characters)"
    )
    assert almost not in str(raised.value) and not (tmp_path / "unused.key").exists()
    short = tmp_path / "short.key"
    short.write_text("# a comment\n" + encode_secret(os.urandom(16)) + "\n")
    with pytest.raises(KeyRingError, match=r"^.*short\.key: key 1 is not an encryption key"):
        load_keyring(None, short)
    empty = tmp_path / "empty.key"
    empty.write_text("")
    with pytest.raises(KeyRingError, match=r"empty\.key holds no encryption key$"):
        load_keyring(None, empty)


async def test_malformed_keys_in_settings_stop_the_runtime_with_a_configuration_error(
    settings_for: Any,
) -> None:
    with pytest.raises(ConfigurationError, match=r"^ENCRYPTION_KEYS: key 1 is not an encryption key"):
        async with open_runtime(settings_for(encryption_keys="not-a-key")):
            pass


def test_the_key_file_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.key"
    made = load_keyring(None, path)
    assert made.created and made.file == path and made.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keyring(None, path)
    assert not again.created and again.ring.ids == made.ring.ids
    assert "".join(made.ring.encoded()) in path.read_text()
    assert load_keyring(KEY, path).source == "ENCRYPTION_KEYS"  # the setting wins over the file


# --- the columns ------------------------------------------------------------------------------


async def fill(database: Database, note: str = f"bring {CANARY}") -> dict[str, int]:
    """One of everything a client writes, through the repositories."""
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "5", "5", "UTC", NOW)
        entry_id = await tx.entries.start(person.id, "thought_record", NOW)
        await tx.entries.finish(
            entry_id, {"situation": f"at work {CANARY}"}, EntryStatus.CANCELLED, NOW, draft={"step": "hot"}
        )
        conversation = await tx.conversations.begin(
            person.id, entry_id, "thought_record", "feelings", "t", NOW
        )
        conversation.answers = {"situation": f"again {CANARY}"}
        conversation.selection = ["angry", f"custom:{CANARY}"]
        await tx.conversations.save(conversation)
        await tx.outbox.put_many("telegram", "5", [{"text": f"You wrote {CANARY}"}], NOW, person_id=person.id)
        await tx.notes.add(person.id, note, NOW)
        schedule_id = await tx.schedules.add(
            person_id=person.id,
            flow_id="mood_check",
            times=["09:30"],
            weekdays=range(7),
            start_date=date(2026, 3, 2),
            end_date=None,
            quiet_start=None,
            quiet_end=None,
            rationale=f"because {CANARY}",
            created_by=None,
            now=NOW,
            given={"ladder": [f"a dog {CANARY}"]},
        )
        schedule = await tx.schedules.get(schedule_id)
        assert schedule is not None and schedule.given == {"ladder": [f"a dog {CANARY}"]}
        occurrence = NewOccurrence(
            "2026-03-02T09:30", date(2026, 3, 2), NOW, NOW + timedelta(hours=15), "tok"
        )
        await tx.due_prompts.add_many(schedule, [occurrence])
        (prompt,) = await tx.due_prompts.for_person(person.id)
        await tx.due_prompts.update(
            prompt.id, status="skipped", skip_reason="other", skip_note=f"reason {CANARY}"
        )
        await tx.risk_events.add(person.id, NOW, "note", "self_harm", f"risk {CANARY}", None)
        goal = await tx.goals.add(person.id, f"sleep {CANARY}", None, NOW)
        assert goal is not None
        await tx.goals.edit(goal, f"sleep well {CANARY}", None, NOW)
    return {"person": person.id, "entry": entry_id, "schedule": schedule_id}


async def everything(database: Database) -> dict[str, list[Any]]:
    """Every value of every sealed column, opened by the column types."""
    found: dict[str, list[Any]] = {}
    for where in encrypted_columns():
        values = [value for (value,) in await rows(database, where.table, where.column)]
        found[where.context] = [value for value in values if value is not None]
    return found


@pytest.fixture
async def sealed_database(tmp_path: Path) -> AsyncIterator[tuple[Database, KeyRing]]:
    ring = KeyRing.generate()
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'sealed.db'}", keyring=ring)
    await database.migrate()
    try:
        yield database, ring
    finally:
        await database.close()


async def test_the_repositories_write_sealed_values_and_read_them_back(
    sealed_database: tuple[Database, KeyRing],
) -> None:
    database, ring = sealed_database
    ids = await fill(database)
    async with database.transaction() as tx:
        (entry,) = await tx.entries.for_person(ids["person"])
        _, conversation = await tx.people.get_with_conversation(ids["person"])
        (queued,) = await tx.outbox.pending_for_chat("telegram", "5")
        schedule = await tx.schedules.get(ids["schedule"])
    assert entry.answers == {"situation": f"at work {CANARY}"} and entry.draft == {"step": "hot"}
    assert conversation is not None and conversation.selection == ["angry", f"custom:{CANARY}"]
    assert conversation.answers == {"situation": f"again {CANARY}"}
    assert queued.payload == {"text": f"You wrote {CANARY}"}
    assert schedule is not None and schedule.rationale == f"because {CANARY}"
    opened = await everything(database)
    assert opened["client_notes.text"] == [f"bring {CANARY}"] and opened["risk_events.text"] == [
        f"risk {CANARY}"
    ]
    await database.close()  # the WAL goes into the file

    file = sqlite_file(database.url)
    assert CANARY.encode() not in raw_bytes(file)
    with sqlite3.connect(file) as raw:  # raw on purpose: what is stored, as the file holds it
        for where in encrypted_columns():
            stored = raw.execute(f"SELECT {where.column} FROM {where.table} WHERE {where.column} IS NOT NULL")
            values = [value for (value,) in stored]
            assert values, where.context
            for value in values:
                assert SEALED_SHAPE.fullmatch(value), where.context
                assert sealed_key_id(value) == ring.newest
        # a value copied into another column, or another row's column, as an attacker with
        # write access might: the first does not open, the second does (rows are not bound)
        (note,) = raw.execute("SELECT text FROM client_notes").fetchone()
        raw.execute("UPDATE risk_events SET text = ?", (note,))
    moved = Database(database.url, keyring=ring)
    try:
        with pytest.raises(
            UnreadableValue, match=f"cannot read risk_events.text: the value sealed with key {ring.newest}"
        ):
            await everything(moved)
    finally:
        await moved.close()


async def test_without_a_key_values_are_stored_as_they_are_and_the_bytes_show_it(tmp_path: Path) -> None:
    """The control for the byte scans here: the same rows, unsealed, do show the canary."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    await database.migrate()
    await fill(database)
    await database.close()
    assert CANARY.encode() in raw_bytes(sqlite_file(database.url))


async def test_plaintext_from_before_reads_and_is_sealed_when_written_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'legacy.db'}"
    engine = create_async_engine(url)
    await upgrade(engine, "0006")  # as the previous release left it: JSON columns, plain text
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO people (transport, external_user_id, chat_id, role, timezone, status,"
                " created_at, updated_at) VALUES ('telegram', '1', '1', 'client', 'UTC', 'active',"
                " '2026-03-01 09:00:00', '2026-03-01 09:00:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO entries (person_id, flow_id, status, answers, started_at, updated_at)"
                f" VALUES (1, 'mood_check', 'completed', '{{\"mood\": 6, \"note\": \"{CANARY}\"}}',"
                " '2026-03-01 09:00:00', '2026-03-01 09:01:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO client_notes (person_id, text, created_at)"
                f" VALUES (1, 'old {CANARY}', '2026-03-01')"
            )
        )
    await engine.dispose()
    ring = KeyRing.generate()
    database = Database(url, keyring=ring)
    await database.migrate()
    try:
        async with database.engine.connect() as connection:  # rebuilt as text, ids still never reused
            outbox = (
                await connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'outbox'")
            ).scalar()
            assert "payload TEXT NOT NULL" in outbox and "AUTOINCREMENT" in outbox
        usage = await database.key_usage()
        assert usage["entries.answers"] == {"": 1} and usage["client_notes.text"] == {"": 1}
        async with database.transaction() as tx:
            (entry,) = await tx.entries.for_person(1)
            assert entry.answers == {"mood": 6, "note": CANARY}
            (note,) = await tx.notes.between(1, NOW - timedelta(days=30), NOW)
            assert note.text == f"old {CANARY}"
            await tx.entries.finish(entry.id, {**entry.answers, "mood": 7}, EntryStatus.COMPLETED, NOW)
        usage = await database.key_usage()
        assert usage["entries.answers"] == {ring.newest: 1} and usage["client_notes.text"] == {"": 1}
        async with database.transaction() as tx:
            (entry,) = await tx.entries.for_person(1)
            assert entry.answers == {"mood": 7, "note": CANARY}
    finally:
        await database.close()


async def test_a_database_refuses_keys_that_do_not_open_its_newest_values(
    sealed_database: tuple[Database, KeyRing],
) -> None:
    database, ring = sealed_database
    ids = await fill(database)
    await database.check_keys()
    await database.close()
    for other in (KeyRing.generate(), None):
        stranger = Database(database.url, keyring=other)
        try:
            with pytest.raises(StorageError, match=f"sealed with key {ring.newest}") as raised:
                await stranger.check_keys()
            assert CANARY not in str(raised.value)
            with pytest.raises(
                UnreadableValue, match=f"cannot read entries.answers: it was sealed with key {ring.newest}"
            ):
                async with stranger.transaction() as tx:
                    await tx.entries.get(ids["entry"])
        finally:
            await stranger.close()


# --- rotation through the `between keys` command ----------------------------------------------


@pytest.fixture
def admin_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`between …` in-process, in a practice folder with a key file and no ENCRYPTION_KEYS."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENCRYPTION_KEYS")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'data' / 'between.db'}")
    monkeypatch.setenv("ENCRYPTION_KEY_FILE", str(tmp_path / "data" / "between.key"))
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)  # leave pytest's logging be
    yield tmp_path / "data"


def practice_ring(folder: Path) -> KeyRing:
    return load_keyring(None, folder / "between.key").ring


def usage_of(folder: Path, ring: KeyRing) -> dict[str, int]:
    async def count() -> dict[str, int]:
        database = Database(f"sqlite+aiosqlite:///{folder / 'between.db'}", keyring=ring)
        try:
            totals: dict[str, int] = {}
            for counts in (await database.key_usage()).values():
                for id_, n in counts.items():
                    totals[id_] = totals.get(id_, 0) + n
            return totals
        finally:
            await database.close()

    return asyncio.run(count())


def fill_practice(folder: Path, people: int) -> int:
    """Rows sealed with the practice's key and some unsealed ones from before; values written."""

    async def write() -> None:
        url = f"sqlite+aiosqlite:///{folder / 'between.db'}"
        for keyring in (practice_ring(folder), None):
            database = Database(url, keyring=keyring)
            try:
                async with database.transaction() as tx:
                    for _ in range(people):
                        person = await tx.people.create("telegram", str(os.urandom(4).hex()), "1", "UTC", NOW)
                        entry_id = await tx.entries.start(person.id, "mood_check", NOW)
                        await tx.entries.finish(entry_id, {"note": CANARY}, EntryStatus.COMPLETED, NOW)
                        await tx.notes.add(person.id, CANARY, NOW)
            finally:
                await database.close()

    asyncio.run(write())
    return 2 * people * 2  # answers and a note, sealed and not


def read_all(folder: Path, ring: KeyRing) -> list[Any]:
    async def read() -> list[Any]:
        database = Database(f"sqlite+aiosqlite:///{folder / 'between.db'}", keyring=ring)
        try:
            return [value for values in (await everything(database)).values() for value in values]
        finally:
            await database.close()

    return asyncio.run(read())


def test_rotation_seals_everything_with_a_new_key_then_drops_the_old_one(
    admin_shell: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Created an encryption key in "
        f"{admin_shell / 'between.key'} — keep a copy somewhere safe: without it the data cannot be read."
    )
    old = practice_ring(admin_shell)
    values = fill_practice(admin_shell, 3)
    assert usage_of(admin_shell, old) == {old.newest: values // 2, "": values // 2}
    before = read_all(admin_shell, old)

    assert cli.main(["keys", "status"]) == 0
    status = capsys.readouterr().out
    assert f"  {old.newest}  newest (seals)         6 values" in status
    assert "  unencrypted                      6 values: `between keys rotate` seals them" in status

    assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    new = practice_ring(admin_shell)
    assert new.ids != old.ids and len(new.ids) == 1
    assert f"Removed the retired keys {old.newest} from" in out
    assert usage_of(admin_shell, new) == {new.newest: values}
    assert read_all(admin_shell, new) == before  # every value, opened with the new key alone
    with pytest.raises(UnreadableValue, match=new.newest):
        read_all(admin_shell, old)
    file = admin_shell / "between.db"
    assert CANARY.encode() not in raw_bytes(file)  # the unsealed ones are gone, freed pages too
    assert stat.S_IMODE((admin_shell / "between.key").stat().st_mode) == 0o600


def test_an_interrupted_rotation_keeps_the_old_key_and_finishes_when_run_again(
    admin_shell: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["migrate"]) == 0
    old = practice_ring(admin_shell)
    values = fill_practice(admin_shell, 4)
    before = read_all(admin_shell, old)
    reseal = Database.reseal

    async def cut_short(self: Database, **_: Any) -> Any:
        def power_cut(column: str, count: int) -> None:
            raise RuntimeError("power cut")

        return await reseal(self, batch=3, progress=power_cut)  # one batch of 3 rows, then gone

    monkeypatch.setattr(Database, "reseal", cut_short)
    with pytest.raises(RuntimeError, match="power cut"):
        cli.main(["keys", "rotate"])
    monkeypatch.setattr(Database, "reseal", reseal)
    halfway = practice_ring(admin_shell)
    assert halfway.ids[1:] == old.ids  # the new key first, the old one still there
    usage = usage_of(admin_shell, halfway)
    assert usage[halfway.newest] > 0 and usage.get(old.newest, 0) + usage.get("", 0) > 0
    assert read_all(admin_shell, halfway) == before  # nothing lost in between

    capsys.readouterr()
    assert cli.main(["keys", "rotate", "--reencrypt"]) == 0  # no new key: finish with this one
    done = practice_ring(admin_shell)
    assert done.ids == (halfway.newest,)
    assert usage_of(admin_shell, done) == {done.newest: values}
    assert read_all(admin_shell, done) == before
    assert cli.main(["keys", "rotate", "--reencrypt"]) == 0  # and again: nothing to do, no harm
    assert practice_ring(admin_shell).ids == done.ids


def test_rotation_removes_no_key_while_a_value_is_left_under_another(
    admin_shell: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    fill_practice(admin_shell, 1)
    lost = KeyRing.generate()  # say, a value from a key that was never configured here
    with sqlite3.connect(admin_shell / "between.db") as raw:  # raw on purpose: a foreign sealed value
        raw.execute("UPDATE client_notes SET text = ? WHERE id = 1", (lost.seal("x", "client_notes.text"),))
    capsys.readouterr()
    assert cli.main(["keys", "rotate"]) == 1
    err = capsys.readouterr().err
    assert f"Not finished: 1 under {lost.newest}" in err and "No key was removed." in err
    assert len(practice_ring(admin_shell).ids) == 2
    assert cli.main(["keys", "status"]) == 1
    assert f"  {lost.newest}  NOT CONFIGURED         1 value: cannot be read" in capsys.readouterr().out


def test_rotation_with_keys_in_the_setting_prints_the_new_setting_and_touches_nothing(
    admin_shell: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCRYPTION_KEYS", KEY)
    assert cli.main(["migrate"]) == 0
    assert not (admin_shell / "between.key").exists()
    assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    (value,) = re.findall(r"^ENCRYPTION_KEYS=(\S+)$", out, re.MULTILINE)
    ring = KeyRing.parse(value, "printed")
    assert ring.encoded()[1] == KEY and len(ring.ids) == 2
    monkeypatch.setenv("ENCRYPTION_KEYS", value)
    assert cli.main(["keys", "rotate", "--reencrypt"]) == 0
    assert (
        f"Keep only the first key in ENCRYPTION_KEYS: {ring.ids[1]} are no longer used."
        in capsys.readouterr().out
    )


def test_a_malformed_key_stops_every_command_with_one_line(
    admin_shell: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCRYPTION_KEYS", "hunter2")
    for command in (["migrate"], ["run"], ["keys", "status"], ["schedule", "list"]):
        assert cli.main(command) == 2
        err = capsys.readouterr().err
        assert err == (
            "between: configuration error: ENCRYPTION_KEYS: key 1 is not an encryption key "
            "(32 random bytes in base64url, 43 or 44 characters)\n"
        )
    assert not (admin_shell / "between.db").exists()


async def test_other_processes_with_the_same_key_file_read_the_data(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'practice.db'}"
    env = {"DATABASE_URL": url}
    added = await run_between(
        "schedule",
        "add",
        "terminal",
        "mood",
        "08:00",
        "--rationale",
        f"because {CANARY}",
        cwd=tmp_path,
        env=env,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(
        f"Created an encryption key in {tmp_path}/data/between.key — keep a copy somewhere"
    )
    migrated = await run_between("migrate", cwd=tmp_path, env=env)
    assert (migrated.returncode, migrated.stdout) == (0, f"Database is at revision {head_revision()}.\n"), (
        migrated.stderr
    )
    listed = await run_between("schedule", "list", cwd=tmp_path, env=env)  # opens the rationale
    assert listed.returncode == 0 and "terminal\tmood check\t08:00" in listed.stdout, listed.stderr
    ring = load_keyring(None, tmp_path / "data" / "between.key").ring

    async def rationale() -> str | None:
        database = Database(url, keyring=ring)
        try:
            async with database.transaction() as tx:
                (schedule,) = await tx.schedules.all_active()
                return schedule.rationale
        finally:
            await database.close()

    assert await rationale() == f"because {CANARY}"
    assert CANARY.encode() not in raw_bytes(sqlite_file(url))

    elsewhere = tmp_path / "elsewhere"  # run from elsewhere: the same data, the same key
    elsewhere.mkdir()
    found = await run_between("schedule", "list", cwd=elsewhere, env=env)  # the same data and key
    assert found.returncode == 0 and "terminal\tmood check\t08:00" in found.stdout, found.stderr
    lost = elsewhere / "between.key"  # a key file is never made anew over the old data
    refused = await run_between(
        "schedule", "list", cwd=elsewhere, env={**env, "ENCRYPTION_KEY_FILE": str(lost)}
    )
    assert refused.returncode == 2 and refused.stdout == "" and not lost.exists()
    assert refused.stderr.startswith(
        f"between: configuration error: the key file {lost} is missing, but the database"
    )
    assert "Traceback" not in refused.stderr and CANARY not in refused.stderr
    assert len(refused.stderr.splitlines()) == 1


# --- PostgreSQL: the JSONB columns become text, their rows kept --------------------------------


postgres = pytest.fixture(scope="module", name="postgres")(postgres_or_skip)


async def test_postgres_keeps_jsonb_rows_through_the_migration_and_rotation(postgres: str) -> None:
    engine = create_async_engine(postgres)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine, "0006")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO people (transport, external_user_id, chat_id, role, timezone, status,"
                " created_at, updated_at)"
                " VALUES ('telegram', '1', '1', 'client', 'UTC', 'active', now(), now())"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO entries (person_id, flow_id, status, answers, started_at, updated_at)"
                f" VALUES (1, 'mood_check', 'completed', '{{\"mood\": 6, \"note\": \"{CANARY}\"}}'::jsonb,"
                " now(), now())"
            )
        )
    await engine.dispose()
    ring = KeyRing.generate()
    database = Database(postgres, keyring=ring)
    await database.migrate()
    try:
        async with database.transaction() as tx:
            (entry,) = await tx.entries.for_person(1)
            assert entry.answers == {"mood": 6, "note": CANARY}
        assert (await database.key_usage())["entries.answers"] == {"": 1}
        report = await database.reseal()
        assert report.resealed["entries.answers"] == 1 and not report.unreadable
        await fill(database)
        async with database.transaction() as tx:
            (stored,) = (await tx.execute(text("SELECT answers FROM entries WHERE id = 1"))).one()
            assert SEALED_SHAPE.fullmatch(stored)
            (entry, *_) = await tx.entries.for_person(1)
            assert entry.answers == {"mood": 6, "note": CANARY}
        opened = await everything(database)
        assert opened["conversations.selection"] == [["angry", f"custom:{CANARY}"]]
        assert (await database.key_usage())["entries.answers"] == {ring.newest: 2}
    finally:
        await database.close()


# --- the canary, end to end -------------------------------------------------------------------


async def test_what_clients_write_never_reaches_the_database_file(
    api: FakeBotApi, bot: RunningBot, database_url: str
) -> None:
    """Every kind of free text a client (or therapist) writes, through the running bot with the
    practice's key from ENCRYPTION_KEYS; then the raw bytes of the SQLite file and its WAL."""
    assert bot.runtime is not None and bot.runtime.database.keyring is not None
    database_path = sqlite_file(database_url)
    user = api.user(7101)
    await user.send("/mood")
    await user.expect(2)
    await answer(user, "press:7", "toggle:Calm", "press:Done", f"note {CANARY}", f"obstacle {CANARY}")

    await user.send("/thought")
    await user.expect(2)
    await answer(user, f"situation {CANARY}", f"{CANARY}")  # a feeling in their own words
    await user.send("/cancel")  # a draft is kept: where they stopped, with what they picked
    await user.expect(1)

    await user.send("/urge")
    await user.expect(2)
    await answer(user, f"urge {CANARY}", "press:6", "press:5 minutes", f"during {CANARY}", "stop")
    await answer(user, "press:2", "press:Partly", f"noticed {CANARY}", f"in the way {CANARY}")

    await user.send("/breathe")
    await user.expect(2)
    await answer(user, "press:Box · 4-4-4-4", "press:1 minute", "press:5")
    bot.clock.advance(seconds=70)
    await bot.tick()
    await api.wait_until(lambda: "0" in user.last_message().labels())
    await answer(user, "press:6", f"breathing {CANARY}")

    await admin.add_schedule(
        bot.runtime.database, bot.settings, bot.clock, admin.NewSchedule("7101", "mood", "09:30")
    )
    bot.clock.advance(minutes=31)
    await bot.tick()
    await user.expect(1)
    await answer(user, "press:Skip today", "press:Something else", f"reason {CANARY}")

    # the therapist's side: a client who joins by invitation, their note, a rationale, the digest
    code = await bot.runtime.practice.issue_registration("Dr Rae", bot.clock())
    therapist = api.user(7102)
    await therapist.send(f"/start {code}")
    await therapist.expect(2)
    await therapist.send("/invite Sam")
    _, code_line = await therapist.expect(2)
    client = api.user(7103)
    await client.send(f"/start {code_line.text}")
    await client.expect(1)
    await client.press("I agree")
    await client.expect(2)
    await client.send(f"/note {CANARY} to bring")
    await client.expect(1)
    await therapist.send(f'/assign Sam mood 20:00 "because {CANARY}"')
    await therapist.expect(1)
    await bot.tick()  # messages to the client go out with the tick
    await client.expect(2)  # what was agreed and why; how confident they feel about it
    await answer(client, "press:7")
    await therapist.send("/digest Sam")
    await bot.tick()
    await therapist.expect_text(f"{CANARY} to bring")  # the digest went out through the outbox

    # left open: a thought record with the canary in its answers and a feeling typed in
    await client.send("/thought")
    await client.expect(2)
    await answer(client, f"open {CANARY}", f"feeling {CANARY}", "press:Done", "press:80", f"hot {CANARY}")

    while_running = raw_bytes(database_path).lower()
    await bot.stop()
    after = raw_bytes(database_path).lower()
    assert b"enc:v1:" in after  # sealed values are there…
    canary = CANARY.lower().encode()  # (feelings typed in are kept in lower case)
    assert canary not in while_running and canary not in after  # …the words are not

    # the control: through the repositories, with the key, every kind is there to read
    database = Database(database_url, keyring=KeyRing.parse(KEY, "test"))
    try:
        opened = await everything(database)
        async with database.transaction() as tx:
            person = await tx.people.find("telegram", "7101")
            assert person is not None
            entries = await tx.entries.for_person(person.id)
    finally:
        await database.close()
    flows_with_canary = {e.flow_id for e in entries if CANARY in json.dumps(e.answers, ensure_ascii=False)}
    assert flows_with_canary == {"mood_check", "thought_record", "urge_surfing", "breathing"}
    for column in (
        "entries.answers",
        "entries.draft",
        "conversations.answers",
        "due_prompts.skip_note",
        "client_notes.text",
        "schedules.rationale",
    ):
        assert CANARY in json.dumps(opened[column], ensure_ascii=False), column
    assert any(
        CANARY in json.dumps(s) for s in opened["conversations.selection"] + opened["conversations.answers"]
    )
