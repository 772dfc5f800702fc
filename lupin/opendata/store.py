"""Where the OCDS import keeps what it reads: the `ExternalNotice` and `ImportedRelease` tables,
through the database driver (DB-API), with or without Django.

`Store.django()` uses the connection of a Django process (the worker, `lupin import-eforms`, the
tests), inside Django's transactions. `Store.open(config.database())` opens its own connection
to the same database, for `lupin import-ocds`, which runs without loading Django: a long import
then starts at once and needs a third of the memory (bench/README.md).

Both write the rows as Django would: SQLite gets date-times as naive UTC text and decimals as
text, PostgreSQL gets aware date-times, numerics and `jsonb`. The table and column names are
the models' (`test_import_ocds_store` checks them against `lupin.opendata.models`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from lupin.opendata.i18n import gettext as _

NOTICES = "opendata_externalnotice"
RELEASES = "opendata_importedrelease"
# The columns the import writes (the primary key `id` is the database's).
# The notice's columns the import sets from the merged releases, every time it touches them.
NOTICE_FIELDS = [
    "title",
    "description",
    "buyer_name",
    "buyer_identifier",
    "cpv_codes",
    "main_cpv",
    "nuts_region",
    "value",
    "currency",
    "procedure",
    "status",
    "deadline",
    "url",
    "publisher",
    "published_at",
    "updated_at",
]
# All the columns of a new notice: ocid, source and imported_at are kept from its first import.
NOTICE_COLUMNS = ["ocid", "source", "imported_at", *NOTICE_FIELDS]
RELEASE_COLUMNS = [
    "notice_id",
    "ocid",
    "release_id",
    "date",
    "data",
    "digest",
    "source_file",
    "imported_at",
]
JSON_COLUMNS = {"cpv_codes", "data"}
DATETIME_COLUMNS = {"imported_at", "updated_at", "deadline", "published_at", "date"}


class StoreError(Exception):
    """The database cannot be used for the import (no tables, an engine Lupin does not run on)."""


class Json:
    """A JSON value already serialised: stored as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Store:
    def __init__(self, raw: Any, vendor: str, *, django: bool = False) -> None:
        if vendor not in ("sqlite", "postgresql"):
            raise StoreError(
                _("The import runs on SQLite and PostgreSQL, not %(name)s.") % {"name": vendor}
            )
        self.raw = raw  # a DB-API connection
        self.vendor = vendor
        self.django = django
        self._outer: Any = None  # Django's outermost atomic block, between begin and commit
        self.mark = "?" if vendor == "sqlite" else "%s"
        self.json_mark = self.mark if vendor == "sqlite" else "CAST(%s AS jsonb)"
        if vendor == "sqlite":
            self.errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
        else:
            import psycopg

            self.errors = (psycopg.DatabaseError,)
        self._depth = 0

    # --- Opening -----------------------------------------------------------------------------

    @classmethod
    def django_connection(cls) -> Store:
        """The default database connection of this Django process."""
        from django.db import connection

        connection.ensure_connection()
        return cls(connection.connection, connection.vendor, django=True)

    @classmethod
    def open(cls, database: dict[str, Any]) -> Store:
        """A connection of its own to the database Django's settings would use (`database` is
        `DATABASES["default"]`, as `lupin.config.database()` gives it). Raises StoreError when
        it cannot be used."""
        try:
            store = cls._connect(database)
        except sqlite3.Error as error:
            raise StoreError(str(error)) from None
        except Exception as error:
            if type(error).__module__.split(".")[0] != "psycopg":
                raise
            raise StoreError(str(error).strip()) from None
        try:
            store.check_tables()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _connect(cls, database: dict[str, Any]) -> Store:
        engine = database.get("ENGINE", "")
        options = dict(database.get("OPTIONS") or {})
        if engine == "django.db.backends.sqlite3":
            path = Path(database["NAME"])
            if not path.is_file():
                raise StoreError(
                    _("There is no database at %(path)s yet: run `lupin migrate` first.")
                    % {"path": path}
                )
            # Read-write, never create: a missing file is not a new, empty database.
            lite = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=rw",
                uri=True,
                timeout=float(options.get("timeout", 5)),
                isolation_level=None,
            )
            for statement in str(options.get("init_command") or "").split(";"):
                if statement.strip():
                    lite.execute(statement)
            # The import writes each page once and reads back little: half a megabyte of page
            # cache (SQLite's default is 2 MB) costs no time here.
            lite.execute("PRAGMA cache_size=-512")
            store = cls(lite, "sqlite")
        elif engine == "django.db.backends.postgresql":
            import psycopg

            options.pop("pool", None)
            params: dict[str, Any] = {
                "dbname": database.get("NAME") or None,
                "user": database.get("USER") or None,
                "password": database.get("PASSWORD") or None,
                "host": database.get("HOST") or None,
                "port": str(database["PORT"]) if database.get("PORT") else None,
            }
            params.update(options)
            postgres = psycopg.connect(
                autocommit=True, **{k: v for k, v in params.items() if v is not None}
            )
            postgres.execute("SET TIME ZONE 'UTC'")
            store = cls(postgres, "postgresql")
        else:
            raise StoreError(
                _("The import runs on SQLite and PostgreSQL, not %(name)s.")
                % {"name": engine or "?"}
            )
        return store

    def check_tables(self) -> None:
        if self.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE tablename IN (%s, %s)"
        found = {row[0] for row in self._fetch(sql, [NOTICES, RELEASES])}
        if found != {NOTICES, RELEASES}:
            raise StoreError(
                _("The database has no tables for imported notices yet: run `lupin migrate` first.")
            )

    def close(self) -> None:
        if not self.django:
            self.raw.close()

    # --- Transactions ------------------------------------------------------------------------

    def begin(self) -> None:
        """Start the transaction that `commit` or `rollback` ends."""
        if self.django:
            from django.db import transaction

            self._outer = transaction.atomic()
            self._outer.__enter__()
        else:
            self._depth += 1
            self.raw.execute("BEGIN IMMEDIATE" if self.vendor == "sqlite" else "BEGIN")

    def commit(self) -> None:
        if self.django:
            outer, self._outer = self._outer, None
            outer.__exit__(None, None, None)
        else:
            self.raw.execute("COMMIT")
            self._depth -= 1

    def rollback(self) -> None:
        if self.django:
            outer, self._outer = self._outer, None
            error = RuntimeError("import stopped")
            outer.__exit__(RuntimeError, error, None)
        else:
            self.raw.execute("ROLLBACK")
            self._depth -= 1

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction, or a savepoint inside one: all of it is written, or none of it."""
        if self.django:
            from django.db import transaction

            with transaction.atomic():
                yield
            return
        self._depth += 1
        name = f"lupin_import_{self._depth}"
        begin = "BEGIN IMMEDIATE" if self.vendor == "sqlite" else "BEGIN"
        self.raw.execute(begin if self._depth == 1 else f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK" if self._depth == 1 else f"ROLLBACK TO SAVEPOINT {name}")
            if self._depth > 1:
                self.raw.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self.raw.execute("COMMIT" if self._depth == 1 else f"RELEASE SAVEPOINT {name}")
        finally:
            self._depth -= 1

    # --- Reading -----------------------------------------------------------------------------

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _in(self, values: Sequence[str]) -> str:
        return ", ".join([self.mark] * len(values))

    def notices(self, ocids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """The stored notices of these ocids: ocid → (id, publisher)."""
        if not ocids:
            return {}
        sql = f"SELECT ocid, id, publisher FROM {NOTICES} WHERE ocid IN ({self._in(ocids)})"  # noqa: S608
        return {ocid: (pk, publisher) for ocid, pk, publisher in self._fetch(sql, ocids)}

    def release_digests(self, ocids: Sequence[str]) -> list[tuple[str, str, str, int]]:
        """(ocid, release id, digest, id) of every stored release of these ocids."""
        if not ocids:
            return []
        sql = (
            f"SELECT ocid, release_id, digest, id FROM {RELEASES} "  # noqa: S608
            f"WHERE ocid IN ({self._in(ocids)})"
        )
        return self._fetch(sql, ocids)

    def releases(self, ocids: Sequence[str]) -> Iterator[tuple[str, str, datetime | None, Any]]:
        """(ocid, release id, date in UTC, release) of every stored release of these ocids."""
        if not ocids:
            return
        sql = (
            f"SELECT ocid, release_id, date, data FROM {RELEASES} "  # noqa: S608
            f"WHERE ocid IN ({self._in(ocids)})"
        )
        for ocid, release_id, date, data in self._fetch(sql, ocids):
            yield (
                ocid,
                release_id,
                _read_datetime(date),
                json.loads(data) if isinstance(data, str | bytes) else data,
            )

    # --- Writing -----------------------------------------------------------------------------

    def _converter(self, column: str) -> Callable[[Any], Any] | None:
        """How a value of `column` goes to the driver (None: as it is)."""
        if column in JSON_COLUMNS:
            return _json_text
        if column in DATETIME_COLUMNS and self.vendor == "sqlite":
            return _naive_utc_text
        if column == "value" and self.vendor == "sqlite":
            return _decimal_text
        return None

    def _params(self, columns: Sequence[str], values: Sequence[Any]) -> list[Any]:
        return [
            value if convert is None or value is None else convert(value)
            for convert, value in zip(
                [self._converter(column) for column in columns], values, strict=True
            )
        ]

    def _marks(self, columns: Sequence[str]) -> str:
        return ", ".join(self.json_mark if c in JSON_COLUMNS else self.mark for c in columns)

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT the rows (values in the order of `columns`) with one `executemany`."""
        if not rows:
            return
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names are ours)
            f"VALUES ({self._marks(columns)})"
        )
        self._many(sql, (self._params(columns, row) for row in rows))

    def update(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[int, Sequence[Any]]]
    ) -> None:
        """UPDATE rows by id: `rows` are (id, values in the order of `columns`)."""
        if not rows:
            return
        sets = ", ".join(
            f"{c} = {self.json_mark if c in JSON_COLUMNS else self.mark}" for c in columns
        )
        sql = f"UPDATE {table} SET {sets} WHERE id = {self.mark}"  # noqa: S608
        self._many(sql, ([*self._params(columns, values), pk] for pk, values in rows))

    def notice_ids(self, ocids: Sequence[str]) -> dict[str, int]:
        return {ocid: pk for ocid, (pk, _) in self.notices(ocids).items()}


def _json_text(value: Any) -> str:
    if isinstance(value, Json):
        return value.text
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _naive_utc_text(value: datetime) -> str:
    """As Django's SQLite backend stores a date-time: naive, in UTC."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _decimal_text(value: Decimal) -> str:
    return str(value)


def _read_datetime(value: Any) -> datetime | None:
    """A stored date-time in UTC: SQLite gives text (or a naive datetime through Django's
    converters), PostgreSQL an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, bytes):
        value = value.decode()
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
