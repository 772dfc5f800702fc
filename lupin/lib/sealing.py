"""Sealed tenders at rest: envelope encryption with AES-256-GCM (Directive 2014/24 Annex IV b).

Three layers of keys:

- the **master key** (32 bytes) lives outside the database, in an environment variable or a key
  file (`load_master_key`). It only wraps data keys.
- a **data key** per competition (`new_data_key`) is stored wrapped by the master key (`wrap`,
  `unwrap`), so the database alone never holds enough to read a tender.
- a **file key** per sealed file is derived from the data key and a random salt in the file's
  header (HKDF-SHA256), so no two files share a key and nonces can never repeat across files.

Wrapping uses AES-256-GCM with a random nonce rather than AES key wrap (RFC 3394): one primitive
for everything (the one the issue names and an auditor checks), and GCM takes associated data, so
a wrapped key can be bound to its competition (`context`) and fails to unwrap if copied to another.
The wrapped form also names the master key it was made with (a short key id) so that unwrapping
under another key says so plainly, which matters when keys are rotated. Random 96-bit nonces are
safe here: a master key wraps one key per competition, far below GCM's 2^32-message bound.

Files use the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár (as in age and
Tink's streaming AEAD): the plaintext is cut into fixed-size chunks, each sealed with AES-GCM under
the file key with the nonce `prefix (7 bytes) || chunk counter (4 bytes) || last-chunk flag (1)`.
A reordered chunk fails because its counter differs, a dropped tail fails because the new last
chunk was not sealed as last, and appended bytes fail because nothing may follow the last chunk.
Memory is a few chunks, whatever the file size.

Layout of a sealed file::

    magic "LPSL" | version 1 (1 byte) | chunk size (4 bytes, big-endian) | salt (32) | prefix (7)
    chunk 0 ciphertext+tag | chunk 1 ciphertext+tag | ... | last chunk ciphertext+tag

Every full chunk is `chunk size + 16` bytes; the last one is shorter or equal (an empty file is a
single empty last chunk, just its tag). The header goes into every chunk's associated data with
the caller's own `associated_data` (say "competition 12, tender 34, file 5"), so a sealed file
moved to another tender does not open.

This module knows nothing of Django: the settings call `load_master_key`, the competitions app
calls the rest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SIZE = 32
TAG_SIZE = 16
NONCE_SIZE = 12
DEFAULT_CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE = 1024
# A header is read before anything is authenticated: the bound keeps a forged chunk size from
# making the reader allocate gigabytes.
MAX_CHUNK_SIZE = 64 * 1024 * 1024

MAGIC = b"LPSL"
VERSION = 1
_SALT_SIZE = 32
_PREFIX_SIZE = 7
_HEADER = struct.Struct(f">4sBI{_SALT_SIZE}s{_PREFIX_SIZE}s")
HEADER_SIZE = _HEADER.size
_MAX_CHUNKS = 2**32  # the counter is four bytes
_FILE_KEY_INFO = b"lupin sealing v1 file key"

_WRAP_VERSION = 1
_KEY_ID_SIZE = 8
_WRAPPED_SIZE = 1 + _KEY_ID_SIZE + NONCE_SIZE + KEY_SIZE + TAG_SIZE

# For development and tests only (LUPIN_DEBUG=1): fixed, so that the demo's sealed tenders still
# open after a restart. It is public, so `load_master_key` refuses it outside development.
DEVELOPMENT_KEY = hashlib.sha256(b"lupin development sealing key: never use in production").digest()


class SealingError(Exception):
    """Base class: something could not be sealed or opened. The message says what."""


class MasterKeyError(SealingError):
    """The master key is missing, unreadable or not 32 bytes of base64."""


class WrongMasterKey(SealingError):
    """A data key was wrapped under another master key than the one given."""


class InvalidCiphertext(SealingError):
    """Sealed data failed authentication: wrong key, wrong associated data, edited, truncated,
    reordered or extended. By design these cannot be told apart."""


@dataclass(frozen=True)
class SealResult:
    """What was sealed or opened: the plaintext's SHA-256 (hex) and size, for the receipt."""

    sha256: str
    size: int
    ciphertext_size: int
    chunks: int


# --- Master key ------------------------------------------------------------------------------


def _decode_key(text: str, source: str) -> bytes:
    compact = "".join(text.split())
    if not compact:
        raise MasterKeyError(f"{source} is empty.")
    # Accept standard and URL-safe base64, with or without padding. The key itself never goes
    # into a message.
    standard = compact.replace("-", "+").replace("_", "/")
    standard += "=" * (-len(standard) % 4)
    try:
        key = base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{source} is not valid base64.") from None
    if len(key) != KEY_SIZE:
        raise MasterKeyError(
            f"{source} must be {KEY_SIZE} bytes in base64 (44 characters), not {len(key)} bytes. "
            "Make one with: openssl rand -base64 32"
        )
    return key


def load_master_key(
    value: str | None, path: str | None, *, allow_development_key: bool = False
) -> bytes:
    """The master key from LUPIN_SEALING_KEY (`value`, base64) or LUPIN_SEALING_KEY_FILE (`path`,
    a file holding the base64). Exactly one may be set. With neither, development gets
    `DEVELOPMENT_KEY` and anything else an error; outside development the development key is
    refused even when given explicitly, since it is published in this file."""
    value = value.strip() if value else None
    path = path.strip() if path else None
    if value and path:
        raise MasterKeyError(
            "Set either LUPIN_SEALING_KEY or LUPIN_SEALING_KEY_FILE, not both: "
            "it would be unclear which key sealed the tenders."
        )
    if value:
        key = _decode_key(value, "LUPIN_SEALING_KEY")
    elif path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except FileNotFoundError:
            raise MasterKeyError(f"LUPIN_SEALING_KEY_FILE: no file at {path}.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise MasterKeyError(
                f"LUPIN_SEALING_KEY_FILE: cannot read {path} as base64 text "
                f"({type(error).__name__})."
            ) from None
        key = _decode_key(text, f"LUPIN_SEALING_KEY_FILE ({path})")
    elif allow_development_key:
        return DEVELOPMENT_KEY
    else:
        raise MasterKeyError(
            "No sealing key: set LUPIN_SEALING_KEY (base64 of 32 bytes) or "
            "LUPIN_SEALING_KEY_FILE (a file holding it). Make one with: openssl rand -base64 32"
        )
    if not allow_development_key and hmac.compare_digest(key, DEVELOPMENT_KEY):
        raise MasterKeyError(
            "The sealing key is Lupin's published development key; it cannot be used when "
            "LUPIN_DEBUG=0. Make a new one with: openssl rand -base64 32"
        )
    return key


def key_id(master: bytes) -> str:
    """A short public name of a master key (hex), to tell keys apart in wrapped data and logs.
    It is a MAC of a constant under the key, so it reveals nothing about the key."""
    return _key_id(master).hex()


def _key_id(master: bytes) -> bytes:
    return hmac.new(master, b"lupin sealing key id", hashlib.sha256).digest()[:_KEY_ID_SIZE]


def _check_key(key: bytes, name: str) -> None:
    if len(key) != KEY_SIZE:
        raise SealingError(f"The {name} must be {KEY_SIZE} bytes, not {len(key)}.")


# --- Data keys -------------------------------------------------------------------------------


def new_data_key() -> bytes:
    """A fresh random data key (32 bytes) for one competition."""
    return AESGCM.generate_key(bit_length=256)


def wrap(master: bytes, data_key: bytes, context: bytes = b"") -> bytes:
    """Seal a data key under the master key; `context` (e.g. b"competition:12") must be given
    again to unwrap it. The result is `_WRAPPED_SIZE` (69) bytes."""
    _check_key(master, "master key")
    _check_key(data_key, "data key")
    header = bytes([_WRAP_VERSION]) + _key_id(master)
    nonce = os.urandom(NONCE_SIZE)
    return header + nonce + AESGCM(master).encrypt(nonce, data_key, header + context)


def unwrap(master: bytes, wrapped: bytes, context: bytes = b"") -> bytes:
    """The data key inside `wrapped`. Raises WrongMasterKey when another master key wrapped it,
    InvalidCiphertext when it was altered or belongs to another context."""
    _check_key(master, "master key")
    if len(wrapped) != _WRAPPED_SIZE or wrapped[0] != _WRAP_VERSION:
        raise InvalidCiphertext("This is not a wrapped Lupin data key (wrong length or version).")
    header = wrapped[: 1 + _KEY_ID_SIZE]
    if not hmac.compare_digest(header[1:], _key_id(master)):
        raise WrongMasterKey(
            f"This data key was wrapped under master key {header[1:].hex()}, "
            f"but the configured master key is {key_id(master)}."
        )
    nonce = wrapped[len(header) : len(header) + NONCE_SIZE]
    try:
        return AESGCM(master).decrypt(nonce, wrapped[len(header) + NONCE_SIZE :], header + context)
    except InvalidTag:
        raise InvalidCiphertext(
            "The wrapped data key failed authentication: altered, or wrapped for another context."
        ) from None


# --- Streams ---------------------------------------------------------------------------------


def _read_full(source: BinaryIO, size: int) -> bytes:
    """Read exactly `size` bytes, or fewer only at the end: a socket or an upload handler may
    return short reads, and the chunk boundaries must not depend on them."""
    data = source.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = source.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)


def _file_cipher(data_key: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=_FILE_KEY_INFO)
    return AESGCM(hkdf.derive(data_key))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= _MAX_CHUNKS:
        raise SealingError("The file has too many chunks for one sealed stream.")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def encrypt_stream(
    data_key: bytes,
    source: BinaryIO,
    sink: BinaryIO,
    *,
    associated_data: bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> SealResult:
    """Read `source` to its end and write it sealed to `sink`; return the plaintext's SHA-256
    and size. Holds at most two plaintext chunks and one sealed chunk in memory."""
    _check_key(data_key, "data key")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise SealingError(f"The chunk size must be {MIN_CHUNK_SIZE}-{MAX_CHUNK_SIZE} bytes.")
    salt = os.urandom(_SALT_SIZE)
    prefix = os.urandom(_PREFIX_SIZE)
    header = _HEADER.pack(MAGIC, VERSION, chunk_size, salt, prefix)
    cipher = _file_cipher(data_key, salt)
    aad = header + associated_data
    digest = hashlib.sha256()
    sink.write(header)
    written = len(header)
    size = 0
    counter = 0
    current = _read_full(source, chunk_size)
    while True:
        # Look one chunk ahead: the last chunk is sealed differently, and a file of exactly
        # n chunks must end on its n-th, not on an extra empty one.
        following = _read_full(source, chunk_size) if len(current) == chunk_size else b""
        last = not following
        sealed = cipher.encrypt(_nonce(prefix, counter, last), current, aad)
        sink.write(sealed)
        digest.update(current)
        size += len(current)
        written += len(sealed)
        counter += 1
        if last:
            return SealResult(digest.hexdigest(), size, written, counter)
        current = following


def _read_header(source: BinaryIO) -> tuple[bytes, int, bytes, bytes]:
    header = _read_full(source, HEADER_SIZE)
    if len(header) < HEADER_SIZE or header[: len(MAGIC)] != MAGIC:
        raise InvalidCiphertext("This is not a sealed Lupin file (no header).")
    _magic, version, chunk_size, salt, prefix = _HEADER.unpack(header)
    if version != VERSION:
        raise InvalidCiphertext(f"Unknown sealed file version {version}.")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise InvalidCiphertext("The sealed file's header is damaged (chunk size).")
    return header, chunk_size, salt, prefix


def decrypt_stream(
    data_key: bytes, source: BinaryIO, sink: BinaryIO, *, associated_data: bytes
) -> SealResult:
    """Open a sealed stream from `source` into `sink`, authenticating every chunk, their order
    and the end. Raises InvalidCiphertext on any mismatch.

    Chunks reach `sink` as they are verified, so after an error `sink` holds a verified but
    incomplete prefix: write to a temporary file and keep it only when this returns."""
    _check_key(data_key, "data key")
    header, chunk_size, salt, prefix = _read_header(source)
    cipher = _file_cipher(data_key, salt)
    aad = header + associated_data
    sealed_size = chunk_size + TAG_SIZE
    digest = hashlib.sha256()
    read = len(header)
    size = 0
    counter = 0
    current = _read_full(source, sealed_size)
    while True:
        if len(current) < TAG_SIZE:
            raise InvalidCiphertext(
                f"The sealed file is truncated: chunk {counter} is missing or incomplete."
            )
        following = _read_full(source, sealed_size) if len(current) == sealed_size else b""
        last = not following
        try:
            plain = cipher.decrypt(_nonce(prefix, counter, last), current, aad)
        except InvalidTag:
            raise InvalidCiphertext(
                f"Chunk {counter} failed authentication: wrong key or associated data, or the "
                "file was altered, truncated, reordered or extended."
            ) from None
        sink.write(plain)
        digest.update(plain)
        size += len(plain)
        read += len(current)
        counter += 1
        if last:
            return SealResult(digest.hexdigest(), size, read, counter)
        current = following


def encrypt_bytes(data_key: bytes, plaintext: bytes, *, associated_data: bytes) -> bytes:
    """Seal a short value (the price form) in the same format as a file."""
    sink = io.BytesIO()
    encrypt_stream(data_key, io.BytesIO(plaintext), sink, associated_data=associated_data)
    return sink.getvalue()


def decrypt_bytes(data_key: bytes, sealed: bytes, *, associated_data: bytes) -> bytes:
    """Open a value sealed by `encrypt_bytes` (or a small sealed file)."""
    sink = io.BytesIO()
    decrypt_stream(data_key, io.BytesIO(sealed), sink, associated_data=associated_data)
    return sink.getvalue()
