"""Races between organisations, run with real concurrent database connections.

Each test starts two threads; each thread has its own connection (Django gives every thread
its own) and waits at a barrier so both call the action at the same moment. On PostgreSQL the
row lock in the action makes the second wait for the first; on SQLite (IMMEDIATE transactions,
a busy timeout) the database lets one writer in at a time. Either way exactly one may win.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from lupin.accounts.models import Organisation, OrganisationKind, Role, User
from lupin.dialogue import actions
from lupin.dialogue.actions import ConferenceData, DialogueError
from lupin.dialogue.models import Booking, ConferenceSignup, Slot
from lupin.dialogue.tests.conftest import make_dialogue

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 30


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 (reported to the test, which asserts)
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results


def _outcomes(results: list[Any], won: type) -> tuple[list[Any], list[Any]]:
    winners = [r for r in results if isinstance(r, won)]
    losers = [r for r in results if not isinstance(r, won)]
    for loser in losers:
        # Anything but the rule's own refusal (a deadlock, "database is locked") is a failure.
        assert isinstance(loser, DialogueError), repr(loser)
    return winners, losers


def _supplier(name: str, number: str) -> User:
    organisation = Organisation.objects.create(
        kind=OrganisationKind.SUPPLIER, name=name, org_number=number
    )
    return User.objects.create_user(
        username=name.lower().replace(" ", ""),
        password="correct horse battery staple",
        organisation=organisation,
        role=Role.SUPPLIER_ADMIN,
    )


def test_two_organisations_booking_the_last_free_slot_exactly_one_wins(buyer, supplier, rival):
    dialogue = make_dialogue(buyer)
    [slot] = actions.add_slots(
        buyer, dialogue, first_start=timezone.now() + timedelta(days=12), count=1
    )
    actions.register(supplier, dialogue)
    actions.register(rival, dialogue)

    # Each thread loads its own slot object, as two separate requests would.
    results = _race(
        lambda: actions.book_slot(supplier, Slot.objects.get(pk=slot.pk)),
        lambda: actions.book_slot(rival, Slot.objects.get(pk=slot.pk)),
    )

    winners, losers = _outcomes(results, Booking)
    assert len(winners) == 1
    assert [loser.code for loser in losers] == ["slot_taken"]
    booking = Booking.objects.get()
    assert booking.slot_id == slot.pk
    assert booking.organisation_id == winners[0].organisation_id


def test_two_signups_for_the_last_conference_seats_never_exceed_capacity(buyer, supplier, rival):
    dialogue = make_dialogue(buyer)
    start = timezone.now() + timedelta(days=5)
    conference = actions.save_conference(
        buyer,
        dialogue,
        ConferenceData(
            title="Dialogkonferanse",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Rådhuset",
            seats_per_organisation=2,
            capacity=3,
        ),
    )
    third = _supplier("Tredje AS", "100395064")
    for user in (supplier, rival, third):
        actions.register(user, dialogue)
    actions.sign_up(third, conference, ["Tora"])  # two seats left

    results = _race(
        lambda: actions.sign_up(supplier, conference, ["Kari", "Ola"]),
        lambda: actions.sign_up(rival, conference, ["Per", "Pål"]),
    )

    winners, losers = _outcomes(results, ConferenceSignup)
    assert len(winners) == 1
    assert len(losers) == 1
    assert "Not enough seats" in losers[0].message
    taken = sum(len(s.attendees) for s in ConferenceSignup.objects.filter(conference=conference))
    assert taken == 3
