"""A throwaway PostgreSQL server for the storage contract tests, when the machine has one.

PostgreSQL is the path for larger practices, so the repositories and the scheduler run against
both databases. The server is started from the machine's own binaries (Debian's postgresql
package), on 127.0.0.1 and a free port, in a temporary directory, as the ``postgres`` user (the
server refuses to run as root), and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SEARCH = ("/usr/local/bin", *sorted(str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")))


def _binary(name: str) -> str | None:
    for folder in SEARCH:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def unavailable_reason() -> str | None:
    if os.environ.get("BETWEEN_TEST_POSTGRES_URL"):
        return None
    if _binary("initdb") is None or _binary("pg_ctl") is None:
        return "no PostgreSQL server binaries on this machine (apt-get install postgresql)"
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return "asyncpg is not installed (pip install -e '.[test]')"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to switch to the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_url() -> Iterator[str]:
    """Yield a ``postgresql+asyncpg://`` URL of an empty database; stop the server after."""
    given = os.environ.get("BETWEEN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb and pg_ctl
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    directory = Path(tempfile.mkdtemp(prefix="between-pg-"))
    data = directory / "data"
    port = _free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        run = {"check": True, "capture_output": True, "timeout": 120}
        subprocess.run([*as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "between"], **run)  # type: ignore[call-overload]
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off"
        subprocess.run(  # type: ignore[call-overload]
            [
                *as_postgres,
                pg_ctl,
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(directory / "log"),
                "-w",
                "start",
            ],
            **run,
        )
        subprocess.run(  # type: ignore[call-overload]
            [
                *as_postgres,
                _binary("createdb") or "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "between",
                "between",
            ],
            **run,
        )
        yield f"postgresql+asyncpg://between@127.0.0.1:{port}/between"
    finally:
        if data.exists():
            subprocess.run(
                [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(directory, ignore_errors=True)


def postgres_or_skip() -> Iterator[str]:
    """A module's PostgreSQL server (``pytest.fixture(scope="module")(postgres_or_skip)``),
    or the module's cases skipped with the reason."""
    import pytest

    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL: {reason}")
    with postgres_url() as url:
        yield url
