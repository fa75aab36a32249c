"""The ``between`` command: ``run`` (Telegram with a token, else the terminal), ``migrate``,
``schedule``, ``therapist`` and ``keys`` (the practice admin's)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.cli import keys, schedule, therapist
from bot.cli.database import open_database
from bot.cli.run import run
from bot.core.errors import BetweenError, ConfigurationError
from bot.core.logs import configure_logging
from bot.runtime.settings import Settings, load_settings
from storage import StorageError


async def _migrate(settings: Settings) -> None:
    from storage.migrate import current_revision

    database = await open_database(settings)
    try:
        print(f"Database is at revision {await current_revision(database.engine)}.")
    finally:
        await database.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="between", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (Telegram if TELEGRAM_BOT_TOKEN is set)")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    schedule.add_parser(commands)
    therapist.add_parser(commands)
    keys.add_parser(commands)
    return parser


def _command(settings: Settings, args: argparse.Namespace) -> Coroutine[Any, Any, int | None]:
    """The coroutine that does what ``args`` ask; its result is the exit status (None: 0)."""
    commands: dict[str, Callable[[], Coroutine[Any, Any, int | None]]] = {
        "run": lambda: run(settings),
        "migrate": lambda: _migrate(settings),
        "schedule": lambda: schedule.schedule(settings, args),
        "therapist": lambda: therapist.therapist(settings, args),
        "keys": lambda: (
            keys.status(settings) if args.action == "status" else keys.rotate(settings, args.reencrypt)
        ),
    }
    return commands[args.command]()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    try:
        return asyncio.run(_command(settings, args)) or 0
    except KeyboardInterrupt:
        return 130
    except StorageError as error:  # (a BetweenError too: caught first)
        print(f"between: {error} ({settings.database_url.split('://')[0]})", file=sys.stderr)
        return 1
    except BetweenError as error:
        print(f"between: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
