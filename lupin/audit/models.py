"""The tamper-evident audit log (Directive 2014/24 Annex IV g): one hash chain for all of Lupin.

Each entry holds the SHA-256 of its own content and of the entry before it, so editing, deleting
or inserting a row breaks the chain from that row on (`lupin audit verify`). Rows are only ever
added, through `lupin.audit.log.append`, which serialises writers so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The `prev_hash` of the first entry.
GENESIS = "0" * 64


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


def canonical_time(at: datetime) -> str:
    """The entry's time as hashed: UTC with microseconds, the same however the database returns
    it."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_username: str,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry: sorted keys, no spaces, UTF-8."""
    content = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor_username,
        "action": action,
        "subject": [subject_type, subject_id],
        "detail": detail,
        "prev_hash": prev_hash,
    }
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    # Gapless and assigned under the append lock, so a deleted row shows as a gap. (An
    # auto-increment would skip numbers after every rolled-back transaction on PostgreSQL.)
    seq = models.BigIntegerField(_("number"), primary_key=True, editable=False)
    at = models.DateTimeField(_("time"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The chain hashes the name, not the foreign key: a deleted user must not break it.
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=100, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects: ClassVar[models.Manager[AuditEntry]] = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            # Two entries after the same one would be a fork: the database refuses it even if
            # the lock in `append` were ever bypassed.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_one_successor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def compute_hash(self) -> str:
        return entry_hash(
            seq=self.seq,
            at=self.at,
            actor_username=self.actor_username,
            action=self.action,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            detail=self.detail,
            prev_hash=self.prev_hash,
        )
