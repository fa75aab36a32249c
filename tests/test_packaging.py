"""Every data file the code reads ships in the wheel: a file left out of ``package-data`` works
from a checkout and is missing once installed (the German risk list once was)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "storage")
NOT_SHIPPED = {".py", ".pyc", ".md", ".mmd"}  # code, and documentation (diagrams)


def _packages_above(path: Path) -> list[Path]:
    """The packages (folders with an ``__init__.py``) holding ``path``, nearest first: a package's
    patterns may reach into its sub-folders."""
    return [folder for folder in path.parents if (folder / "__init__.py").exists() and ROOT in folder.parents]


def test_every_data_file_is_in_the_package_data() -> None:
    patterns: dict[str, list[str]] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    data_files = [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in NOT_SHIPPED and "__pycache__" not in path.parts
    ]
    assert any(path.name == "risk_phrases_de.toml" for path in data_files)
    left_out = []
    for path in data_files:
        shipped = any(
            fnmatch.fnmatch(path.relative_to(package).as_posix(), pattern)
            for package in _packages_above(path)
            for pattern in patterns.get(".".join(package.relative_to(ROOT).parts), [])
        )
        if not shipped:
            left_out.append(path.relative_to(ROOT).as_posix())
    assert left_out == []
