"""The buyer's pages: the advisor, creating and editing, criteria, documents, announcing, the
timeline, questions and answers, cancelling, and the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lupin.competitions import actions
from lupin.competitions.actions import setup
from lupin.competitions.models import Competition, CompetitionStatus, Criterion, QuestionStatus
from lupin.competitions.tests.conftest import make_competition, tender_file
from lupin.conftest import add_benefit, make_project
from lupin.projects import actions as project_actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Procedure

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(buyer):
    project = make_project(buyer, "Digitalt tilsyn om natten")
    add_benefit(buyer, project)
    project.planned_procedure = Procedure.OPEN
    project.save()
    project_actions.move_phase(buyer, project, Phase.COMPETITION, reason="Klar")
    project.refresh_from_db()
    return project


@pytest.fixture
def draft(buyer, media):
    return make_competition(buyer, announce=False)


def local(days: int, hour: int = 12) -> str:
    """A datetime-local value `days` calendar days after today, Oslo time."""
    return (NOW + timedelta(days=days)).replace(hour=hour).strftime("%Y-%m-%dT%H:%M")


def form_data(tender_days: int = 36, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Digitalt tilsyn: konkurranse",
        "reference": "2026/17",
        "description": "Tilsyn om natten uten flere besøk.",
        "estimated_value": "2 500 000",
        "buyer_kind": "other",
        "purchase_kind": "goods_services",
        "procedure": "open",
        "question_deadline": local(tender_days - 10),
        "last_answer_at": local(tender_days - 7),
        "tender_deadline": local(tender_days),
        "opening_at": local(tender_days, 13),
        "price_model": "proportional",
        "score_max": "10",
    }
    data.update(overrides)
    return data


# The advisor ------------------------------------------------------------------------------


def advise(client, value: str, buyer_kind: str = "other", **extra):
    params = {"estimated_value": value, "buyer_kind": buyer_kind, "purchase_kind": "goods_services"}
    return client.get(reverse("competitions:advisor"), params, **extra)


def test_advisor_shows_part_iii_and_ted_for_2_5_mnok(login, buyer):
    response = advise(login(buyer), "2 500 000")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-regime="part_iii"' in html
    assert "FOA part III" in html
    assert "TED" in html
    assert "FOA § 20-1" in html  # the open procedure's minimum, with its rule
    assert "Competitive dialogue" in html


def test_advisor_shows_part_ii_for_1_5_mnok(login, buyer):
    html = advise(login(buyer), "1 500 000").content.decode()
    assert 'data-regime="part_ii"' in html
    assert "FOA part II" in html
    assert "TED" not in html
    assert "Lupin default, not law" in html


def test_advisor_panel_alone_for_htmx(login, buyer):
    response = advise(login(buyer), "2500000", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-regime="part_iii"' in html


def test_advisor_without_a_value_asks_for_one(login, buyer):
    response = login(buyer).get(reverse("competitions:advisor"))
    assert "Write the estimated value" in response.content.decode()


# Creating and editing ------------------------------------------------------------------------


def test_create_page_shows_the_advisor_panel(login, buyer, project):
    response = login(buyer).get(reverse("competitions:create", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="advisor-panel"' in html
    assert 'data-regime="part_iii"' in html


def test_a_tender_deadline_one_day_short_is_an_error_next_to_the_field(login, buyer, project):
    response = login(buyer).post(
        reverse("competitions:create", args=[project.pk]), form_data(tender_days=29)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "FOA § 20-1" in " ".join(errors["tender_deadline"])
    assert "this timeline gives 29" in " ".join(errors["tender_deadline"])
    assert not Competition.objects.exists()


def test_a_tender_deadline_exactly_at_the_minimum_is_accepted(login, buyer, project):
    response = login(buyer).post(
        reverse("competitions:create", args=[project.pk]), form_data(tender_days=30)
    )
    competition = Competition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("competitions:manage", args=[competition.pk])
    assert competition.regime == "part_iii"
    assert competition.tender_deadline == NOW.replace(hour=12) + timedelta(days=30)


def test_linear_zero_needs_k(login, buyer, project):
    response = login(buyer).post(
        reverse("competitions:create", args=[project.pk]),
        form_data(price_model="linear_zero"),
    )
    assert "price_zero_factor" in response.context["form"].errors


def test_a_lupin_default_is_a_warning_not_an_error(login, buyer, project):
    # Part II has no legal minimum; Lupin recommends 10 days. 8 days is saved, with a warning.
    data = form_data(
        tender_days=8,
        estimated_value="1 500 000",
        question_deadline=local(1),
        last_answer_at=local(1),
    )
    client = login(buyer)
    response = client.post(reverse("competitions:create", args=[project.pk]), data)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Lupin recommends" in html


def test_edit_saves_a_draft(login, buyer, draft):
    data = form_data(title="Nytt navn")
    response = login(buyer).post(reverse("competitions:edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Nytt navn"


def test_edit_of_an_announced_competition_goes_back_to_the_dashboard(login, buyer, competition):
    response = login(buyer).get(reverse("competitions:edit", args=[competition.pk]))
    assert response.status_code == 302


def test_project_page_links_to_start_a_competition(login, buyer, project):
    html = login(buyer).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("competitions:create", args=[project.pk]) in html


# Criteria, qualification, documents ---------------------------------------------------------


def test_criteria_page_shows_the_live_total(login, buyer, draft):
    client = login(buyer)
    url = reverse("competitions:criteria", args=[draft.pk])
    assert "Total: 100 %" in client.get(url).content.decode()
    client.post(
        url, {"op": "add", "new-name": "Gjennomføring", "new-kind": "quality", "new-weight": "10"}
    )
    html = client.get(url).content.decode()
    assert "Total: 110 %" in html
    assert "10 % too much" in html


def test_criteria_page_adds_a_sub_criterion_under_its_parent(login, buyer, draft):
    quality = draft.criteria.get(kind="quality")
    url = reverse("competitions:criteria", args=[draft.pk])
    response = login(buyer).post(
        url,
        {
            "op": "add_sub",
            "criterion": quality.pk,
            f"sub-{quality.pk}-name": "Brukervennlighet",
            f"sub-{quality.pk}-weight": "30",
        },
    )
    assert response.status_code == 302
    child = Criterion.objects.get(parent=quality)
    assert child.kind == "quality"
    assert child.weight == Decimal(30)


def test_an_invalid_criterion_shows_the_error_next_to_the_field(login, buyer, draft):
    url = reverse("competitions:criteria", args=[draft.pk])
    response = login(buyer).post(url, {"op": "add", "new-name": "", "new-kind": "quality"})
    assert response.status_code == 200
    assert response.context["new_form"].errors


def test_qualification_page_adds_a_requirement(login, buyer, draft):
    url = reverse("competitions:qualification", args=[draft.pk])
    response = login(buyer).post(url, {"text": "Skatteattest", "documentation": "Attest"})
    assert response.status_code == 302
    assert draft.qualification_requirements.get().text == "Skatteattest"


def test_documents_page_uploads_and_lists(login, buyer, draft):
    client = login(buyer)
    url = reverse("competitions:documents", args=[draft.pk])
    upload = SimpleUploadedFile("kravspek.pdf", b"%PDF-1.4 krav", "application/pdf")
    assert client.post(url, {"title": "Kravspesifikasjon", "file": upload}).status_code == 302
    html = client.get(url).content.decode()
    document = draft.documents.get(title="Kravspesifikasjon")
    assert reverse("competitions:document_download", args=[draft.pk, document.pk]) in html


def test_a_document_of_a_forbidden_type_is_refused(login, buyer, draft):
    url = reverse("competitions:documents", args=[draft.pk])
    upload = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    response = login(buyer).post(url, {"title": "X", "file": upload})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_removing_a_published_document_is_refused(login, buyer, competition):
    document = competition.documents.get()
    url = reverse("competitions:document_delete", args=[competition.pk, document.pk])
    login(buyer).post(url)
    assert competition.documents.filter(pk=document.pk).exists()


# Announcing -----------------------------------------------------------------------------------


def test_weights_not_summing_to_100_block_announcing(login, buyer, draft):
    Criterion.objects.filter(competition=draft, kind="price").update(weight=Decimal(50))
    client = login(buyer)
    response = client.post(reverse("competitions:announce", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == CompetitionStatus.DRAFT
    assert "they must weigh 100 %" in response.content.decode()


def test_environment_20_percent_blocks_until_justified(login, buyer, draft):
    Criterion.objects.filter(competition=draft, kind="price").update(weight=Decimal(50))
    Criterion.objects.filter(competition=draft, kind="environment").update(weight=Decimal(20))
    client = login(buyer)
    response = client.post(reverse("competitions:announce", args=[draft.pk]), follow=True)
    assert "FOA § 7-9" in response.content.decode()
    client.post(
        reverse("competitions:criteria", args=[draft.pk]),
        {"op": "justify", "justify-environment_justification": "Miljøkrav i kravspesifikasjonen."},
    )
    client.post(reverse("competitions:announce", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == CompetitionStatus.ANNOUNCED


def test_dashboard_lists_what_blocks_announcing(login, buyer, draft):
    Criterion.objects.filter(competition=draft, kind="price").update(weight=Decimal(10))
    html = login(buyer).get(reverse("competitions:manage", args=[draft.pk])).content.decode()
    assert "Before it can be announced" in html
    assert "they must weigh 100 %" in html


# The timeline and cancelling -------------------------------------------------------------------


def test_timeline_change_tells_every_interested_supplier(
    login, buyer, supplier, competition, django_capture_on_commit_callbacks
):
    actions.register_interest(supplier, competition)
    later = {
        "question_deadline": local(40),
        "last_answer_at": local(44),
        "tender_deadline": local(51),
        "opening_at": local(51, 13),
        "reason": "Flere leverandører ba om mer tid.",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(buyer).post(reverse("competitions:timeline", args=[competition.pk]), later)
    assert response.status_code == 302
    assert [a for m in mail.outbox for a in m.to] == [supplier.email]


def test_timeline_cannot_shorten_below_the_minimum(login, buyer, competition):
    shorter = {
        "question_deadline": local(20),
        "last_answer_at": local(21),
        "tender_deadline": local(28),
        "opening_at": local(28, 13),
        "reason": "Raskere",
    }
    response = login(buyer).post(reverse("competitions:timeline", args=[competition.pk]), shorter)
    assert response.status_code == 200
    assert "FOA § 20-1" in " ".join(response.context["form"].errors["tender_deadline"])


def test_cancel_with_a_reason(login, buyer, competition):
    url = reverse("competitions:cancel", args=[competition.pk])
    client = login(buyer)
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Budsjettet falt bort."}).status_code == 302
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.CANCELLED


# Questions and answers ------------------------------------------------------------------------


def test_answer_page_publishes_to_all(login, buyer, supplier, competition):
    question = setup.ask_question(supplier, competition, "Nordlys spør om API")
    url = reverse("competitions:answer", args=[competition.pk, question.pk])
    response = login(buyer).post(url, {"question_text": "Om API?", "answer_text": "Ja."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED


def test_answer_page_refuses_after_the_last_time_for_answers(login, buyer, supplier, competition):
    question = setup.ask_question(supplier, competition, "Spørsmål?")
    url = reverse("competitions:answer", args=[competition.pk, question.pk])
    with time_machine.travel(competition.last_answer_at + timedelta(minutes=1), tick=False):
        response = login(buyer).post(url, {"question_text": "Q?", "answer_text": "A."})
    assert response.status_code == 200
    assert "art. 53(2)" in response.content.decode()
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


def test_duplicate_and_clarification(login, buyer, supplier, competition):
    client = login(buyer)
    response = client.post(
        reverse("competitions:clarification", args=[competition.pk]),
        {"question_text": "Leveringstid", "answer_text": "Tre måneder."},
    )
    assert response.status_code == 302
    answer = competition.answers.get()
    question = setup.ask_question(supplier, competition, "Leveringstid?")
    client.post(
        reverse("competitions:duplicate", args=[competition.pk, question.pk]),
        {f"q{question.pk}-answer": answer.pk},
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.DUPLICATE


# The dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_the_tender_count_but_no_tender_details(
    login, buyer, supplier, competition
):
    actions.submit_tender(supplier, competition, uploads=[tender_file()], price=Decimal("987654"))
    response = login(buyer).get(reverse("competitions:manage", args=[competition.pk]))
    html = response.content.decode()
    assert response.context["tender_count"] == 1
    assert 'id="tender-count">1<' in html
    assert "Nordlys" not in html
    assert "987654" not in html
    assert "tilbud.pdf" not in html
    assert reverse("competitions:ranking", args=[competition.pk]) not in html


def test_dashboard_shows_times_in_oslo_with_the_zone(login, buyer, competition):
    html = login(buyer).get(reverse("competitions:manage", args=[competition.pk])).content.decode()
    local_deadline = competition.tender_deadline.astimezone(OSLO)
    assert local_deadline.strftime("%H:%M") in html
    assert "CET" in html or "CEST" in html


def test_dashboard_shows_questions_with_answer_buttons(login, buyer, supplier, competition):
    question = setup.ask_question(supplier, competition, "Hvor mange brukere?")
    html = login(buyer).get(reverse("competitions:manage", args=[competition.pk])).content.decode()
    assert "Hvor mange brukere?" in html
    assert reverse("competitions:answer", args=[competition.pk, question.pk]) in html
