"""Sub-commands that say what they do both in their parent's list and in their own ``--help``."""

from __future__ import annotations

import argparse
from typing import TypeAlias

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command(commands: Commands, name: str, text: str) -> argparse.ArgumentParser:
    """Add ``name``, described by ``text`` (lower case, no full stop) in both places."""
    return commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
