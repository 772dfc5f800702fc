from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lupin.accounts.models import Organisation, OrganisationKind, Role, User

URL = reverse("accounts:register")
PASSWORD = "Fjellbekk-Nordlys-2024"


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "organisation_name": "Snøskred Sensor AS",
        "org_number": "974 760 673",
        "foreign_id": "",
        "country": "",
        "email": "post@snoskred.example",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "username": "kari",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return data


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def assert_kept(response: Any, data: dict[str, str]) -> None:
    """Every typed value comes back in the form, except the passwords."""
    html = response.content.decode()
    for name in ("organisation_name", "email", "first_name", "last_name", "username"):
        assert f'value="{data[name]}"' in html, name
    assert PASSWORD not in html


@pytest.mark.django_db
def test_supplier_registers_and_is_logged_in_as_its_admin(client: Client) -> None:
    response = client.post(URL, form_data(), follow=True)

    assert response.redirect_chain == [(reverse("accounts:home"), 302)]
    user = User.objects.get(username="kari")
    assert response.context["user"] == user
    assert user.role == Role.SUPPLIER_ADMIN
    assert user.check_password(PASSWORD)
    organisation = user.organisation
    assert organisation is not None
    assert organisation.kind == OrganisationKind.SUPPLIER
    assert organisation.org_number == "974760673"
    assert organisation.country == "NO"
    assert organisation.email == "post@snoskred.example"
    assert "Snøskred Sensor AS is registered" in response.content.decode()


@pytest.mark.django_db
def test_foreign_supplier_registers_with_foreign_id_and_country(client: Client) -> None:
    response = client.post(URL, form_data(org_number="", foreign_id="SE556677889901", country="se"))

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Snøskred Sensor AS")
    assert organisation.org_number == ""
    assert organisation.foreign_id == "SE556677889901"
    assert organisation.country == "SE"


@pytest.mark.django_db
def test_registration_page_has_labelled_fields_with_autocomplete(client: Client) -> None:
    html = client.get(URL).content.decode()

    assert html.count("<h1") == 1
    for name, token in [
        ("username", "username"),
        ("email", "email"),
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("password1", "new-password"),
        ("organisation_name", "organization"),
    ]:
        assert f'for="id_{name}"' in html
        assert f'autocomplete="{token}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("974 760 674", "the check digit does not match"),
        ("97476067", "exactly nine digits; you typed 8"),
        ("97476O673", "digits only"),
    ],
)
def test_invalid_org_number_is_refused_with_message(
    client: Client, number: str, message: str
) -> None:
    data = form_data(org_number=number)
    response = client.post(URL, data)

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, "org_number"))
    assert f'value="{number}"' in response.content.decode()
    assert_kept(response, data)
    assert not User.objects.filter(username="kari").exists()


@pytest.mark.django_db
def test_both_identifiers_are_refused(client: Client) -> None:
    data = form_data(foreign_id="SE556677889901", country="SE")
    response = client.post(URL, data)

    assert any("not both" in error for error in field_errors(response, "foreign_id"))
    assert 'value="SE556677889901"' in response.content.decode()
    assert_kept(response, data)
    assert not Organisation.objects.filter(name="Snøskred Sensor AS").exists()


@pytest.mark.django_db
def test_neither_identifier_is_refused(client: Client) -> None:
    data = form_data(org_number="")
    response = client.post(URL, data)

    errors = field_errors(response, "org_number")
    assert any("foreign identifier" in error for error in errors)
    assert_kept(response, data)
    assert not Organisation.objects.filter(name="Snøskred Sensor AS").exists()


@pytest.mark.django_db
def test_foreign_id_without_country_is_refused(client: Client) -> None:
    response = client.post(URL, form_data(org_number="", foreign_id="DE123456789"))

    assert field_errors(response, "country") == [
        "Give the country where the company is registered."
    ]
    assert not Organisation.objects.filter(name="Snøskred Sensor AS").exists()


def test_existing_org_number_is_refused_with_message(client: Client, supplier: User) -> None:
    assert supplier.organisation is not None
    taken = supplier.organisation.org_number
    data = form_data(org_number=f"{taken[:3]} {taken[3:6]} {taken[6:]}")
    response = client.post(URL, data)

    errors = field_errors(response, "org_number")
    assert any("already registered" in error for error in errors)
    html = response.content.decode()
    assert 'id="id_org_number-error"' in html
    assert "already registered" in html
    assert_kept(response, data)
    assert not User.objects.filter(username="kari").exists()
    assert Organisation.objects.filter(org_number=taken).count() == 1


def test_taken_username_is_refused_with_message(client: Client, supplier: User) -> None:
    data = form_data(username="Supplier")
    response = client.post(URL, data)

    assert field_errors(response, "username") == ["That username is taken."]
    assert_kept(response, data)
    assert not Organisation.objects.filter(name="Snøskred Sensor AS").exists()


@pytest.mark.django_db
def test_password_mismatch_is_refused_and_passwords_not_echoed(client: Client) -> None:
    data = form_data(password2=PASSWORD + "x")
    response = client.post(URL, data)

    assert field_errors(response, "password2") == ["The two passwords are not the same."]
    assert_kept(response, data)
    assert PASSWORD + "x" not in response.content.decode()
    assert not User.objects.filter(username="kari").exists()


@pytest.mark.django_db
def test_weak_password_is_refused_by_the_password_validators(client: Client) -> None:
    data = form_data(password1="12345678", password2="12345678")
    response = client.post(URL, data)

    errors = " ".join(field_errors(response, "password1"))
    assert "too common" in errors
    assert "entirely numeric" in errors
    assert not User.objects.filter(username="kari").exists()


def test_logged_in_user_is_sent_to_my_page(login: Any, buyer: User) -> None:
    response = login(buyer).get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


@pytest.mark.django_db
def test_empty_post_answers_with_a_message_next_to_every_required_field(client: Client) -> None:
    response = client.post(URL, {})

    assert response.status_code == 200
    for field in ("organisation_name", "email", "first_name", "last_name", "username"):
        assert field_errors(response, field), field
    html = response.content.decode()
    assert "<title>Error: Register your company" in html
    assert 'getElementById("error-summary")' in html
    assert not User.objects.exists()
