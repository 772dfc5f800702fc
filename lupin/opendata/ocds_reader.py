"""Read OCDS files as a stream of releases, whatever their shape.

`read_ocds_file(path, summary)` yields `(file, json_path, release)` for every release in:
- a release package (`{"releases": [...]}`), or several concatenated in one file;
- a record package (`{"records": [{"releases": [...], "compiledRelease": {...}}]}`): the
  releases embedded in each record; a linked release (only `url`, `date`, `tag`) carries no data
  to merge and is reported, and when a record has no embedded release at all its
  `compiledRelease` stands in for it;
- a single record, a single release, a JSON array of releases (or of packages);
- JSON Lines (`.jsonl`, `.ndjson`): one release, package or record per line;
- any of these gzip-compressed (`.gz`).

Packages and records are streamed with ijson: one release is in memory at a time (a record at a
time for record packages), however large the file. A file of up to `WHOLE_FILE` bytes is parsed
in one go instead, which is faster and gives the same releases and problems (tested on every
real capture); when that parse fails, the file is streamed, which finds where it broke. Each
package's publisher, uri and version are noted in `summary.packages[file]`. A file that is not
JSON is reported where it broke; the releases read before that point are still yielded. Nothing
here raises on bad data.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

import ijson

from lupin.opendata.i18n import gettext as _

if TYPE_CHECKING:
    from lupin.opendata.importer import ImportSummary

Item = tuple[str, str, dict[str, Any]]
OCDS_SUFFIXES = (".json", ".jsonl", ".ndjson")
LINE_SUFFIXES = (".jsonl", ".ndjson")
# Keys that make an object a record rather than a release package.
RECORD_KEYS = frozenset({"compiledRelease", "versionedRelease", "ocid"})
LINKED_KEYS = frozenset({"url", "date", "tag"})
HEAD_BUFFER = 2048
# Files up to this size are parsed whole (about ten times this in memory, briefly).
WHOLE_FILE = 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def is_ocds_file(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(OCDS_SUFFIXES)


class _Counting:
    """A binary file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        if self.on_read is not None and chunk:
            self.on_read(len(chunk))
        return chunk


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


@dataclass
class _Head:
    """What the first top-level value of a file looks like, read up to its releases/records."""

    shape: str  # "releases", "records", "array", "object", "scalar" or "empty"
    keys: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


_META_PATHS = {"publisher.name": "publisher", "uri": "uri", "version": "version"}


def _head(handle: Readable) -> _Head:
    keys: list[str] = []
    meta: dict[str, str] = {}
    events = ijson.parse(handle, buf_size=HEAD_BUFFER, multiple_values=True)
    # Small reads: the parser turns a whole buffer into events, and only the head is wanted.
    try:
        first = next(events, None)
    except ijson.IncompleteJSONError as error:
        if "premature EOF" in str(error):  # nothing but white space
            return _Head("empty")
        raise
    if first is None:
        return _Head("empty")
    for prefix, event, value in chain([first], events):
        if prefix == "":
            if event == "start_array":
                return _Head("array")
            if event == "map_key":
                keys.append(value)
                if value in ("releases", "records"):
                    return _Head(value, keys, meta)
            elif event == "end_map":
                return _Head("object", keys, meta)
            elif event != "start_map":
                return _Head("scalar")
        elif event == "string" and prefix in _META_PATHS:
            meta[_META_PATHS[prefix]] = value
    return _Head("empty")


def _tail(path: Path, *, compiled: bool) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The package metadata of the first value wherever it is, and its `compiledRelease` when
    asked for: one more pass over the file, for the rarer files where they follow the releases."""
    meta: dict[str, str] = {}
    release = None
    with _open(path) as handle:
        if compiled:
            release = next(ijson.items(handle, "compiledRelease", use_float=True), None)
            handle.seek(0)
        for prefix, event, value in ijson.parse(handle):
            if event == "string" and prefix in _META_PATHS:
                meta.setdefault(_META_PATHS[prefix], value)
    return meta, release if isinstance(release, dict) else None


class _Reader:
    def __init__(self, path: Path, file: str, summary: ImportSummary) -> None:
        self.path = path
        self.file = file
        self.summary = summary
        self.where = "$"  # the last place reached, for a broken file

    def problem(self, where: str, kind: str, message: str) -> None:
        self.summary.add(self.file, where, kind, message)

    def note(self, meta: dict[str, Any]) -> None:
        publisher = meta.get("publisher")
        if isinstance(publisher, dict):
            publisher = publisher.get("name")
        self.summary.note_package(
            self.file,
            publisher=publisher if isinstance(publisher, str) else "",
            uri=meta["uri"] if isinstance(meta.get("uri"), str) else "",
            version=meta["version"] if isinstance(meta.get("version"), str) else "",
        )

    # In-memory shapes: a top-level value, an item of a top-level array, a line.

    def value(self, value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(value, dict):
            records = value.get("records")
            releases = value.get("releases")
            if isinstance(records, list):
                self.note(value)
                for index, record in enumerate(records):
                    yield from self.record(record, f"{where}.records[{index}]")
            elif isinstance(releases, list):
                if RECORD_KEYS & value.keys():
                    yield from self.record(value, where)
                else:
                    self.note(value)
                    for index, item in enumerate(releases):
                        yield from self.package_item(item, f"{where}.releases[{index}]")
            elif {"ocid", "id", "date", "tag"} & value.keys():
                yield where, value
            else:
                self.unknown(where)
        elif isinstance(value, list) and where.count("[") < 1:
            for index, item in enumerate(value):
                yield from self.value(item, f"{where}[{index}]")
        else:
            self.unknown(where)

    def record(self, record: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if not isinstance(record, dict):
            self.unknown(where)
            return
        releases = record.get("releases")
        compiled = record.get("compiledRelease")
        full = 0
        linked: list[tuple[str, dict[str, Any]]] = []
        for index, item in enumerate(releases if isinstance(releases, list) else []):
            path = f"{where}.releases[{index}]"
            if isinstance(item, dict) and _is_linked(item):
                linked.append((path, item))
                continue
            for found in self.package_item(item, path):
                full += 1
                yield found
        for path, item in linked:
            self.linked(path, item, compiled_used=not full and isinstance(compiled, dict))
        if not full and isinstance(compiled, dict):
            yield f"{where}.compiledRelease", compiled
        elif not full and not linked:
            self.problem(
                where, "unknown-structure", _("A record without releases or a compiled release.")
            )

    def package_item(self, item: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(item, dict):
            if _is_linked(item):
                self.linked(where, item, compiled_used=False)
            else:
                yield where, item
        else:
            self.problem(
                where,
                "unknown-structure",
                _("A release should be a JSON object, not %(value)s.")
                % {"value": "null" if item is None else type(item).__name__},
            )

    def linked(self, where: str, item: dict[str, Any], *, compiled_used: bool) -> None:
        url = str(item.get("url", ""))[:300]
        if compiled_used:
            message = _(
                "A linked release (%(url)s): its data is not in this file, so the record's "
                "compiled release is imported instead."
            )
        else:
            message = _(
                "A linked release (%(url)s): its data is not in this file; import the release "
                "package it points to."
            )
        self.problem(where, "linked-release", message % {"url": url or "-"})

    def unknown(self, where: str) -> None:
        self.problem(
            where,
            "unknown-structure",
            _("Not a release, record, release package or record package."),
        )

    def broken(self, error: Exception) -> None:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = lines[0] if lines else type(error).__name__
        if reason.startswith("b'") or reason.startswith('b"'):
            reason = reason[2:].split("\\n")[0]
        self.problem(
            self.where,
            "invalid-json",
            _(
                "The file is not valid JSON from here on (%(reason)s); what came before was read, "
                "the rest of the file was not."
            )
            % {"reason": reason[:200]},
        )

    # Streaming shapes.

    def stream(self, handle: Readable, head: _Head) -> Iterator[tuple[str, dict[str, Any]]]:
        if head.shape == "releases":
            yield from self.stream_releases(handle, head)
        elif head.shape == "records":
            self.note(head.meta)
            for index, record in enumerate(
                ijson.items(handle, "records.item", use_float=True, multiple_values=True)
            ):
                self.where = f"$.records[{index}]"
                yield from self.record(record, self.where)
        elif head.shape == "array":
            for index, item in enumerate(
                ijson.items(handle, "item", use_float=True, multiple_values=True)
            ):
                self.where = f"$[{index}]"
                yield from self.value(item, self.where)
        elif head.shape == "object":
            for index, value in enumerate(
                ijson.items(handle, "", use_float=True, multiple_values=True)
            ):
                self.where = "$" if index == 0 else f"value {index + 1}: $"
                yield from self.value(value, self.where)
        elif head.shape == "empty":
            self.problem("$", "unknown-structure", _("The file is empty."))
        else:
            self.unknown("$")

    def stream_releases(
        self, handle: Readable, head: _Head
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        record_like = bool(RECORD_KEYS & set(head.keys))
        full = 0
        linked: list[tuple[str, dict[str, Any]]] = []
        for index, item in enumerate(
            ijson.items(handle, "releases.item", use_float=True, multiple_values=True)
        ):
            self.where = f"$.releases[{index}]"
            if isinstance(item, dict) and _is_linked(item):
                linked.append((self.where, item))
                continue
            for found in self.package_item(item, self.where):
                full += 1
                yield found
        # Metadata or a compiled release may follow the releases: read them in one more pass,
        # only when they are needed.
        need_compiled = not full and bool(linked) or (record_like and not full)
        meta, compiled = head.meta, None
        if "publisher" not in meta or need_compiled:
            tail_meta, compiled = _tail(self.path, compiled=need_compiled)
            meta = {**tail_meta, **meta}
        if not record_like:
            self.note(meta)
        for path, item in linked:
            self.linked(path, item, compiled_used=compiled is not None)
        if compiled is not None:
            yield "$.compiledRelease", compiled

    def lines(self, handle: Iterable[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {number}: $"
            try:
                value = json.loads(line)
            except ValueError as error:
                self.problem(
                    f"line {number}",
                    "invalid-json",
                    _("This line is not valid JSON (%(reason)s); the other lines are read.")
                    % {"reason": str(error)[:200]},
                )
                continue
            yield from self.value(value, where)


def _is_linked(item: dict[str, Any]) -> bool:
    return "ocid" not in item and "url" in item and item.keys() <= LINKED_KEYS


def read_ocds_file(
    path: str | Path,
    summary: ImportSummary,
    *,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[Item]:
    """Yield `(file, json_path, release)` for every release in the file at `path` (see the
    module's docstring); problems go to `summary`. `on_read(n)` is told of every n bytes read."""
    file = str(path)
    source = Path(path)
    reader = _Reader(source, file, summary)
    summary.files += 1
    try:
        with _open(source) as raw:
            if source.name.lower().removesuffix(".gz").endswith(LINE_SUFFIXES):
                for where, release in reader.lines(_Lines(raw, on_read)):
                    yield file, where, release
                return
            if not source.name.lower().endswith(".gz") and source.stat().st_size <= WHOLE_FILE:
                whole = _whole(raw)
                if whole is not _BROKEN:
                    if on_read is not None:
                        on_read(raw.tell())
                    for where, release in reader.value(whole, "$"):
                        yield file, where, release
                    return
                raw.seek(0)
            head = _head(raw)
            raw.seek(0)
            for where, release in reader.stream(_Counting(raw, on_read), head):
                yield file, where, release
    except ijson.JSONError as error:
        reader.broken(error)
    except (EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        reader.broken(error)
    except OSError as error:
        summary.unreadable += 1
        summary.add(
            file,
            "",
            "unreadable",
            _("The file cannot be read: %(reason)s") % {"reason": error.strerror or error},
        )


_BROKEN = object()


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _whole(raw: IO[bytes]) -> Any:
    """The file's one JSON value, or `_BROKEN` when it is not exactly one valid UTF-8 JSON
    value (the streaming reader then says where and why, and reads what it can)."""
    try:
        return json.loads(raw.read().decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return _BROKEN


class _Lines:
    """Lines of a binary file, reporting the bytes read."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_read = on_read

    def __iter__(self) -> Iterator[bytes]:
        for line in self.raw:
            if self.on_read is not None:
                self.on_read(len(line))
            yield line
