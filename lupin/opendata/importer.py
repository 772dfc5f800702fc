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
  fields are read from the compiled release (`notice_fields`).
- Problems are appended to `summary`, never raised. A release without `ocid` or `id` cannot be
  stored; everything else is kept (see `ocds_checks` for what is repaired).

Memory stays flat: the releases are spooled to a temporary SQLite file (their canonical JSON),
then read back grouped by ocid, in batches of about 512 KiB of JSON. Each batch is written in a
savepoint of a transaction committed every 32 MiB or so, so an ocid is never half updated; if a
batch fails, each of its ocids is tried alone, and one that still fails is reported and left as
it was. The same rows are written with one `executemany` per table, not the ORM's bulk_create.

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

from django.db import DatabaseError, connection, models, reset_queries, transaction
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from ocdsmerge.exceptions import DuplicateIdValueWarning, InconsistentTypeError
from ocdsmerge.merge import CompiledRelease

from lupin.opendata.merge import compile_releases, merge_rules
from lupin.opendata.models import ExternalNotice, ImportedRelease
from lupin.opendata.notice_fields import clean_url, notice_fields, package_publisher, read_datetime
from lupin.opendata.ocds_checks import check_release
from lupin.opendata.ocds_reader import read_ocds_file

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
JSON_PER_BATCH = 512 * 1024
# JSON written per transaction.
JSON_PER_COMMIT = 32 * 1024 * 1024
# Releases go to the spool in groups of about this much JSON.
SPOOL_JSON = 1024 * 1024
MAX_OCID = 200
MAX_RELEASE_ID = 300
MAX_SOURCE_FILE = 500
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
    "compiled",
    "updated_at",
]


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


def canonical_json(release: dict[str, Any]) -> str:
    """The text a release's digest is taken of, and the one stored: keys sorted, no spaces."""
    return json.dumps(release, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
    notice: ExternalNotice | None
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
        releases = [release for _, _, release in ordered]
        try:
            return compile_releases(releases)
        except InconsistentTypeError:
            pass
        merged = CompiledRelease(merge_rules=merge_rules())
        for release in releases:
            before = dict(merged.data)
            merged.append(release)
            try:
                merged.asdict()
            except InconsistentTypeError as error:
                merged.data = before
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
        return merged.asdict()

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
            or (process.notice.publisher if process.notice else "")
        )[:200]
        if not values["url"]:
            values["url"] = clean_url(package.uri)
        values["compiled"] = compiled
        return values


def _prepare(batch: list[tuple[str, list[_Row]]]) -> list[_Process]:
    """Compare the batch with what is stored: two queries for the whole batch."""
    ocids = [ocid for ocid, _ in batch]
    notices = {
        notice.ocid: notice
        for notice in ExternalNotice.objects.filter(ocid__in=ocids).only("pk", "ocid", "publisher")
    }
    stored: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for ocid, release_id, digest, pk in ImportedRelease.objects.filter(ocid__in=ocids).values_list(
        "ocid", "release_id", "digest", "pk"
    ):
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
        for ocid, release_id, date, data in ImportedRelease.objects.filter(
            ocid__in=list(dirty)
        ).values_list("ocid", "release_id", "date", "data"):
            if (ocid, release_id) not in in_run:
                order = date.astimezone(UTC).isoformat() if date else ""
                dirty[ocid].others.append((order, release_id, data))
    return processes


class _Json:
    """JSON already serialised (a release's canonical text): written to the database as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _AsIs(json.JSONEncoder):
    def encode(self, o: Any) -> str:
        return o.text if isinstance(o, _Json) else super().encode(o)


_JSON_FIELD = models.JSONField()


def _json_value(value: _Json) -> Cast:
    """An already serialised JSON value for the ORM's UPDATE."""
    return Cast(Value(value.text), output_field=_JSON_FIELD)


def _preparer(field: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` goes to the database: texts and keys as they are, date-times and
    JSON straight through the backend's adapters, anything else through the field."""
    ops = connection.ops
    if isinstance(field, models.CharField | models.TextField | models.ForeignKey):
        return None
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(
            value, _AsIs if isinstance(value, _Json) else field.encoder
        )
    return lambda value: field.get_db_prep_save(value, connection)


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows (values by field name) with one `executemany`. The ORM's bulk_create spends
    more per row than the database does; each value is still prepared by its field, so the SQL
    and the values are the ones Django would send, on SQLite and PostgreSQL alike."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(getattr(field, "column", ""))) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    prepare = [_preparer(field) for field in fields]
    params = [
        [
            to_db(value) if to_db is not None else value
            for to_db, value in zip(prepare, row.values(), strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _write(processes: list[_Process], source: str) -> None:
    """Write the dirty processes of a batch (in the caller's transaction)."""
    now = timezone.now()
    new = [process for process in processes if process.notice is None]
    _insert(
        ExternalNotice,
        [
            {"ocid": p.ocid, "source": source, "imported_at": now, "updated_at": now, **p.fields}
            for p in new
        ],
    )
    pks = dict(
        ExternalNotice.objects.filter(ocid__in=[p.ocid for p in new]).values_list("ocid", "pk")
    )
    updated = []
    for process in processes:
        if process.notice is None:
            continue
        for name, value in process.fields.items():
            setattr(process.notice, name, _json_value(value) if isinstance(value, _Json) else value)
        process.notice.updated_at = now
        updated.append(process.notice)
        pks[process.ocid] = process.notice.pk
    if updated:
        ExternalNotice.objects.bulk_update(updated, NOTICE_FIELDS)
    _insert(
        ImportedRelease,
        [
            {
                "notice": pks[process.ocid],
                "ocid": row.ocid,
                "release_id": row.release_id,
                "date": _moment(row.order),
                "data": _Json(row.text),
                "digest": row.digest,
                "source_file": row.file[-MAX_SOURCE_FILE:],
                "imported_at": now,
            }
            for process in processes
            for row in process.new
        ],
    )
    changed = [
        ImportedRelease(
            pk=pk,
            date=_moment(row.order),
            data=_json_value(_Json(row.text)),
            digest=row.digest,
            source_file=row.file[-MAX_SOURCE_FILE:],
            imported_at=now,
        )
        for process in processes
        for row, pk in process.changed
    ]
    if changed:
        ImportedRelease.objects.bulk_update(
            changed, ["date", "data", "digest", "source_file", "imported_at"], batch_size=200
        )


def _store_batch(
    batch: list[tuple[str, list[_Row]]],
    compiler: _Compiler,
    summary: ImportSummary,
    written: list[tuple[int, int, int, int, int]],
) -> int:
    """Compare, merge and write one batch of processes (in a savepoint of the caller's
    transaction); return how much JSON was written. The counts of what was written are added to
    `written`, for `summary` once the transaction is committed."""
    processes = _prepare(batch)
    dirty = [process for process in processes if process.dirty]
    for process in processes:
        if not process.dirty:
            summary.releases_unchanged += process.unchanged
            summary.processes_unchanged += 1
    size = 0
    for process in dirty:
        process.loaded = {row.release_id: json.loads(row.text) for row in process.rows}
        process.fields = compiler.notice_values(process, compiler.compile(process))
        compiled = compact_json(process.fields["compiled"])
        process.fields["compiled"] = _Json(compiled)
        process.loaded = {}  # only the text is needed from here on
        size += len(compiled) + sum(len(row.text) for row in process.new)
    if not dirty:
        return 0
    try:
        with transaction.atomic():
            _write(dirty, compiler.source)
        written.append(_counts(dirty))
        return size
    except DatabaseError:
        pass
    # Find the process the database refused: each one alone.
    for process in dirty:
        try:
            with transaction.atomic():
                _write([process], compiler.source)
            written.append(_counts([process]))
        except DatabaseError as error:
            first = process.rows[0]
            summary.releases_skipped += len(process.new) + len(process.changed)
            summary.add(
                first.file,
                first.where,
                "not-stored",
                _("The database refused process %(ocid)s (%(reason)s); it was left as it was.")
                % {"ocid": process.ocid, "reason": str(error)[:200]},
            )
    return size


def _counts(processes: list[_Process]) -> tuple[int, int, int, int, int]:
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
) -> None:
    """Store each new or changed release as an `ImportedRelease` and recompile the
    `ExternalNotice` of every ocid it touches (see the module's docstring).

    items: `(file, json_path_of_the_release, release)`; `source` is a `NoticeSource` value;
    `publisher`, when given, names the source of every notice touched (else the package's
    publisher). Problems are appended to `summary`, never raised."""
    spool = _Spool()
    try:
        _spool(items, spool, summary)
        if progress is not None:
            progress.stage("compile", spool.count_ocids())
        compiler = _Compiler(summary, source, publisher)
        batches = spool.batches()
        with warnings.catch_warnings():
            # Objects sharing an id were reported by the checks already.
            warnings.simplefilter("ignore", DuplicateIdValueWarning)
            more = True
            while more:
                more = False
                # One transaction for several batches: a commit costs a checkpoint of SQLite's
                # write-ahead log; each batch is a savepoint, each process wholly in one.
                written: list[tuple[int, int, int, int, int]] = []
                with transaction.atomic():
                    size = 0
                    for batch in batches:
                        size += _store_batch(batch, compiler, summary, written)
                        # With DEBUG on, Django keeps every query's SQL: not for a long import.
                        reset_queries()
                        if progress is not None:
                            progress.advance(len(batch))
                        if size >= JSON_PER_COMMIT:
                            more = True
                            break
                for counts in written:
                    _count(summary, *counts)
    finally:
        spool.close()


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
