"""`lupin import-eforms PATH…` (or `import_eforms`): import eForms notices as external notices.

PATH is a notice (.xml) or a folder (read recursively: *.xml, in name order). Prior information,
contract and contract award notices are validated against the eForms XSDs, mapped to OCDS (see
`lupin.opendata.eforms`) and stored through the same pipeline as `import-ocds`: each notice once,
merged per procedure into the notice Lupin lists.

Exit status: 0 when every path could be read, even if some notices were refused (each refusal is
reported with the file, line and field; the other notices are imported); 1 when a path does not
exist or cannot be read; 2 for a usage error. The options are `import-ocds`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from lupin.opendata import import_cli
from lupin.opendata.eforms import PUBLISHER, import_notices
from lupin.opendata.importer import ImportSummary, write_problems_csv
from lupin.opendata.management.commands import import_ocds


def expand(paths: list[str], summary: ImportSummary) -> list[Path]:
    """The files to read, in the order given (a folder's .xml files in name order); a path that
    is missing, or a folder without .xml files, is reported and counted as a file not read."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.xml") if p.is_file())
            if not found:
                summary.files += 1
                summary.unreadable += 1
                summary.add(name, "", "unreadable", _("No .xml files in this folder."))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            summary.files += 1
            summary.unreadable += 1
            summary.add(name, "", "unreadable", _("No such file or folder."))
    return files


class Command(import_ocds.Command):
    """`import-ocds` with notices for files: its options, progress bars and report."""

    help = (
        "Import eForms notices (prior information, contract and contract award notices) as "
        "external notices. A notice that is not valid is reported with its file, line and field; "
        "the others are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        import_cli.add_arguments(
            parser,
            paths="eForms notices (.xml) or folders of them.",
            publisher=PUBLISHER,
            publisher_help=PUBLISHER,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] == 0
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
        summary = ImportSummary()
        try:
            files = expand(options["paths"], summary)
            shown = not quiet and (options["progress"] or self.stderr.isatty())
            size = sum(path.stat().st_size for path in files)
            stream = cast(IO[str], self.stderr._out) if shown else None  # the raw stream, for tqdm
            progress = import_ocds.Progress(stream, size)
            try:
                import_notices(
                    files,
                    summary=summary,
                    publisher=options["publisher"] or PUBLISHER,
                    ocid_prefix=settings.LUPIN_OCID_PREFIX,
                    on_read=progress.read,
                    progress=progress,
                )
            finally:
                progress.close()
            if csv_file is not None:
                write_problems_csv(summary, csv_file)
        finally:
            if csv_file is not None:
                csv_file.close()
        if not quiet:
            self.report(summary, options["verbosity"], bool(csv_file))
        if summary.unreadable:
            raise CommandError(
                _("%(count)s path(s) could not be read; the others were imported.")
                % {"count": summary.unreadable},
                returncode=1,
            )
