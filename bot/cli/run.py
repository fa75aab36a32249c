"""``between run``: the bot in every messenger configured, else the chat here (the terminal)."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys

from bot.cli.database import key_lock, load_keys
from bot.core.clock import Clock, utc_now
from bot.core.errors import ConfigurationError
from bot.runtime.settings import Settings

CRISIS_DEFAULTS = (
    "Note: the crisis resources shown to clients at risk are the placeholders "
    "(CRISIS_EMERGENCY, CRISIS_LINE, CRISIS_TEXT_LINE); set your practice's own in .env."
)


def _default_crisis_resources(settings: Settings) -> bool:
    fields = ("crisis_emergency", "crisis_line", "crisis_text_line")
    return all(getattr(settings, name) == Settings.model_fields[name].default for name in fields)


def _settle_start_up_objects() -> None:
    """What start-up built lives as long as the process (the risk detector's expressions, the
    catalogue, the libraries' modules: about 110,000 objects): out of the garbage collector's
    sight, its full collections stop walking them again and again while updates are handled.
    Reference counting still frees any of them that is let go."""
    gc.collect()
    gc.freeze()


async def run(settings: Settings, clock: Clock = utc_now) -> None:
    """``clock``: the wall clock, or a faster one (the kill-chaos benchmark's timers)."""
    from bot.runtime.messengers import configured
    from bot.runtime.serve import run_messengers, run_terminal
    from bot.runtime.wiring import open_runtime

    loaded = await load_keys(settings)
    with key_lock(loaded.file, exclusive=False) as locked:
        if not locked:
            raise ConfigurationError("the keys are being rotated; start the bot when that is done")
        async with open_runtime(settings, clock, keyring=loaded.ring) as runtime:
            for refused in runtime.catalogue.refused:  # one line each; the rest runs as usual
                print(f"between: {refused}", file=sys.stderr, flush=True)
            messengers = configured(settings)
            if not messengers:
                await run_terminal(runtime)
                return
            for messenger in messengers:
                print(messenger.starting(settings), flush=True)
            if _default_crisis_resources(settings):
                print(CRISIS_DEFAULTS, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            _settle_start_up_objects()
            await run_messengers(runtime, stop)
