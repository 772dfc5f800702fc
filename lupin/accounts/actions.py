"""Writes on organisations, users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import ApiToken, Organisation, OrganisationKind, Role, User, hash_token
from lupin.lib import orgnr


class AccountError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class SupplierRegistration:
    organisation_name: str
    org_number: str
    foreign_id: str
    country: str
    email: str
    username: str
    first_name: str
    last_name: str
    password: str


@transaction.atomic
def register_supplier(data: SupplierRegistration) -> User:
    """A supplier signs itself up: its organisation and its first user (the supplier admin)."""
    number = orgnr.normalise(data.org_number) if data.org_number else ""
    if number and Organisation.objects.filter(org_number=number).exists():
        raise AccountError(
            _("An organisation with this number is already registered. Ask its admin for a user."),
            field="org_number",
        )
    if User.objects.filter(username__iexact=data.username).exists():
        raise AccountError(_("That username is taken."), field="username")
    try:
        # A savepoint, so that a registration racing this one fails cleanly on the unique number.
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=OrganisationKind.SUPPLIER,
                name=data.organisation_name,
                org_number=number,
                foreign_id="" if number else data.foreign_id,
                country=data.country or "NO",
                email=data.email,
            )
    except IntegrityError:
        raise AccountError(
            _("An organisation with this number is already registered. Ask its admin for a user."),
            field="org_number",
        ) from None
    try:
        user = User.objects.create_user(
            username=data.username,
            email=data.email,
            password=data.password,
            first_name=data.first_name,
            last_name=data.last_name,
            organisation=organisation,
            role=Role.SUPPLIER_ADMIN,
        )
    except IntegrityError:
        raise AccountError(_("That username is taken."), field="username") from None
    return user


@transaction.atomic
def create_api_token(actor: User, owner: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    if actor.pk != owner.pk and not actor.is_superuser:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise AccountError(
            _("Give the token a name, e.g. the system that will use it."), field="name"
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=owner, name=name[:100], token_hash=hash_token(raw), hint=raw[:12]
    )
    return token, raw


@transaction.atomic
def revoke_api_token(actor: User, token: ApiToken) -> None:
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def user_for_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token as used."""
    if not raw.startswith("lupin_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=hash_token(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write at most once a minute: a busy integration should not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
