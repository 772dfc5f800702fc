"""Open data: the OCDS releases Lupin publishes, and the notices it reads from others.

Out: a `Release` is written once, when the event it reports happens, and never changed; records
are compiled from the releases of one `ocid` when asked for.

In: every release read from an OCDS file, and every eForms notice (mapped to an OCDS release
first), is kept as an `ImportedRelease` (one row per ocid and release id, so importing the same
file again changes nothing). The releases of one ocid are merged, with the OCDS merge rules, into
the `ExternalNotice` that the notice list shows next to Lupin's own projects (its list fields;
the compiled release is compiled again when asked for).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.opendata.merge import compile_leniently
from lupin.projects.models import Project


class ImmutableError(Exception):
    """A published release was about to be changed."""


class Release(models.Model):
    ocid = models.CharField(max_length=128, db_index=True)
    release_id = models.CharField(max_length=200, unique=True)
    date = models.DateTimeField(db_index=True)
    tags = models.JSONField(default=list)
    data = models.JSONField()
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="releases"
    )
    # What produced it ("competition.announced:12"): one release per event, however often the
    # producer runs.
    source_event = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(f"Release {self.release_id} is published and cannot change.")
        super().save(*args, **kwargs)


class NoticeSource(models.TextChoices):
    OCDS = "ocds", _("OCDS data")
    EFORMS = "eforms", _("eForms notice")


class ExternalNotice(models.Model):
    """A contracting process published elsewhere (Doffin, TED, another OCDS publisher), as Lupin
    shows it in its lists: the compiled release and the fields the lists filter on."""

    source = models.CharField(_("source"), max_length=8, choices=NoticeSource.choices)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    ocid = models.CharField(max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=300, blank=True)
    buyer_identifier = models.CharField(max_length=100, blank=True)
    cpv_codes = models.JSONField(default=list, blank=True)
    main_cpv = models.CharField(_("main CPV code"), max_length=8, blank=True, db_index=True)
    nuts_region = models.CharField(_("NUTS region"), max_length=5, blank=True, db_index=True)
    value = models.DecimalField(
        _("estimated value"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    procedure = models.CharField(_("procedure"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    deadline = models.DateTimeField(_("tender deadline"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("external notice")
        verbose_name_plural = _("external notices")

    def __str__(self) -> str:
        return self.title or self.ocid

    def compiled_release(self) -> dict[str, Any]:
        """The process's compiled release, merged from its stored releases in the order the
        import merges them: by date (undated first), then release id. It is not stored: the
        import reads the list fields from it and compiles it again only when asked."""
        rows = sorted(
            (date.astimezone(UTC).isoformat() if date else "", release_id, data)
            for date, release_id, data in self.releases.values_list("date", "release_id", "data")
        )
        return compile_leniently([data for _, _, data in rows])


class ImportedRelease(models.Model):
    notice = models.ForeignKey(ExternalNotice, on_delete=models.CASCADE, related_name="releases")
    ocid = models.CharField(max_length=200)
    release_id = models.CharField(max_length=300)
    date = models.DateTimeField(null=True, blank=True)
    data = models.JSONField()
    # SHA-256 of the release's canonical JSON: the same release read again is skipped.
    digest = models.CharField(max_length=64)
    source_file = models.CharField(max_length=500, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ocid", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ocid", "release_id"], name="imported_release_once")
        ]

    def __str__(self) -> str:
        return f"{self.ocid} {self.release_id}"
