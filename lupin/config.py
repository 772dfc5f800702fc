"""The part of Lupin's configuration that does not need Django: where its files and database are,
and its default language.

`lupin.settings` builds Django's settings from these; `lupin import-ocds` reads them to open the
same database without loading Django (see `lupin.opendata.import_cli`). Both must agree, so both
take them from here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE_CODE = "nb"
LOCALE_DIR = BASE_DIR / "lupin" / "locale"


def var_dir() -> Path:
    """The folder for the SQLite database, uploads and collected static files."""
    value = (os.environ.get("LUPIN_VAR_DIR") or "").strip()
    return Path(value) if value else BASE_DIR / "var"


def database(*, testing: bool = False) -> dict[str, Any]:
    """Django's `DATABASES["default"]`: PostgreSQL (or another database) when DATABASE_URL is
    set, else SQLite under `var_dir()`. Raises ValueError for a DATABASE_URL it cannot read."""
    url = (os.environ.get("DATABASE_URL") or "").strip()
    if url:
        # Tests keep no connection open between requests: the live server runs in threads.
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0 if testing else 60))
        config["CONN_HEALTH_CHECKS"] = True
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(var_dir() / "lupin.sqlite3"),
        "OPTIONS": {
            # IMMEDIATE avoids "database is locked" between the web server and the worker.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # Tests use a file too, not Django's in-memory default: there a second writer fails at
        # once instead of waiting, so races would not run as they do on the site.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"lupin-test-{os.getpid()}.sqlite3")},
    }
