"""`lupin import-ocds PATH…` (or `import_ocds`): import OCDS files as external notices.

PATH is a file or a folder (read recursively: *.json, *.jsonl, *.ndjson, each optionally .gz,
in name order). Release packages, record packages, records, loose releases, arrays of releases
and JSON Lines are all read; see `lupin.opendata.importer`.

Exit status: 0 when every path could be read, even if the data had problems (they are reported:
a summary with counts by kind, the first problems, all of them with --problems-csv); 1 when a path
does not exist or cannot be read (the other paths are still imported); 2 for a usage error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from lupin.opendata.importer import (
    ImportSummary,
    import_releases,
    problem_line,
    problems_csv_writer,
    read_ocds_file,
    summary_lines,
)
from lupin.opendata.models import NoticeSource
from lupin.opendata.ocds_reader import is_ocds_file

# Problems listed after the summary at the default verbosity (all of them at -v 2).
SHOWN_PROBLEMS = 20


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
    """Two progress bars on stderr: bytes read, then processes merged and stored."""

    def __init__(self, stream: IO[str] | None, total_bytes: int | None) -> None:
        self.stream = stream
        self.bar = tqdm(
            total=total_bytes,
            unit="B",
            unit_scale=True,
            desc=_("Reading"),
            file=stream,
            disable=stream is None,
        )

    def read(self, count: int) -> None:
        self.bar.update(count)

    def stage(self, name: str, total: int) -> None:
        self.bar.close()
        self.bar = tqdm(
            total=total,
            unit=" " + _("processes"),
            desc=_("Merging"),
            file=self.stream,
            disable=self.stream is None,
        )

    def advance(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()


class Command(BaseCommand):
    help = (
        "Import OCDS release packages, record packages, releases or JSON Lines as external "
        "notices. Problems in the data are reported and the rest is imported."
    )
    # The import reads no URL or template: skipping the system checks saves a second and the
    # memory of loading every view and the API schema.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="OCDS files or folders.")
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
            default="",
            help="Name the source of every imported notice (default: the package's publisher).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] == 0
        every = options["verbosity"] >= 2
        summary = ImportSummary(keep=None if every else SHOWN_PROBLEMS)
        csv_file = None
        if options["problems_csv"]:
            try:
                csv_file = open(options["problems_csv"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(reason)s")
                    % {"file": options["problems_csv"], "reason": error.strerror},
                    returncode=2,
                ) from None
            summary.on_problem = problems_csv_writer(csv_file)
        try:
            files = expand(options["paths"], summary)
            shown = not quiet and (options["progress"] or self.stderr.isatty())
            gzipped = any(f.endswith(".gz") for f in files)  # read sizes are not file sizes
            sizes = _size(files) if shown and not gzipped else None
            stream = cast(IO[str], self.stderr._out) if shown else None  # the raw stream, for tqdm
            progress = Progress(stream, sizes)
            items = (
                item
                for path in files
                for item in read_ocds_file(path, summary, on_read=progress.read)
            )
            try:
                import_releases(
                    items,
                    source=NoticeSource.OCDS,
                    publisher=options["publisher"],
                    summary=summary,
                    progress=progress,
                )
            finally:
                progress.close()
        finally:
            if csv_file is not None:
                csv_file.close()
        if not quiet:
            self.report(summary, options["verbosity"], csv_file is not None)
        if summary.unreadable:
            raise CommandError(
                ngettext(
                    "%(count)s path could not be read; the others were imported.",
                    "%(count)s paths could not be read; the others were imported.",
                    summary.unreadable,
                )
                % {"count": summary.unreadable},
                returncode=1,
            )

    def report(self, summary: ImportSummary, verbosity: int = 1, csv_written: bool = False) -> None:
        """The summary, then the first problems (all of them at verbosity 2)."""
        for line in summary_lines(summary):
            self.stdout.write(line)
        shown = summary.problems if verbosity >= 2 else summary.problems[:SHOWN_PROBLEMS]
        for problem in shown:
            self.stdout.write("  " + problem_line(problem))
        hidden = summary.problem_count - len(shown)
        if hidden > 0:
            if csv_written:
                more = _("… and %(count)s more, all in the CSV file.")
            else:
                more = _(
                    "… and %(count)s more (-v 2 lists them all, --problems-csv FILE saves them)."
                )
            self.stdout.write("  " + more % {"count": hidden})


def _size(files: list[str]) -> int:
    total = 0
    for path in files:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
    return total
