"""`lupin audit verify|tail`: check the audit chain, or show its last entries."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.audit import log


class Command(BaseCommand):
    help = "Verify the tamper-evident audit log, or show its last entries."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        commands.add_parser(
            "verify", help="Check every entry's hash and link; exit 1 at the first broken one."
        )
        tail = commands.add_parser("tail", help="Show the last entries, oldest first.")
        tail.add_argument("-n", type=int, default=20, dest="count", help="How many (default 20).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "verify":
            self._verify()
        else:
            self._tail(options["count"])

    def _verify(self) -> None:
        result = log.verify()
        if not result.ok:
            raise CommandError(
                _("broken at entry #%(seq)s: %(reason)s (%(checked)s entries before it intact)")
                % {
                    "seq": result.first_broken_seq,
                    "reason": result.reason,
                    "checked": result.checked,
                },
                returncode=1,
            )
        # The head hash, written down elsewhere from time to time, also reveals a rewritten
        # chain or dropped last entries, which the chain alone cannot.
        self.stdout.write(
            _("%(count)s entries, chain intact. Head: %(head)s")
            % {"count": result.checked, "head": result.head_hash}
        )

    def _tail(self, count: int) -> None:
        if count < 1:
            raise CommandError(_("-n must be at least 1."))
        for entry in log.tail(count):
            subject = f"{entry.subject_type}:{entry.subject_id}" if entry.subject_type else "-"
            detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
            when = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S %Z")
            self.stdout.write(
                f"#{entry.seq}  {when}  {entry.actor_username or '-'}  {entry.action}  "
                f"{subject}  {detail}"
            )
