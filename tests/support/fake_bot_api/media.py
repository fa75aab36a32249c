"""Tiny media helpers: valid sample bytes for user uploads and image sniffing for bot uploads."""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (90, 140, 200)) -> bytes:
    """A real, decodable PNG so a bot that inspects or re-encodes user photos does not choke."""
    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * height))
        + _png_chunk(b"IEND", b"")
    )


# Enough of each container's header for sniffers; the payload is not playable.
SAMPLE_OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead" + b"\x00" * 32
SAMPLE_WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24


def looks_like_image(content: bytes) -> bool:
    """Whether Telegram could decode this as a photo (PNG, JPEG, GIF, WEBP or BMP)."""
    return (
        content.startswith(PNG_SIGNATURE)
        or content.startswith(b"\xff\xd8\xff")
        or content.startswith(b"GIF8")
        or (content.startswith(b"RIFF") and content[8:12] == b"WEBP")
        or content.startswith(b"BM")
    )


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG; a plausible default for other formats."""
    if content.startswith(PNG_SIGNATURE) and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 800, 600
