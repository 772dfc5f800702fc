"""Who may reach the buyer's competition pages: every URL is checked for every role.

Changes: the lead buyer's admins and members only. Reading the dashboard: every insider (the lead
buyer's evaluators, accepted co-buyers, programme advisors). Suppliers get 404 on every buyer URL,
as if the draft did not exist; anonymous visitors are sent to log in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lupin.audit.models import AuditEntry
from lupin.competitions.actions import setup
from lupin.competitions.models import CompetitionStatus, QuestionStatus
from lupin.competitions.tests.conftest import make_competition
from lupin.projects import actions as project_actions

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
MANAGERS = ["buyer", "buyer_colleague"]
READERS = ["evaluator", "cobuyer", "advisor"]
OUTSIDERS = ["supplier", "rival"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(buyer, cobuyer, supplier, media):
    announced = make_competition(buyer)
    draft = make_competition(buyer, announce=False)
    for competition in (announced, draft):
        invitation = project_actions.invite_cobuyer(
            buyer, competition.project, cobuyer.organisation
        )
        project_actions.answer_invitation(cobuyer, invitation, accept=True)
    question = setup.ask_question(supplier, announced, "Hemmelig spørsmål fra Nordlys?")
    other = setup.ask_question(supplier, announced, "Et spørsmål til?")
    answer = setup.publish_clarification(buyer, announced, question_text="Q", answer_text="A")
    return {
        "announced": announced,
        "draft": draft,
        "question": question,
        "other": other,
        "answer": answer,
        "document": draft.documents.get(),
    }


def _pages(world) -> list[str]:
    """Every buyer page that answers GET, except the advisor and the dashboard."""
    a, d, q = world["announced"].pk, world["draft"].pk, world["question"].pk
    return [
        reverse("competitions:create", args=[world["draft"].project_id]),
        reverse("competitions:edit", args=[d]),
        reverse("competitions:criteria", args=[d]),
        reverse("competitions:qualification", args=[d]),
        reverse("competitions:documents", args=[d]),
        reverse("competitions:timeline", args=[a]),
        reverse("competitions:cancel", args=[a]),
        reverse("competitions:answer", args=[a, q]),
        reverse("competitions:clarification", args=[a]),
    ]


def _writes(world) -> list[tuple[str, dict]]:
    a, d = world["announced"], world["draft"]
    q, o = world["question"], world["other"]
    return [
        (reverse("competitions:edit", args=[d.pk]), {"title": "Kapret"}),
        (
            reverse("competitions:criteria", args=[d.pk]),
            {"op": "add", "new-name": "X", "new-kind": "quality", "new-weight": "5"},
        ),
        (reverse("competitions:qualification", args=[d.pk]), {"text": "Krav"}),
        (
            reverse("competitions:documents", args=[a.pk]),
            {"title": "Falsk", "file": SimpleUploadedFile("f.pdf", b"%PDF-1.4 x")},
        ),
        (reverse("competitions:document_delete", args=[d.pk, world["document"].pk]), {}),
        (reverse("competitions:announce", args=[d.pk]), {}),
        (reverse("competitions:timeline", args=[a.pk]), {"reason": "x"}),
        (
            reverse("competitions:answer", args=[a.pk, q.pk]),
            {"question_text": "Q", "answer_text": "A"},
        ),
        (
            reverse("competitions:duplicate", args=[a.pk, o.pk]),
            {f"q{o.pk}-answer": world["answer"].pk},
        ),
        (
            reverse("competitions:clarification", args=[a.pk]),
            {"question_text": "Q", "answer_text": "A"},
        ),
        (reverse("competitions:cancel", args=[a.pk]), {"reason": "Kapret"}),
    ]


def _nothing_changed(world) -> None:
    a, d = world["announced"], world["draft"]
    a.refresh_from_db()
    d.refresh_from_db()
    assert a.status == CompetitionStatus.ANNOUNCED
    assert d.status == CompetitionStatus.DRAFT
    assert d.title != "Kapret"
    assert d.documents.count() == 1
    assert a.documents.count() == 1
    assert a.answers.count() == 1
    assert not d.criteria.filter(name="X").exists()
    assert not d.qualification_requirements.exists()
    assert not a.questions.exclude(status=QuestionStatus.OPEN).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_buyers_reach_every_page(request, login, world, role):
    client = login(request.getfixturevalue(role))
    for url in [*_pages(world), reverse("competitions:advisor")]:
        assert client.get(url).status_code == 200, url
    for competition in (world["announced"], world["draft"]):
        response = client.get(reverse("competitions:manage", args=[competition.pk]))
        assert response.status_code == 200
        assert response.context["can_manage"] is True


@pytest.mark.parametrize("role", MANAGERS)
def test_buyers_may_write(request, login, world, role):
    client = login(request.getfixturevalue(role))
    url = reverse("competitions:qualification", args=[world["draft"].pk])
    assert client.post(url, {"text": "Skatteattest"}).status_code == 302
    assert world["draft"].qualification_requirements.count() == 1


@pytest.mark.parametrize("role", READERS)
def test_insiders_read_the_dashboard_but_change_nothing(request, login, world, role):
    client = login(request.getfixturevalue(role))
    for competition in (world["announced"], world["draft"]):
        response = client.get(reverse("competitions:manage", args=[competition.pk]))
        assert response.status_code == 200
        assert response.context["can_manage"] is False
        html = response.content.decode()
        assert reverse("competitions:announce", args=[competition.pk]) not in html
        assert reverse("competitions:cancel", args=[competition.pk]) not in html
    assert client.get(reverse("competitions:advisor")).status_code == 200
    for url in _pages(world):
        assert client.get(url).status_code == 404, url
    for url, data in _writes(world):
        assert client.post(url, data).status_code == 404, url
    _nothing_changed(world)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_suppliers_get_404_on_every_buyer_url(request, login, world, role):
    client = login(request.getfixturevalue(role))
    urls = [
        *_pages(world),
        reverse("competitions:advisor"),
        reverse("competitions:manage", args=[world["announced"].pk]),
        reverse("competitions:manage", args=[world["draft"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url, data in _writes(world):
        assert client.post(url, data).status_code == 404, url
    _nothing_changed(world)


def test_anonymous_visitors_are_sent_to_log_in(login, world):
    client = login(None)
    login_url = reverse("accounts:login")
    urls = [
        *_pages(world),
        reverse("competitions:advisor"),
        reverse("competitions:manage", args=[world["announced"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login_url), url
    for url, data in _writes(world):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login_url), url
    _nothing_changed(world)


def test_refused_writes_leave_no_audit_entry_of_a_change(login, world, rival):
    before = AuditEntry.objects.count()
    client = login(rival)
    for url, data in _writes(world):
        client.post(url, data)
    assert AuditEntry.objects.count() == before
