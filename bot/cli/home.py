"""Between's folder: where ``.env``, the database and the key file are found, the same way from
whatever directory the command runs (a command run elsewhere once made a new empty database and
a new key there).

The folder is ``BETWEEN_HOME`` if set; else the checkout the code runs from (``make run``'s
``.venv`` installs it editable); else ``$XDG_DATA_HOME/between`` (``~/.local/share/between``).
Relative paths in ``DATABASE_URL``, ``ENCRYPTION_KEY_FILE`` and ``HOMEWORK_DIR`` are relative to it.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.runtime.settings import Settings

CHECKOUT = Path(__file__).resolve().parents[2]


def running_from_checkout() -> bool:
    """Whether this code is a source checkout (its pyproject.toml beside the packages)."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "bot" / "cli").is_dir()


def home(environ: Mapping[str, str] = os.environ) -> Path:
    """Between's folder (see the module docstring); absolute, not necessarily there yet."""
    if environ.get("BETWEEN_HOME", "").strip():
        return Path(environ["BETWEEN_HOME"]).expanduser().resolve()
    if running_from_checkout():
        return CHECKOUT
    data_home = environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home).expanduser() if data_home else Path.home() / ".local" / "share"
    return (base / "between").resolve()


def anchored(settings: Settings, folder: Path) -> Settings:
    """``settings`` with a relative SQLite path, key file and homework folder made absolute
    under ``folder``."""
    key_file = Path(settings.encryption_key_file).expanduser()
    url = make_url(settings.database_url)
    changes: dict[str, str] = {
        "encryption_key_file": str(folder / key_file),
        "status_file": str(folder / Path(settings.status_file).expanduser()),
    }
    if settings.homework_dir.strip():
        changes["homework_dir"] = str(folder / Path(settings.homework_dir).expanduser())
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        changes["database_url"] = url.set(database=str(folder / path)).render_as_string(hide_password=False)
    return settings.model_copy(update=changes)


def install_command(extra: str) -> str:
    """The exact command that installs one of Between's extras into the Python running now."""
    python = shlex.quote(sys.executable)
    if running_from_checkout():
        return f"{python} -m pip install -e {shlex.quote(f'{CHECKOUT}[{extra}]')}"
    return f"{python} -m pip install {shlex.quote(f'between[{extra}]')}"
