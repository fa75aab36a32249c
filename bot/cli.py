"""The ``between`` command: ``run`` (Telegram with a token, else the terminal), ``migrate``,
``schedule`` and ``therapist`` (the practice admin's)."""

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


REGISTRATION_PRINTED = (
    "Registration for {name}: send them this link; it works once, for 7 days, and makes whoever "
    "opens it a therapist here, so send it privately.\n{link}"
)
REGISTRATION_NO_LINK = (
    "Registration for {name}: it works once, for 7 days. In a private chat with the bot they "
    "send /start followed by this code:"
)


async def _bot_username(settings: Settings) -> str | None:
    """The bot's @username, asked of Telegram (None without a token, or if it cannot be reached)."""
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base_url)
    try:
        async with bot:
            return bot.username
    except TelegramError as error:
        log.warning(
            "could not ask Telegram for the bot's name (%s); printing the code only", type(error).__name__
        )
        return None


async def _therapist(settings: Settings, args: argparse.Namespace) -> None:
    from bot.clock import utc_now
    from bot.codes import start_link
    from storage import Database

    database = Database(settings.database_url)
    try:
        await database.migrate()
        if args.action == "list":
            for line in await _therapist_lines(database):
                print(line)
            return
        name = " ".join(args.name.split())
        if not name or len(name) > 100:
            raise ConfigurationError("a therapist's name is 1 to 100 characters")
        from bot.codes import AttemptLimiter
        from bot.practice import Practice

        practice = Practice(database, limiter=AttemptLimiter(utc_now))
        code = await practice.issue_registration(name, utc_now())
    finally:
        await database.close()
    link = start_link(await _bot_username(settings), code)
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
    therapist = commands.add_parser("therapist", help="register therapists (one-time links)")
    therapist_actions = therapist.add_subparsers(dest="action", required=True)
    add_therapist = therapist_actions.add_parser("add", help="print a one-time registration link and code")
    add_therapist.add_argument("name", help='the therapist\'s name, e.g. "Dr Ana Ruiz"')
    therapist_actions.add_parser("list", help="registered therapists and how many clients each has")
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
