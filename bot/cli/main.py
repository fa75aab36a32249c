"""The ``between`` command: ``run`` (Telegram with a token, else the terminal), ``migrate``,
``schedule``, ``therapist`` and ``keys`` (the practice admin's)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import BetweenError, ConfigurationError
from bot.core.logs import configure_logging
from bot.runtime.settings import Settings, load_settings
from storage import StorageError

if TYPE_CHECKING:
    from storage import Database
    from storage.crypto import KeyRing, LoadedKeys

log = logging.getLogger("between")

TELEGRAM_MODE = "Between is running in Telegram mode (polling {url}). Stop with Ctrl-C."
CRISIS_DEFAULTS = (
    "Note: the crisis resources shown to clients at risk are the placeholders "
    "(CRISIS_EMERGENCY, CRISIS_LINE, CRISIS_TEXT_LINE); set your practice's own in .env."
)
ROTATE_WHILE_RUNNING = (
    "between: the bot is running with these keys; stop it first, then rotate "
    "(a running bot would go on sealing with the key being retired)."
)
KEY_CREATED = (
    "Created an encryption key in {path} — keep a copy somewhere safe: without it the data cannot be read."
)


def _load_keys(settings: Settings) -> LoadedKeys:
    """The key ring from ENCRYPTION_KEYS or the key file, which is created (and said so) when
    neither exists: every command that opens the database seals with the same keys."""
    from storage.crypto import KeyRingError, load_keyring

    keys = settings.encryption_keys.get_secret_value() if settings.encryption_keys else None
    try:
        loaded = load_keyring(keys, settings.encryption_key_file)
    except KeyRingError as error:
        raise ConfigurationError(f"configuration error: {error}") from None
    if loaded.created:
        print(KEY_CREATED.format(path=settings.encryption_key_file), flush=True)
    return loaded


async def _open_database(
    settings: Settings, keys: KeyRing | None = None, *, check_keys: bool = True
) -> Database:
    """The database with the practice's keys, migrated; unless told not to, refused when its
    newest values name a key that is not configured (see ``Database.check_keys``)."""
    from storage import Database

    database = Database(settings.database_url, keyring=keys or _load_keys(settings).ring)
    try:
        await database.migrate()
        if check_keys:
            await database.check_keys()
    except BaseException:
        await database.close()
        raise
    return database


@contextlib.contextmanager
def _key_lock(path: Path | None, *, exclusive: bool) -> Iterator[bool]:
    """A running bot holds its key file shared; rotation needs it alone (the bot would go on
    sealing with a key that rotation retires). Yields whether the lock was had."""
    if path is None:
        yield True
        return
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _default_crisis_resources(settings: Settings) -> bool:
    fields = ("crisis_emergency", "crisis_line", "crisis_text_line")
    return all(getattr(settings, name) == Settings.model_fields[name].default for name in fields)


async def _run(settings: Settings) -> None:
    from bot.runtime.serve import run_telegram, run_terminal
    from bot.runtime.wiring import open_runtime
    from bot.transports.terminal.chat import read_stdin_line, write_stdout

    loaded = _load_keys(settings)
    with _key_lock(loaded.file, exclusive=False) as locked:
        if not locked:
            raise ConfigurationError("the keys are being rotated; start the bot when that is done")
        async with open_runtime(settings, keyring=loaded.ring) as runtime:
            if settings.telegram_bot_token is None:
                await run_terminal(runtime, read_stdin_line, write_stdout)
                return
            print(TELEGRAM_MODE.format(url=settings.telegram_api_base_url.split("/bot")[0]), flush=True)
            if _default_crisis_resources(settings):
                print(CRISIS_DEFAULTS, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await run_telegram(runtime, stop)


async def _schedule(settings: Settings, args: argparse.Namespace) -> None:
    from bot.cli import schedule as admin
    from bot.core.clock import utc_now

    database = await _open_database(settings)
    try:
        if args.action == "add":
            new = admin.NewSchedule(
                client=args.client,
                flow=args.flow,
                times=args.times,
                days=args.days,
                start=args.start,
                until=args.until,
                quiet=args.quiet,
                rationale=args.rationale,
            )
            print(await admin.add_schedule(database, settings, utc_now, new))
        elif args.action == "list":
            for line in await admin.list_schedules(database, settings, utc_now, args.client):
                print(line)
        else:
            print(await admin.remove_schedule(database, utc_now, args.schedule_id))
    finally:
        await database.close()


REGISTRATION_PRINTED = (
    "Registration for {name}: send them this link; it works once, for 7 days, and makes whoever "
    "opens it a therapist here, so send it privately.\n{link}"
)
REGISTRATION_NO_LINK = (
    "Registration for {name}: it works once, for 7 days. In a private chat with the bot they "
    "send /start followed by this code:"
)


async def _registration_link(settings: Settings, code: str) -> str | None:
    """A link that opens the bot with the code, from the transport configured (None: the bare
    code, e.g. without a token or when Telegram cannot be reached)."""
    if settings.telegram_bot_token is None:
        return None
    from bot.transports.telegram.links import ask_username, start_link

    token = settings.telegram_bot_token.get_secret_value()
    return start_link(await ask_username(token, settings.telegram_api_base_url), code)


async def _therapist(settings: Settings, args: argparse.Namespace) -> None:
    from bot.core.clock import utc_now

    database = await _open_database(settings)
    try:
        if args.action == "list":
            for line in await _therapist_lines(database):
                print(line)
            return
        name = " ".join(args.name.split())
        if not name or len(name) > 100:
            raise ConfigurationError("a therapist's name is 1 to 100 characters")
        from bot.core.codes import AttemptLimiter
        from bot.practice.service import Practice

        practice = Practice(database, limiter=AttemptLimiter(utc_now))
        code = await practice.issue_registration(name, utc_now())
    finally:
        await database.close()
    link = await _registration_link(settings, code)
    if link:
        print(REGISTRATION_PRINTED.format(name=name, link=link))
    else:
        print(REGISTRATION_NO_LINK.format(name=name))
    print(code)


async def _therapist_lines(database: object) -> list[str]:
    from storage import Database

    assert isinstance(database, Database)
    async with database.transaction() as tx:
        therapists = await tx.therapists.all()
        counts = {t.person_id: len(await tx.clients.of(t.person_id)) for t in therapists}
    if not therapists:
        return ['no therapists yet: between therapist add "Name"']
    return [f"#{t.person_id}\t{t.name}\t{counts[t.person_id]} clients" for t in therapists]


async def _migrate(settings: Settings) -> None:
    from storage.migrate import current_revision

    database = await _open_database(settings)
    try:
        print(f"Database is at revision {await current_revision(database.engine)}.")
    finally:
        await database.close()


ROTATE_WITH_SETTING = (
    "New key {id}. Keys from ENCRYPTION_KEYS are yours to change: set it to this value (the new key "
    "first, the old ones kept), restart the bot, then run `between keys rotate --reencrypt`:\n"
    "ENCRYPTION_KEYS={value}"
)


def _values(count: int) -> str:
    return f"{count:>9} value" + ("" if count == 1 else "s")


async def _keys_status(settings: Settings) -> int:
    loaded = _load_keys(settings)
    database = await _open_database(settings, loaded.ring, check_keys=False)
    try:
        usage = await database.key_usage()
    finally:
        await database.close()
    totals: dict[str, int] = {}
    for counts in usage.values():
        for id_, count in counts.items():
            totals[id_] = totals.get(id_, 0) + count
    print(f"Encryption keys from {loaded.source}, newest first:")
    for position, id_ in enumerate(loaded.ring.ids):
        role = "newest (seals)" if position == 0 else "older (opens)"
        print(f"  {id_}  {role:<15}{_values(totals.pop(id_, 0))}")
    plaintext = totals.pop("", 0)
    for id_, count in sorted(totals.items()):
        print(f"  {id_}  {'NOT CONFIGURED':<15}{_values(count)}: cannot be read until that key is restored")
    print(
        f"  {'unencrypted':<25}{_values(plaintext)}"
        + (": `between keys rotate` seals them" if plaintext else "")
    )
    return 1 if totals else 0


async def _keys_rotate(settings: Settings, reencrypt: bool) -> int:
    """A new key first (unless ``reencrypt``), every value sealed again with it, then — only when
    none is left under an older key — the older keys dropped from the key file."""

    loaded = _load_keys(settings)
    with _key_lock(loaded.file, exclusive=True) as alone:
        if not alone:
            print(ROTATE_WHILE_RUNNING, file=sys.stderr)
            return 1
        return await _rotate(settings, loaded, reencrypt)


async def _rotate(settings: Settings, loaded: LoadedKeys, reencrypt: bool) -> int:
    from storage.crypto import write_key_file

    ring = loaded.ring if reencrypt else loaded.ring.with_new_key()
    if not reencrypt and loaded.file is None:
        print(ROTATE_WITH_SETTING.format(id=ring.newest, value=",".join(ring.encoded())))
        return 0
    database = await _open_database(settings, ring, check_keys=False)
    try:
        if not reencrypt:
            assert loaded.file is not None
            write_key_file(loaded.file, ring)  # before any value uses it: a stop halfway loses nothing
            print(
                f"Added key {ring.newest} to {loaded.source}; the older keys stay until no value uses them."
            )
        report = await database.reseal()
        usage = await database.key_usage()
        if report.resealed.total():
            await database.compact()
    finally:
        await database.close()
    for column, count in sorted(report.resealed.items()):
        if count:
            print(f"{column}: {_values(count).strip()} sealed with key {ring.newest}")
    left: dict[str, int] = {}
    for counts in usage.values():
        for id_, count in counts.items():
            if id_ != ring.newest:
                left[id_ or "unencrypted"] = left.get(id_ or "unencrypted", 0) + count
    if left:
        shown = ", ".join(f"{count} under {id_}" for id_, count in sorted(left.items()))
        print(
            f"Not finished: {shown}. Keys that are not configured cannot be opened; a bot left "
            "running writes with the keys it started with: stop it and run "
            "`between keys rotate --reencrypt` again. No key was removed.",
            file=sys.stderr,
        )
        return 1
    retired = [id_ for id_ in ring.ids if id_ != ring.newest]
    if retired and loaded.file is not None:
        write_key_file(loaded.file, ring.newest_only())
        print(f"Removed the retired keys {', '.join(retired)} from {loaded.source}.")
    elif retired:
        print(f"Keep only the first key in ENCRYPTION_KEYS: {', '.join(retired)} are no longer used.")
    print(f"Every value is sealed with key {ring.newest}. Keep a copy of it somewhere safe.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="between", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (Telegram if TELEGRAM_BOT_TOKEN is set)")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    schedule = commands.add_parser("schedule", help="add, list or remove clients' homework schedules")
    actions = schedule.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="schedule a homework for a client")
    add.add_argument("client", help="Telegram user id, 'terminal', or #<person id>")
    add.add_argument("flow", help="the homework, e.g. mood")
    add.add_argument("times", help="local times, e.g. 08:00,20:30")
    add.add_argument("--days", default="daily", help="daily, weekdays, weekends, mon,wed,fri, mon-fri")
    add.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: today)")
    add.add_argument("--until", help="last day, YYYY-MM-DD")
    add.add_argument("--quiet", help="no reminders in these local hours, e.g. 22:00-07:00")
    add.add_argument("--rationale", help="why this homework, in the therapist's words")
    listing = actions.add_parser("list", help="list active schedules")
    listing.add_argument("client", nargs="?", help="only this client's")
    remove = actions.add_parser("remove", help="remove a schedule")
    remove.add_argument("schedule_id", type=int)
    therapist = commands.add_parser("therapist", help="register therapists (one-time links)")
    therapist_actions = therapist.add_subparsers(dest="action", required=True)
    add_therapist = therapist_actions.add_parser("add", help="print a one-time registration link and code")
    add_therapist.add_argument("name", help='the therapist\'s name, e.g. "Dr Ana Ruiz"')
    therapist_actions.add_parser("list", help="registered therapists and how many clients each has")
    keys = commands.add_parser("keys", help="encryption keys: which seal what, and rotation")
    key_actions = keys.add_subparsers(dest="action", required=True)
    key_actions.add_parser("status", help="the key ids and how many stored values each one sealed")
    rotate = key_actions.add_parser(
        "rotate", help="add a new key, seal every value again with it, then drop the old keys"
    )
    rotate.add_argument(
        "--reencrypt",
        action="store_true",
        help="no new key: seal every value with the newest key (after setting a new ENCRYPTION_KEYS, "
        "or to finish an interrupted rotation)",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"between: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(
        "WARNING"
        if args.command == "run" and settings.telegram_bot_token is None and settings.log_level == "INFO"
        else settings.log_level
    )
    commands_to_run = {"run": lambda: _run(settings), "migrate": lambda: _migrate(settings)}
    try:
        if args.command == "schedule":
            asyncio.run(_schedule(settings, args))
        elif args.command == "therapist":
            asyncio.run(_therapist(settings, args))
        elif args.command == "keys":
            if args.action == "status":
                return asyncio.run(_keys_status(settings))
            return asyncio.run(_keys_rotate(settings, args.reencrypt))
        else:
            asyncio.run(commands_to_run[args.command]())
    except KeyboardInterrupt:
        return 130
    except BetweenError as error:
        print(f"between: {error}", file=sys.stderr)
        return 2
    except StorageError as error:
        print(f"between: {error} ({settings.database_url.split('://')[0]})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
