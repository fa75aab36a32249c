"""The ``between`` command: ``run`` (Telegram with a token, else the terminal) and ``migrate``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from bot.errors import BetweenError, ConfigurationError
from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from storage import StorageError

log = logging.getLogger("between")

TELEGRAM_MODE = "Between is running in Telegram mode (polling {url}). Stop with Ctrl-C."


async def _run(settings: Settings) -> None:
    from bot.app import open_runtime, run_telegram
    from bot.terminal import TerminalChat, read_stdin_line, write_stdout

    async with open_runtime(settings) as runtime:
        if settings.telegram_bot_token is None:
            await TerminalChat(runtime, read_stdin_line, write_stdout).run()
            return
        print(TELEGRAM_MODE.format(url=settings.telegram_api_base_url.split("/bot")[0]), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_telegram(runtime, stop)


async def _schedule(settings: Settings, args: argparse.Namespace) -> None:
    from bot import admin
    from bot.clock import utc_now
    from storage import Database

    database = Database(settings.database_url)
    try:
        await database.migrate()
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


async def _migrate(settings: Settings) -> None:
    from storage import Database
    from storage.migrate import current_revision

    database = Database(settings.database_url)
    try:
        await database.migrate()
        print(f"Database is at revision {await current_revision(database.engine)}.")
    finally:
        await database.close()


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
