"""The ``between`` command: run the bot (every messenger configured, else the terminal), migrate the
database, and the practice admin's schedules, therapists and keys."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.cli import homework, keys, schedule, therapist
from bot.cli.database import open_database
from bot.cli.home import anchored, home, install_command
from bot.cli.parsing import command
from bot.cli.run import run
from bot.core.errors import BetweenError, ConfigurationError, MissingDriver
from bot.core.logs import configure_logging
from bot.runtime.messengers import configured
from bot.runtime.settings import Settings, load_settings
from storage import StorageError

DESCRIPTION = """Between carries psychotherapy homework from one session to the next.

Settings come from the environment and from .env in Between's folder: BETWEEN_HOME if set, else
the checkout this command runs from, else $XDG_DATA_HOME/between. Relative paths in DATABASE_URL,
ENCRYPTION_KEY_FILE and HOMEWORK_DIR are relative to that folder, so every command finds the same
data from any directory."""


async def _migrate(settings: Settings) -> None:
    from storage.migrate import current_revision

    database = await open_database(settings)
    try:
        print(f"Database is at revision {await current_revision(database.engine)}.")
    finally:
        await database.close()


async def _status(settings: Settings) -> None:
    from pathlib import Path

    from bot.core.clock import utc_now
    from bot.runtime.status import describe

    for line in describe(Path(settings.status_file), utc_now()):
        print(line)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="between", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command(commands, "run", "run the bot: in Telegram and/or Signal if configured, else a chat here")
    command(commands, "status", "how the running bot is doing: each messenger, Signal's daemon")
    command(commands, "migrate", "create or upgrade the database schema (run does this at start-up too)")
    schedule.add_parser(commands)
    therapist.add_parser(commands)
    keys.add_parser(commands)
    homework.add_parser(commands)
    return parser


def _command(settings: Settings, args: argparse.Namespace) -> Coroutine[Any, Any, int | None]:
    """The coroutine that does what ``args`` ask; its result is the exit status (None: 0)."""
    commands: dict[str, Callable[[], Coroutine[Any, Any, int | None]]] = {
        "run": lambda: run(settings),
        "migrate": lambda: _migrate(settings),
        "status": lambda: _status(settings),
        "schedule": lambda: schedule.schedule(settings, args),
        "therapist": lambda: therapist.therapist(settings, args),
        "homework": lambda: homework.homework(settings, args),
        "keys": lambda: (
            keys.status(settings) if args.action == "status" else keys.rotate(settings, args.reencrypt)
        ),
    }
    return commands[args.command]()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    folder = home()
    try:
        settings = anchored(load_settings(folder / ".env"), folder)
    except ConfigurationError as error:
        print(f"between: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(
        "WARNING"
        if args.command == "run" and not configured(settings) and settings.log_level == "INFO"
        else settings.log_level
    )
    try:
        return asyncio.run(_command(settings, args)) or 0
    except KeyboardInterrupt:
        return 130
    except MissingDriver as error:
        print(f"between: {error}: install it with {install_command(error.extra)}", file=sys.stderr)
        return 2
    except StorageError as error:  # (a BetweenError too: caught first)
        scheme = settings.database_url.split("://")[0]
        print(f"between: {error}" + ("" if scheme in str(error) else f" ({scheme})"), file=sys.stderr)
        return 1
    except BetweenError as error:
        print(f"between: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
