"""Forms of the accounts pages: login, password reset, supplier self-registration, API tokens."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.template import loader
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lupin.accounts.actions import SupplierRegistration
from lupin.accounts.models import User
from lupin.accounts.tasks import send_email
from lupin.forms import Form, LupinFormMixin
from lupin.lib import orgnr

_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def _rules_text() -> str:
    return " ".join(password_validation.password_validators_help_texts())


# What the configured validators ask for, in the language of the request that shows the form.
_password_rules = lazy(_rules_text, str)


class LoginForm(LupinFormMixin, AuthenticationForm):
    """Django's login form (it passes the request to authenticate, which django-axes needs)."""


class QueuedPasswordResetForm(LupinFormMixin, PasswordResetForm):
    """Renders the reset e-mail in the request's language, then leaves sending to the worker."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        send_email.enqueue(subject=subject, body=body, to=[to_email], html_body=html_body)


class NewPasswordForm(LupinFormMixin, SetPasswordForm):
    pass


class SupplierRegistrationForm(Form):
    """A supplier signs itself up: the organisation and its first user.

    A Norwegian supplier gives its organisation number; a foreign one gives its own identifier
    and country instead. Exactly one of the two.
    """

    organisation_name = forms.CharField(
        label=gettext_lazy("Organisation name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    org_number = forms.CharField(
        label=gettext_lazy("Norwegian organisation number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "Nine digits from Enhetsregisteret, e.g. 974 760 673. Leave empty if your company "
            "is registered outside Norway."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    foreign_id = forms.CharField(
        label=gettext_lazy("Foreign company identifier"),
        required=False,
        max_length=64,
        help_text=gettext_lazy(
            "Only for companies registered outside Norway: VAT or company registration number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    country = forms.CharField(
        label=gettext_lazy("Country of registration"),
        required=False,
        max_length=2,
        help_text=gettext_lazy(
            "Only with a foreign identifier: two-letter country code (ISO 3166), e.g. SE or DE."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": "2"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Contact e-mail"),
        help_text=gettext_lazy("Used for your login and as the organisation's contact address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=gettext_lazy("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        help_text=_password_rules(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_org_number(self) -> str:
        value: str = self.cleaned_data["org_number"].strip()
        if not value:
            return ""
        number = orgnr.normalise(value)
        if not number.isdigit():
            raise forms.ValidationError(
                _("An organisation number has digits only (spaces are fine)."),
                code="invalid_org_number",
            )
        if len(number) != 9:
            raise forms.ValidationError(
                ngettext(
                    "An organisation number has exactly nine digits; you typed %(count)d.",
                    "An organisation number has exactly nine digits; you typed %(count)d.",
                    len(number),
                )
                % {"count": len(number)},
                code="invalid_org_number",
            )
        if not orgnr.is_valid(number):
            raise forms.ValidationError(
                _(
                    "%(number)s is not a valid organisation number: the check digit does not "
                    "match. Check for a typing error."
                )
                % {"number": orgnr.format_number(number)},
                code="invalid_org_number",
            )
        return number

    def clean_country(self) -> str:
        value: str = self.cleaned_data["country"].strip().upper()
        if value and not _COUNTRY_CODE.fullmatch(value):
            raise forms.ValidationError(
                _("Give the country as two letters, e.g. SE for Sweden."), code="invalid_country"
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        org_number = cleaned.get("org_number")
        foreign_id = (cleaned.get("foreign_id") or "").strip()
        country = cleaned.get("country")
        # A field that failed its own check is absent from cleaned_data: don't pile on.
        if "org_number" in cleaned:
            if org_number and foreign_id:
                self.add_error(
                    "foreign_id",
                    _(
                        "Give either a Norwegian organisation number or a foreign identifier, "
                        "not both. Leave this empty for a company registered in Norway."
                    ),
                )
            elif not org_number and not foreign_id:
                self.add_error(
                    "org_number",
                    _(
                        "Give your Norwegian organisation number, or a foreign identifier and "
                        "country if your company is registered outside Norway."
                    ),
                )
        if foreign_id and not org_number and "country" in cleaned:
            if not country:
                self.add_error("country", _("Give the country where the company is registered."))
            elif country == "NO":
                self.add_error(
                    "country",
                    _("A company registered in Norway gives its organisation number instead."),
                )
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords are not the same."))
            else:
                candidate = User(
                    username=cleaned.get("username", ""),
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    password_validation.validate_password(password2, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned

    def registration(self) -> SupplierRegistration:
        data = self.cleaned_data
        norwegian = bool(data["org_number"])
        return SupplierRegistration(
            organisation_name=data["organisation_name"],
            org_number=data["org_number"],
            foreign_id="" if norwegian else data["foreign_id"].strip(),
            country="NO" if norwegian else data["country"],
            email=data["email"],
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
        )


class TokenForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. “Case management system”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
