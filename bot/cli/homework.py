"""``between homework check FILE`` and ``between homework list``: a practice's own homework
definitions, checked before they are added to ``HOMEWORK_DIR``, and what this Between has."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsing import Commands, command
from bot.runtime.homework import practice_folder
from bot.runtime.settings import Settings
from flows.catalogue import BUILT_IN, collision, read_file
from flows.definition import DefinitionError
from flows.registry import BUILT_IN as BUILT_IN_CATALOGUE

FINE = "{file}: fine — {title} (/{command}), version {version}, {steps} {questions}{scored}"
SCORED = ", scored ({label})"
PROBLEM = "{file}: {problem}"
LIST_HEADER = ("id", "version", "title", "command", "source")
PYTHON = "built-in (Python)"
REFUSED_HEADER = "Refused (left out at start-up):"


def add_parser(commands: Commands) -> None:
    homework = command(commands, "homework", "check a homework definition file, or list what is installed")
    actions = homework.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = command(actions, "check", "print every problem of a definition file (exit status 1 if any)")
    check.add_argument("file", type=Path, help="a .toml homework definition")
    command(actions, "list", "every homework type this Between has: id, version, title, source")


def check(settings: Settings, file: Path) -> int:
    """Every problem of one file, one line each with its field path; 1 if there is any."""
    try:
        definition = read_file(file)
    except DefinitionError as error:
        for problem in error.problems:
            print(PROBLEM.format(file=file, problem=problem))
        return 1
    flow = definition.flow
    others = BUILT_IN_CATALOGUE.with_practice(practice_folder(settings))
    taken = [(f, BUILT_IN) for f in (*BUILT_IN_CATALOGUE.flows, *BUILT_IN_CATALOGUE.side_flows)]
    taken += [
        (i.flow, i.source)
        for i in others.installed
        if i.source != BUILT_IN and not _same_file(i.source, file)
    ]
    clash = collision(flow, taken)
    if clash is not None:
        print(PROBLEM.format(file=file, problem=clash))
        return 1
    steps = len(flow.steps)
    scored = SCORED.format(label=flow.scoring.label) if flow.scoring is not None else ""
    questions = "question" if steps == 1 else "questions"
    print(
        FINE.format(
            file=file,
            title=flow.title,
            command=flow.command,
            version=flow.version,
            steps=steps,
            questions=questions,
            scored=scored,
        )
    )
    return 0


def _same_file(source: str, file: Path) -> bool:
    try:
        return Path(source).resolve() == file.resolve()
    except OSError:
        return False


def listing(settings: Settings) -> int:
    """What is installed, as a table; then the practice files that would be refused."""
    catalogue = BUILT_IN_CATALOGUE.with_practice(practice_folder(settings))
    rows = [LIST_HEADER]
    rows += [(f.id, f.version, f.title, f"/{f.command}", PYTHON) for f in catalogue.coded]
    rows += [
        (i.flow.id, i.flow.version, i.flow.title, f"/{i.flow.command}", i.source) for i in catalogue.installed
    ]
    widths = [max(len(row[n]) for row in rows) for n in range(len(LIST_HEADER) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]))
    if catalogue.refused:
        print(f"\n{REFUSED_HEADER}")
        for line in catalogue.refused:
            print(line)
    return 0


async def homework(settings: Settings, args: argparse.Namespace) -> int:
    return check(settings, args.file) if args.action == "check" else listing(settings)
