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


class PostgresServer:
    """A throwaway server of the machine's binaries that a test may stop and start again (a
    database that goes away mid-run and comes back)."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = port
        self.url = f"postgresql+asyncpg://between@127.0.0.1:{port}/between"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _pg_ctl(self, *arguments: str, check: bool = True) -> None:
        pg_ctl = _binary("pg_ctl")
        assert pg_ctl
        subprocess.run(
            [*self._as_postgres, pg_ctl, "-D", str(self.data), *arguments],
            check=check,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: every connection is cut, as when it is restarted)."""
        self._pg_ctl("-m", mode, "-w", "stop", check=False)

    def create(self) -> None:
        initdb = _binary("initdb")
        assert initdb
        run = {"check": True, "capture_output": True, "timeout": 120}
        subprocess.run(
            [*self._as_postgres, initdb, "-D", str(self.data), "-A", "trust", "-U", "between"], **run
        )  # type: ignore[call-overload]
        self.start()
        createdb = _binary("createdb") or "createdb"
        address = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "between"]
        subprocess.run([*self._as_postgres, createdb, *address, "between"], **run)  # type: ignore[call-overload]


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A server of our own (not ``BETWEEN_TEST_POSTGRES_URL``'s), removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="between-pg-"))
    server = PostgresServer(directory, _free_port())
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        server.create()
        yield server
    finally:
        if server.data.exists():
            server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    """Yield a ``postgresql+asyncpg://`` URL of an empty database; stop the server after."""
    given = os.environ.get("BETWEEN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with postgres_server() as server:
        yield server.url


def postgres_or_skip() -> Iterator[str]:
    """A module's PostgreSQL server (``pytest.fixture(scope="module")(postgres_or_skip)``),
    or the module's cases skipped with the reason."""
    import pytest

    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL: {reason}")
    with postgres_url() as url:
        yield url
