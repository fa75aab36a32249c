"""The on-disk cache of compiled expressions: what it loads behaves as what re.compile makes."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from benchmarks.risk_language_report import DEV3, read_eval, read_eval2, read_set
from bot.safety.regex_cache import RegexCache, cache_dir
from bot.safety.risk_language import RiskDetector

SMALL_LIST = """
[sets]
me = ["me/myself"]
[categories.thoughts]
patterns = ["kill/hurt <me>", "want ... die"]
[hyperbole]
patterns = ["killing me"]
"""
TEXTS = ("i want to die", "kill myself", "hurt me", "this is killing me", "hello", "wanting a pie")


def test_a_second_build_loads_every_expression_and_matches_the_same(tmp_path: Path) -> None:
    path = tmp_path / "regex-small.marshal"
    first = RegexCache(path)
    compiled = RiskDetector.from_toml(SMALL_LIST, first)
    first.save()
    assert first.hits == 0 and first.misses > 0 and path.is_file()

    second = RegexCache(path)
    loaded = RiskDetector.from_toml(SMALL_LIST, second)
    assert second.misses == 0 and second.hits == first.misses
    plain = RiskDetector.from_toml(SMALL_LIST)
    for text in TEXTS:
        assert loaded.matches(text) == compiled.matches(text) == plain.matches(text), text
    assert plain.check("i want to die") is not None and plain.check("this is killing me") is None


def test_an_entry_is_found_by_its_own_text_only(tmp_path: Path) -> None:
    path = tmp_path / "regex.marshal"
    cache = RegexCache(path)
    cache.compile("ab+c")
    cache.save()
    other = RegexCache(path)
    pattern = other.compile("ab+d")
    assert other.hits == 0 and pattern.pattern == "ab+d" and pattern.match("abbd")
    again = other.compile("ab+c")
    assert other.hits == 1 and again.match("abbc") and not again.match("abd")
    assert again.flags == re.compile("ab+c").flags


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "not marshal", "empty"])
def test_a_damaged_file_means_compiling_again(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "regex.marshal"
    cache = RegexCache(path)
    cache.compile("(?:kill|hurt) me")
    cache.save()
    data = path.read_bytes()
    damaged = {
        "flip a byte": data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:],
        "truncate": data[: len(data) // 2],
        "not marshal": b"\0" * 32 + b"not marshal at all",
        "empty": b"",
    }[damage]
    path.write_bytes(damaged)
    again = RegexCache(path)
    pattern = again.compile("(?:kill|hurt) me")
    assert again.hits == 0 and again.misses == 1
    assert pattern.fullmatch("hurt me") and not pattern.fullmatch("hurt you")


def test_a_cache_that_cannot_be_written_only_compiles(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    cache = RegexCache(blocker / "regex.marshal")
    assert cache.compile("a|b").fullmatch("b")
    cache.save()  # no error: the next process compiles again
    assert not (blocker / "regex.marshal").exists()


def test_the_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BETWEEN_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("BETWEEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "between"


def test_the_shipped_list_loaded_from_the_cache_flags_what_it_compiled_flags(tmp_path: Path) -> None:
    text = resources.files("bot.safety").joinpath("risk_phrases.toml").read_text(encoding="utf-8")
    path = tmp_path / "regex-risk_phrases.marshal"
    first = RegexCache(path)
    compiled = RiskDetector.from_toml(text, first)
    first.save()
    second = RegexCache(path)
    loaded = RiskDetector.from_toml(text, second)
    assert second.misses == 0
    phrases = [p.text for p in (*read_eval(), *read_eval2(), *read_set(DEV3))]
    assert [loaded.matches(t) for t in phrases] == [compiled.matches(t) for t in phrases]
