"""Writers racing to append, each on its own database connection, still make one linear chain.

Like lupin/dialogue/tests/test_concurrency.py: threads released together by a barrier. On
PostgreSQL the table lock in `append` queues them; on SQLite the IMMEDIATE transaction does.
Without either, two entries would claim the same predecessor and the chain would fork.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lupin.accounts.models import User
from lupin.audit import log
from lupin.audit.models import GENESIS, AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 60
WRITERS = 4
EACH = 15


def _append_many(users: list[User]) -> list[BaseException]:
    barrier = threading.Barrier(len(users), timeout=TIMEOUT)
    errors: list[BaseException] = []

    def run(user: User) -> None:
        try:
            barrier.wait()
            for number in range(EACH):
                log.append(user, "tender.submitted", ("competitions.tender", number))
        except BaseException as exc:  # noqa: BLE001 (reported to the test, which asserts)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an appending thread hung"
    return errors


def _users() -> list[User]:
    return [User.objects.create_user(username=f"writer{n}") for n in range(WRITERS)]


def test_concurrent_appends_to_an_empty_log_keep_one_chain() -> None:
    errors = _append_many(_users())

    assert errors == []
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, WRITERS * EACH + 1))
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.hash for e in entries[:-1]]
    assert log.verify().ok
    assert log.verify().checked == WRITERS * EACH


def test_concurrent_appends_after_existing_entries_keep_one_chain() -> None:
    users = _users()
    log.append(users[0], "competition.announced")

    assert _append_many(users) == []
    result = log.verify()
    assert result.ok
    assert result.checked == 1 + WRITERS * EACH
