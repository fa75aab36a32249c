"""``between run``: the bot in Telegram when a token is set, else the terminal chat."""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.cli.database import key_lock, load_keys
from bot.core.clock import Clock, utc_now
from bot.core.errors import ConfigurationError
from bot.runtime.settings import Settings

TELEGRAM_MODE = "Between starts in Telegram mode (polling {url}). Stop it with Ctrl-C."
SIGNAL_MODE = "Between starts in Signal mode (signal-cli at {address}). Stop it with Ctrl-C."
CRISIS_DEFAULTS = (
    "Note: the crisis resources shown to clients at risk are the placeholders "
    "(CRISIS_EMERGENCY, CRISIS_LINE, CRISIS_TEXT_LINE); set your practice's own in .env."
)


def _default_crisis_resources(settings: Settings) -> bool:
    fields = ("crisis_emergency", "crisis_line", "crisis_text_line")
    return all(getattr(settings, name) == Settings.model_fields[name].default for name in fields)


async def run(settings: Settings, clock: Clock = utc_now) -> None:
    """``clock``: the wall clock, or a faster one (the kill-chaos benchmark's timers)."""
    from bot.runtime.serve import run_messengers, run_terminal
    from bot.runtime.wiring import open_runtime
    from bot.transports.terminal.chat import read_stdin_line, write_stdout

    loaded = await load_keys(settings)
    with key_lock(loaded.file, exclusive=False) as locked:
        if not locked:
            raise ConfigurationError("the keys are being rotated; start the bot when that is done")
        async with open_runtime(settings, clock, keyring=loaded.ring) as runtime:
            for refused in runtime.catalogue.refused:  # one line each; the rest runs as usual
                print(f"between: {refused}", file=sys.stderr, flush=True)
            if settings.telegram_bot_token is None and settings.signal_account is None:
                await run_terminal(runtime, read_stdin_line, write_stdout)
                return
            if settings.telegram_bot_token is not None:
                print(TELEGRAM_MODE.format(url=settings.telegram_api_base_url.split("/bot")[0]), flush=True)
            if settings.signal_account is not None:
                print(SIGNAL_MODE.format(address=settings.signal_cli_address), flush=True)
            if _default_crisis_resources(settings):
                print(CRISIS_DEFAULTS, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await run_messengers(runtime, stop)
