"""Telegram-style parsing of ``parse_mode`` text into plain text plus entities.

The fake server renders formatted text the way Telegram does, so tests see what a
user would see (``"<b>Hi</b>"`` arrives as ``"Hi"`` with a bold entity) and a bot
that sends broken markup gets the same 400 "can't parse entities" error it would
get in production. Offsets and lengths are in UTF-16 code units, like the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .models import ApiError

JsonDict = dict[str, Any]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit Telegram uses for limits and offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _cant_parse(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


@dataclass
class _Output:
    """Accumulates rendered text while tracking the UTF-16 offset."""

    parts: list[str] = field(default_factory=list)
    offset: int = 0
    entities: list[JsonDict] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.offset - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[JsonDict]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """Return (plain text, entities) for ``text`` sent with ``parse_mode``.

    Raises ApiError(400) for markup Telegram would reject, and for an unknown mode.
    """
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown_legacy(text)
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")


def _decode_entity(src: str, i: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``src[i]``; unknown names stay literal, as in Telegram."""
    match = _ENTITY_RE.match(src, i)
    if match is None:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else None
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded is None:
            out.append(value[i])
            i += 1
        else:
            out.append(decoded[0])
            i = decoded[1]
    return "".join(out)


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


def _parse_attributes(src: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to and including ``>``; returns them and the next index."""
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] == ">":
            return attrs, i + 1
        match = _ATTR_NAME_RE.match(src, i)
        if match is None:
            raise _cant_parse(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, i)}'
            )
        name = match.group(0).lower()
        i = match.end()
        while i < n and src[i].isspace():
            i += 1
        if i >= n or src[i] != "=":
            attrs[name] = ""
            continue
        i += 1
        while i < n and src[i].isspace():
            i += 1
        if i < n and src[i] in "\"'":
            quote = src[i]
            end = src.find(quote, i + 1)
            if end < 0:
                raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            attrs[name] = _unescape(src[i + 1 : end])
            i = end + 1
        else:
            start = i
            while i < n and not src[i].isspace() and src[i] != ">":
                i += 1
            attrs[name] = _unescape(src[start:i])


def _parse_html(src: str) -> tuple[str, list[JsonDict]]:
    out = _Output()
    stack: list[_OpenTag] = []
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "&":
            decoded = _decode_entity(src, i)
            if decoded is not None:
                out.add(decoded[0])
                i = decoded[1]
                continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        if i + 1 < n and src[i + 1] == "/":
            name_match = _TAG_NAME_RE.match(src, i + 2)
            assert name_match is not None
            name = name_match.group(0).lower()
            j = name_match.end()
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != ">":
                raise _cant_parse(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            if not stack:
                raise _cant_parse(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            top = stack.pop()
            if name != top.name:
                raise _cant_parse(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            _close_html_tag(out, top, stack)
            i = j + 1
            continue
        name_match = _TAG_NAME_RE.match(src, i + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if name not in _HTML_TAGS:
            raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        attrs, i = _parse_attributes(src, name_match.end(), name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}'
            )
        stack.append(_OpenTag(name=name, start=out.offset, attrs=attrs))
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


def _close_html_tag(out: _Output, tag: _OpenTag, stack: list[_OpenTag]) -> None:
    kind = _HTML_TAGS[tag.name]
    if kind == "text_link":
        href = tag.attrs.get("href")
        if href:
            out.entity("text_link", tag.start, url=href)
    elif kind == "code" and stack and stack[-1].name == "pre":
        css = tag.attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1].language = css.removeprefix("language-")
        else:
            out.entity("code", tag.start)
    elif kind == "pre":
        if tag.language:
            out.entity("pre", tag.start, language=tag.language)
        else:
            out.entity("pre", tag.start)
    elif kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in tag.attrs else "blockquote", tag.start)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", tag.start, custom_emoji_id=tag.attrs.get("emoji-id", ""))
    else:
        out.entity(kind, tag.start)


# ---------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


@dataclass
class _OpenMark:
    kind: str
    start: int
    byte: int


def _reserved(src: str, i: int) -> ApiError:
    return _cant_parse(f"Character '{src[i]}' is reserved and must be escaped with the preceding '\\'")


def _scan_code(src: str, i: int, fence: str) -> tuple[str, int] | None:
    """Return (content, index after closing fence) for code starting at ``i``."""
    out: list[str] = []
    n = len(src)
    while i < n:
        if src[i] == "\\" and i + 1 < n and src[i + 1] in "`\\":
            out.append(src[i + 1])
            i += 2
        elif src.startswith(fence, i):
            return "".join(out), i + len(fence)
        else:
            out.append(src[i])
            i += 1
    return None


def _parse_markdown_v2(src: str) -> tuple[str, list[JsonDict]]:
    out = _Output()
    stack: list[_OpenMark] = []
    quote_start: int | None = None
    quote_end = 0
    line_start = True
    i, n = 0, len(src)

    def toggle(kind: str, at: int) -> None:
        if any(mark.kind == kind for mark in stack):
            top = stack[-1]
            if top.kind != kind:
                raise _cant_parse(
                    f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte}"
                )
            stack.pop()
            out.entity(kind, top.start)
        else:
            stack.append(_OpenMark(kind, out.offset, _byte_offset(src, at)))

    while i < n:
        char = src[i]
        if line_start:
            line_start = False
            if char == ">":
                if quote_start is None:
                    quote_start = out.offset
                i += 1
                continue
            if quote_start is not None:
                _close_quote(out, quote_start, quote_end)
                quote_start = None
        if char == "\n":
            quote_end = out.offset
            out.add(char)
            line_start = True
            i += 1
        elif char == "\\":
            if i + 1 < n and 0 < ord(src[i + 1]) <= 126:
                out.add(src[i + 1])
                i += 2
            else:
                out.add(char)
                i += 1
        elif char == "`":
            fence = "```" if src.startswith("```", i) else "`"
            scanned = _scan_code(src, i + len(fence), fence)
            if scanned is None:
                name = "Pre" if fence == "```" else "Code"
                raise _cant_parse(f"Can't find end of {name} entity at byte offset {_byte_offset(src, i)}")
            content, i = scanned
            start = out.offset
            if fence == "```":
                language, newline, body = content.partition("\n")
                if newline and language and not any(c.isspace() for c in language):
                    out.add(body)
                    out.entity("pre", start, language=language)
                else:
                    out.add(content)
                    out.entity("pre", start)
            else:
                out.add(content)
                out.entity("code", start)
        elif char == "*":
            toggle("bold", i)
            i += 1
        elif char == "_":
            if src.startswith("__", i):
                toggle("underline", i)
                i += 2
            else:
                toggle("italic", i)
                i += 1
        elif char == "~":
            toggle("strikethrough", i)
            i += 1
        elif char == "|":
            if not src.startswith("||", i):
                raise _reserved(src, i)
            toggle("spoiler", i)
            i += 2
        elif char == "[" or (char == "!" and src.startswith("![", i)):
            stack.append(_OpenMark("text_link", out.offset, _byte_offset(src, i)))
            i += 2 if char == "!" else 1
        elif char == "]":
            if not stack or stack[-1].kind != "text_link":
                raise _reserved(src, i)
            if not src.startswith("(", i + 1):
                raise _cant_parse(f"Can't find end of TextUrl entity at byte offset {stack[-1].byte}")
            url_chars: list[str] = []
            j = i + 2
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                url_chars.append(src[j])
                j += 1
            if j >= n:
                raise _cant_parse(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
            top = stack.pop()
            url = "".join(url_chars)
            if url.startswith("tg://emoji?id="):
                out.entity("custom_emoji", top.start, custom_emoji_id=url.split("=", 1)[1])
            else:
                out.entity("text_link", top.start, url=url)
            i = j + 1
        elif char in _MDV2_RESERVED:
            raise _reserved(src, i)
        else:
            out.add(char)
            i += 1
    if stack:
        top = stack[-1]
        raise _cant_parse(f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte}")
    if quote_start is not None:
        _close_quote(out, quote_start, out.offset)
    return out.result()


def _close_quote(out: _Output, start: int, end: int) -> None:
    """Blockquotes end before the newline that terminates their last line."""
    if end > start:
        out.entities.append({"type": "blockquote", "offset": start, "length": end - start})


# ----------------------------------------------------------------- legacy Markdown

_LEGACY_MARKS = {"*": "bold", "_": "italic"}


def _parse_markdown_legacy(src: str) -> tuple[str, list[JsonDict]]:
    out = _Output()
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
        elif char in _LEGACY_MARKS or char == "`":
            fence = "```" if src.startswith("```", i) else char
            end = src.find(fence, i + len(fence))
            if end < 0:
                raise _cant_parse(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.offset
            out.add(src[i + len(fence) : end])
            kind = "pre" if fence == "```" else _LEGACY_MARKS.get(char, "code")
            out.entity(kind, start)
            i = end + len(fence)
        elif char == "[":
            match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(src, i)
            if match is None:
                out.add(char)
                i += 1
                continue
            start = out.offset
            out.add(match.group(1))
            out.entity("text_link", start, url=match.group(2))
            i = match.end()
        else:
            out.add(char)
            i += 1
    return out.result()
