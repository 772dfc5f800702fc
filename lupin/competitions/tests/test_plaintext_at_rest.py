"""Annex IV (b)/(d): after a submission, what is at rest holds no plaintext of the tender.

Where test_tender_access.py reads the rows back through the ORM, this test reads what is really
at rest: on SQLite the database FILE itself (and its write-ahead log) byte for byte, which also
catches plaintext left in freed pages, journals or indexes; on PostgreSQL, whose files are not
ours to read, every column of every table through SQL. And every file in the media folder.

The submission must be committed for it to reach the file, so these tests run in transactions
of their own (`transaction=True`), and on SQLite the WAL is checkpointed into the main file.
"""

from __future__ import annotations

import base64
import struct
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from lupin.accounts.actions import create_api_token
from lupin.accounts.models import User
from lupin.competitions.models import Competition, Tender
from lupin.competitions.tests.conftest import MARKER, tender_file

pytestmark = pytest.mark.django_db(transaction=True)

PRICE = "736251948,19"
PRICE_DIGITS = "736251948"
FILE_NAME = "anbud-nordlys-QX7731.pdf"
BODY = b"%PDF-1.4 " + MARKER + b" the tender's own words"


def needles() -> dict[str, bytes]:
    """What must not be found at rest, by what it is."""
    price = Decimal(PRICE.replace(",", "."))
    found = {
        "marker": MARKER,
        "marker as hex": MARKER.hex().encode(),
        "file body as base64": base64.b64encode(BODY),
        "file name": FILE_NAME.encode(),
        "file name without extension": FILE_NAME.removesuffix(".pdf").encode(),
        "price digits": PRICE_DIGITS.encode(),
    }
    if connection.vendor == "sqlite":
        # SQLite keeps numbers in binary, big-endian: a decimal column holds the price as an
        # 8-byte REAL, an integer column of øre as a 6-byte integer; text would hold the digits.
        found["price as an SQLite REAL"] = struct.pack(">d", float(price))
        found["price in øre as an SQLite integer"] = int(price * 100).to_bytes(6, "big")
    return found


def submit(channel: str, client, supplier: User, competition: Competition) -> Tender:
    upload = tender_file(FILE_NAME, BODY)
    if channel == "api":
        _, raw = create_api_token(supplier, supplier, "test")
        response = client.post(
            f"/api/v1/competitions/{competition.pk}/tenders",
            data={"price": PRICE, "file": [upload]},
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 201, response.content
    else:
        client.force_login(supplier)
        response = client.post(
            reverse("competitions:tender", args=[competition.pk]),
            {"price": PRICE, "file": [upload]},
        )
        assert response.status_code == 302, response.content
    return Tender.objects.get(competition=competition, organisation=supplier.organisation)


def sqlite_bytes_at_rest() -> bytes:
    """The committed database as it lies on disk: the main file after a full checkpoint, plus
    whatever is still in the WAL or a rollback journal."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
        busy, _, _ = cursor.fetchone()
    assert busy == 0, "another connection blocked the checkpoint"
    name = Path(connection.settings_dict["NAME"])
    assert name.is_file(), f"the test database is not a file: {name}"
    parts = [name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-journal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def postgresql_columns_containing(needle: bytes) -> list[str]:
    """Every table.column of the current schema with a value containing `needle`: bytea
    compared as bytes, every other type (text, json, numeric, …) through its text form."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position"
        )
        for table, column, data_type in cursor.fetchall():
            value: bytes | str
            if data_type == "bytea":
                condition, value = f'position(%s::bytea in "{column}") > 0', needle
            else:
                condition, value = f'strpos("{column}"::text, %s) > 0', needle.decode()
            # Names come from information_schema, the value is a parameter.
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE {condition} LIMIT 1', [value])  # noqa: S608
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def media_files_containing(media: Path, needle: bytes) -> list[str]:
    return [
        str(path.relative_to(media))
        for path in media.rglob("*")
        if path.is_file() and (needle in path.read_bytes() or needle in str(path).encode())
    ]


@pytest.mark.parametrize("channel", ["api", "page"])
def test_no_plaintext_of_a_tender_in_the_database_or_the_media_folder(
    channel, client, supplier, competition, media
):
    tender = submit(channel, client, supplier, competition)
    stored = list((media / "sealed").rglob("*.sealed"))
    assert len(stored) == 1  # the tender file was stored, sealed

    if connection.vendor == "sqlite":
        at_rest = sqlite_bytes_at_rest()
        # The scan sees this submission: its receipt hash (written in the same transaction as
        # the sealed price and file name) is in the bytes read.
        assert tender.receipt_hash.encode() in at_rest
        leaks = [what for what, needle in needles().items() if needle in at_rest]
    else:
        assert "competitions_tender.receipt_hash" in postgresql_columns_containing(
            tender.receipt_hash.encode()
        )
        leaks = [
            f"{what} in {column}"
            for what, needle in needles().items()
            for column in postgresql_columns_containing(needle)
        ]
    assert leaks == []

    assert [
        f"{what} in {path}"
        for what, needle in needles().items()
        for path in media_files_containing(media, needle)
    ] == []
