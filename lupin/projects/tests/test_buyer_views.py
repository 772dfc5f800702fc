"""The buyers' pages: create and edit, publish, phase moves, benefits, and who may reach them."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lupin.conftest import add_benefit, make_project
from lupin.projects import actions
from lupin.projects.lifecycle import Phase
from lupin.projects.models import ExpectedBenefit, PhaseTransition, Project, Visibility

VALID = {
    "title": "Snørydding med sensorer",
    "need_statement": "Vi trenger å vite hvor snøen ligger før innbyggerne ringer.",
    "affected_users": "Innbyggere, brøytemannskap",
    "problem_scenarios": "",
    "desired_effects": "Færre klager",
    "estimated_value": "2 500 000,50",
    "cpv_codes": "72000000-5, 45000000",
    "nuts_region": "NO0A2",
    "planned_procedure": "innovation_partnership",
    "internal_notes": "Budsjett avklares i februar.",
}

BENEFIT = {
    "category": "process_hours",
    "description": "Færre timer til manuell oppfølging",
    "baseline": "120,5",
    "target": "60",
    "unit": "timer per uke",
    "yearly_value": "900 000",
    "owner": "Leder drift",
}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def accepted_cobuyer(buyer, cobuyer, draft_project, published_project):
    """The co-buyer's organisation has joined both of buyer's projects."""
    for project in (draft_project, published_project):
        invitation = actions.invite_cobuyer(buyer, project, cobuyer.organisation)
        actions.answer_invitation(cobuyer, invitation, accept=True)
    return cobuyer


# Create -------------------------------------------------------------------------------------


def test_create_page_offers_the_cpv_picker_and_what_not_how_help(login, buyer):
    response = login(buyer).get(reverse("projects:create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("projects:cpv_search") in html
    assert "keyup changed delay:300ms" in html
    assert "WHAT is needed" in html
    assert "never published" in html


def test_buyer_creates_a_project_with_cpv_codes(login, buyer):
    response = login(buyer).post(reverse("projects:create"), VALID)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert [c.code for c in project.cpv_codes.all()] == ["72000000", "45000000"]
    assert project.lead_buyer == buyer.organisation
    assert project.estimated_value == Decimal("2500000.50")
    assert project.planned_procedure == "innovation_partnership"
    assert project.visibility == Visibility.DRAFT
    assert project.steps.count() == 26


def test_unknown_cpv_code_is_refused_naming_the_code_and_keeping_what_was_typed(login, buyer):
    data = {**VALID, "cpv_codes": "72000000, 99999999"}
    response = login(buyer).post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert not Project.objects.exists()
    errors = response.context["form"].errors
    assert "99999999" in " ".join(errors["cpv_codes"])
    html = response.content.decode()
    assert 'id="id_cpv_codes-error"' in html
    assert "72000000, 99999999" in html
    assert VALID["title"] in html
    assert VALID["need_statement"] in html
    assert "2 500 000,50" in html
    assert VALID["internal_notes"] in html


def test_text_that_is_not_a_cpv_code_is_refused(login, buyer):
    response = login(buyer).post(reverse("projects:create"), {**VALID, "cpv_codes": "IT-tjenester"})
    assert "“IT-tjenester” is not a CPV code" in response.context["form"].errors["cpv_codes"][0]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-100", "cannot be negative"),
        ("mye penger", "Write a number"),
        ("1,2,3", "Write a number"),
        ("NaN", "Write a number"),
        ("1" * 20, "too large"),
    ],
)
def test_bad_estimated_value_is_refused_next_to_the_field(login, buyer, typed, message):
    response = login(buyer).post(reverse("projects:create"), {**VALID, "estimated_value": typed})
    assert response.status_code == 200
    assert message in response.context["form"].errors["estimated_value"][0]
    assert 'id="id_estimated_value-error"' in response.content.decode()
    assert typed in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("2 500 000", Decimal("2500000")),
        ("2500000,50", Decimal("2500000.50")),
        ("1250000.5", Decimal("1250000.50")),
        ("1\u00a0000 kr", Decimal("1000")),
        ("", None),
    ],
)
def test_norwegian_amounts_are_understood(login, buyer, typed, amount):
    login(buyer).post(reverse("projects:create"), {**VALID, "estimated_value": typed})
    assert Project.objects.get().estimated_value == amount


def test_unknown_region_is_refused(login, buyer):
    response = login(buyer).post(reverse("projects:create"), {**VALID, "nuts_region": "SE110"})
    assert "nuts_region" in response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["evaluator", "supplier", "advisor"])
def test_only_buyers_may_create_projects(request, login, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("projects:create")).status_code == 404
    assert client.post(reverse("projects:create"), VALID).status_code == 404
    assert not Project.objects.exists()


def test_anonymous_is_sent_to_login_to_create(login, db):
    response = login(None).get(reverse("projects:create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Edit ---------------------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(login, buyer, draft_project):
    response = login(buyer).get(reverse("projects:edit", args=[draft_project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "33196200, 72000000" in html
    assert 'value="2500000"' in html


def test_buyer_colleague_may_edit(login, buyer_colleague, draft_project):
    data = {**VALID, "title": "Nytt navn", "cpv_codes": "45000000"}
    response = login(buyer_colleague).post(reverse("projects:edit", args=[draft_project.pk]), data)
    assert response.status_code == 302
    draft_project.refresh_from_db()
    assert draft_project.title == "Nytt navn"
    assert [c.code for c in draft_project.cpv_codes.all()] == ["45000000"]
    event = draft_project.events.get(verb="project.updated")
    assert event.actor == buyer_colleague


def test_saving_an_unchanged_form_changes_nothing(login, buyer, draft_project):
    client = login(buyer)
    form = client.get(reverse("projects:edit", args=[draft_project.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["estimated_value"] = form["estimated_value"].value()
    response = client.post(reverse("projects:edit", args=[draft_project.pk]), data)
    assert response.status_code == 302
    assert not draft_project.events.filter(verb="project.updated").exists()


def test_edit_refusal_keeps_the_typed_values(login, buyer, draft_project):
    data = {**VALID, "title": "", "need_statement": "Ny tekst som ikke må forsvinne"}
    response = login(buyer).post(reverse("projects:edit", args=[draft_project.pk]), data)
    assert response.status_code == 200
    assert "Ny tekst som ikke må forsvinne" in response.content.decode()
    draft_project.refresh_from_db()
    assert draft_project.title == "Hemmelig utkast: sensorbasert vedlikehold"


# Who may write ------------------------------------------------------------------------------


def _write_requests(project):
    """Every buyer write (and the edit pages), as (method, url, data)."""
    benefit = project.benefits.first()
    document_step = project.steps.first()
    pk = project.pk
    requests = [
        ("get", reverse("projects:edit", args=[pk]), None),
        ("post", reverse("projects:edit", args=[pk]), VALID),
        ("post", reverse("projects:publish", args=[pk]), {}),
        ("post", reverse("projects:unpublish", args=[pk]), {}),
        ("get", reverse("projects:move_phase", args=[pk]), None),
        ("post", reverse("projects:move_phase", args=[pk]), {"to": "dialogue", "reason": "x"}),
        ("get", reverse("projects:benefit_add", args=[pk]), None),
        ("post", reverse("projects:benefit_add", args=[pk]), BENEFIT),
        ("get", reverse("projects:benefit_edit", args=[pk, benefit.pk]), None),
        ("post", reverse("projects:benefit_edit", args=[pk, benefit.pk]), BENEFIT),
        ("get", reverse("projects:benefit_delete", args=[pk, benefit.pk]), None),
        ("post", reverse("projects:benefit_delete", args=[pk, benefit.pk]), {}),
        (
            "post",
            reverse("projects:step_update", args=[pk, document_step.key]),
            {f"{document_step.key}-done": "on"},
        ),
        ("post", reverse("projects:document_add", args=[pk]), {"step": document_step.key}),
        ("post", reverse("projects:cobuyers", args=[pk]), {"organisation": "1"}),
    ]
    return requests


@pytest.mark.parametrize("who", ["evaluator", "accepted_cobuyer", "supplier", "rival", "advisor"])
@pytest.mark.parametrize("which", ["draft_project", "published_project"])
def test_writes_are_refused_with_404_for_everyone_but_the_lead_buyers(request, login, who, which):
    project = request.getfixturevalue(which)
    if not project.benefits.exists():
        add_benefit(project.created_by, project)
    user = request.getfixturevalue(who)
    client = login(user)
    before = (project.events.count(), project.benefits.count())
    for method, url, data in _write_requests(project):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, (method, url)
    project.refresh_from_db()
    assert (project.events.count(), project.benefits.count()) == before
    assert project.phase == Phase.NEED


def test_anonymous_writes_are_sent_to_login(login, buyer, published_project):
    client = login(None)
    for method, url, data in _write_requests(published_project):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("accounts:login"))
    assert published_project.events.count() == 3


def test_writes_to_a_project_that_does_not_exist_are_404(login, buyer):
    assert login(buyer).get(reverse("projects:edit", args=[999999])).status_code == 404


# Publish ------------------------------------------------------------------------------------


def test_buyer_publishes_and_unpublishes(login, buyer, draft_project):
    client = login(buyer)
    response = client.post(reverse("projects:publish", args=[draft_project.pk]))
    assert response.url == reverse("projects:detail", args=[draft_project.pk])
    assert "anyone can read it" in _messages(response)[0]
    draft_project.refresh_from_db()
    assert draft_project.visibility == Visibility.PUBLISHED
    response = client.post(reverse("projects:unpublish", args=[draft_project.pk]))
    draft_project.refresh_from_db()
    assert draft_project.visibility == Visibility.DRAFT


def test_publishing_without_a_need_statement_is_refused_with_a_message(login, buyer):
    project = make_project(buyer)
    actions.update_project(
        buyer, project, actions.ProjectData(title=project.title, need_statement="")
    )
    response = login(buyer).post(reverse("projects:publish", args=[project.pk]))
    assert response.status_code == 302
    assert "Describe the need" in _messages(response)[0]
    project.refresh_from_db()
    assert project.visibility == Visibility.DRAFT


def test_publish_needs_post(login, buyer, draft_project):
    assert login(buyer).get(reverse("projects:publish", args=[draft_project.pk])).status_code == 405


# Phase --------------------------------------------------------------------------------------


def test_phase_page_shows_what_blocks_each_move(login, buyer, draft_project):
    response = login(buyer).get(reverse("projects:move_phase", args=[draft_project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Market dialogue" in html
    assert "Add at least one expected benefit with a baseline first." in html
    assert "Choose a procedure first." in html
    assert "This move needs a reason." in html


def test_blocked_move_is_refused_with_the_reason(login, buyer, draft_project):
    url = reverse("projects:move_phase", args=[draft_project.pk])
    response = login(buyer).post(url, {"to": "dialogue", "reason": ""})
    assert response.status_code == 200
    assert "expected benefit" in response.context["form"].errors["to"][0]
    draft_project.refresh_from_db()
    assert draft_project.phase == Phase.NEED
    assert not PhaseTransition.objects.exists()


def test_ready_move_goes_ahead(login, buyer, draft_project):
    add_benefit(buyer, draft_project)
    url = reverse("projects:move_phase", args=[draft_project.pk])
    response = login(buyer).post(url, {"to": "dialogue", "reason": ""})
    assert response.status_code == 302
    draft_project.refresh_from_db()
    assert draft_project.phase == Phase.DIALOGUE
    assert PhaseTransition.objects.get().by == buyer


def test_moving_back_needs_a_reason(login, buyer, draft_project):
    add_benefit(buyer, draft_project)
    actions.move_phase(buyer, draft_project, Phase.DIALOGUE)
    client = login(buyer)
    url = reverse("projects:move_phase", args=[draft_project.pk])
    response = client.post(url, {"to": "need", "reason": "  "})
    assert response.status_code == 200
    assert "Say why" in response.context["form"].errors["reason"][0]
    draft_project.refresh_from_db()
    assert draft_project.phase == Phase.DIALOGUE
    response = client.post(url, {"to": "need", "reason": "Behovet må skrives om"})
    assert response.status_code == 302
    draft_project.refresh_from_db()
    assert draft_project.phase == Phase.NEED
    assert draft_project.transitions.last().reason == "Behovet må skrives om"


def test_a_move_not_in_the_table_is_refused(login, buyer, draft_project):
    url = reverse("projects:move_phase", args=[draft_project.pk])
    response = login(buyer).post(url, {"to": "contract", "reason": "hopp"})
    assert response.status_code == 200
    assert "to" in response.context["form"].errors
    draft_project.refresh_from_db()
    assert draft_project.phase == Phase.NEED


def test_choosing_nothing_is_refused(login, buyer, draft_project):
    response = login(buyer).post(reverse("projects:move_phase", args=[draft_project.pk]), {})
    assert response.status_code == 200
    assert "to" in response.context["form"].errors


def test_phase_error_summary_links_to_the_first_radio(login, buyer, draft_project):
    """Not to "#": a radio group has no id of its own, so the link must name an option."""
    response = login(buyer).post(reverse("projects:move_phase", args=[draft_project.pk]), {})
    html = response.content.decode()
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_to_0"' in summary
    assert 'type="radio" name="to" id="id_to_0"' in html
    assert 'aria-describedby="id_to_0-status"' in html
    assert 'id="id_to_0-status"' in html


# Benefits -----------------------------------------------------------------------------------


def test_buyer_adds_a_benefit_with_norwegian_numbers(login, buyer, draft_project):
    url = reverse("projects:benefit_add", args=[draft_project.pk])
    response = login(buyer).post(url, BENEFIT)
    assert response.status_code == 302
    benefit = draft_project.benefits.get()
    assert (benefit.baseline, benefit.target, benefit.yearly_value) == (
        Decimal("120.50"),
        Decimal("60.00"),
        Decimal("900000.00"),
    )


@pytest.mark.parametrize(
    ("field", "typed"),
    [("yearly_value", "-5"), ("baseline", "mange"), ("target", ""), ("owner", "")],
)
def test_bad_benefit_values_are_refused_and_kept(login, buyer, draft_project, field, typed):
    url = reverse("projects:benefit_add", args=[draft_project.pk])
    response = login(buyer).post(url, {**BENEFIT, field: typed})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert BENEFIT["description"] in response.content.decode()
    assert not ExpectedBenefit.objects.exists()


def test_negative_baseline_is_allowed(login, buyer, draft_project):
    url = reverse("projects:benefit_add", args=[draft_project.pk])
    login(buyer).post(url, {**BENEFIT, "baseline": "-3,5"})
    assert draft_project.benefits.get().baseline == Decimal("-3.50")


def test_buyer_edits_a_benefit(login, buyer, draft_project):
    add_benefit(buyer, draft_project)
    benefit = draft_project.benefits.get()
    url = reverse("projects:benefit_edit", args=[draft_project.pk, benefit.pk])
    client = login(buyer)
    assert "120" in client.get(url).content.decode()
    response = client.post(url, {**BENEFIT, "target": "30"})
    assert response.status_code == 302
    benefit.refresh_from_db()
    assert benefit.target == Decimal("30")


def test_the_edit_page_leads_to_removing_the_benefit(login, buyer, draft_project):
    """The remove page exists; without this link no one could reach it."""
    add_benefit(buyer, draft_project)
    benefit = draft_project.benefits.get()
    page = login(buyer).get(reverse("projects:benefit_edit", args=[draft_project.pk, benefit.pk]))
    delete = reverse("projects:benefit_delete", args=[draft_project.pk, benefit.pk])
    assert f'href="{delete}"' in page.content.decode()
    new = login(buyer).get(reverse("projects:benefit_add", args=[draft_project.pk]))
    assert "/delete/" not in new.content.decode()


def test_benefit_delete_asks_first_then_removes_on_post(login, buyer, draft_project):
    add_benefit(buyer, draft_project)
    benefit = draft_project.benefits.get()
    url = reverse("projects:benefit_delete", args=[draft_project.pk, benefit.pk])
    client = login(buyer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Remove the benefit" in response.content.decode()
    assert ExpectedBenefit.objects.exists()
    assert client.post(url).status_code == 302
    assert not ExpectedBenefit.objects.exists()


def test_benefit_of_another_project_is_404(login, buyer, draft_project, published_project):
    other = published_project.benefits.get()
    url = reverse("projects:benefit_edit", args=[draft_project.pk, other.pk])
    assert login(buyer).get(url).status_code == 404
