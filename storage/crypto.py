"""Encryption at rest: a key ring of AES-256-GCM keys, and the one format sealed values have.

What a client writes (answers, drafts, notes, skip reasons, queued messages) is sealed before it
reaches the database and opened when it is read, by the column types in ``storage/types.py``.
A sealed value is ASCII text::

    enc:v1:<key id>:<base64url(12-byte nonce + ciphertext + 16-byte tag)>

The key id is the first 8 hex digits of the key's SHA-256, so a value names the key that opens
it: after a rotation, values sealed with an older key stay readable while that key is in the
ring. The associated data is the column ("entries.answers"): a value copied into another column
does not open. Nonces are random; NIST's limit for random 96-bit nonces (2^32 values per key) is
far above what a practice writes between rotations.

Keys are 32 random bytes, written in base64url: in ``ENCRYPTION_KEYS`` (comma-separated, newest
first) or, one a line, in the key file, which :func:`load_keyring` creates (mode 0600) when
neither exists. Nothing here ever prints or logs a key, or the text of a value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import secrets
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.core.errors import KeyRingError as KeyRingError
from bot.core.errors import UnreadableValue as UnreadableValue

log = logging.getLogger(__name__)

SEALED = "enc:v1:"
"""Every sealed value starts with this; anything else was written before encryption (or with it
off) and is read as it is."""
KEY_BYTES = 32
NONCE_BYTES = 12
_ID_LENGTH = 8
_HEADER = len(SEALED) + _ID_LENGTH + 1  # "enc:v1:" + key id + ":"
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}=?")

KEY_FILE_HEADER = (
    "# Between's encryption keys, newest first, one a line (base64url). Keep a copy somewhere\n"
    "# safe: without these keys the data cannot be read. `between keys rotate` replaces them.\n"
)


def key_id(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()[:_ID_LENGTH]


def new_secret() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_secret(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode("ascii")


def sealed_key_id(value: str) -> str | None:
    """The key id a stored value names; None for a value in plaintext."""
    return value[len(SEALED) : _HEADER - 1] if value.startswith(SEALED) else None


class KeyRing:
    """Keys, newest first: the newest seals, any of them opens what it sealed.

    The AESGCM objects are made once (sealing is on the path of every answer: a few
    microseconds, mostly the nonce and base64).
    """

    def __init__(self, secrets_newest_first: Sequence[bytes]) -> None:
        unique: dict[str, bytes] = {}
        for secret in secrets_newest_first:
            if len(secret) != KEY_BYTES:
                raise KeyRingError(f"an encryption key is {KEY_BYTES} bytes, not {len(secret)}")
            unique.setdefault(key_id(secret), secret)
        if not unique:
            raise KeyRingError("no encryption key given")
        self._secrets = unique
        self._ciphers = {id_: AESGCM(secret) for id_, secret in unique.items()}
        self.ids: tuple[str, ...] = tuple(unique)
        """Key ids, newest first."""
        self.newest = self.ids[0]
        self._sealer = self._ciphers[self.newest]
        self._prefix = f"{SEALED}{self.newest}:"

    @classmethod
    def generate(cls) -> KeyRing:
        return cls([new_secret()])

    @classmethod
    def parse(cls, text: str, source: str) -> KeyRing:
        """Keys in base64url separated by commas, spaces or lines (``#`` starts a comment).

        ``source`` names where they came from in the one-line error (ENCRYPTION_KEYS, a file).
        """
        words: list[str] = []
        for line in text.splitlines():
            words.extend(word for word in re.split(r"[\s,]+", line.split("#", 1)[0]) if word)
        if not words:
            raise KeyRingError(f"{source} holds no encryption key")
        secrets_: list[bytes] = []
        for number, word in enumerate(words, start=1):
            secret = _decode_key(word)
            if secret is None:
                raise KeyRingError(
                    f"{source}: key {number} is not an encryption key "
                    f"({KEY_BYTES} random bytes in base64url, 43 or 44 characters)"
                )
            secrets_.append(secret)
        return cls(secrets_)

    def encoded(self) -> list[str]:
        """The keys in base64url, newest first (to write a key file or ENCRYPTION_KEYS)."""
        return [encode_secret(secret) for secret in self._secrets.values()]

    def with_new_key(self) -> KeyRing:
        """This ring with a new key in front (it seals from now on; the others still open)."""
        return KeyRing([new_secret(), *self._secrets.values()])

    def newest_only(self) -> KeyRing:
        return KeyRing([self._secrets[self.newest]])

    def seal(self, plaintext: str, column: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._sealer.encrypt(nonce, plaintext.encode("utf-8"), column.encode("ascii"))
        return self._prefix + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, value: str, column: str) -> str:
        """The plaintext of a sealed value; :class:`UnreadableValue` (naming the key id and the
        column, never the data) when it cannot be opened."""
        id_ = sealed_key_id(value)
        if id_ is None:
            raise UnreadableValue(f"cannot read {column}: the value is not sealed")
        cipher = self._ciphers.get(id_)
        if cipher is None:
            raise UnreadableValue(
                f"cannot read {column}: it was sealed with key {id_}, which is not among the "
                f"encryption keys configured ({', '.join(self.ids)}); restore that key"
            )
        try:
            raw = base64.urlsafe_b64decode(value[_HEADER:])
            opened = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], column.encode("ascii"))
            return opened.decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            raise UnreadableValue(
                f"cannot read {column}: the value sealed with key {id_} does not open "
                "(it was altered, or copied from another column)"
            ) from None

    def __repr__(self) -> str:  # never the keys themselves
        return f"KeyRing(ids={list(self.ids)})"


def _decode_key(word: str) -> bytes | None:
    if not _KEY_SHAPE.fullmatch(word):
        return None
    try:
        secret = base64.urlsafe_b64decode(word + "=" * (-len(word) % 4))
    except (binascii.Error, ValueError):
        return None
    return secret if len(secret) == KEY_BYTES else None


@dataclass(frozen=True)
class LoadedKeys:
    """A key ring and where it came from."""

    ring: KeyRing
    source: str
    """"ENCRYPTION_KEYS", or the key file's path as configured."""
    file: Path | None
    """The key file, when the keys came from one (rotation rewrites it)."""
    created: bool = False
    """The key file did not exist: this call made it, with one new key."""


def load_keyring(keys: str | None, key_file: str | Path) -> LoadedKeys:
    """``keys`` (ENCRYPTION_KEYS) if given, else the key file; neither: the key file is created
    (its folder too) with one new key, readable by this user only.

    Raises :class:`KeyRingError` with one line (never a key) when something is wrong.
    """
    if keys is not None and keys.strip():
        return LoadedKeys(KeyRing.parse(keys, "ENCRYPTION_KEYS"), "ENCRYPTION_KEYS", None)
    path = Path(key_file).expanduser()
    source = str(key_file)
    created = False
    if not path.exists():
        created = _create_key_file(path, source)
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        raise KeyRingError(f"cannot read the key file {source}: {reason}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the key file %s can be read by other users: chmod 600 it", source)
    return LoadedKeys(KeyRing.parse(text, source), source, path, created)


def _create_key_file(path: Path, source: str) -> bool:
    """Write a new key file; False if another process made it first (then it is read)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as error:
        raise KeyRingError(f"cannot create the key file {source}: {error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key_file_text(KeyRing.generate().encoded()))
        file.flush()
        os.fsync(file.fileno())
    return True


def key_file_text(encoded_keys: Iterable[str]) -> str:
    return KEY_FILE_HEADER + "".join(f"{key}\n" for key in encoded_keys)


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Replace the key file in one step (a crash leaves the old file or the new one, never half)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key_file_text(ring.encoded()))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
