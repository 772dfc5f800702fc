"""Write to and check the audit chain: `append()` from actions, `verify()` from `lupin audit`.

Call `append()` inside the action's transaction, so the entry exists exactly when the change does,
and late in it: from the append until the commit, other writers of the log wait. A refusal
("tender.open_refused") must be logged in a transaction that commits, not in the one the refusal
rolls back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone

from lupin.accounts.models import User
from lupin.audit.models import GENESIS, AuditEntry

Subject = models.Model | tuple[str, str | int] | None


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    head_hash: str = GENESIS


def _subject(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk)
    kind, key = subject
    return kind, str(key)


def _no_floats(value: Any, path: str) -> None:
    # A float's text form can change on its way through PostgreSQL's jsonb (1e300 comes back as
    # an integer), which would break the hash of an honest entry. Money is never a float anyway.
    if isinstance(value, float):
        raise TypeError(f"Audit detail {path} is a float; store an int or a string.")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_floats(item, f"{path}[{index}]")


def _plain_json(detail: dict[str, Any]) -> dict[str, Any]:
    """The detail as it will come back from the database (dates, decimals and ids as text), so
    that the hash made now is the hash `verify` recomputes."""
    plain: dict[str, Any] = json.loads(json.dumps(detail, cls=DjangoJSONEncoder, allow_nan=False))
    _no_floats(plain, "detail")
    return plain


def _lock_chain(using: str) -> None:
    """Make this transaction the only writer of the log until it ends."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # A table lock rather than SELECT … FOR UPDATE on the last row: that finds nothing to lock
        # in an empty log, and under READ COMMITTED a waiter would get the row it queued for,
        # not the newer one committed meanwhile. EXCLUSIVE still lets readers in.
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    elif connection.vendor == "sqlite":
        # SQLite has one writer at a time; BEGIN IMMEDIATE takes that lock before the read below.
        # With DEFERRED a second writer would fail with "database is locked" instead of waiting.
        if connection.settings_dict["OPTIONS"].get("transaction_mode") != "IMMEDIATE":
            raise ImproperlyConfigured(
                "The audit log needs SQLite's OPTIONS['transaction_mode'] = 'IMMEDIATE'."
            )
    else:
        raise ImproperlyConfigured(f"The audit log does not support {connection.vendor}.")


def append(
    actor: User | AnonymousUser | None,
    action: str,
    subject: Subject = None,
    **detail: Any,
) -> AuditEntry:
    """Add an entry to the end of the chain and return it. `subject` is a model instance or a
    (type, id) pair; `detail` is JSON-safe data without floats (and never tender content)."""
    subject_type, subject_id = _subject(subject)
    user = actor if isinstance(actor, User) and actor.pk is not None else None
    plain = _plain_json(detail)
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using):
        _lock_chain(using)
        last = AuditEntry.objects.using(using).order_by("-seq").only("seq", "hash").first()
        entry = AuditEntry(
            seq=last.seq + 1 if last else 1,
            at=timezone.now(),
            actor=user,
            actor_username=user.get_username() if user else "",
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=plain,
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save(using=using)
    return entry


def _content_matches(entry: AuditEntry) -> bool:
    try:
        return entry.compute_hash() == entry.hash
    except (TypeError, ValueError):  # a detail edited into something that is not plain JSON
        return False


def verify() -> VerifyResult:
    """Walk the whole chain in order and stop at the first entry that does not hold."""
    expected_seq = 1
    expected_prev = GENESIS
    checked = 0

    def broken(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, seq, reason, expected_prev)

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            missing = (
                f"#{expected_seq}"
                if entry.seq == expected_seq + 1
                else f"#{expected_seq}–#{entry.seq - 1}"
            )
            return broken(entry.seq, f"the entries before it ({missing}) are missing")
        if entry.prev_hash != expected_prev:
            before = f"entry #{entry.seq - 1}" if entry.seq > 1 else "the start of the log"
            return broken(
                entry.seq, f"it does not follow {before}: its previous hash does not match"
            )
        if not _content_matches(entry):
            return broken(entry.seq, "its content does not match its hash: it was edited")
        expected_seq += 1
        expected_prev = entry.hash
        checked += 1
    return VerifyResult(True, checked, None, "", expected_prev)


def tail(count: int = 20) -> list[AuditEntry]:
    """The last `count` entries, oldest first."""
    entries = list(AuditEntry.objects.order_by("-seq")[:count])
    entries.reverse()
    return entries
