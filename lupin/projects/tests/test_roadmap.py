"""The roadmap: the checklist of the four phases, ticked with or without JavaScript."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lupin.conftest import add_benefit
from lupin.projects import actions
from lupin.projects.lifecycle import Phase

HTMX = {"HTTP_HX_REQUEST": "true"}


def _roadmap(project):
    return reverse("projects:roadmap", args=[project.pk])


def _step_url(project, key):
    return reverse("projects:step_update", args=[project.pk, key])


@pytest.fixture
def accepted_cobuyer(buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=True)
    return cobuyer


def test_roadmap_groups_the_steps_by_phase_with_progress(login, buyer, draft_project):
    actions.set_step(buyer, draft_project.steps.get(key="anchor"), done=True)
    response = login(buyer).get(_roadmap(draft_project))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["phase"] for g in groups] == list(Phase)
    assert [(g["done"], g["total"]) for g in groups] == [(1, 7), (0, 6), (0, 7), (0, 6)]
    assert [g["current"] for g in groups] == [True, False, False, False]
    assert [g["open"] for g in groups] == [True, False, False, False]
    html = response.content.decode()
    assert "1 of 7 steps done" in html
    assert "Current phase" in html
    assert "Anchor the project in management" in html
    assert html.count("<h1") == 1


def test_current_phase_is_the_one_expanded(login, buyer, draft_project):
    add_benefit(buyer, draft_project)
    actions.move_phase(buyer, draft_project, Phase.DIALOGUE)
    groups = login(buyer).get(_roadmap(draft_project)).context["groups"]
    assert [g["open"] for g in groups] == [False, True, False, False]


def test_step_is_ticked_with_a_normal_post(login, buyer, draft_project):
    response = login(buyer).post(
        _step_url(draft_project, "team"), {"team-done": "on", "team-note": "Team satt 3. mars"}
    )
    assert response.status_code == 302
    assert response.url == _roadmap(draft_project) + "#step-team"
    step = draft_project.steps.get(key="team")
    assert step.done
    assert step.done_by == buyer
    assert step.done_at is not None
    assert step.note == "Team satt 3. mars"


def test_step_is_ticked_with_htmx_and_only_its_fragment_returns(
    login, buyer_colleague, draft_project
):
    response = login(buyer_colleague).post(
        _step_url(draft_project, "users"), {"users-done": "on", "users-note": ""}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li")
    assert 'id="step-users"' in html
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "Saved." in html
    assert draft_project.steps.get(key="users").done


def test_every_control_of_a_swapped_step_keeps_its_id(login, buyer, draft_project):
    """htmx hands focus back to the element with the focused one's id after the swap; a
    control without an id would drop a keyboard user at the top of the page."""
    response = login(buyer).post(
        _step_url(draft_project, "users"), {"users-done": "on", "users-note": ""}, **HTMX
    )
    step_form = response.content.decode().split('class="lupin-step-form"')[1].split("</form>")[0]
    controls = re.findall(r"<(?:input|textarea|button)\b[^>]*>", step_form)
    visible = [tag for tag in controls if 'type="hidden"' not in tag]
    assert len(visible) == 3  # done, note, save
    assert all(re.search(r'\bid="[^"]+"', tag) for tag in visible), visible
    assert 'id="step-users-save"' in step_form


def test_unticking_clears_who_and_when(login, buyer, draft_project):
    actions.set_step(buyer, draft_project.steps.get(key="need"), done=True)
    login(buyer).post(_step_url(draft_project, "need"), {"need-note": ""})
    step = draft_project.steps.get(key="need")
    assert not step.done
    assert step.done_by is None


def test_a_too_long_note_is_refused_and_kept(login, buyer, draft_project):
    note = "x" * 5001
    client = login(buyer)
    response = client.post(_step_url(draft_project, "team"), {"team-note": note}, **HTMX)
    assert response.status_code == 200
    assert 'id="id_team-note-error"' in response.content.decode()
    assert note in response.content.decode()
    response = client.post(_step_url(draft_project, "team"), {"team-note": note})
    assert response.status_code == 200
    assert response.context["error_anchor"] == "step-team"
    assert note in response.content.decode()
    assert draft_project.steps.get(key="team").note == ""


def test_unknown_step_is_404(login, buyer, draft_project):
    assert login(buyer).post(_step_url(draft_project, "nope"), {}).status_code == 404


def test_step_update_needs_post(login, buyer, draft_project):
    assert login(buyer).get(_step_url(draft_project, "team")).status_code == 405


@pytest.mark.parametrize("who", ["accepted_cobuyer", "advisor", "evaluator"])
def test_insiders_who_cannot_edit_see_a_read_only_roadmap(
    request, login, buyer, draft_project, who
):
    step = draft_project.steps.get(key="anchor")
    actions.set_step(buyer, step, done=True, note="Vedtatt i formannskapet")
    client = login(request.getfixturevalue(who))
    response = client.get(_roadmap(draft_project))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vedtatt i formannskapet" in html
    assert _step_url(draft_project, "anchor") not in html
    assert reverse("projects:document_add", args=[draft_project.pk]) not in html
    assert client.post(_step_url(draft_project, "team"), {"team-done": "on"}).status_code == 404
    assert not draft_project.steps.get(key="team").done


@pytest.mark.parametrize("who", ["supplier", "rival", "cobuyer"])
def test_outsiders_cannot_open_the_roadmap(request, login, draft_project, published_project, who):
    client = login(request.getfixturevalue(who))
    assert client.get(_roadmap(draft_project)).status_code == 404
    # Published or not, the roadmap is internal.
    assert client.get(_roadmap(published_project)).status_code == 404


def test_anonymous_is_sent_to_login_from_the_roadmap(login, published_project):
    response = login(None).get(_roadmap(published_project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_roadmap_query_count_does_not_grow_with_documents(
    login, buyer, draft_project, django_assert_max_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(buyer)
    for step in draft_project.steps.all()[:5]:
        upload = SimpleUploadedFile("notat.txt", b"hei", content_type="text/plain")
        actions.add_document(buyer, draft_project, title="Notat", upload=upload, step=step)
    with django_assert_max_num_queries(12):
        assert client.get(_roadmap(draft_project)).status_code == 200
