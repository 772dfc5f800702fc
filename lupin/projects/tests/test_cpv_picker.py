"""The CPV picker: search in bokmål or English, capped, public-safe."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lupin.projects.forms import ProjectForm, cpv_error
from lupin.projects.views.buyer import cpv_search

SEARCH = reverse("projects:cpv_search")


def _client(login, language):
    client = login(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_search_answers_with_bokmal_labels_in_norwegian(login, db):
    response = _client(login, "nb").get(SEARCH, {"q": "72000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Datatjenester: rådgivning, programvareutvikling" in html
    assert "IT services" not in html
    assert 'data-cpv-add="72000000"' in html


def test_search_answers_with_english_labels_in_english(login, db):
    response = _client(login, "en").get(SEARCH, {"q": "72000000"})
    html = response.content.decode()
    assert "IT services: consulting, software development" in html
    assert "Datatjenester" not in html


def test_search_by_word_in_either_language(login, db):
    bokmal = _client(login, "nb").get(SEARCH, {"q": "hjelpemidler handikappede"})
    assert "33196200" in [r["code"] for r in bokmal.context["results"]]
    english = _client(login, "en").get(SEARCH, {"q": "devices disabled"})
    assert "33196200" in [r["code"] for r in english.context["results"]]


def test_search_follows_translation_override(rf, db):
    with translation.override("en"):
        html = cpv_search(rf.get(SEARCH, {"q": "45000000"})).content.decode()
    assert "Construction work" in html
    with translation.override("nb"):
        html = cpv_search(rf.get(SEARCH, {"q": "45000000"})).content.decode()
    assert "Bygge- og anleggsvirksomhet" in html


def test_results_are_capped(login, db):
    response = _client(login, "en").get(SEARCH, {"q": "03"})
    assert len(response.context["results"]) == 20
    assert "Only the first ones are shown" in response.content.decode()


def test_query_length_is_capped(login, db):
    response = _client(login, "en").get(SEARCH, {"q": "service " * 1000})
    assert response.status_code == 200
    assert len(response.context["query"]) <= 100


@pytest.mark.parametrize("query", ["", "a", " "])
def test_too_short_a_query_searches_nothing(login, db, query):
    response = _client(login, "en").get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.context["results"] == []


def test_no_match_says_so(login, db):
    response = _client(login, "en").get(SEARCH, {"q": "zzzqqq"})
    assert "No CPV code matches" in response.content.decode()


def test_search_is_get_only(login, db):
    assert login(None).post(SEARCH, {"q": "72"}).status_code == 405


def test_search_returns_only_a_fragment(login, db):
    html = _client(login, "en").get(SEARCH, {"q": "72000000"}).content.decode()
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html


def test_form_accepts_codes_with_check_digits_and_drops_duplicates():
    form = ProjectForm(
        {
            "title": "T",
            "planned_procedure": "undecided",
            "cpv_codes": "72000000-5; 72000000 45000000",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cpv_codes"] == ["72000000", "45000000"]


def test_every_bad_code_is_named():
    form = ProjectForm(
        {"title": "T", "planned_procedure": "undecided", "cpv_codes": "72000000, 11111111, 123"}
    )
    assert not form.is_valid()
    errors = form.errors["cpv_codes"]
    assert len(errors) == 2
    assert "11111111" in errors[0]
    assert "“123”" in errors[1]


def test_cpv_messages_are_translated():
    with translation.override("en"):
        assert cpv_error("11111111") == "11111111 is not in the CPV 2008 list."
