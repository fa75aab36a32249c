"""Start a real bot process (``between run``, or another module) against the fake Bot API server.

Used by the restart test and the benchmarks: the process reads its settings from the
environment, like in production, and is ready once it has published its commands.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import IO

from tests.support.fake_bot_api import FakeBotApi

REPO = Path(__file__).resolve().parents[2]

Output = int | IO[bytes] | None


async def start_bot_process(
    api: FakeBotApi,
    workdir: Path,
    env: dict[str, str],
    *,
    module: str = "bot",
    stdout: Output = asyncio.subprocess.DEVNULL,
    stderr: Output = asyncio.subprocess.DEVNULL,
    ready_timeout: float = 60,
) -> asyncio.subprocess.Process:
    """Start ``python -m <module> run`` (``bot``) or ``python -m <module>``; wait until it is ready."""
    ready_before = len(api.calls_to("setMyCommands"))
    arguments = ["-m", module, "run"] if module == "bot" else ["-m", module]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *arguments,
        cwd=workdir,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "BETWEEN_HOME": str(workdir),  # its .env and data/, never the checkout's
            **env,
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        await api.wait_until(lambda: len(api.calls_to("setMyCommands")) > ready_before, timeout=ready_timeout)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process
