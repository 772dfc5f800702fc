"""Appending builds one hash chain; the ORM cannot change or delete what was written."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from lupin.accounts.models import User
from lupin.audit import log
from lupin.audit.models import GENESIS, AppendOnlyError, AuditEntry
from lupin.projects.models import Project

pytestmark = pytest.mark.django_db


def test_append_builds_a_chain(buyer: User, supplier: User, draft_project: Project) -> None:
    first = log.append(supplier, "tender.submitted", ("competitions.tender", 7), files=2)
    second = log.append(buyer, "tender.open_refused", draft_project, why="before the deadline")
    third = log.append(None, "audit.checked")

    assert [e.seq for e in AuditEntry.objects.all()] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert (second.subject_type, second.subject_id) == ("projects.project", str(draft_project.pk))
    assert (first.actor_username, third.actor_username) == ("supplier", "")
    assert log.verify() == log.VerifyResult(True, 3, None, "", third.hash)


def test_the_hash_covers_the_stored_row(buyer: User) -> None:
    entry = log.append(buyer, "deadline.changed", ("competitions.competition", 1), days=5)
    stored = AuditEntry.objects.get()
    assert stored.compute_hash() == stored.hash == entry.hash


def test_an_empty_log_verifies() -> None:
    assert log.verify() == log.VerifyResult(True, 0, None, "", GENESIS)


def test_an_anonymous_visitor_is_logged_without_a_name() -> None:
    entry = log.append(AnonymousUser(), "tender.read_refused", ("competitions.tender", 3))
    assert entry.actor is None
    assert entry.actor_username == ""


def test_detail_is_stored_as_it_will_be_read_back(buyer: User) -> None:
    log.append(
        buyer,
        "deadline.changed",
        deadline=datetime(2026, 3, 1, 11, 0, tzinfo=UTC),
        estimate=Decimal("1234.50"),
    )
    entry = AuditEntry.objects.get()
    assert entry.detail == {"deadline": "2026-03-01T11:00:00Z", "estimate": "1234.50"}
    assert log.verify().ok


def test_floats_are_refused_in_detail(buyer: User) -> None:
    with pytest.raises(TypeError, match=r"detail.price\[0\]"):
        log.append(buyer, "price.changed", price=[0.1])
    assert not AuditEntry.objects.exists()


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(buyer: User) -> None:
    entry = log.append(buyer, "tender.submitted")
    entry.action = "tender.withdrawn"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tender.withdrawn")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "tender.submitted"


def test_deleting_a_user_keeps_the_chain_intact(buyer: User, supplier: User) -> None:
    log.append(supplier, "tender.submitted")
    log.append(buyer, "tender.opened")
    supplier.delete()

    first = AuditEntry.objects.get(seq=1)
    assert first.actor is None
    assert first.actor_username == "supplier"
    assert log.verify().ok


def test_tail_gives_the_last_entries_oldest_first(buyer: User) -> None:
    for number in range(5):
        log.append(buyer, "step", number=number)
    assert [e.detail["number"] for e in log.tail(3)] == [2, 3, 4]
