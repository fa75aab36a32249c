"""The ``between`` command: ``run`` (Telegram with a token, else the terminal) and ``migrate``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from bot.errors import ConfigurationError
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
    try:
        asyncio.run(_run(settings) if args.command == "run" else _migrate(settings))
    except KeyboardInterrupt:
        return 130
    except StorageError as error:
        print(f"between: {error} ({settings.database_url.split('://')[0]})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
