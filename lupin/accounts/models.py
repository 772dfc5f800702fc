"""Organisations, the people in them, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.lib import nuts, orgnr


def validate_org_number(value: str) -> None:
    number = orgnr.normalise(value)
    if not number.isdigit() or len(number) != 9:
        raise ValidationError(
            _("An organisation number has exactly nine digits."), code="invalid_org_number"
        )
    if not orgnr.is_valid(number):
        raise ValidationError(
            _("The check digit does not match (MOD11): check for a typing error."),
            code="invalid_org_number",
        )


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", _("Public buyer")
    SUPPLIER = "supplier", _("Supplier")
    PROGRAMME = "programme", _("Programme")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[validate_org_number],
        help_text=_("Nine digits from Enhetsregisteret."),
    )
    foreign_id = models.CharField(
        _("foreign identifier"),
        max_length=64,
        blank=True,
        help_text=_("For suppliers registered outside Norway: VAT or company number."),
    )
    country = models.CharField(_("country"), max_length=2, default="NO")
    municipality_number = models.CharField(_("municipality number"), max_length=4, blank=True)
    nuts_region = models.CharField(_("NUTS region"), max_length=5, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    central_government = models.BooleanField(
        _("central government"),
        default=False,
        help_text=_("Central government bodies have lower EEA thresholds."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["org_number"],
                condition=~Q(org_number=""),
                name="organisation_org_number_unique",
            ),
            models.CheckConstraint(
                condition=~Q(org_number="") | ~Q(foreign_id=""),
                name="organisation_has_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.nuts_region and self.nuts_region not in nuts.regions():
            raise ValidationError({"nuts_region": _("Unknown NUTS region.")})

    @property
    def identifier(self) -> str:
        return orgnr.format_number(self.org_number) if self.org_number else self.foreign_id

    @property
    def is_buyer(self) -> bool:
        return self.kind == OrganisationKind.BUYER

    @property
    def is_supplier(self) -> bool:
        return self.kind == OrganisationKind.SUPPLIER


class Role(models.TextChoices):
    BUYER_ADMIN = "buyer_admin", _("Buyer admin")
    BUYER_MEMBER = "buyer_member", _("Buyer member")
    EVALUATOR = "evaluator", _("Evaluator")
    SUPPLIER_ADMIN = "supplier_admin", _("Supplier admin")
    SUPPLIER_MEMBER = "supplier_member", _("Supplier member")
    ADVISOR = "advisor", _("Programme advisor")


# Which organisation kinds each role belongs in.
ROLE_KINDS: dict[str, str] = {
    Role.BUYER_ADMIN: OrganisationKind.BUYER,
    Role.BUYER_MEMBER: OrganisationKind.BUYER,
    Role.EVALUATOR: OrganisationKind.BUYER,
    Role.SUPPLIER_ADMIN: OrganisationKind.SUPPLIER,
    Role.SUPPLIER_MEMBER: OrganisationKind.SUPPLIER,
    Role.ADVISOR: OrganisationKind.PROGRAMME,
}


class User(AbstractUser):
    """A person. Belongs to one organisation with one role (staff superusers may have none)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if bool(self.organisation_id) != bool(self.role):
            raise ValidationError(_("A user in an organisation needs a role, and vice versa."))
        if self.organisation and ROLE_KINDS.get(self.role) != self.organisation.kind:
            raise ValidationError({"role": _("This role does not fit the organisation's kind.")})

    @property
    def is_buyer(self) -> bool:
        return self.role in (Role.BUYER_ADMIN, Role.BUYER_MEMBER)

    @property
    def is_buyer_admin(self) -> bool:
        return self.role == Role.BUYER_ADMIN

    @property
    def is_supplier(self) -> bool:
        return self.role in (Role.SUPPLIER_ADMIN, Role.SUPPLIER_MEMBER)

    @property
    def is_advisor(self) -> bool:
        return self.role == Role.ADVISOR


TOKEN_PREFIX = "lupin_"  # noqa: S105 (a prefix, not a secret)


def hash_token(raw: str) -> str:
    # The token carries 256 random bits, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integrations. Only the hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text=_("The first characters, to recognise it."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
