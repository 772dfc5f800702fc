"""`lupin scheduler`: the time-driven jobs, run every LUPIN_SCHEDULER_SECONDS (default 30).

Each round runs every job once: draw the lotteries whose booking cut-off has passed, hand the
worker the e-mails whose next attempt is due, publish the OCDS releases of new events, and hand
the worker the OCDS bulk file when the releases changed. The jobs only find what is due and call
the same actions as the pages, so running a round twice, or two schedulers at once, does no
harm. A job that fails is logged and the others still run; the next round tries again. SIGTERM
or SIGINT stops the loop between jobs, never in the middle of one. `lupin serve` runs this beside
the web server and the worker.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from lupin.competitions.actions import close_due_competitions
from lupin.dialogue.actions import draw_due_lotteries
from lupin.notifications.tasks import requeue_due
from lupin.opendata.publish import produce_releases, refresh_bulk_file
from lupin.settings import env_int

logger = logging.getLogger("lupin.scheduler")
POLL_SECONDS = 0.5

# (what the count means, the job). A job returns how many things it did.
JOBS: tuple[tuple[str, Callable[[], int]], ...] = (
    ("lotteries drawn", draw_due_lotteries),
    ("competitions closed at their tender deadline", close_due_competitions),
    ("notifications handed to the worker for another try", requeue_due),
    # Last, so that what the jobs above changed is published in the same round.
    ("open-data releases published (OCDS)", produce_releases),
    ("open-data bulk files handed to the worker", refresh_bulk_file),
)


def run_round() -> None:
    """Run every job once and log what each did."""
    for name, job in JOBS:
        try:
            count = job()
        except Exception:  # noqa: BLE001 (one broken job must not stop the others)
            logger.exception("Scheduled job failed: %s", name)
            continue
        if count:
            logger.info("%s: %d", name.capitalize(), count)


class Command(BaseCommand):
    help = (
        "Run the time-driven jobs (lottery draws at the cut-off, e-mail retries, open data) every "
        "LUPIN_SCHEDULER_SECONDS (default 30) until SIGTERM or Ctrl+C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one round, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            interval = env_int("LUPIN_SCHEDULER_SECONDS", 30, minimum=1)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if options["once"]:
            run_round()
            return

        stopping: list[str] = []

        def _stop(signum: int, frame: FrameType | None) -> None:
            # Only a flag: the loop checks it between jobs, so no job is cut off halfway.
            stopping.append(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            logger.info("Scheduler started: a round every %d seconds.", interval)
            while not stopping:
                # Like the worker between tasks: drop a connection the database closed or a
                # failed job left unusable, so one bad round does not spoil the next.
                close_old_connections()
                run_round()
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            close_old_connections()
        logger.info("Scheduler stopped (%s).", stopping[0])
