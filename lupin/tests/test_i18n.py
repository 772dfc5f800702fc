"""The site speaks bokmål and English; the header's switch changes the language."""

from django.urls import reverse


def test_public_project_page_speaks_bokmal_when_asked(client, published_project):
    html = client.get(
        reverse("projects:detail", args=[published_project.pk]), HTTP_ACCEPT_LANGUAGE="nb"
    ).content.decode()
    assert '<html lang="nb"' in html
    assert "Logg inn" in html
    assert "Forventede gevinster" in html


def test_public_project_page_speaks_english_when_asked(client, published_project):
    html = client.get(
        reverse("projects:detail", args=[published_project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert "Expected benefits" in html


def test_language_switch_sticks_for_the_next_pages(client, published_project):
    page = reverse("projects:detail", args=[published_project.pk])
    response = client.post(reverse("set_language"), {"language": "nb", "next": page})
    assert response.status_code == 302
    assert '<html lang="nb"' in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": page})
    assert '<html lang="en"' in client.get(page).content.decode()


def test_without_a_preference_the_site_speaks_bokmal(client, settings, db):
    settings.LANGUAGE_CODE = "nb"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="nb"' in html
    assert "Logg inn" in html
