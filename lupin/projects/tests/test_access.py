"""Who sees what, per role of the cast: drafts, internal notes, the portfolio.

The pages are checked, not only the helpers: a view that forgot the access helper must fail here.
"""

import pytest
from django.urls import reverse

from lupin.conftest import make_project
from lupin.projects import actions
from lupin.projects.models import CoBuyerInvitation

INSIDERS = ["buyer", "buyer_colleague", "evaluator", "advisor", "admin_user"]
OUTSIDERS = [None, "supplier", "rival", "cobuyer"]
NOTE = "Budsjett ikke avklart med rådmannen"


def _user(request, name):
    return None if name is None else request.getfixturevalue(name)


def _accept(buyer, cobuyer, project):
    invitation = actions.invite_cobuyer(buyer, project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=True)


@pytest.fixture
def published_with_notes(published_project):
    # Internal notes are part of the project form; set directly to keep the fixture independent.
    published_project.internal_notes = NOTE
    published_project.save(update_fields=["internal_notes"])
    return published_project


# The draft's detail page


@pytest.mark.parametrize("who", INSIDERS)
def test_insider_can_open_buyers_draft(request, login, draft_project, who):
    response = login(_user(request, who)).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 200
    assert draft_project.title in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_cannot_open_buyers_draft(request, login, draft_project, who):
    response = login(_user(request, who)).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 404


def test_rival_cannot_open_buyers_draft(login, rival, draft_project):
    response = login(rival).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 404


def test_cobuyer_with_pending_invitation_cannot_open_draft(login, buyer, cobuyer, draft_project):
    actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    response = login(cobuyer).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 404


def test_cobuyer_who_declined_cannot_open_draft(login, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=False)
    response = login(cobuyer).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 404


def test_cobuyer_can_open_draft_after_accepting(login, buyer, cobuyer, draft_project):
    _accept(buyer, cobuyer, draft_project)
    response = login(cobuyer).get(reverse("projects:detail", args=[draft_project.pk]))
    assert response.status_code == 200
    assert "Solberg kommune" in response.content.decode()  # listed as co-buyer


def test_unknown_project_is_404(login, buyer):
    assert login(buyer).get(reverse("projects:detail", args=[999999])).status_code == 404


# The draft in the list


@pytest.mark.parametrize("who", INSIDERS)
def test_insider_sees_draft_in_list(request, login, draft_project, published_project, who):
    body = login(_user(request, who)).get(reverse("projects:list")).content.decode()
    assert draft_project.title in body
    assert published_project.title in body


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_does_not_see_draft_in_list(request, login, draft_project, published_project, who):
    response = login(_user(request, who)).get(reverse("projects:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert draft_project.title not in body
    assert published_project.title in body


def test_cobuyer_sees_draft_in_list_after_accepting(login, buyer, cobuyer, draft_project):
    client = login(cobuyer)
    assert draft_project.title not in client.get(reverse("projects:list")).content.decode()
    _accept(buyer, cobuyer, draft_project)
    assert draft_project.title in client.get(reverse("projects:list")).content.decode()


def test_buyer_filter_does_not_name_an_organisation_known_only_from_drafts(
    login, rival, cobuyer, published_project
):
    make_project(cobuyer, "Solbergs eget utkast")
    body = login(rival).get(reverse("projects:list")).content.decode()
    assert "Fjordvik kommune" in body
    assert "Solberg kommune" not in body


# Internal notes of a published project


@pytest.mark.parametrize("who", INSIDERS)
def test_insider_sees_internal_notes(request, login, published_with_notes, who):
    url = reverse("projects:detail", args=[published_with_notes.pk])
    body = login(_user(request, who)).get(url).content.decode()
    assert NOTE in body
    assert 'id="internal-title"' in body


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_does_not_see_internal_notes(request, login, published_with_notes, who):
    url = reverse("projects:detail", args=[published_with_notes.pk])
    response = login(_user(request, who)).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert published_with_notes.title in body
    assert NOTE not in body
    assert 'id="internal-title"' not in body
    assert reverse("projects:roadmap", args=[published_with_notes.pk]) not in body


def test_cobuyer_sees_internal_notes_after_accepting(login, buyer, cobuyer, published_with_notes):
    url = reverse("projects:detail", args=[published_with_notes.pk])
    client = login(cobuyer)
    assert NOTE not in client.get(url).content.decode()
    _accept(buyer, cobuyer, published_with_notes)
    assert CoBuyerInvitation.objects.filter(status="accepted").exists()
    assert NOTE in client.get(url).content.decode()


# Edit controls


@pytest.mark.parametrize("who", ["buyer", "buyer_colleague"])
def test_lead_buyers_see_edit_controls(request, login, published_project, who):
    body = login(_user(request, who)).get(reverse("projects:detail", args=[published_project.pk]))
    html = body.content.decode()
    assert reverse("projects:edit", args=[published_project.pk]) in html
    assert reverse("projects:unpublish", args=[published_project.pk]) in html


@pytest.mark.parametrize("who", [None, "evaluator", "advisor", "supplier", "rival", "cobuyer"])
def test_others_see_no_edit_controls(request, login, buyer, cobuyer, published_project, who):
    if who == "cobuyer":
        _accept(buyer, cobuyer, published_project)
    html = (
        login(_user(request, who))
        .get(reverse("projects:detail", args=[published_project.pk]))
        .content.decode()
    )
    assert reverse("projects:edit", args=[published_project.pk]) not in html
    assert reverse("projects:unpublish", args=[published_project.pk]) not in html
    assert reverse("projects:move_phase", args=[published_project.pk]) not in html


def test_only_buyer_admin_sees_invite_link(login, buyer, buyer_colleague, published_project):
    url = reverse("projects:detail", args=[published_project.pk])
    cobuyers = reverse("projects:cobuyers", args=[published_project.pk])
    assert cobuyers in login(buyer).get(url).content.decode()
    assert cobuyers not in login(buyer_colleague).get(url).content.decode()


# The portfolio


@pytest.mark.parametrize("who", ["advisor", "admin_user"])
def test_programme_can_open_portfolio(request, login, draft_project, who):
    response = login(_user(request, who)).get(reverse("projects:portfolio"))
    assert response.status_code == 200
    assert draft_project.title in response.content.decode()


@pytest.mark.parametrize(
    "who", ["buyer", "buyer_colleague", "evaluator", "cobuyer", "supplier", "rival"]
)
def test_others_cannot_open_portfolio(request, login, who):
    response = login(_user(request, who)).get(reverse("projects:portfolio"))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login_from_portfolio(login, db):
    response = login(None).get(reverse("projects:portfolio"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
