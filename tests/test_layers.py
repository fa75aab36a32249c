"""The layers of the code import one way only, and only transports import a chat library.

    bot.core <- flows <- storage <- bot.chat <- bot.{practice,safety,scheduling,digest}
             <- bot.delivery <- bot.transports <- bot.runtime <- bot.cli

Imports are read from the source with ``ast`` (inside functions and ``TYPE_CHECKING`` blocks
too), so the picture in the README stays true. A planted wrong-way import fails here.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "flows", "storage")

LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.core",),
    ("flows",),
    ("storage",),
    ("bot.chat",),
    ("bot.practice", "bot.safety", "bot.scheduling", "bot.digest"),
    ("bot.delivery",),
    ("bot.transports",),
    ("bot.runtime",),
    ("bot.cli",),
    ("bot.__main__",),
)
"""Lowest first. A module may import its own layer's package and any layer below; feature
packages on the same layer do not import each other."""

CHAT_LIBRARIES = ("telegram",)
"""Only ``bot.transports.<messenger>`` imports these."""
ONLY_TRANSPORTS = "only bot/transports/ may import a chat library"

PURE_DIGEST = ("bot.digest.build", "bot.digest.render", "bot.digest.chart", "bot.digest.inputs")
"""The digest is a pure function of rows: neither storage nor a transport."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield module_name(path), path


def imports_of(path: Path, name: str) -> Iterator[tuple[str, int]]:
    """Absolute module names imported by a file (relative imports resolved), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from bot import chat` imports bot.chat
                yield f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base, node.lineno


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def unit_of(module: str) -> tuple[int, str] | None:
    """(layer index, the package that owns the module) — or None for a module outside the layers."""
    for index, units in enumerate(LAYERS):
        for unit in units:
            if module == unit or module.startswith(unit + "."):
                return index, unit
    return None


class Problem(NamedTuple):
    module: str
    line: int
    imported: str
    reason: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.reason}"


def wrong_way_imports(modules: Iterable[tuple[str, Path]] | None = None) -> list[Problem]:
    problems = []
    for name, path in source_modules() if modules is None else modules:
        own = unit_of(name)
        if own is None:
            if name != "bot":
                problems.append(Problem(name, 0, "", "in no layer (add it to LAYERS)"))
            continue
        for imported, line in imports_of(path, name):
            top = imported.split(".")[0]
            if top in CHAT_LIBRARIES and not name.startswith("bot.transports."):
                problems.append(
                    Problem(name, line, imported, "only bot/transports/ may import a chat library")
                )
            if name.startswith("bot.core") and top not in ("bot", "babel", *sys.stdlib_module_names):
                problems.append(Problem(name, line, imported, "bot.core is standard library and babel only"))
            if name in PURE_DIGEST and imported.startswith(("storage", "bot.transports")):
                problems.append(Problem(name, line, imported, "the digest build and render are pure"))
            target = unit_of(imported)
            if target is None or imported == "bot":
                continue
            if target[0] > own[0] or (target[0] == own[0] and target[1] != own[1]):
                problems.append(Problem(name, line, imported, f"{own[1]} may not import {target[1]}"))
    return problems


def test_imports_run_one_way() -> None:
    problems = wrong_way_imports()
    assert problems == [], "\n".join(map(str, problems))


def test_a_planted_wrong_way_import_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "_planted_for_test.py"  # read as if it were in bot/core (never written there:
    planted.write_text("from bot.transports.telegram import updates\nimport telegram\n")  # workers share it)
    problems = wrong_way_imports([*source_modules(), ("bot.core._planted_for_test", planted)])
    found = {p.reason for p in problems if p.module == "bot.core._planted_for_test"}
    assert found == {
        "bot.core may not import bot.transports",
        "only bot/transports/ may import a chat library",
        "bot.core is standard library and babel only",
    }


def declared_imports(package: str) -> set[str]:
    """The Between packages a package's ``__init__`` docstring says it may import."""
    path = ROOT.joinpath(*package.split("."), "__init__.py")
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    declared, _, _ = docstring.partition("May import:")[2].partition("\n\n")
    assert "May import:" in docstring, f"{package}/__init__.py does not say what it may import"
    return {name for name in re.findall(r"``([\w.]+)``", declared) if unit_of(name) is not None}


@pytest.mark.parametrize("package", [unit for units in LAYERS for unit in units if unit != "bot.__main__"])
def test_each_package_imports_only_what_its_docstring_says(package: str) -> None:
    allowed = declared_imports(package)
    imported = {
        target[1]
        for name, path in source_modules()
        if (own := unit_of(name)) is not None and own[1] == package
        for module, _ in imports_of(path, name)
        if (target := unit_of(module)) is not None and target[1] != package and module != "bot"
    }
    assert imported <= allowed, (
        f"{package} imports {sorted(imported - allowed)} but its docstring allows {sorted(allowed)}"
    )


MESSENGER_REGISTRY = "bot.runtime.messengers"
"""The one module outside a messenger's folder that names messengers: the registry line."""


def messenger_names() -> list[str]:
    """Every messenger: a folder of ``bot/transports`` describing itself in ``messenger.py``."""
    folder = ROOT / "bot" / "transports"
    return sorted(path.parent.name for path in folder.glob("*/messenger.py"))


def namings_of(name: str, path: Path, messengers: list[str]) -> Iterator[tuple[int, str]]:
    """Where a module names a messenger: imports its folder, reads its settings
    (``settings.signal_account``) or spells one of their names (``"SIGNAL_ACCOUNT"``)."""
    for imported, line in imports_of(path, name):
        for messenger in messengers:
            if imported == f"bot.transports.{messenger}" or imported.startswith(
                f"bot.transports.{messenger}."
            ):
                yield line, imported
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        for messenger in messengers:
            if isinstance(node, ast.Attribute) and node.attr.startswith(f"{messenger}_"):
                yield node.lineno, f"its setting {node.attr}"
            spelt = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if spelt and re.search(rf"\b{messenger.upper()}_[A-Z]", str(node.value)):
                yield node.lineno, f"its setting in {str(node.value)[:40]!r}"


def messengers_named_outside_their_folders(planted: tuple[tuple[str, Path], ...] = ()) -> list[Problem]:
    messengers = messenger_names()
    problems = []
    for name, path in (*source_modules(), *planted):
        own = name.split(".")[2] if name.startswith("bot.transports.") and name.count(".") >= 3 else None
        if name == MESSENGER_REGISTRY:
            continue
        for line, what in namings_of(name, path, [m for m in messengers if m != own]):
            problems.append(Problem(name, line, what, "names a messenger outside its folder"))
    return problems


def test_a_messenger_is_named_only_in_its_folder_and_the_registry_line() -> None:
    assert {"telegram", "signal", "terminal"} <= set(messenger_names())
    problems = messengers_named_outside_their_folders()
    assert problems == [], "\n".join(map(str, problems))


def test_a_planted_messenger_naming_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "_planted_for_test.py"  # read as if it were in bot/runtime
    planted.write_text(
        "from bot.transports.signal import rpc\n"
        "def on(settings):\n"
        "    return settings.telegram_bot_token, 'set SIGNAL_ACCOUNT'\n"
    )
    problems = messengers_named_outside_their_folders((("bot.runtime._planted_for_test", planted),))
    found = [p.imported for p in problems if p.module == "bot.runtime._planted_for_test"]
    assert found == [
        "bot.transports.signal.rpc",
        "its setting telegram_bot_token",
        "its setting in 'set SIGNAL_ACCOUNT'",
    ]
