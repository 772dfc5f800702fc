from __future__ import annotations

from typing import Any

from django.urls import reverse

from lupin.accounts.models import Organisation, User
from lupin.conftest import make_project
from lupin.projects import actions as project_actions
from lupin.projects.models import Project

HOME = reverse("accounts:home")


def test_anonymous_visitor_is_sent_to_login(login: Any, db: None) -> None:
    response = login(None).get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={HOME}"


def test_page_shows_name_organisation_and_role(login: Any, buyer: User) -> None:
    response = login(buyer).get(HOME)

    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Buyer" in html
    assert "Fjordvik kommune" in html
    assert "100 000 113" in html
    assert "Buyer admin" in html


def test_buyer_sees_own_organisations_projects(
    login: Any, buyer: User, draft_project: Project, cobuyer: User
) -> None:
    other = make_project(cobuyer, "Skolemat i Solberg")

    html = login(buyer).get(HOME).content.decode()

    assert draft_project.title in html
    assert reverse("projects:detail", args=[draft_project.pk]) in html
    assert other.title not in html
    assert reverse("projects:create") in html


def test_buyer_colleague_sees_the_same_projects(
    login: Any, buyer_colleague: User, draft_project: Project
) -> None:
    html = login(buyer_colleague).get(HOME).content.decode()

    assert draft_project.title in html
    assert reverse("projects:create") in html


def test_evaluator_sees_projects_but_cannot_create(
    login: Any, evaluator: User, draft_project: Project
) -> None:
    html = login(evaluator).get(HOME).content.decode()

    assert draft_project.title in html
    assert reverse("projects:create") not in html


def test_supplier_does_not_see_buyer_projects(
    login: Any, supplier: User, draft_project: Project, published_project: Project
) -> None:
    html = login(supplier).get(HOME).content.decode()

    assert draft_project.title not in html
    assert published_project.title not in html
    assert reverse("projects:create") not in html
    assert reverse("projects:portfolio") not in html.split('id="main"')[1]
    assert "Nordlys Teknologi AS" in html
    assert 'id="tokens"' in html


def test_buyer_admin_sees_pending_invitation_with_answer_buttons(
    login: Any, buyer: User, cobuyer: User, cobuyer_org: Organisation, draft_project: Project
) -> None:
    invitation = project_actions.invite_cobuyer(buyer, draft_project, cobuyer_org)

    html = login(cobuyer).get(HOME).content.decode()

    assert draft_project.title in html
    assert reverse("projects:invitation_answer", args=[invitation.pk]) in html
    assert 'name="answer" value="accept"' in html
    assert 'name="answer" value="decline"' in html
    # Not a co-buyer yet: the draft is not listed among the organisation's projects.
    assert reverse("projects:detail", args=[draft_project.pk]) not in html


def test_answered_invitation_is_no_longer_shown_and_project_is_listed(
    login: Any, buyer: User, cobuyer: User, cobuyer_org: Organisation, draft_project: Project
) -> None:
    invitation = project_actions.invite_cobuyer(buyer, draft_project, cobuyer_org)
    project_actions.answer_invitation(cobuyer, invitation, accept=True)

    html = login(cobuyer).get(HOME).content.decode()

    assert reverse("projects:invitation_answer", args=[invitation.pk]) not in html
    assert reverse("projects:detail", args=[draft_project.pk]) in html
    assert "Co-buyer (lead: Fjordvik kommune)" in html


def test_advisor_sees_portfolio_link(login: Any, advisor: User) -> None:
    html = login(advisor).get(HOME).content.decode()

    main = html.split('id="main"')[1]
    assert reverse("projects:portfolio") in main
    assert reverse("projects:create") not in main


def test_project_list_query_count_does_not_grow_per_project(
    login: Any, buyer: User, django_assert_max_num_queries: Any
) -> None:
    projects = [make_project(buyer, f"Prosjekt {number}") for number in range(5)]
    client = login(buyer)

    with django_assert_max_num_queries(10):
        response = client.get(HOME)

    html = response.content.decode()
    for project in projects:
        assert reverse("projects:detail", args=[project.pk]) in html
