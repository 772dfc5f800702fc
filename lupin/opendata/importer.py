"""Import OCDS releases: store each one once, merge them per contracting process, and keep the
`ExternalNotice` that Lupin's lists show up to date.

The pipeline, for OCDS files (`lupin import-ocds`) and for eForms notices mapped to OCDS::

    summary = ImportSummary()
    items = itertools.chain.from_iterable(read_ocds_file(p, summary) for p in paths)
    import_releases(items, source=NoticeSource.OCDS, summary=summary)

- `read_ocds_file(path, summary)` (from `ocds_reader`) streams `(file, json_path, release)`
  from release packages, record packages, records, loose releases, arrays and JSON Lines.
- `import_releases(items, *, source, publisher="", summary)` checks and repairs each release
  (`ocds_checks`: every deviation becomes a `Problem` with the file and JSON path), then stores
  every new or changed release as an `ImportedRelease`: the SHA-256 of its canonical JSON decides
  (identical → unchanged, nothing written). The releases of every touched `ocid` (this run's and
  those stored before) are merged once per run with the OCDS merge rules of the release schema
  Lupin ships (`merge.compile_releases`: what ocdsmerge compiles, faster), and the notice's list
  fields are read from the compiled release (`notice_fields`). The compiled release itself is
  not stored: `ExternalNotice.compiled_release()` compiles it again from the stored releases
  when a page asks for it, as Lupin's own records are compiled on request.
- `store` writes through the database driver (`lupin.opendata.store`), so the same pipeline runs
  inside Django (`lupin import-eforms`, the tests) and without it (`lupin import-ocds`).
- Problems are appended to `summary`, never raised. A release without `ocid` or `id` cannot be
  stored; everything else is kept (see `ocds_checks` for what is repaired).

Memory stays flat: the releases are spooled to a temporary SQLite file (their canonical JSON),
then read back grouped by ocid, in batches of about 256 KiB of JSON. Each batch is written in a
savepoint of a transaction committed every 32 MiB or so, so an ocid is never half updated; if a
batch fails, each of its ocids is tried alone, and one that still fails is reported and left as
it was. The rows are written with one `executemany` per table, not the ORM's bulk_create.

A release met twice in one run (the same ocid and id, in one file or in two) is stored once: a
byte-identical repeat is counted, a different one is reported as "duplicate-release" and the
first one read wins, so importing the same files again gives the same result.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import tempfile
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from lupin.opendata.i18n import gettext as _
from lupin.opendata.merge import compile_leniently
from lupin.opendata.notice_fields import clean_url, notice_fields, package_publisher, read_datetime
from lupin.opendata.ocds_checks import check_release
from lupin.opendata.ocds_reader import read_ocds_file
from lupin.opendata.store import (
    NOTICE_COLUMNS,
    NOTICE_FIELDS,
    NOTICES,
    RELEASE_COLUMNS,
    RELEASES,
    Json,
    Store,
)

__all__ = [
    "ImportProgress",
    "ImportSummary",
    "PackageInfo",
    "Problem",
    "import_releases",
    "problem_line",
    "problems_csv_writer",
    "read_ocds_file",
    "summary_lines",
    "write_problems_csv",
]

# Processes merged and written per transaction: at most this many, and no more releases than
# about this much JSON (a process with more is still merged whole). Parsed, a release takes
# several times its JSON's size, so this bounds the import's memory.
OCIDS_PER_BATCH = 100
JSON_PER_BATCH = 256 * 1024
# JSON written per transaction.
JSON_PER_COMMIT = 32 * 1024 * 1024
# Releases go to the spool in groups of about this much JSON.
SPOOL_JSON = 1024 * 1024
MAX_OCID = 200
MAX_RELEASE_ID = 300
MAX_SOURCE_FILE = 500
CHANGED_RELEASE_COLUMNS = ["date", "data", "digest", "source_file", "imported_at"]


@dataclass(frozen=True)
class Problem:
    file: str  # the path as given
    where: str  # a JSON path such as "$.releases[3].tender.value.amount" (XML: "line 12, BT-27")
    kind: str  # a short stable code: "invalid-json", "missing-ocid", "bad-number", …
    message: str  # for a person, in the active language


@dataclass(frozen=True)
class PackageInfo:
    publisher: str = ""
    uri: str = ""
    version: str = ""


@dataclass
class ImportSummary:
    """What one import did. Counts are of releases and processes (ocids) met in the run."""

    files: int = 0
    unreadable: int = 0
    processes_new: int = 0
    processes_updated: int = 0
    processes_unchanged: int = 0
    releases_new: int = 0
    releases_changed: int = 0
    releases_unchanged: int = 0
    releases_repeated: int = 0  # met again in the same run, identical
    releases_skipped: int = 0  # not stored: no ocid or id, a conflicting duplicate, …
    problems: list[Problem] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    # Each file's package metadata, noted by `read_ocds_file` (its publisher names the notices'
    # source); `import_releases` moves them into its spool as it goes.
    packages: dict[str, PackageInfo] = field(default_factory=dict)
    # Keep only the first `keep` problems in `problems` (None: all of them; a large messy
    # import can have hundreds of thousands); `on_problem` sees every one (e.g. a CSV writer).
    keep: int | None = None
    on_problem: Callable[[Problem], None] | None = None

    def add(self, file: str, where: str, kind: str, message: str) -> None:
        problem = Problem(file, where, kind, message)
        self.by_kind[kind] += 1
        if self.keep is None or len(self.problems) < self.keep:
            self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    @property
    def problem_count(self) -> int:
        return sum(self.by_kind.values())

    def note_package(
        self, file: str, *, publisher: str = "", uri: str = "", version: str = ""
    ) -> None:
        """Remember a file's package metadata (its publisher names the notices' source)."""
        if publisher or uri or version:
            self.packages[file] = PackageInfo(publisher.strip(), uri.strip(), version.strip())

    @property
    def releases(self) -> int:
        return self.releases_new + self.releases_changed + self.releases_unchanged

    @property
    def processes(self) -> int:
        return self.processes_new + self.processes_updated + self.processes_unchanged


class ImportProgress(Protocol):
    """Told how far the import is (the command draws a progress bar with it)."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


# Parsed JSON has no cycles: not checking for them makes encoding a quarter faster.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)


def canonical_json(release: dict[str, Any]) -> str:
    """The text a release's digest is taken of, and the one stored: keys sorted, no spaces."""
    return _CANONICAL.encode(release)


# --- Phase 1: check every release and spool it, grouped by ocid ----------------------------------


class _Row(NamedTuple):
    """A spooled release (its first seven values are the spool's columns)."""

    ocid: str
    release_id: str
    digest: str
    order: str  # the release date in UTC as ISO text ("" when unknown): sorts releases in time
    file: str
    where: str
    text: str
    # The package of the file it came from, when read back.
    publisher: str | None = None
    uri: str | None = None


class _Spool:
    """Releases of this run in a temporary SQLite file: one row per (ocid, release id)."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="lupin-import-")
        self.db = sqlite3.connect(Path(self.folder.name) / "spool.sqlite3")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        # Written once, read once in order: a small page cache is enough.
        self.db.execute("PRAGMA cache_size=-512")
        self.db.execute(
            "CREATE TABLE releases (ocid TEXT, release_id TEXT, digest TEXT, sort TEXT, "
            "file TEXT, path TEXT, data TEXT)"
        )
        self.db.execute("CREATE UNIQUE INDEX release_once ON releases (ocid, release_id)")
        self.db.execute("CREATE TABLE packages (file TEXT PRIMARY KEY, publisher TEXT, uri TEXT)")

    def add(self, rows: list[_Row]) -> Iterator[tuple[_Row, tuple[str, str, str]]]:
        """Store the rows; yield each one whose (ocid, id) was there already, with the digest,
        file and path of the one that was."""
        before = self.db.total_changes
        self.db.executemany(
            "INSERT OR IGNORE INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)", (r[:7] for r in rows)
        )
        if self.db.total_changes - before == len(rows):
            return
        for row in rows:
            first = self.db.execute(
                "SELECT digest, file, path FROM releases WHERE ocid = ? AND release_id = ?",
                (row.ocid, row.release_id),
            ).fetchone()
            if (first[1], first[2]) != (row.file, row.where):
                yield row, (first[0], first[1], first[2])

    def add_packages(self, packages: dict[str, PackageInfo]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO packages VALUES (?, ?, ?)",
            ((file, info.publisher, info.uri) for file, info in packages.items()),
        )

    def count_ocids(self) -> int:
        return int(self.db.execute("SELECT COUNT(DISTINCT ocid) FROM releases").fetchone()[0])

    def batches(self) -> Iterator[list[tuple[str, list[_Row]]]]:
        """The spooled releases grouped by ocid, a bounded number of ocids at a time."""
        rows = self.db.execute(
            "SELECT r.ocid, r.release_id, r.digest, r.sort, r.file, r.path, r.data, "
            "p.publisher, p.uri FROM releases r LEFT JOIN packages p ON p.file = r.file "
            "ORDER BY r.ocid, r.release_id"
        )
        batch: list[tuple[str, list[_Row]]] = []
        size = 0
        for ocid, group in groupby((_Row(*row) for row in rows), key=lambda row: row.ocid):
            releases = list(group)
            batch.append((ocid, releases))
            size += sum(len(row.text) for row in releases)
            if len(batch) >= OCIDS_PER_BATCH or size >= JSON_PER_BATCH:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


def _identity(
    release: dict[str, Any], file: str, where: str, summary: ImportSummary
) -> tuple[str, str] | None:
    """The release's (ocid, id), or None (reported) when it cannot be stored."""
    ocid = release.get("ocid")
    release_id = release.get("id")
    if not isinstance(ocid, str) or not ocid.strip():
        summary.add(
            file,
            f"{where}.ocid",
            "missing-ocid",
            _("The release has no ocid, so it belongs to no process; not imported."),
        )
        return None
    if (
        isinstance(release_id, bool)
        or not isinstance(release_id, str | int)
        or not str(release_id).strip()
    ):
        summary.add(
            file,
            f"{where}.id",
            "missing-id",
            _("The release has no id, so it cannot be told apart from the others; not imported."),
        )
        return None
    if len(ocid) > MAX_OCID or len(str(release_id)) > MAX_RELEASE_ID:
        summary.add(
            file,
            f"{where}.ocid" if len(ocid) > MAX_OCID else f"{where}.id",
            "too-long",
            _("The ocid (at most %(ocid)s characters) or id (%(id)s) is too long; not imported.")
            % {"ocid": MAX_OCID, "id": MAX_RELEASE_ID},
        )
        return None
    return ocid, str(release_id)


def _order(release: dict[str, Any], file: str, where: str, summary: ImportSummary) -> str:
    date = release.get("date")
    if date is None:
        summary.add(
            file,
            f"{where}.date",
            "missing-date",
            _("The release has no date; it is merged before the dated ones."),
        )
        return ""
    moment = read_datetime(date)
    return moment.astimezone(UTC).isoformat() if moment else ""


def _spool(
    items: Iterable[tuple[str, str, dict[str, Any]]], spool: _Spool, summary: ImportSummary
) -> None:
    rows: list[_Row] = []
    size = 0
    for file, where, release in items:
        if not isinstance(release, dict):
            summary.add(file, where, "unknown-structure", _("A release should be a JSON object."))
            summary.releases_skipped += 1
            continue
        identity = _identity(release, file, where, summary)
        if identity is None:
            summary.releases_skipped += 1
            continue
        check_release(release, where, partial(summary.add, file))
        order = _order(release, file, where, summary)
        text = canonical_json(release)
        digest = hashlib.sha256(text.encode()).hexdigest()
        rows.append(_Row(*identity, digest, order, file, where, text))
        size += len(text)
        if size >= SPOOL_JSON:
            _flush(rows, spool, summary)
            rows, size = [], 0
    _flush(rows, spool, summary)


def _flush(rows: list[_Row], spool: _Spool, summary: ImportSummary) -> None:
    # The packages noted so far move to the spool: one entry per file read adds up.
    spool.add_packages(summary.packages)
    summary.packages.clear()
    for row, (digest, file, where) in spool.add(rows):
        if digest == row.digest:
            summary.releases_repeated += 1
            continue
        summary.releases_skipped += 1
        summary.add(
            row.file,
            row.where,
            "duplicate-release",
            _(
                "Release %(id)s of %(ocid)s was already read, with other content, from "
                "%(file)s at %(where)s; that one is kept."
            )
            % {"id": row.release_id, "ocid": row.ocid, "file": file, "where": where},
        )


# --- Phase 2: per ocid, compare with what is stored, merge, write ---------------------------------


@dataclass
class _Process:
    """One ocid's work in this run."""

    ocid: str
    rows: list[_Row]
    notice: tuple[int, str] | None  # the stored notice's (id, publisher)
    new: list[_Row] = field(default_factory=list)
    changed: list[tuple[_Row, int]] = field(default_factory=list)  # with the stored pk
    unchanged: int = 0
    # Stored releases this run did not read, as (order, release id, release): needed to merge.
    others: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    loaded: dict[str, dict[str, Any]] = field(default_factory=dict)  # this run's, parsed

    @property
    def dirty(self) -> bool:
        return bool(self.new or self.changed) or self.notice is None


def _moment(order: str) -> datetime | None:
    return datetime.fromisoformat(order) if order else None


class _Compiler:
    def __init__(self, summary: ImportSummary, source: str, publisher: str) -> None:
        self.summary = summary
        self.source = source
        self.publisher = publisher

    def compile(self, process: _Process) -> dict[str, Any]:
        """Merge the process's releases, oldest first (a release that cannot be merged with the
        ones before it is reported and left out of the compiled release, not of the store)."""
        ordered = sorted(
            [(row.order, row.release_id, process.loaded[row.release_id]) for row in process.rows]
            + process.others
        )

        def conflict(release: dict[str, Any], error: Exception) -> None:
            file, where = self._origin(process, release)
            self.summary.add(
                file,
                where,
                "merge-conflict",
                _(
                    "Release %(id)s of %(ocid)s cannot be merged with the earlier ones "
                    "(%(reason)s); it is stored, but left out of the compiled release."
                )
                % {"id": release.get("id"), "ocid": process.ocid, "reason": error},
            )

        return compile_leniently([release for _, _, release in ordered], conflict)

    def _origin(self, process: _Process, release: dict[str, Any]) -> tuple[str, str]:
        for row in process.rows:
            if row.release_id == str(release.get("id")):
                return row.file, row.where
        return "", f"{process.ocid} {release.get('id')}"

    def notice_values(self, process: _Process, compiled: dict[str, Any]) -> dict[str, Any]:
        values = notice_fields(compiled)
        latest = max([row.order for row in process.rows] + [o for o, _, _ in process.others])
        values["published_at"] = _moment(latest)
        # The package of the latest release read in this run that came in one.
        package = next(
            (
                PackageInfo(row.publisher or "", row.uri or "")
                for row in sorted(process.rows, key=lambda row: (row.order, row.release_id))[::-1]
                if row.publisher or row.uri
            ),
            PackageInfo(),
        )
        values["publisher"] = (
            self.publisher
            or package.publisher
            or package_publisher(compiled)
            or (process.notice[1] if process.notice else "")
        )[:200]
        if not values["url"]:
            values["url"] = clean_url(package.uri)
        return values


def _prepare(batch: list[tuple[str, list[_Row]]], store: Store) -> list[_Process]:
    """Compare the batch with what is stored: two queries for the whole batch."""
    ocids = [ocid for ocid, _ in batch]
    notices = store.notices(ocids)
    stored: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for ocid, release_id, digest, pk in store.release_digests(ocids):
        stored[ocid][release_id] = (digest, pk)
    processes = []
    for ocid, rows in batch:
        process = _Process(ocid, rows, notices.get(ocid))
        known = stored.get(ocid, {})
        for row in rows:
            if row.release_id not in known:
                process.new.append(row)
            elif known[row.release_id][0] != row.digest:
                process.changed.append((row, known[row.release_id][1]))
            else:
                process.unchanged += 1
        processes.append(process)
    # The stored releases of an updated process that this run did not read: needed to merge.
    dirty = {p.ocid: p for p in processes if p.dirty and stored.get(p.ocid)}
    if dirty:
        in_run = {(p.ocid, row.release_id) for p in dirty.values() for row in p.rows}
        for ocid, release_id, date, data in store.releases(list(dirty)):
            if (ocid, release_id) not in in_run:
                order = date.isoformat() if date else ""
                dirty[ocid].others.append((order, release_id, data))
    return processes


def _write(processes: list[_Process], source: str, store: Store) -> None:
    """Write the dirty processes of a batch (in the caller's transaction)."""
    now = datetime.now(UTC)
    new = [process for process in processes if process.notice is None]
    store.insert(
        NOTICES,
        NOTICE_COLUMNS,
        [
            [
                *(p.ocid, source, now),
                *(p.fields[name] if name != "updated_at" else now for name in NOTICE_FIELDS),
            ]
            for p in new
        ],
    )
    pks = store.notice_ids([p.ocid for p in new])
    updated = []
    for process in processes:
        if process.notice is None:
            continue
        pks[process.ocid] = process.notice[0]
        values = [process.fields[name] if name != "updated_at" else now for name in NOTICE_FIELDS]
        updated.append((process.notice[0], values))
    store.update(NOTICES, NOTICE_FIELDS, updated)
    store.insert(
        RELEASES,
        RELEASE_COLUMNS,
        [
            [
                *(pks[process.ocid], row.ocid, row.release_id, _moment(row.order)),
                *(Json(row.text), row.digest, row.file[-MAX_SOURCE_FILE:], now),
            ]
            for process in processes
            for row in process.new
        ],
    )
    store.update(
        RELEASES,
        CHANGED_RELEASE_COLUMNS,
        [
            (pk, [_moment(row.order), Json(row.text), row.digest, row.file[-MAX_SOURCE_FILE:], now])
            for process in processes
            for row, pk in process.changed
        ],
    )


def _compute(
    batch: list[tuple[str, list[_Row]]], compiler: _Compiler, summary: ImportSummary, store: Store
) -> tuple[list[_Process], int]:
    """Compare one batch of processes with what is stored and merge the ones that changed;
    return them, with how much JSON they will write."""
    processes = _prepare(batch, store)
    dirty = [process for process in processes if process.dirty]
    for process in processes:
        if not process.dirty:
            summary.releases_unchanged += process.unchanged
            summary.processes_unchanged += 1
    size = 0
    for process in dirty:
        process.loaded = {row.release_id: json.loads(row.text) for row in process.rows}
        process.fields = compiler.notice_values(process, compiler.compile(process))
        process.loaded = {}  # only the text is needed from here on
        size += sum(len(row.text) for row in process.new)
    return dirty, size


Counts = tuple[int, int, int, int, int]


class _Writer:
    """Writes the merged batches: each in a savepoint of a transaction that `commit` ends. The
    counts of what was written reach the summary only once committed (`finish`)."""

    def __init__(self, store: Store, source: str) -> None:
        self.store = store
        self.source = source
        self.open = False
        self.uncommitted: list[Counts] = []
        self.committed: list[Counts] = []
        self.refused: list[tuple[_Process, str]] = []  # the process and the database's reason

    def write(self, dirty: list[_Process]) -> None:
        if not dirty:
            return
        if not self.open:
            self.store.begin()
            self.open = True
        try:
            with self.store.atomic():
                _write(dirty, self.source, self.store)
            self.uncommitted.append(_counts(dirty))
            return
        except self.store.errors:
            pass
        # Find the process the database refused: each one alone.
        for process in dirty:
            try:
                with self.store.atomic():
                    _write([process], self.source, self.store)
                self.uncommitted.append(_counts([process]))
            except self.store.errors as error:
                self.refused.append((process, str(error)[:200]))

    def commit(self) -> None:
        self._commit()

    def close(self, *, failed: bool = False) -> None:
        self._close(failed)

    def _commit(self) -> None:
        if self.open:
            self.store.commit()
            self.open = False
            self.committed += self.uncommitted
            self.uncommitted = []

    def _close(self, failed: bool) -> None:
        if self.open and failed:
            self.store.rollback()
            self.open = False
        self._commit()

    def finish(self, summary: ImportSummary) -> None:
        """Add what was written, and what the database refused, to `summary`."""
        for counts in self.committed:
            _count(summary, *counts)
        for process, reason in self.refused:
            first = process.rows[0]
            summary.releases_skipped += len(process.new) + len(process.changed)
            summary.add(
                first.file,
                first.where,
                "not-stored",
                _("The database refused process %(ocid)s (%(reason)s); it was left as it was.")
                % {"ocid": process.ocid, "reason": reason},
            )


def _counts(processes: list[_Process]) -> Counts:
    """(new, changed, unchanged releases; new, updated processes) of processes written."""
    created = sum(process.notice is None for process in processes)
    return (
        sum(len(process.new) for process in processes),
        sum(len(process.changed) for process in processes),
        sum(process.unchanged for process in processes),
        created,
        len(processes) - created,
    )


def _count(
    summary: ImportSummary, new: int, changed: int, unchanged: int, created: int, updated: int
) -> None:
    summary.releases_new += new
    summary.releases_changed += changed
    summary.releases_unchanged += unchanged
    summary.processes_new += created
    summary.processes_updated += updated


def import_releases(
    items: Iterable[tuple[str, str, dict[str, Any]]],
    *,
    source: str,
    publisher: str = "",
    summary: ImportSummary,
    progress: ImportProgress | None = None,
    store: Store | None = None,
) -> None:
    """Store each new or changed release as an `ImportedRelease` and recompile the
    `ExternalNotice` of every ocid it touches (see the module's docstring).

    items: `(file, json_path_of_the_release, release)`; `source` is a `NoticeSource` value;
    `publisher`, when given, names the source of every notice touched (else the package's
    publisher); `store` is where they go (default: this Django process's database). Problems
    are appended to `summary`, never raised."""
    if store is None:
        store = Store.django_connection()
    spool = _Spool()
    writer = _Writer(store, source)
    failed = True
    try:
        _spool(items, spool, summary)
        if progress is not None:
            progress.stage("compile", spool.count_ocids())
        compiler = _Compiler(summary, source, publisher)
        size = 0
        with warnings.catch_warnings():
            for batch in spool.batches():
                dirty, written = _compute(batch, compiler, summary, store)
                writer.write(dirty)
                # One transaction for several batches: a commit costs a checkpoint of SQLite's
                # write-ahead log; each batch is a savepoint, each process wholly in one.
                size += written
                if size >= JSON_PER_COMMIT:
                    writer.commit()
                    size = 0
                if progress is not None:
                    progress.advance(len(batch))
        failed = False
    finally:
        try:
            writer.close(failed=failed)
        finally:
            spool.close()
            writer.finish(summary)


# --- Reporting (shared by the import commands) ---------------------------------------------------


def summary_lines(summary: ImportSummary) -> list[str]:
    """The end-of-import summary for a person: files, processes, releases, problems by kind."""
    lines = [
        _("Files: %(read)s read, %(unreadable)s could not be read.")
        % {"read": summary.files - summary.unreadable, "unreadable": summary.unreadable},
        _("Processes: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "new": summary.processes_new,
            "updated": summary.processes_updated,
            "unchanged": summary.processes_unchanged,
        },
        _(
            "Releases: %(new)s new, %(changed)s changed, %(unchanged)s unchanged; "
            "%(repeated)s read twice (identical), %(skipped)s not imported."
        )
        % {
            "new": summary.releases_new,
            "changed": summary.releases_changed,
            "unchanged": summary.releases_unchanged,
            "repeated": summary.releases_repeated,
            "skipped": summary.releases_skipped,
        },
    ]
    if summary.by_kind:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.by_kind.items()))
        lines.append(
            _("Problems: %(count)s (%(kinds)s).") % {"count": summary.problem_count, "kinds": kinds}
        )
    else:
        lines.append(_("Problems: none."))
    return lines


def problem_line(problem: Problem) -> str:
    where = f"{problem.file}: {problem.where}" if problem.where else problem.file
    return f"{where}: [{problem.kind}] {problem.message}"


CSV_HEADER = ["file", "where", "kind", "message"]


def write_problems_csv(summary: ImportSummary, handle: IO[str]) -> None:
    """The problems kept in `summary` as CSV: file, where, kind, message (a header row first)."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    for problem in summary.problems:
        writer.writerow([problem.file, problem.where, problem.kind, problem.message])


def problems_csv_writer(handle: IO[str]) -> Callable[[Problem], None]:
    """A `summary.on_problem` that writes each problem to CSV as it is found."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    return lambda problem: writer.writerow(
        [problem.file, problem.where, problem.kind, problem.message]
    )
