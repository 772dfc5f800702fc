"""`lupin scheduler` runs the time-driven jobs: lottery draws at the cut-off, e-mail retries."""

from __future__ import annotations

import logging
import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from lupin.dialogue import actions
from lupin.dialogue.models import Booking, LotteryDraw, MeetingMode
from lupin.dialogue.tests.conftest import make_dialogue
from lupin.management.commands import scheduler
from lupin.notifications import tasks
from lupin.notifications.actions import notify
from lupin.notifications.models import Notification, NotificationStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    # A round also writes the open-data bulk file when a project is published.
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lottery(buyer, supplier, rival):
    """A lottery dialogue where both suppliers asked for the same first slot."""
    now = timezone.now()
    dialogue = make_dialogue(
        buyer, meeting_mode=MeetingMode.LOTTERY, booking_cutoff=now + timedelta(days=10)
    )
    first, second = actions.add_slots(
        buyer, dialogue, first_start=now + timedelta(days=12), count=2, place="Rådhuset"
    )
    for user in (supplier, rival):
        actions.register(user, dialogue)
    actions.request_slots(supplier, dialogue, [first.pk])
    actions.request_slots(rival, dialogue, [first.pk, second.pk])
    return dialogue


@pytest.fixture
def failed_mail(supplier, monkeypatch) -> Notification:
    """An e-mail whose first attempt failed; the next one is due in a minute."""

    def smtp_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("SMTP server down")

    (row,) = notify([supplier], topic="t", subject="Emne", body="Tekst")
    monkeypatch.setattr(tasks, "send_mail", smtp_down)
    assert tasks.deliver.call(row.pk) == "failed"
    monkeypatch.undo()
    row.refresh_from_db()
    return row


def test_once_draws_a_lottery_whose_cutoff_has_passed(lottery):
    with time_machine.travel(lottery.booking_cutoff + timedelta(minutes=1)):
        call_command("scheduler", "--once")
    draw = LotteryDraw.objects.get(dialogue=lottery)
    assert len(draw.result) == 2
    assert Booking.objects.filter(dialogue=lottery, via_lottery=True).count() == 2


def test_once_leaves_a_lottery_alone_before_the_cutoff(lottery):
    call_command("scheduler", "--once")
    assert not LotteryDraw.objects.filter(dialogue=lottery).exists()
    assert not Booking.objects.filter(dialogue=lottery).exists()


def test_a_lottery_is_drawn_only_once(lottery):
    with time_machine.travel(lottery.booking_cutoff + timedelta(minutes=1)):
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")
    assert LotteryDraw.objects.filter(dialogue=lottery).count() == 1


def test_once_requeues_a_due_failed_notification(failed_mail):
    with time_machine.travel(failed_mail.next_attempt_at + timedelta(seconds=1)):
        call_command("scheduler", "--once")  # the immediate backend delivers it at once
    failed_mail.refresh_from_db()
    assert (failed_mail.status, failed_mail.attempts) == (NotificationStatus.SENT, 2)
    assert [message.to for message in mail.outbox] == [[failed_mail.recipient]]


def test_once_does_not_retry_before_the_backoff(failed_mail):
    call_command("scheduler", "--once")
    failed_mail.refresh_from_db()
    assert (failed_mail.status, failed_mail.attempts) == (NotificationStatus.QUEUED, 1)
    assert mail.outbox == []


def test_a_failing_job_is_logged_and_the_others_still_run(failed_mail, monkeypatch, caplog):
    def broken() -> int:
        raise RuntimeError("the lottery table is on fire")

    monkeypatch.setattr(scheduler, "JOBS", (("lotteries drawn", broken), *scheduler.JOBS[1:]))
    with (
        caplog.at_level(logging.INFO, logger="lupin.scheduler"),
        time_machine.travel(failed_mail.next_attempt_at + timedelta(seconds=1)),
    ):
        call_command("scheduler", "--once")
    failed_mail.refresh_from_db()
    assert failed_mail.status == NotificationStatus.SENT
    assert "Scheduled job failed: lotteries drawn" in caplog.text
    assert "the lottery table is on fire" in caplog.text
    assert "Notifications handed to the worker for another try: 1" in caplog.text


def test_the_loop_runs_rounds_until_sigterm_and_finishes_the_running_job(monkeypatch):
    rounds: list[str] = []

    def tick() -> int:
        rounds.append("started")
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while this job runs
        rounds[-1] = "finished"
        return 1

    monkeypatch.setattr(scheduler, "JOBS", (("ticks", tick),))
    monkeypatch.setenv("LUPIN_SCHEDULER_SECONDS", "1")
    # No database in this test: the job above does not use one.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    before = signal.getsignal(signal.SIGTERM)
    call_command("scheduler")
    assert rounds == ["finished", "finished"]
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_bad_interval_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("LUPIN_SCHEDULER_SECONDS", "0")
    with pytest.raises(CommandError, match="LUPIN_SCHEDULER_SECONDS"):
        call_command("scheduler", "--once")
