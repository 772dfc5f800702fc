"""Every change to a project goes through one function here (STYLE.md: writes go through actions).

Each owns its transaction, checks the rule, saves, and writes an audit row. Views, the API, the
demo loader and management commands all call these, so each rule exists once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation, OrganisationKind, User
from lupin.projects import access, lifecycle
from lupin.projects.models import (
    CoBuyerInvitation,
    ExpectedBenefit,
    InvitationStatus,
    PhaseTransition,
    Project,
    ProjectCpvCode,
    ProjectDocument,
    ProjectEvent,
    ProjectStep,
    Visibility,
)
from lupin.projects.roadmap import STEPS


class ProjectError(Exception):
    """A rule said no. The message is for the person who tried."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def record(project: Project, actor: User | None, verb: str, **detail: Any) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, actor=actor, verb=verb, detail=detail)


PROJECT_FIELDS = (
    "title",
    "need_statement",
    "affected_users",
    "problem_scenarios",
    "desired_effects",
    "estimated_value",
    "nuts_region",
    "planned_procedure",
    "internal_notes",
)


@dataclass
class ProjectData:
    """What a buyer types into the project form (already validated by the form or schema)."""

    title: str
    need_statement: str = ""
    affected_users: str = ""
    problem_scenarios: str = ""
    desired_effects: str = ""
    estimated_value: Decimal | None = None
    nuts_region: str = ""
    planned_procedure: str = "undecided"
    internal_notes: str = ""
    cpv_codes: tuple[str, ...] = ()


def _set_cpv_codes(project: Project, codes: tuple[str, ...] | list[str]) -> None:
    ProjectCpvCode.objects.filter(project=project).delete()
    ProjectCpvCode.objects.bulk_create(
        ProjectCpvCode(project=project, code=code, position=index)
        for index, code in enumerate(codes)
    )


@transaction.atomic
def create_project(actor: User, data: ProjectData) -> Project:
    _require(access.can_create_projects(actor) and actor.organisation is not None)
    project = Project(lead_buyer=actor.organisation, created_by=actor)
    for field in PROJECT_FIELDS:
        setattr(project, field, getattr(data, field))
    project.save()
    _set_cpv_codes(project, data.cpv_codes)
    ProjectStep.objects.bulk_create(ProjectStep(project=project, key=step.key) for step in STEPS)
    record(project, actor, "project.created", title=project.title)
    return project


@transaction.atomic
def update_project(actor: User, project: Project, data: ProjectData) -> Project:
    _require(access.can_edit(actor, project))
    changed = [f for f in PROJECT_FIELDS if getattr(project, f) != getattr(data, f)]
    for field in changed:
        setattr(project, field, getattr(data, field))
    old_codes = [c.code for c in project.cpv_codes.all()]
    if old_codes != list(data.cpv_codes):
        _set_cpv_codes(project, data.cpv_codes)
        changed.append("cpv_codes")
    if changed:
        project.updated_at = timezone.now()
        project.save(update_fields=[f for f in changed if f != "cpv_codes"] + ["updated_at"])
        record(project, actor, "project.updated", fields=changed)
    return project


@transaction.atomic
def publish_project(actor: User, project: Project) -> Project:
    _require(access.can_edit(actor, project))
    if project.is_published:
        raise ProjectError(_("The project is already published."))
    if not project.need_statement.strip():
        raise ProjectError(_("Describe the need before publishing."), field="need_statement")
    project.visibility = Visibility.PUBLISHED
    project.published_at = project.updated_at = timezone.now()
    project.save(update_fields=["visibility", "published_at", "updated_at"])
    record(project, actor, "project.published")
    return project


@transaction.atomic
def unpublish_project(actor: User, project: Project) -> Project:
    _require(access.can_edit(actor, project))
    if not project.is_published:
        raise ProjectError(_("The project is not published."))
    project.visibility = Visibility.DRAFT
    project.updated_at = timezone.now()
    project.save(update_fields=["visibility", "updated_at"])
    record(project, actor, "project.unpublished")
    return project


@transaction.atomic
def move_phase(actor: User, project: Project, to: str, reason: str = "") -> PhaseTransition:
    """The only way a project changes phase: checks the move table, records the timeline."""
    _require(access.can_edit(actor, project))
    caller_copy = project
    # Lock the row so two moves at once cannot both pass the guards.
    project = Project.objects.select_for_update().get(pk=project.pk)
    reason = reason.strip()
    if (project.phase, to) in lifecycle.REASON_REQUIRED and not reason:
        raise ProjectError(_("Say why the project takes this move."), field="reason")
    problems = lifecycle.blockers(project, to)
    if problems:
        raise ProjectError(" ".join(problems), field="to")
    move = PhaseTransition.objects.create(
        project=project, from_phase=project.phase, to_phase=to, by=actor, reason=reason
    )
    project.phase = to
    project.updated_at = timezone.now()
    project.save(update_fields=["phase", "updated_at"])
    # The caller's instance shows the new phase too, not the one it had before the lock.
    caller_copy.phase, caller_copy.updated_at = project.phase, project.updated_at
    record(project, actor, "project.phase_moved", **{"from": move.from_phase, "to": to})
    return move


@dataclass
class BenefitData:
    category: str
    description: str
    baseline: Decimal
    target: Decimal
    unit: str
    owner: str
    yearly_value: Decimal | None = None


BENEFIT_FIELDS = ("category", "description", "baseline", "target", "unit", "owner", "yearly_value")


@transaction.atomic
def add_benefit(actor: User, project: Project, data: BenefitData) -> ExpectedBenefit:
    _require(access.can_edit(actor, project))
    benefit = ExpectedBenefit(project=project, **{f: getattr(data, f) for f in BENEFIT_FIELDS})
    benefit.save()
    record(project, actor, "benefit.added", benefit=benefit.pk)
    return benefit


@transaction.atomic
def update_benefit(actor: User, benefit: ExpectedBenefit, data: BenefitData) -> ExpectedBenefit:
    _require(access.can_edit(actor, benefit.project))
    for field in BENEFIT_FIELDS:
        setattr(benefit, field, getattr(data, field))
    benefit.save(update_fields=list(BENEFIT_FIELDS))
    record(benefit.project, actor, "benefit.updated", benefit=benefit.pk)
    return benefit


@transaction.atomic
def remove_benefit(actor: User, benefit: ExpectedBenefit) -> None:
    project = benefit.project
    _require(access.can_edit(actor, project))
    pk = benefit.pk
    benefit.delete()
    record(project, actor, "benefit.removed", benefit=pk)


@transaction.atomic
def set_step(actor: User, step: ProjectStep, *, done: bool, note: str | None = None) -> ProjectStep:
    _require(access.can_edit(actor, step.project))
    fields = []
    if done != step.done:
        step.done = done
        step.done_by = actor if done else None
        step.done_at = timezone.now() if done else None
        fields += ["done", "done_by", "done_at"]
    if note is not None and note != step.note:
        step.note = note
        fields.append("note")
    if fields:
        step.save(update_fields=fields)
        record(step.project, actor, "step.updated", step=step.key, done=step.done)
    return step


@transaction.atomic
def add_document(
    actor: User,
    project: Project,
    *,
    title: str,
    upload: UploadedFile,
    step: ProjectStep | None = None,
) -> ProjectDocument:
    """Store an already validated upload (size and type are checked by the form)."""
    _require(access.can_edit(actor, project))
    if step is not None and step.project_id != project.pk:
        raise ProjectError(_("That step belongs to another project."), field="step")
    document = ProjectDocument(
        project=project,
        step=step,
        title=title or upload.name or "",
        content_type=upload.content_type or "application/octet-stream",
        size=upload.size or 0,
        uploaded_by=actor,
    )
    document.file.save(upload.name or "document", upload, save=False)
    try:
        document.save()
        record(project, actor, "document.added", document=document.pk, title=document.title)
    except Exception:
        # The rows roll back; the stored file must not stay behind as an orphan.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def remove_document(actor: User, document: ProjectDocument) -> None:
    project = document.project
    _require(access.can_edit(actor, project))
    name, pk = document.file.name, document.pk
    storage = document.file.storage
    document.delete()
    record(project, actor, "document.removed", document=pk)
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def invite_cobuyer(actor: User, project: Project, organisation: Organisation) -> CoBuyerInvitation:
    _require(access.can_invite(actor, project))
    if organisation.kind != OrganisationKind.BUYER:
        raise ProjectError(_("Only public buyers can join as co-buyers."), field="organisation")
    if organisation.pk == project.lead_buyer_id:
        raise ProjectError(_("The lead buyer cannot invite itself."), field="organisation")
    invitation, created = CoBuyerInvitation.objects.get_or_create(
        project=project, organisation=organisation, defaults={"invited_by": actor}
    )
    if not created:
        if invitation.status != InvitationStatus.DECLINED:
            raise ProjectError(
                _("%(org)s is already invited.") % {"org": organisation.name},
                field="organisation",
            )
        invitation.status = InvitationStatus.PENDING
        invitation.invited_by = actor
        invitation.invited_at = timezone.now()
        invitation.answered_by = None
        invitation.answered_at = None
        invitation.save()
    record(project, actor, "cobuyer.invited", organisation=organisation.pk)
    return invitation


@transaction.atomic
def answer_invitation(actor: User, invitation: CoBuyerInvitation, *, accept: bool) -> None:
    _require(actor.is_buyer_admin and actor.organisation_id == invitation.organisation_id)
    if invitation.status != InvitationStatus.PENDING:
        raise ProjectError(_("This invitation has already been answered."))
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.answered_by = actor
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_by", "answered_at"])
    verb = "cobuyer.accepted" if accept else "cobuyer.declined"
    record(invitation.project, actor, verb, organisation=invitation.organisation_id)
