"""Compiled regular expressions kept on disk, so a process does not compile the phrase list again.

Compiling the risk list's expressions takes seconds of pure-Python parsing (``re``'s parser), every
process, every start; what the parser produces — the engine's code for each expression — loads in
milliseconds. A ``RegexCache`` keeps that code in one file per phrase list
(``$BETWEEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/between``, else ``~/.cache/between``), each entry
under the SHA-256 of its expression's own text and the interpreter's version, so an edited list
reuses what did not change and never gets code made from other text. The file's own digest is
checked on load; a missing, stale, unreadable or damaged file — or an interpreter whose internals
differ — only means compiling as ``re.compile`` would. Writing is atomic and best effort.

``marshal``, not ``pickle``: the file holds numbers, strings and dicts only, never code to run.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

# re's internals: the parser, the code generator and the engine's constructor (what re.compile runs).
_sre: Any = importlib.import_module("_sre")
_parser: Any = importlib.import_module("re._parser")
_compiler: Any = importlib.import_module("re._compiler")

_VERSION: Final = f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}".encode()
_DIGEST_SIZE: Final = 32

Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def cache_dir() -> Path:
    """Where compiled expressions are kept between processes."""
    explicit = os.environ.get("BETWEEN_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "between"


class RegexCache:
    """``compile`` like re.compile, from the file when it holds the expression; ``save`` what was used."""

    def __init__(self, path: Path | None) -> None:
        """`path`: the cache file (None: compile everything, keep nothing)."""
        self._path = path
        self._stored = _load(path) if path is not None else {}
        self._used: dict[bytes, Entry] = {}
        self.hits = 0
        self.misses = 0

    @classmethod
    def named(cls, name: str) -> RegexCache:
        """The cache for one phrase list, in cache_dir()."""
        return cls(cache_dir() / f"regex-{name}.marshal")

    def compile(self, pattern: str) -> re.Pattern[str]:
        key = hashlib.sha256(_VERSION + pattern.encode("utf-8")).digest()
        entry = self._stored.get(key)
        if entry is not None:
            try:
                compiled = _sre.compile(pattern, *entry)
            except (TypeError, ValueError, RuntimeError):  # code this engine does not accept
                compiled = None
            if isinstance(compiled, re.Pattern):
                self.hits += 1
                self._used[key] = entry
                return compiled
        self.misses += 1
        entry = _entry(pattern)
        self._used[key] = entry
        compiled = _sre.compile(pattern, *entry)
        assert isinstance(compiled, re.Pattern)
        return compiled

    def save(self) -> None:
        """Write the expressions this cache compiled or loaded (only them), if anything was new."""
        if self._path is None or (self.misses == 0 and self._used.keys() == self._stored.keys()):
            return
        try:
            body = marshal.dumps({key: list(entry) for key, entry in self._used.items()})
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self._path.parent, delete=False) as file:
                file.write(hashlib.sha256(body).digest() + body)
            os.replace(file.name, self._path)
        except (OSError, ValueError):
            return  # a cache that cannot be written is only slower next time


def _entry(pattern: str) -> Entry:
    """What re.compile hands the engine for this pattern (re._compiler.compile, step by step)."""
    parsed = _parser.parse(pattern, 0)
    # Plain ints: the opcodes and flags are int subclasses, which marshal does not write.
    code = [int(word) for word in _compiler._code(parsed, 0)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def _load(path: Path) -> dict[bytes, Entry]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    digest, body = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
    if hashlib.sha256(body).digest() != digest:
        return {}
    try:
        raw = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(raw, dict):
        return {}
    entries = {}
    for key, value in raw.items():
        if isinstance(key, bytes) and isinstance(value, list) and len(value) == 5:
            flags, code, groups, groupindex, indexgroup = value
            entries[key] = (flags, code, groups, groupindex, tuple(indexgroup))
    return entries
