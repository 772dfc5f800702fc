"""`lupin import_ocds PATH…` inside Django: `lupin.opendata.import_cli` says what it does.

The console script (`lupin import-ocds`) runs the same import without loading Django; this
command is for `call_command` (tests, the worker) and for `--settings`.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lupin.opendata import import_cli
from lupin.opendata.importer import ImportSummary

# Kept here for `import_eforms`, which shares the options, bars and report.
Progress = import_cli.Progress


class Command(BaseCommand):
    help = import_cli.HELP
    # The import reads no URL or template: skipping the system checks saves a second and the
    # memory of loading every view and the API schema.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        import_cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        raw = cast(IO[str], self.stderr._out)  # the raw stream, for the progress bar
        try:
            summary = import_cli.run(options, stderr=raw, write=self.stdout.write)
        except import_cli.UsageError as error:
            raise CommandError(str(error), returncode=2) from None
        if summary.unreadable:
            raise CommandError(import_cli.unreadable_message(summary), returncode=1)

    def report(self, summary: ImportSummary, verbosity: int = 1, csv_written: bool = False) -> None:
        """The summary, then the first problems (all of them at verbosity 2)."""
        for line in import_cli.report_lines(summary, verbosity, csv_written):
            self.stdout.write(line)
