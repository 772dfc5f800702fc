"""Sealing: round trips, and every way a sealed tender could be read early or altered unseen."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

import pytest

from lupin.lib import sealing
from lupin.lib.sealing import (
    HEADER_SIZE,
    TAG_SIZE,
    InvalidCiphertext,
    MasterKeyError,
    WrongMasterKey,
)

CHUNK = 1024  # the smallest chunk size, so that "many chunks" stays small
AAD = b"competition:12/tender:34/file:5"
MARKER = b"SEALED-TENDER-MARKER-7f3a"


def _plaintext(size: int) -> bytes:
    """Readable text with the marker in every chunk: what a leak would show."""
    unit = MARKER + b" pris 1 234 567 NOK; "
    return (unit * (size // len(unit) + 1))[:size]


def _seal(data: bytes, key: bytes, aad: bytes = AAD) -> tuple[bytes, sealing.SealResult]:
    sink = io.BytesIO()
    result = sealing.encrypt_stream(
        key, io.BytesIO(data), sink, associated_data=aad, chunk_size=CHUNK
    )
    return sink.getvalue(), result


def _open(sealed: bytes, key: bytes, aad: bytes = AAD) -> bytes:
    sink = io.BytesIO()
    sealing.decrypt_stream(key, io.BytesIO(sealed), sink, associated_data=aad)
    return sink.getvalue()


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    body = sealed[HEADER_SIZE:]
    step = CHUNK + TAG_SIZE
    return sealed[:HEADER_SIZE], [body[i : i + step] for i in range(0, len(body), step)]


@pytest.fixture
def key() -> bytes:
    return sealing.new_data_key()


SIZES = {
    "empty": 0,
    "one byte": 1,
    "exactly one chunk": CHUNK,
    "one chunk and a byte": CHUNK + 1,
    "many chunks and a remainder": 7 * CHUNK + 123,
    "many whole chunks": 5 * CHUNK,
}


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_round_trip(key: bytes, size: int) -> None:
    data = _plaintext(size)
    sealed, result = _seal(data, key)

    assert _open(sealed, key) == data
    assert result.size == size
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.ciphertext_size == len(sealed)
    assert result.chunks == max(1, -(-size // CHUNK))


def test_decrypt_reports_the_same_hash_as_the_receipt(key: bytes) -> None:
    data = _plaintext(3 * CHUNK + 5)
    sealed, sealed_result = _seal(data, key)
    opened = sealing.decrypt_stream(key, io.BytesIO(sealed), io.BytesIO(), associated_data=AAD)
    assert (opened.sha256, opened.size) == (sealed_result.sha256, sealed_result.size)


def test_the_default_chunk_size_round_trips_a_file_larger_than_one_chunk(key: bytes) -> None:
    data = os.urandom(sealing.DEFAULT_CHUNK_SIZE + 10)
    sink = io.BytesIO()
    sealing.encrypt_stream(key, io.BytesIO(data), sink, associated_data=AAD)
    assert _open(sink.getvalue(), key) == data


class _Trickle(io.RawIOBase):
    """A source that returns at most 100 bytes per read, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 100) if size >= 0 else 100)


def test_short_reads_from_the_source_do_not_change_the_chunking(key: bytes) -> None:
    data = _plaintext(4 * CHUNK + 17)
    sink = io.BytesIO()
    sealing.encrypt_stream(key, _Trickle(data), sink, associated_data=AAD, chunk_size=CHUNK)  # type: ignore[arg-type]
    assert _open(sink.getvalue(), key) == data


def test_the_ciphertext_never_contains_the_plaintext(key: bytes) -> None:
    data = _plaintext(6 * CHUNK + 99)
    sealed, _ = _seal(data, key)
    assert data.count(MARKER) > 6
    assert MARKER not in sealed
    assert b"1 234 567" not in sealed


def test_sealing_the_same_file_twice_gives_different_ciphertexts(key: bytes) -> None:
    data = _plaintext(2 * CHUNK)
    assert _seal(data, key)[0] != _seal(data, key)[0]


def test_a_wrong_data_key_fails(key: bytes) -> None:
    sealed, _ = _seal(_plaintext(3 * CHUNK), key)
    with pytest.raises(InvalidCiphertext, match="Chunk 0"):
        _open(sealed, sealing.new_data_key())


def test_other_associated_data_fails(key: bytes) -> None:
    sealed, _ = _seal(_plaintext(100), key)
    with pytest.raises(InvalidCiphertext):
        _open(sealed, key, aad=b"competition:12/tender:35/file:5")


def test_a_flipped_bit_anywhere_fails(key: bytes) -> None:
    data = _plaintext(2 * CHUNK + 40)
    sealed, _ = _seal(data, key)
    # Every byte of the header and a spread of positions across all chunks and tags.
    positions = [*range(HEADER_SIZE), *range(HEADER_SIZE, len(sealed), 37), len(sealed) - 1]
    for position in positions:
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(InvalidCiphertext):
            _open(bytes(tampered), key)


def test_dropping_the_last_chunk_fails(key: bytes) -> None:
    header, chunks = _chunks(_seal(_plaintext(4 * CHUNK + 10), key)[0])
    assert len(chunks) == 5
    with pytest.raises(InvalidCiphertext, match="Chunk 3"):
        _open(header + b"".join(chunks[:-1]), key)


def test_dropping_the_last_chunk_of_whole_chunks_fails(key: bytes) -> None:
    header, chunks = _chunks(_seal(_plaintext(3 * CHUNK), key)[0])
    with pytest.raises(InvalidCiphertext):
        _open(header + b"".join(chunks[:-1]), key)


def test_cutting_inside_a_chunk_fails(key: bytes) -> None:
    sealed, _ = _seal(_plaintext(3 * CHUNK + 10), key)
    for cut in (HEADER_SIZE, HEADER_SIZE + 5, HEADER_SIZE + CHUNK + TAG_SIZE + 7, len(sealed) - 1):
        with pytest.raises(InvalidCiphertext):
            _open(sealed[:cut], key)


def test_appending_anything_fails(key: bytes) -> None:
    for size in (10, 2 * CHUNK):
        sealed, _ = _seal(_plaintext(size), key)
        for extra in (b"\x00", sealed[-(CHUNK + TAG_SIZE) :]):
            with pytest.raises(InvalidCiphertext):
                _open(sealed + extra, key)


def test_reordering_chunks_fails(key: bytes) -> None:
    header, chunks = _chunks(_seal(_plaintext(4 * CHUNK + 10), key)[0])
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    with pytest.raises(InvalidCiphertext, match="Chunk 0"):
        _open(header + b"".join(swapped), key)


def test_a_chunk_from_another_file_under_the_same_key_fails(key: bytes) -> None:
    data = _plaintext(3 * CHUNK)
    header, chunks = _chunks(_seal(data, key)[0])
    _, other = _chunks(_seal(data, key)[0])
    with pytest.raises(InvalidCiphertext, match="Chunk 1"):
        _open(header + chunks[0] + other[1] + chunks[2], key)


def test_garbage_is_not_a_sealed_file(key: bytes) -> None:
    for garbage in (b"", b"LPSL", _plaintext(500)):
        with pytest.raises(InvalidCiphertext):
            _open(garbage, key)


def test_bytes_round_trip_for_the_price_form(key: bytes) -> None:
    price = b'{"total_ore": 123456700, "currency": "NOK"}'
    sealed = sealing.encrypt_bytes(key, price, associated_data=AAD)
    assert b"123456700" not in sealed
    assert sealing.decrypt_bytes(key, sealed, associated_data=AAD) == price
    assert len(sealed) == HEADER_SIZE + len(price) + TAG_SIZE
    with pytest.raises(InvalidCiphertext):
        sealing.decrypt_bytes(key, sealed, associated_data=b"another tender")


def test_a_wrong_sized_key_is_refused() -> None:
    with pytest.raises(sealing.SealingError, match="32 bytes"):
        _seal(b"x", b"short")


# --- Wrapping ---------------------------------------------------------------------------------


def test_wrap_round_trip() -> None:
    master, data_key = os.urandom(32), sealing.new_data_key()
    wrapped = sealing.wrap(master, data_key, b"competition:12")
    assert data_key not in wrapped
    assert sealing.unwrap(master, wrapped, b"competition:12") == data_key


def test_unwrap_with_another_master_key_says_so() -> None:
    master, other = os.urandom(32), os.urandom(32)
    wrapped = sealing.wrap(master, sealing.new_data_key())
    with pytest.raises(WrongMasterKey, match=sealing.key_id(other)):
        sealing.unwrap(other, wrapped)


def test_a_wrapped_key_copied_to_another_competition_does_not_unwrap() -> None:
    master = os.urandom(32)
    wrapped = sealing.wrap(master, sealing.new_data_key(), b"competition:12")
    with pytest.raises(InvalidCiphertext):
        sealing.unwrap(master, wrapped, b"competition:13")


def test_an_altered_wrapped_key_fails() -> None:
    master = os.urandom(32)
    wrapped = sealing.wrap(master, sealing.new_data_key())
    for position in range(1 + 8, len(wrapped)):
        tampered = bytearray(wrapped)
        tampered[position] ^= 0x80
        with pytest.raises(InvalidCiphertext):
            sealing.unwrap(master, bytes(tampered))
    with pytest.raises(InvalidCiphertext):
        sealing.unwrap(master, wrapped[:-1])


# --- Loading the master key -------------------------------------------------------------------

KEY = bytes(range(32))


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        "  " + base64.b64encode(KEY).decode() + "\n",
    ],
    ids=["standard", "urlsafe", "unpadded", "whitespace"],
)
def test_master_key_from_the_environment(text: str) -> None:
    assert sealing.load_master_key(text, None) == KEY


def test_master_key_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"
    path.write_text(base64.b64encode(KEY).decode() + "\n")
    assert sealing.load_master_key(None, str(path)) == KEY


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64!", "not valid base64"),
        (base64.b64encode(b"x" * 16).decode(), "not 16 bytes"),
        ("   ", "No sealing key"),
    ],
)
def test_a_bad_master_key_is_refused_with_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(MasterKeyError, match=message) as error:
        sealing.load_master_key(value, None)
    assert value.strip() == "" or value not in str(error.value)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="no file at"):
        sealing.load_master_key(None, str(tmp_path / "missing.key"))


def test_both_sources_at_once_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="not both"):
        sealing.load_master_key(base64.b64encode(KEY).decode(), str(tmp_path / "k"))


def test_no_key_is_refused_outside_development_and_fixed_in_development() -> None:
    with pytest.raises(MasterKeyError, match="No sealing key"):
        sealing.load_master_key(None, None)
    assert sealing.load_master_key(None, None, allow_development_key=True) == (
        sealing.DEVELOPMENT_KEY
    )


def test_the_published_development_key_is_refused_outside_development() -> None:
    text = base64.b64encode(sealing.DEVELOPMENT_KEY).decode()
    with pytest.raises(MasterKeyError, match="development key"):
        sealing.load_master_key(text, None)
    assert sealing.load_master_key(text, None, allow_development_key=True)
