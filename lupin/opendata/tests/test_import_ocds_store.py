"""`lupin import-ocds` without Django: its own connection (`Store.open`) writes what the ORM
would, the console script never imports Django, and the pieces it keeps apart from Django (table
and column names, field lengths, merge rules, language) still match the models and settings."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from lupin import config
from lupin import settings as site_settings
from lupin.opendata import i18n, import_cli, notice_fields, store
from lupin.opendata.importer import ImportSummary, import_releases, read_ocds_file
from lupin.opendata.models import ExternalNotice, ImportedRelease, NoticeSource
from lupin.opendata.tests.ocds_helpers import SAMPLE, all_files, package, release, write

# Rows compared between the two ways of writing (not the ids nor the import times).
NOTICE_VALUES = [
    "source",
    "publisher",
    "ocid",
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
    "published_at",
    "url",
]
RELEASE_VALUES = ["notice__ocid", "ocid", "release_id", "date", "data", "digest", "source_file"]


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}{port}/{db['NAME']}"


def rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    notices = list(ExternalNotice.objects.order_by("ocid").values_list(*NOTICE_VALUES))
    releases = list(
        ImportedRelease.objects.order_by("ocid", "release_id").values_list(*RELEASE_VALUES)
    )
    return notices, releases


def import_sample(store_: store.Store | None) -> ImportSummary:
    summary = ImportSummary()
    items = (item for path in all_files(SAMPLE) for item in read_ocds_file(path, summary))
    import_releases(items, source=NoticeSource.OCDS, summary=summary, store=store_)
    return summary


@pytest.mark.django_db(transaction=True)
def test_its_own_connection_writes_what_the_django_connection_writes() -> None:
    opened = store.Store.open(connection.settings_dict)
    try:
        own = import_sample(opened)
    finally:
        opened.close()
    written_alone = rows()
    assert written_alone[0] and written_alone[1]
    ExternalNotice.objects.all().delete()

    inside = import_sample(None)

    assert rows() == written_alone
    assert (own.processes_new, own.releases_new) == (inside.processes_new, inside.releases_new)
    # The values went in as Django reads them: aware times, decimals, JSON.
    notice = ExternalNotice.objects.exclude(value=None).exclude(published_at=None).first()
    assert notice is not None and notice.published_at is not None
    assert notice.published_at.tzinfo is not None
    assert all(isinstance(data, dict) for data in notice.releases.values_list("data", flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_console_script_imports_without_loading_django(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.json",
        package(
            release(tender={"title": "Brøyting", "value": {"amount": "1 000", "currency": "NOK"}})
        ),
    )
    script = (
        "import sys\n"
        "from lupin.__main__ import command_name, runs_without_django\n"
        "from lupin.opendata import import_cli\n"
        "args = command_name(['lupin', 'import-ocds', sys.argv[1]])\n"
        "assert runs_without_django(args)\n"
        "status = import_cli.main(args[2:])\n"
        "print('django loaded:', any(m.split('.')[0] == 'django' for m in sys.modules))\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url(), "LUPIN_DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "django loaded: False" in done.stdout
    # Bokmål, as Django's commands print it (LANGUAGE_CODE), from the same catalogue.
    assert "Prosesser: 1 nye" in done.stdout
    assert "bad-number" in done.stdout
    notice = ExternalNotice.objects.get()
    assert (notice.title, notice.value, notice.source) == ("Brøyting", 1000, NoticeSource.OCDS)


def test_an_unmigrated_database_is_refused_with_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    missing = tmp_path / "missing.sqlite3"

    for path in (empty, missing):
        with pytest.raises(store.StoreError, match="lupin migrate"):
            store.Store.open({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
    assert not missing.exists()  # not created by trying


def test_the_console_script_says_when_the_database_cannot_be_used(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "lupin", "import-ocds", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )

    assert done.returncode == 1
    assert "lupin migrate" in done.stderr


def test_other_settings_send_the_command_through_django() -> None:
    from lupin.__main__ import runs_without_django

    assert runs_without_django(["lupin", "import_ocds", "x.json"])
    assert not runs_without_django(["lupin", "import_ocds", "x.json", "--settings", "other"])
    assert not runs_without_django(["lupin", "import_eforms", "x.xml"])


# What the import keeps apart from Django still matches Django's side


def test_the_tables_and_columns_are_the_models() -> None:
    def columns(model: Any) -> set[str]:
        return {f.column for f in model._meta.concrete_fields} - {"id"}

    assert ExternalNotice._meta.db_table == store.NOTICES
    assert ImportedRelease._meta.db_table == store.RELEASES
    assert set(store.NOTICE_COLUMNS) == columns(ExternalNotice)
    assert set(store.RELEASE_COLUMNS) == columns(ImportedRelease)
    json_columns = {
        f.column
        for model in (ExternalNotice, ImportedRelease)
        for f in model._meta.concrete_fields
        if f.get_internal_type() == "JSONField"
    }
    assert json_columns == store.JSON_COLUMNS


def test_the_field_lengths_are_the_models() -> None:
    for name, length in notice_fields.MAX_LENGTHS.items():
        field = ExternalNotice._meta.get_field(name)
        assert getattr(field, "max_length", None) == length, name


def test_the_source_and_the_language_are_the_sites() -> None:
    assert import_cli.SOURCE == NoticeSource.OCDS
    # (Tests run in English: lupin/conftest.py overrides LANGUAGE_CODE; the module is the site's.)
    assert config.LANGUAGE_CODE == site_settings.LANGUAGE_CODE == "nb"
    assert [str(config.LOCALE_DIR)] == [str(path) for path in settings.LOCALE_PATHS]


def test_messages_are_translated_with_and_without_django() -> None:
    message = "No such file or folder."
    with translation.override("nb"):
        inside = i18n.gettext(message)
    alone = i18n._catalogue().gettext(message)

    assert inside == alone != message
    with translation.override("en"):
        assert i18n.gettext(message) == message


def test_a_stored_release_reads_back_in_utc() -> None:
    assert store._read_datetime("2025-01-15 11:00:00") == store._read_datetime(
        "2025-01-15T12:00:00+01:00"
    )
    assert store._read_datetime(None) is None
    assert json.loads(store._json_text(store.Json('{"a":1}'))) == {"a": 1}
