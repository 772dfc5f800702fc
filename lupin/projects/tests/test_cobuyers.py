"""Joint procurement: the lead invites another public buyer, whose admin answers."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lupin.accounts.models import Role
from lupin.conftest import _user
from lupin.projects import access, actions
from lupin.projects.actions import ProjectError
from lupin.projects.models import CoBuyerInvitation, InvitationStatus


def _page(project):
    return reverse("projects:cobuyers", args=[project.pk])


def _answer(invitation):
    return reverse("projects:invitation_answer", args=[invitation.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_lead_admin_sees_only_other_public_buyers_to_invite(
    login, buyer, cobuyer, supplier, advisor, draft_project
):
    response = login(buyer).get(_page(draft_project))
    assert response.status_code == 200
    choices = list(response.context["form"].fields["organisation"].queryset)
    assert choices == [cobuyer.organisation]


def test_invite_then_accept_lets_the_cobuyer_see_the_draft(login, buyer, cobuyer, draft_project):
    roadmap = reverse("projects:roadmap", args=[draft_project.pk])
    assert login(cobuyer).get(roadmap).status_code == 404

    response = login(buyer).post(_page(draft_project), {"organisation": cobuyer.organisation.pk})
    assert response.status_code == 302
    assert "Solberg kommune was invited" in _messages(response)[0]
    invitation = CoBuyerInvitation.objects.get()
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.invited_by == buyer
    # Invited is not inside yet.
    assert login(cobuyer).get(roadmap).status_code == 404

    response = login(cobuyer).post(_answer(invitation), {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    assert "You joined" in _messages(response)[0]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.answered_by == cobuyer

    assert login(cobuyer).get(roadmap).status_code == 200
    assert draft_project in access.projects_visible_to(cobuyer)
    page = login(cobuyer).get(_page(draft_project))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Accepted" in page.content.decode()


def test_declining_keeps_the_draft_hidden(login, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    response = login(cobuyer).post(_answer(invitation), {"answer": "decline"})
    assert "You declined" in _messages(response)[0]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert (
        login(cobuyer).get(reverse("projects:roadmap", args=[draft_project.pk])).status_code == 404
    )


def test_a_declined_organisation_may_be_invited_again(login, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=False)
    page = login(buyer).get(_page(draft_project))
    assert cobuyer.organisation in page.context["form"].fields["organisation"].queryset
    login(buyer).post(_page(draft_project), {"organisation": cobuyer.organisation.pk})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_a_pending_organisation_is_not_offered_twice(login, buyer, cobuyer, draft_project):
    actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    client = login(buyer)
    page = client.get(_page(draft_project))
    assert list(page.context["form"].fields["organisation"].queryset) == []
    assert "already been invited" in page.content.decode()
    response = client.post(_page(draft_project), {"organisation": cobuyer.organisation.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert CoBuyerInvitation.objects.count() == 1


def test_lead_cannot_invite_a_supplier_organisation(login, buyer, supplier, draft_project):
    response = login(buyer).post(_page(draft_project), {"organisation": supplier.organisation.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert 'id="id_organisation-error"' in response.content.decode()
    assert not CoBuyerInvitation.objects.exists()
    with pytest.raises(ProjectError, match="Only public buyers"):
        actions.invite_cobuyer(buyer, draft_project, supplier.organisation)


def test_lead_cannot_invite_itself(login, buyer, draft_project):
    response = login(buyer).post(_page(draft_project), {"organisation": buyer.organisation.pk})
    assert "organisation" in response.context["form"].errors
    assert not CoBuyerInvitation.objects.exists()


def test_buyer_member_sees_invitations_but_cannot_invite(
    login, buyer, buyer_colleague, cobuyer, draft_project
):
    actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    client = login(buyer_colleague)
    page = client.get(_page(draft_project))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Solberg kommune" in page.content.decode()
    assert "Only your organisation's buyer administrators" in page.content.decode()
    response = client.post(_page(draft_project), {"organisation": cobuyer.organisation.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["supplier", "rival", "cobuyer"])
def test_outsiders_cannot_open_the_cobuyer_page(request, login, published_project, who):
    client = login(request.getfixturevalue(who))
    assert client.get(_page(published_project)).status_code == 404
    assert client.post(_page(published_project), {"organisation": "1"}).status_code == 404


def test_anonymous_is_sent_to_login_from_the_cobuyer_page(login, draft_project):
    response = login(None).get(_page(draft_project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_only_the_invited_organisations_admin_may_answer(
    login, buyer, cobuyer, cobuyer_org, draft_project
):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    member = _user("cobuyer2", cobuyer_org, Role.BUYER_MEMBER)
    for user in (buyer, member):
        assert login(user).post(_answer(invitation), {"answer": "accept"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_answer_needs_post_and_a_known_answer(login, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    client = login(cobuyer)
    assert client.get(_answer(invitation)).status_code == 405
    response = client.post(_answer(invitation), {"answer": "maybe"})
    assert response.status_code == 302
    assert "accept or decline" in _messages(response)[0]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_an_invitation_is_answered_once(login, buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    client = login(cobuyer)
    client.post(_answer(invitation), {"answer": "accept"})
    response = client.post(_answer(invitation), {"answer": "decline"})
    assert "already been answered" in _messages(response)[-1]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
