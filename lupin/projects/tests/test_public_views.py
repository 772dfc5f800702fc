"""The public pages: the front page, the project list with its filters, and a project's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupin.accounts.models import User
from lupin.conftest import add_benefit, make_project
from lupin.projects import actions
from lupin.projects.actions import ProjectData
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Procedure, Project

LIST = reverse("projects:list")
NBSP, NNBSP = "\u00a0", "\u202f"


def publish(buyer: User, title: str, **fields: object) -> Project:
    data = ProjectData(title=title, need_statement="Et behov", **fields)  # type: ignore[arg-type]
    return actions.publish_project(buyer, actions.create_project(buyer, data))


def to_competition(buyer: User, project: Project) -> Project:
    add_benefit(buyer, project)
    project.planned_procedure = Procedure.OPEN
    project.save(update_fields=["planned_procedure"])
    actions.move_phase(buyer, project, Phase.DIALOGUE)
    actions.move_phase(buyer, project, Phase.COMPETITION)
    project.refresh_from_db()
    return project


def titles(response) -> str:
    return response.content.decode()


# The front page


def test_home_lists_published_projects_and_not_drafts(login, published_project, draft_project):
    body = login(None).get(reverse("home")).content.decode()
    assert published_project.title in body
    assert draft_project.title not in body


def test_home_hides_drafts_even_from_their_buyer(login, buyer, published_project, draft_project):
    body = login(buyer).get(reverse("home")).content.decode()
    assert published_project.title in body
    assert draft_project.title not in body


def test_home_shows_open_needs_not_projects_in_competition(login, buyer):
    open_need = publish(buyer, "Skolemat for alle", estimated_value=Decimal(1000))
    competing = to_competition(
        buyer, publish(buyer, "Brøyting med sensorer", cpv_codes=("90620000",), estimated_value=1)
    )
    body = login(None).get(reverse("home")).content.decode()
    assert open_need.title in body
    assert competing.title not in body


def test_home_explains_lupin_and_invites_suppliers_to_register(login, db):
    response = login(None).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert f'href="{reverse("projects:list")}"' in body
    assert f'href="{reverse("accounts:register")}"' in body
    assert f'href="{reverse("accounts:login")}"' in body
    assert "No open needs are published right now." in body


# The list and its filters


def test_list_shows_published_projects_to_anonymous(login, published_project):
    response = login(None).get(LIST)
    assert response.status_code == 200
    assert published_project.title in response.content.decode()
    assert 'aria-live="polite"' in response.content.decode()
    assert "1 project found" in response.content.decode()


def test_list_filters_by_phase(login, buyer):
    need = publish(buyer, "Trygghet om natten")
    competing = to_competition(
        buyer, publish(buyer, "Brøyting med sensorer", cpv_codes=("90620000",), estimated_value=1)
    )
    body = login(None).get(LIST, {"phase": Phase.COMPETITION}).content.decode()
    assert competing.title in body
    assert need.title not in body


def test_list_filters_by_region(login, buyer):
    vestland = publish(buyer, "Vestlandsprosjekt", nuts_region="NO0A2")
    oslo = publish(buyer, "Oslo-prosjekt", nuts_region="NO081")
    body = login(None).get(LIST, {"region": "NO081"}).content.decode()
    assert oslo.title in body
    assert vestland.title not in body


def test_list_filters_by_cpv_division(login, buyer):
    snow = publish(buyer, "Brøyting", cpv_codes=("90620000", "90610000"))
    health = publish(buyer, "Hjelpemidler", cpv_codes=("33196200",))
    response = login(None).get(LIST, {"division": "90"})
    body = response.content.decode()
    assert snow.title in body
    assert health.title not in body
    # Two codes in the division must not list the project twice.
    assert body.count(f'href="{reverse("projects:detail", args=[snow.pk])}"') == 1
    assert "1 project found" in body


def test_division_labels_follow_the_language(login, db):
    english = login(None).get(LIST).content.decode()
    assert "90 – Sewage, refuse, cleaning and environmental services" in english
    norwegian = login(None).get(LIST, headers={"accept-language": "nb"}).content.decode()
    assert "45 – Bygge- og anleggsvirksomhet" in norwegian


def test_list_filters_by_buyer(login, buyer, cobuyer):
    ours = publish(buyer, "Fjordviks prosjekt")
    theirs = publish(cobuyer, "Solbergs prosjekt")
    body = login(None).get(LIST, {"buyer": cobuyer.organisation_id}).content.decode()
    assert theirs.title in body
    assert ours.title not in body


@pytest.mark.parametrize(
    ("field", "text", "query"),
    [
        ("title", "Digitalt tilsyn", "tilsyn"),
        ("need_statement", "Eldre trenger trygghet", "TRYGGHET"),
        ("affected_users", "Pårørende og nattpatruljen", "nattpatrulj"),
        ("desired_effects", "Færre fall i hjemmet", "fall i"),
    ],
)
def test_free_text_search_covers_the_need(login, buyer, field, text, query):
    hit = publish(buyer, "Prosjekt A")
    setattr(hit, field, text)
    hit.save(update_fields=[field])
    miss = publish(buyer, "Prosjekt B")
    body = login(None).get(LIST, {"q": query}).content.decode()
    assert hit.title in body
    assert miss.title not in body


def test_free_text_search_finds_the_buyer_by_name(login, buyer, cobuyer):
    theirs = publish(cobuyer, "Prosjekt hos naboen")
    ours = publish(buyer, "Prosjekt hjemme")
    body = login(None).get(LIST, {"q": "solberg"}).content.decode()
    assert theirs.title in body
    assert ours.title not in body


def test_unknown_phase_is_ignored_and_reported(login, published_project):
    response = login(None).get(LIST, {"phase": "bogus", "q": "Velferd"})
    body = response.content.decode()
    assert response.status_code == 200
    assert published_project.title in body
    assert 'aria-invalid="true"' in body
    assert "Select a valid choice" in body


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"page": "999"}, {"buyer": "x"}, {"q": "x" * 500}]
)
def test_bad_values_never_break_the_list(login, published_project, params):
    response = login(None).get(LIST, params)
    assert response.status_code == 200
    assert published_project.title in response.content.decode()


def test_list_paginates_twenty_per_page_and_keeps_filters(login, buyer):
    for number in range(25):
        publish(buyer, f"Prosjekt nummer {number:02d}", nuts_region="NO081")
    first = login(None).get(LIST, {"region": "NO081"}).content.decode()
    assert first.count('class="ds-card lupin-card"') == 20
    assert "25 projects found" in first
    assert 'class="ds-pagination"' in first
    assert 'aria-label="Pages of results"' in first
    assert 'aria-current="page"' in first
    assert "?region=NO081&amp;page=2" in first
    second = login(None).get(LIST, {"region": "NO081", "page": "2"}).content.decode()
    assert second.count('class="ds-card lupin-card"') == 5


def test_page_links_keep_their_ids_across_htmx_swaps(login, buyer):
    """htmx gives focus back to the element with the clicked link's id after the swap."""
    for number in range(45):
        publish(buyer, f"Prosjekt nummer {number:02d}")
    headers = {"hx-request": "true"}
    second = login(None).get(LIST, {"page": "2"}, headers=headers).content.decode()
    pages = second.split('class="ds-pagination"')[1].split("</nav>")[0]
    links = re.findall(r"<a\b[^>]*>", pages)
    assert len(links) == 5  # previous, 1, 2 (the current page), 3, next
    assert all(re.search(r'\bid="page-[a-z0-9]+"', link) for link in links), links
    for link_id in ('id="page-previous"', 'id="page-1"', 'id="page-3"', 'id="page-next"'):
        assert link_id in pages
    current = re.findall(r'<a\b[^>]*aria-current="page"[^>]*>', pages)
    assert len(current) == 1
    assert 'id="page-2"' in current[0]


def test_htmx_request_gets_only_the_results(login, published_project):
    response = login(None).get(LIST, {"q": "Velferd"}, headers={"hx-request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert published_project.title in body
    assert "<html" not in body
    assert "<form" not in body
    assert 'id="result-count" hx-swap-oob="innerHTML"' in body
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(login, published_project):
    headers = {"hx-request": "true", "hx-history-restore-request": "true"}
    body = login(None).get(LIST, headers=headers).content.decode()
    assert "<html" in body
    assert "<form" in body


def test_list_works_without_javascript(login, db):
    body = login(None).get(LIST).content.decode()
    assert 'method="get"' in body
    assert 'type="submit"' in body
    assert 'hx-target="#project-results"' in body
    assert 'hx-push-url="true"' in body


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_projects(
    login, buyer, cobuyer, draft_project, django_assert_max_num_queries
):
    client = login(buyer)
    make = [buyer, cobuyer]
    publish(buyer, "Første", cpv_codes=("33196200",))
    few = _list_queries(client)
    for number in range(12):
        publish(make[number % 2], f"Prosjekt {number}", cpv_codes=("90620000", "72000000"))
    many = _list_queries(client)
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(LIST, {"q": "Prosjekt", "division": "90"})


def test_home_query_count_does_not_grow_with_open_needs(
    login, buyer, cobuyer, django_assert_max_num_queries
):
    client = login(None)
    publish(buyer, "Første", cpv_codes=("33196200",))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for number in range(8):
        publish([buyer, cobuyer][number % 2], f"Behov {number}", cpv_codes=("90620000",))
    with django_assert_max_num_queries(len(few)):
        body = client.get(reverse("home")).content.decode()
    assert body.count('class="ds-card lupin-card"') == 6


# A project's page


def test_detail_query_count_does_not_grow_with_benefits_documents_and_history(
    login, buyer, cobuyer, published_project, django_assert_max_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(buyer)
    url = reverse("projects:detail", args=[published_project.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    invitation = actions.invite_cobuyer(buyer, published_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=True)
    for number in range(5):
        add_benefit(buyer, published_project)
        upload = SimpleUploadedFile(f"notat-{number}.txt", b"Notat")
        actions.add_document(buyer, published_project, title=f"Notat {number}", upload=upload)
        phase = Phase.DIALOGUE if number % 2 == 0 else Phase.NEED
        actions.move_phase(buyer, published_project, phase, reason="Test")
    with django_assert_max_num_queries(len(few)):
        body = client.get(url).content.decode()
    assert "Notat 4" in body


def test_detail_shows_the_need_and_the_facts(login, buyer):
    project = make_project(buyer)
    project.problem_scenarios = "Nattpatruljen rekker ikke alle"
    project.desired_effects = "Færre unødvendige besøk"
    project.planned_procedure = Procedure.INNOVATION_PARTNERSHIP
    project.save()
    add_benefit(buyer, project)
    actions.publish_project(buyer, project)
    body = login(None).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert body.count("<h1") == 1
    for text in [
        project.title,
        "Fjordvik kommune",
        project.need_statement,
        project.affected_users,
        "Nattpatruljen rekker ikke alle",
        "Færre unødvendige besøk",
        f"2{NNBSP}500{NNBSP}000{NBSP}kr",
        "Vestland",
        "Innovation partnership",
        "Devices for the disabled",
        "IT services: consulting, software development",
    ]:
        assert text in body, text


def test_detail_shows_the_benefits_table(login, published_project):
    body = login(None).get(reverse("projects:detail", args=[published_project.pk])).content.decode()
    assert "<caption" in body
    assert 'scope="col"' in body
    assert "Process: hours spent" in body
    assert "Færre unødvendige nattbesøk" in body
    assert "120" in body and "60 besøk per uke" in body
    assert f"900{NNBSP}000{NBSP}kr" in body
    assert "Leder hjemmetjenesten" in body


def test_detail_shows_cpv_labels_in_norwegian(login, published_project):
    url = reverse("projects:detail", args=[published_project.pk])
    body = login(None).get(url, headers={"accept-language": "nb"}).content.decode()
    assert "Hjelpemidler til handikappede" in body
    assert "Devices for the disabled" not in body


def test_detail_marks_the_current_phase_in_words(login, buyer, published_project):
    actions.move_phase(buyer, published_project, Phase.DIALOGUE)
    body = login(None).get(reverse("projects:detail", args=[published_project.pk])).content.decode()
    assert body.count('aria-current="step"') == 1
    current = body.split('aria-current="step"')[1].split("</li>")[0]
    assert "Market dialogue" in current
    assert "Current phase" in current


def test_detail_timeline_shows_who_when_in_oslo_time_and_why(login, buyer, published_project):
    with time_machine.travel(dt.datetime(2025, 1, 15, 12, 30, tzinfo=dt.UTC), tick=False):
        actions.move_phase(buyer, published_project, Phase.DIALOGUE, reason="Klar for dialog")
    with time_machine.travel(dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        actions.move_phase(buyer, published_project, Phase.NEED, reason="Behovet må skrives om")
    body = login(None).get(reverse("projects:detail", args=[published_project.pk])).content.decode()
    assert "From Need to Market dialogue" in body
    assert "15. January 2025 13:30 CET" in body
    assert "1. July 2025 10:00 CEST" in body
    assert "Klar for dialog" in body
    assert "Behovet må skrives om" in body
    assert "by Buyer" not in body  # the official's name is for insiders
    inside = login(buyer).get(reverse("projects:detail", args=[published_project.pk]))
    assert "by Buyer" in inside.content.decode()


def test_detail_lists_accepted_cobuyers_only(login, buyer, cobuyer, published_project):
    url = reverse("projects:detail", args=[published_project.pk])
    invitation = actions.invite_cobuyer(buyer, published_project, cobuyer.organisation)
    assert "Solberg kommune" not in login(None).get(url).content.decode()
    actions.answer_invitation(cobuyer, invitation, accept=True)
    assert "Solberg kommune" in login(None).get(url).content.decode()


def test_draft_shows_a_clear_not_public_alert(login, buyer, draft_project, published_project):
    draft = login(buyer).get(reverse("projects:detail", args=[draft_project.pk])).content.decode()
    assert 'class="ds-alert" data-color="warning"' in draft
    assert "Draft – not public." in draft
    public = login(buyer).get(reverse("projects:detail", args=[published_project.pk]))
    assert "Draft – not public." not in public.content.decode()


def test_publish_and_unpublish_are_post_forms_with_csrf(login, buyer, draft_project):
    body = login(buyer).get(reverse("projects:detail", args=[draft_project.pk])).content.decode()
    form = body.split(f'action="{reverse("projects:publish", args=[draft_project.pk])}"')
    assert len(form) == 2
    assert 'method="post"' in form[0][-40:]
    assert "csrfmiddlewaretoken" in form[1].split("</form>")[0]


def test_insiders_see_documents_roadmap_progress_and_audit_trail(
    login, buyer, advisor, published_project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("referat.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    document = actions.add_document(buyer, published_project, title="Referat", upload=upload)
    step = published_project.steps.get(key="anchor")
    actions.set_step(buyer, step, done=True)
    url = reverse("projects:detail", args=[published_project.pk])
    download = reverse("projects:document_download", args=[published_project.pk, document.pk])
    body = login(advisor).get(url).content.decode()
    assert download in body
    assert "1 of 7 steps done" in body
    assert reverse("projects:roadmap", args=[published_project.pk]) in body
    assert "Project published" in body
    assert "Document added" in body
    outsider = login(None).get(url).content.decode()
    assert download not in outsider
    assert "Referat" not in outsider
    assert "steps done" not in outsider


def test_audit_trail_shows_the_latest_twenty(login, buyer, published_project):
    step = published_project.steps.get(key="anchor")
    for index in range(25):
        actions.set_step(buyer, step, done=index % 2 == 0)
    assert published_project.events.count() > 20
    body = login(buyer).get(reverse("projects:detail", args=[published_project.pk])).content
    audit = body.decode().split("The latest changes to the project")[1].split("</table>")[0]
    assert audit.count("<tr>") == 1 + 20  # header row and twenty events
    assert "Project created" not in audit  # the oldest fell off
