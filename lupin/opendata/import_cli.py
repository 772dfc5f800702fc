"""`lupin import-ocds PATH…`: import OCDS files as external notices.

PATH is a file or a folder (read recursively: *.json, *.jsonl, *.ndjson, each optionally .gz,
in name order). Release packages, record packages, records, loose releases, arrays of releases
and JSON Lines are all read; see `lupin.opendata.importer`.

Exit status: 0 when every path could be read, even if the data had problems (they are reported:
a summary with counts by kind, the first problems, all of them with --problems-csv); 1 when a path
does not exist or cannot be read (the other paths are still imported), or the database cannot be
used; 2 for a usage error.

The console script runs this module's `main` without loading Django (`lupin/__main__.py`): the
reading, checking and merging need none of it, and the two tables it writes are reached through
the database driver (`lupin.opendata.store`). A national dataset of millions of releases then
imports with a third of the memory and no start-up cost. The management command `import_ocds`
(for `call_command`, and `lupin import_ocds --settings …`) runs the same code inside Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from lupin import config
from lupin.opendata.i18n import gettext as _
from lupin.opendata.i18n import ngettext
from lupin.opendata.importer import (
    ImportSummary,
    import_releases,
    problem_line,
    problems_csv_writer,
    read_ocds_file,
    summary_lines,
)
from lupin.opendata.ocds_reader import is_ocds_file
from lupin.opendata.store import Store, StoreError

# Problems listed after the summary at the default verbosity (all of them at -v 2).
SHOWN_PROBLEMS = 20
# `ExternalNotice.source` of notices read from OCDS files (`NoticeSource.OCDS`).
SOURCE = "ocds"
HELP = (
    "Import OCDS release packages, record packages, releases or JSON Lines as external "
    "notices. Problems in the data are reported and the rest is imported."
)


class UsageError(Exception):
    """The command cannot run as asked (exit status 2)."""


def add_arguments(
    parser: argparse.ArgumentParser,
    *,
    paths: str = "OCDS files or folders.",
    publisher: str = "",
    publisher_help: str = "the package's publisher",
) -> None:
    """The import's options (`import-eforms` shares them, with its own words for the paths and
    its own default publisher)."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help=paths)
    parser.add_argument(
        "--progress",
        action="store_true",
        help="Show a progress bar on stderr even when it is not a terminal.",
    )
    parser.add_argument("--quiet", action="store_true", help="No progress bar and no summary.")
    parser.add_argument(
        "--problems-csv",
        metavar="FILE",
        help="Write every problem to FILE as CSV (file, where, kind, message).",
    )
    parser.add_argument(
        "--publisher",
        default=publisher,
        help=f"Name the source of every imported notice (default: {publisher_help}).",
    )


def expand(paths: list[str], summary: ImportSummary) -> list[str]:
    """The files to read, in the order given (a folder's files in name order); a path that is
    missing, or a folder without OCDS files, is reported as unreadable. (Names, not `Path`s: a
    folder of a hundred thousand packages should not take much memory to list.)"""
    files: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.is_file() and is_ocds_file(p))
            if not found:
                summary.files += 1
                summary.unreadable += 1
                summary.add(
                    name,
                    "",
                    "unreadable",
                    _("No .json, .jsonl or .ndjson files in this folder."),
                )
            files.extend(found)
        elif path.is_file():
            files.append(name)
        else:
            summary.files += 1
            summary.unreadable += 1
            summary.add(name, "", "unreadable", _("No such file or folder."))
    return files


class Progress:
    """Two progress bars on stderr: bytes read, then processes merged and stored (none when
    `stream` is None)."""

    def __init__(self, stream: IO[str] | None, total_bytes: int | None) -> None:
        self.stream = stream
        self.bar: Any = None
        if stream is not None:
            self.bar = self._bar(total=total_bytes, unit="B", unit_scale=True, desc=_("Reading"))

    def _bar(self, **kwargs: Any) -> Any:
        from tqdm import tqdm  # only when a bar is drawn

        return tqdm(file=self.stream, **kwargs)

    def read(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def stage(self, name: str, total: int) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = self._bar(total=total, unit=" " + _("processes"), desc=_("Merging"))

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def open_problems_csv(name: str | None) -> IO[str] | None:
    if not name:
        return None
    try:
        return open(name, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as error:
        raise UsageError(
            _("Cannot write %(file)s: %(reason)s") % {"file": name, "reason": error.strerror}
        ) from None


def run(
    options: dict[str, Any],
    *,
    stderr: IO[str],
    write: Callable[[str], None],
    store: Store | None = None,
) -> ImportSummary:
    """Import the paths in `options` (the parsed arguments) into `store` (default: this Django
    process's database) and write the report with `write`; return the summary."""
    quiet = options["quiet"] or options["verbosity"] == 0
    every = options["verbosity"] >= 2
    summary = ImportSummary(keep=None if every else SHOWN_PROBLEMS)
    csv_file = open_problems_csv(options["problems_csv"])
    if csv_file is not None:
        summary.on_problem = problems_csv_writer(csv_file)
    try:
        files = expand(options["paths"], summary)
        shown = not quiet and (options["progress"] or stderr.isatty())
        gzipped = any(f.endswith(".gz") for f in files)  # read sizes are not file sizes
        progress = Progress(stderr if shown else None, _size(files) if not gzipped else None)
        items = (
            item for path in files for item in read_ocds_file(path, summary, on_read=progress.read)
        )
        try:
            import_releases(
                items,
                source=SOURCE,
                publisher=options["publisher"],
                summary=summary,
                progress=progress,
                store=store,
            )
        finally:
            progress.close()
    finally:
        if csv_file is not None:
            csv_file.close()
    if not quiet:
        for line in report_lines(summary, options["verbosity"], csv_file is not None):
            write(line)
    return summary


def report_lines(
    summary: ImportSummary, verbosity: int = 1, csv_written: bool = False
) -> list[str]:
    """The summary, then the first problems (all of them at verbosity 2)."""
    lines = summary_lines(summary)
    shown = summary.problems if verbosity >= 2 else summary.problems[:SHOWN_PROBLEMS]
    lines += ["  " + problem_line(problem) for problem in shown]
    hidden = summary.problem_count - len(shown)
    if hidden > 0:
        if csv_written:
            more = _("… and %(count)s more, all in the CSV file.")
        else:
            more = _("… and %(count)s more (-v 2 lists them all, --problems-csv FILE saves them).")
        lines.append("  " + more % {"count": hidden})
    return lines


def unreadable_message(summary: ImportSummary) -> str:
    return ngettext(
        "%(count)s path could not be read; the others were imported.",
        "%(count)s paths could not be read; the others were imported.",
        summary.unreadable,
    ) % {"count": summary.unreadable}


def _size(files: list[str]) -> int:
    total = 0
    for path in files:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
    return total


def main(argv: list[str]) -> int:
    """`lupin import-ocds ARGS…` without Django: the exit status."""
    parser = argparse.ArgumentParser(prog="lupin import-ocds", description=HELP)
    add_arguments(parser)
    parser.add_argument(
        "-v",
        "--verbosity",
        type=int,
        choices=[0, 1, 2, 3],
        default=1,
        help="0: nothing, 1: the summary and the first problems, 2: every problem.",
    )
    # Django's common options, accepted so that scripts may pass them as to any command.
    parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-color", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--force-color", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
    options = vars(parser.parse_args(argv))
    try:
        store = Store.open(config.database())
    except (StoreError, ValueError) as error:
        print(_("Cannot open the database: %(reason)s") % {"reason": error}, file=sys.stderr)
        return 1
    try:
        summary = run(options, stderr=sys.stderr, write=print, store=store)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        store.close()
    if summary.unreadable:
        print(unreadable_message(summary), file=sys.stderr)
        return 1
    return 0
