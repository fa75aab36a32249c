"""Every homework type a running Between knows: the Python flows, the built-in definitions (PHQ-9,
GAD-7 …, in ``flows/definitions/``), a practice's own definitions from ``HOMEWORK_DIR``, and the
earlier versions of data-defined ones that old entries were answered under.

A practice file that cannot stand is **refused, and the bot keeps running**: it is left out with
one line naming the file and its first problem (``between homework check FILE`` lists them all),
and everything else, the built-ins included, works as before. So is a file whose id or command is
already taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from flows.defined import digest_section
from flows.definition import Definition, DefinitionError, parse_definition
from flows.model import Flow

BUILT_IN_DIR: Final = Path(__file__).resolve().parent / "definitions"
BUILT_IN: Final = "built-in"
SUFFIX: Final = ".toml"
REFUSED: Final = "{file} refused: {problem}{more}"
MORE: Final = " (and {count} more: between homework check {file})"
TAKEN_ID: Final = 'id: "{id}" is already the id of {title} ({source})'
TAKEN_COMMAND: Final = 'command: "/{command}" is already the command of {title} ({source})'
RESERVED: Final = 'command: "/{command}" is one of Between\'s own commands'
RESERVED_COMMANDS: Final = frozenset(
    {
        *("start", "help", "cancel", "skip", "back", "history", "export", "delete", "note", "timezone"),
        *("language",),
        *("schedule", "settings", "invite", "clients", "assign", "assignments", "unassign", "session"),
        *("sessions", "cancelsession", "digest", "digestchat", "link", "ack", "goal", "goals", "quit"),
    }
)
"""The chat's own commands, which no homework may take (a test checks the router has no other)."""


@dataclass(frozen=True, slots=True)
class Installed:
    """A data-defined homework and where it came from ("built-in" or its file)."""

    definition: Definition
    source: str

    @property
    def flow(self) -> Flow:
        return self.definition.flow


def refusal(file: str, problems: Sequence[str]) -> str:
    """The one line a refused file gets at start-up."""
    more = MORE.format(count=len(problems) - 1, file=file) if len(problems) > 1 else ""
    return REFUSED.format(file=file, problem=problems[0], more=more)


def read_file(path: Path, origin: str | None = None) -> Definition:
    """One definition file; raises :class:`DefinitionError` (an unreadable file is one problem).
    ``origin`` is how the log names it (its path unless given)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DefinitionError([f"file: cannot be read ({error.strerror or error})"]) from None
    return parse_definition(raw, origin or str(path))


def built_in_definitions(folder: Path = BUILT_IN_DIR) -> tuple[Installed, ...]:
    """The definitions shipped in the package; one that cannot stand is a bug, raised at once."""
    installed = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        name = f"flows/definitions/{path.name}"
        try:
            installed.append(Installed(read_file(path, name), BUILT_IN))
        except DefinitionError as error:
            raise RuntimeError(refusal(name, error.problems)) from None
    return tuple(installed)


def collision(flow: Flow, taken: Iterable[tuple[Flow, str]]) -> str | None:
    """Why this flow's id or command cannot be installed beside these, or None."""
    if flow.command in RESERVED_COMMANDS:
        return RESERVED.format(command=flow.command)
    for other, source in taken:
        if other.id == flow.id:
            return TAKEN_ID.format(id=flow.id, title=other.title, source=source)
        if other.command and other.command == flow.command:
            return TAKEN_COMMAND.format(command=flow.command, title=other.title, source=source)
    return None


def practice_definitions(
    folder: Path | None, taken: Iterable[tuple[Flow, str]]
) -> tuple[tuple[Installed, ...], tuple[str, ...]]:
    """The practice's own definitions (every ``*.toml`` in ``folder``, by name) and one line for
    each file refused. A missing folder holds none."""
    if folder is None or not folder.is_dir():
        return (), ()
    known = list(taken)
    installed: list[Installed] = []
    refused: list[str] = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            definition = read_file(path)
        except DefinitionError as error:
            refused.append(refusal(str(path), error.problems))
            continue
        clash = collision(definition.flow, known)
        if clash is not None:
            refused.append(refusal(str(path), [clash]))
            continue
        installed.append(Installed(definition, str(path)))
        known.append((definition.flow, str(path)))
    return tuple(installed), tuple(refused)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The homework types of one running Between, and the versions old entries were answered under."""

    coded: tuple[Flow, ...]
    """The homework types written in Python."""
    side_flows: tuple[Flow, ...]
    installed: tuple[Installed, ...] = ()
    """The data-defined ones: built-in, then the practice's."""
    refused: tuple[str, ...] = ()
    """One line for each practice file left out."""
    past: Mapping[tuple[str, str], Flow] = field(default_factory=dict)
    """Earlier versions of data-defined types, by (id, version), read from the stored text."""

    @property
    def flows(self) -> tuple[Flow, ...]:
        """Every homework type: a command, /help, /assign, the journal."""
        return (*self.coded, *(i.flow for i in self.installed))

    def by_id(self, flow_id: str) -> Flow | None:
        return next((f for f in (*self.flows, *self.side_flows) if f.id == flow_id), None)

    def by_command(self, command: str) -> Flow | None:
        return next((f for f in self.flows if f.command == command), None)

    def flow_for(self, flow_id: str, version: str | None) -> Flow | None:
        """The flow an entry was answered under: that version if it was another, else today's."""
        if version is not None and (flow_id, version) in self.past:
            return self.past[(flow_id, version)]
        return self.by_id(flow_id)

    def revised(self, flow_id: str) -> bool:
        """Whether entries may have been answered under another version of this homework."""
        return any(key[0] == flow_id for key in self.past)

    def only(self, flows: Sequence[Flow]) -> Catalogue:
        """These homework types instead of this run's (a test's own set): installed ones among
        them stay installed, the others count as coded, and a later flow replaces an earlier one
        with its id (a test's stand-in for a built-in)."""
        chosen = [f for n, f in enumerate(flows) if all(later.id != f.id for later in flows[n + 1 :])]
        installed = tuple(i for i in self.installed if i.flow in chosen)
        kept = {i.flow.id for i in installed}
        coded = tuple(f for f in chosen if f.id not in kept)
        return Catalogue(coded, self.side_flows, installed, self.refused, self.past)

    def with_practice(self, folder: Path | None) -> Catalogue:
        """This catalogue with a practice folder's definitions added (and its refusals noted)."""
        taken = [(f, BUILT_IN) for f in (*self.flows, *self.side_flows)]
        added, refused = practice_definitions(folder, taken)
        return Catalogue(self.coded, self.side_flows, (*self.installed, *added), (*self.refused, *refused))

    def without(self, source: str, reason: str) -> Catalogue:
        """This catalogue with one practice file left out (its stored version says otherwise)."""
        kept = tuple(i for i in self.installed if i.source != source)
        return Catalogue(self.coded, self.side_flows, kept, (*self.refused, reason), self.past)

    def with_past(self, past: Mapping[tuple[str, str], Definition]) -> Catalogue:
        """This catalogue reading entries of these earlier versions as they were answered (the
        digest sections of today's definitions too)."""
        installed = tuple(_with_earlier(i, past) for i in self.installed)
        flows = {key: definition.flow for key, definition in past.items()}
        return Catalogue(self.coded, self.side_flows, installed, self.refused, flows)


def _with_earlier(installed: Installed, past: Mapping[tuple[str, str], Definition]) -> Installed:
    flow = installed.flow
    earlier = {version: (d.flow, d.labels) for (flow_id, version), d in past.items() if flow_id == flow.id}
    if not earlier:
        return installed
    section = digest_section(flow, installed.definition.labels, earlier, installed.definition.highlight)
    definition = replace(installed.definition, flow=replace(flow, digest=section))
    return Installed(definition, installed.source)
