"""The write functions the buyers' pages call: their rules hold without any view around them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lupin.conftest import add_benefit, make_project
from lupin.projects import actions
from lupin.projects.actions import BenefitData, ProjectData, ProjectError
from lupin.projects.models import (
    BenefitCategory,
    CoBuyerInvitation,
    InvitationStatus,
    ProjectDocument,
    ProjectEvent,
    Visibility,
)
from lupin.projects.roadmap import STEPS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(media):
    return [path for path in media.rglob("*") if path.is_file()]


def _pdf(name="a.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n", content_type="application/pdf")


def test_create_project_gives_the_full_checklist_and_an_audit_row(buyer):
    project = make_project(buyer)
    assert sorted(project.steps.values_list("key", flat=True)) == sorted(s.key for s in STEPS)
    assert project.lead_buyer == buyer.organisation
    assert project.visibility == Visibility.DRAFT
    assert ProjectEvent.objects.filter(project=project, verb="project.created").exists()


@pytest.mark.parametrize("who", ["evaluator", "supplier", "advisor"])
def test_only_buyers_create_projects(request, who):
    with pytest.raises(PermissionDenied):
        actions.create_project(request.getfixturevalue(who), ProjectData(title="X"))


def test_update_project_records_only_changed_fields(buyer, draft_project):
    data = ProjectData(
        title=draft_project.title,
        need_statement=draft_project.need_statement,
        affected_users=draft_project.affected_users,
        estimated_value=Decimal("3000000"),
        nuts_region=draft_project.nuts_region,
        cpv_codes=("72000000",),
    )
    actions.update_project(buyer, draft_project, data)
    event = draft_project.events.get(verb="project.updated")
    assert event.detail["fields"] == ["estimated_value", "cpv_codes"]


@pytest.mark.parametrize("who", ["evaluator", "cobuyer", "supplier", "advisor"])
def test_non_editors_cannot_update(request, draft_project, who):
    with pytest.raises(PermissionDenied):
        actions.update_project(request.getfixturevalue(who), draft_project, ProjectData(title="X"))


def test_publish_needs_a_need_statement(buyer):
    project = actions.create_project(buyer, ProjectData(title="Uten behov"))
    with pytest.raises(ProjectError) as error:
        actions.publish_project(buyer, project)
    assert error.value.field == "need_statement"


def test_publish_twice_is_refused(buyer, published_project):
    with pytest.raises(ProjectError, match="already published"):
        actions.publish_project(buyer, published_project)


def test_benefit_round_trip(buyer, draft_project):
    add_benefit(buyer, draft_project)
    benefit = draft_project.benefits.get()
    data = BenefitData(
        category=BenefitCategory.PRICE,
        description="Lavere pris",
        baseline=Decimal("100"),
        target=Decimal("80"),
        unit="NOK per enhet",
        owner="Innkjøpssjef",
    )
    actions.update_benefit(buyer, benefit, data)
    benefit.refresh_from_db()
    assert (benefit.category, benefit.yearly_value) == (BenefitCategory.PRICE, None)
    actions.remove_benefit(buyer, benefit)
    assert not draft_project.benefits.exists()
    verbs = set(draft_project.events.values_list("verb", flat=True))
    assert {"benefit.added", "benefit.updated", "benefit.removed"} <= verbs


def test_set_step_records_who_and_when_and_unticks(buyer, draft_project):
    step = draft_project.steps.get(key="anchor")
    actions.set_step(buyer, step, done=True, note="OK")
    step.refresh_from_db()
    assert (step.done, step.done_by, step.note) == (True, buyer, "OK")
    assert step.done_at is not None
    actions.set_step(buyer, step, done=False)
    step.refresh_from_db()
    assert (step.done, step.done_by, step.done_at, step.note) == (False, None, None, "OK")


def test_set_step_without_change_writes_nothing(buyer, draft_project):
    step = draft_project.steps.get(key="anchor")
    actions.set_step(buyer, step, done=False, note="")
    assert not draft_project.events.filter(verb="step.updated").exists()


def test_document_of_a_step_of_another_project_is_refused(buyer, draft_project, media):
    other = make_project(buyer, "Annet prosjekt")
    step = other.steps.get(key="anchor")
    with pytest.raises(ProjectError) as error:
        actions.add_document(buyer, draft_project, title="X", upload=_pdf(), step=step)
    assert error.value.field == "step"
    assert not ProjectDocument.objects.exists()
    assert _files(media) == []


def test_document_name_is_kept_but_stored_under_a_random_directory(buyer, draft_project):
    document = actions.add_document(buyer, draft_project, title="", upload=_pdf("rapport.pdf"))
    assert document.title == "rapport.pdf"
    parts = document.file.name.split("/")
    assert parts[0:2] == ["projects", str(draft_project.pk)]
    assert len(parts[2]) == 16
    assert parts[3] == "rapport.pdf"


def test_remove_document_deletes_the_file_after_commit(
    buyer, draft_project, media, django_capture_on_commit_callbacks
):
    document = actions.add_document(buyer, draft_project, title="A", upload=_pdf())
    assert len(_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_document(buyer, document)
    assert _files(media) == []


@pytest.mark.parametrize("who", ["evaluator", "advisor", "supplier"])
def test_non_editors_cannot_add_documents(request, draft_project, media, who):
    with pytest.raises(PermissionDenied):
        actions.add_document(request.getfixturevalue(who), draft_project, title="A", upload=_pdf())
    assert _files(media) == []


def test_invite_rules(buyer, buyer_colleague, cobuyer, supplier, draft_project):
    with pytest.raises(ProjectError, match="Only public buyers"):
        actions.invite_cobuyer(buyer, draft_project, supplier.organisation)
    with pytest.raises(ProjectError, match="cannot invite itself"):
        actions.invite_cobuyer(buyer, draft_project, buyer.organisation)
    with pytest.raises(PermissionDenied):
        actions.invite_cobuyer(buyer_colleague, draft_project, cobuyer.organisation)
    actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    with pytest.raises(ProjectError, match="already invited"):
        actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    assert CoBuyerInvitation.objects.count() == 1


def test_answer_rules(buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    with pytest.raises(PermissionDenied):
        actions.answer_invitation(buyer, invitation, accept=True)
    actions.answer_invitation(cobuyer, invitation, accept=True)
    assert invitation.status == InvitationStatus.ACCEPTED
    with pytest.raises(ProjectError, match="already been answered"):
        actions.answer_invitation(cobuyer, invitation, accept=False)
    assert draft_project.events.filter(verb="cobuyer.accepted").exists()
