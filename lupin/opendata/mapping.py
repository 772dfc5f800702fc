"""OCDS out: the one module that turns Lupin's objects into OCDS 1.1 releases (STYLE.md: "OCDS
is produced by one mapping module at the edge"). `publish` decides when a release is due and
stores it; this module only says what it contains.

Only what Lupin already shows the public goes in: the published case, the dialogue notice, the
announced competition with its lots, criteria and public documents, award decisions (winner and
date), contracts, their options, phases and milestones. Nothing here reads internal notes, the
case's documents, dialogue questions, materials, minutes or written input, tenders (content,
files, prices), scores, consensus, negotiation notes, award reasons, gate or termination
reasons, or measurements. The winning price appears once the contract is signed, as the value of
the contract (which signing sets from the award) and, when it still is that price, of the award.

Identifiers
- ocid: `{LUPIN_OCID_PREFIX}-{project.pk}` for a published case: its planning, the dialogue, its
  first announced competition with that competition's awards and contracts, contracts registered
  by hand, and their implementation. A later competition of the same case is a contracting
  process of its own, `{prefix}-{project.pk}-c{competition.pk}`, which points back to the case's
  with `relatedProcesses` (relationship "planning").
- parties: `NO-BRC-<organisation number>` (Enhetsregisteret, org-id.guide's scheme NO-BRC);
  a foreign supplier, which has no scheme Lupin can name, `{prefix}-org-{pk}`.
- tender `competition-<pk>`, lots `lot-<number>`, awards `award-<pk>`, contracts `contract-<pk>`.

As of: a release describes the process as it stood at its date where Lupin keeps the history:
the status of the tender, its lots, the awards and the contracts, and which documents, awards,
amendments and reached milestones existed then. Other fields (titles, deadlines) are as they
were when the release was produced, which the scheduler does within a round of the event.

Dates are UTC, to the second. A day without a time (a contract's start, a milestone's due date)
starts or ends at midnight in Oslo. Amounts are NOK excluding VAT, as JSON numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupin.accounts.models import Organisation
from lupin.audit.models import AuditEntry
from lupin.competitions.actions.evaluation import lots_to_award
from lupin.competitions.models import (
    AwardDecision,
    Competition,
    CompetitionStatus,
    CriterionKind,
    Lot,
    PurchaseKind,
    Tender,
    TenderStatus,
)
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractStatus,
    DevelopmentPhase,
    PartyRole,
    PhaseStatus,
)
from lupin.dialogue.models import Dialogue, Language
from lupin.lib import cpv
from lupin.projects.models import (
    CoBuyerInvitation,
    InvitationStatus,
    Procedure,
    Project,
    ProjectEvent,
)

Json = dict[str, Any]

OSLO = ZoneInfo("Europe/Oslo")
OCDS_VERSION = "1.1"
CURRENCY = "NOK"
ORGANISATION_SCHEME = "NO-BRC"
CPV_SCHEME = "CPV"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
# `links.next` and `links.prev` on a paged release package.
PAGINATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/"
    "master/extension.json"
)
# Norsk lisens for offentlige data: the Norwegian public sector's open-data licence
# (attribution only; compatible with CC BY 4.0).
LICENCE_NAME = "NLOD 2.0"
LICENCE_URL = "https://data.norge.no/nlod/no/2.0"
LICENCE_URL_EN = "https://data.norge.no/nlod/en/2.0"

# The tender of a case before (or without) a competition in Lupin.
PLANNED_TENDER_ID = "planned"
# Lupin's procedures in the OCDS method codelist: "selective" where only prequalified suppliers
# may tender. A PCP and the simplified national competition are open calls.
METHODS: dict[str, str] = {
    Procedure.OPEN: "open",
    Procedure.RESTRICTED: "selective",
    Procedure.NEGOTIATION: "selective",
    Procedure.COMPETITIVE_DIALOGUE: "selective",
    Procedure.INNOVATION_PARTNERSHIP: "selective",
    Procedure.PCP: "open",
    Procedure.SIMPLIFIED_NATIONAL: "open",
}
TENDER_STATUS: dict[str, str] = {
    CompetitionStatus.ANNOUNCED: "active",
    CompetitionStatus.CLOSED: "active",
    CompetitionStatus.OPENED: "active",
    CompetitionStatus.AWARDED: "complete",
    CompetitionStatus.SIGNED: "complete",
    CompetitionStatus.CANCELLED: "cancelled",
}
# OCDS has no "completed" contract: a contract that came to its end is "terminated" either way.
CONTRACT_STATUS: dict[str, str] = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}
PHASE_STATUS: dict[str, str] = {
    PhaseStatus.PLANNED: "scheduled",
    PhaseStatus.RUNNING: "scheduled",
    PhaseStatus.COMPLETED: "met",
    PhaseStatus.STOPPED: "notMet",
}


# --- What the open-data page explains (kept here, next to the code it describes) -------------

# (tag, when Lupin produces a release with it)
RELEASE_TAGS: tuple[tuple[str, Promise], ...] = (
    ("planning", gettext_lazy("A project is published: the need, why, and its estimated value.")),
    (
        "planningUpdate",
        gettext_lazy(
            "The market dialogue notice is published, a dialogue conference is added to it, or "
            "the project is published again."
        ),
    ),
    (
        "tender",
        gettext_lazy(
            "A competition is announced: procedure, lots, award criteria and weights, "
            "deadlines, estimated value and the public tender documents."
        ),
    ),
    ("tenderUpdate", gettext_lazy("A tender document is published after the announcement.")),
    ("tenderAmendment", gettext_lazy("The buyer moves the deadlines of an announced competition.")),
    ("tenderCancellation", gettext_lazy("An announced competition is cancelled.")),
    (
        "award",
        gettext_lazy(
            "An award decision is made (for each lot): the winner and the date. The standstill "
            "period runs, so the award is pending until the contract is signed."
        ),
    ),
    (
        "contract",
        gettext_lazy(
            "A contract is signed, or registered by hand: parties, period and value (the "
            "winning price)."
        ),
    ),
    (
        "contractUpdate",
        gettext_lazy("The terms of a contract change, or another supplier joins a PCP."),
    ),
    ("contractAmendment", gettext_lazy("An option in the contract is exercised.")),
    ("contractTermination", gettext_lazy("A contract is completed or terminated.")),
    (
        "implementation",
        gettext_lazy(
            "A development phase starts or passes its go/no-go gate, or a milestone is reached."
        ),
    ),
)

# (what Lupin holds, where it goes in OCDS)
FIELDS: tuple[tuple[Promise, str], ...] = (
    (gettext_lazy("Lead buyer"), "buyer, tender.procuringEntity, parties (buyer, procuringEntity)"),
    (gettext_lazy("Organisation number"), "parties.identifier (scheme NO-BRC), parties.id"),
    (gettext_lazy("Co-buyers (joint procurement)"), "parties (buyer)"),
    (gettext_lazy("Project title"), "tender.title (until a competition is announced)"),
    (gettext_lazy("Need statement"), "planning.rationale, tender.description"),
    (gettext_lazy("Desired effects"), "planning.rationale"),
    (gettext_lazy("Estimated value (project)"), "planning.budget.amount, tender.value"),
    (
        gettext_lazy("CPV codes"),
        "tender.items.classification, tender.items.additionalClassifications (scheme CPV)",
    ),
    (gettext_lazy("Planned procedure"), "tender.procurementMethod, procurementMethodDetails"),
    (gettext_lazy("Dialogue notice"), "planning.documents (plannedProcurementNotice)"),
    (gettext_lazy("Dialogue contact person"), "parties.contactPoint"),
    (gettext_lazy("Dialogue deadlines and conferences"), "planning.milestones"),
    (gettext_lazy("Competition title and description"), "tender.title, tender.description"),
    (gettext_lazy("Competition status"), "tender.status"),
    (gettext_lazy("Procedure"), "tender.procurementMethod, tender.procurementMethodDetails"),
    (gettext_lazy("Kind of purchase and main CPV code"), "tender.mainProcurementCategory"),
    (gettext_lazy("Estimated value (competition)"), "tender.value"),
    (
        gettext_lazy("Deadlines"),
        "tender.tenderPeriod, tender.enquiryPeriod, tender.milestones",
    ),
    (gettext_lazy("Lots"), "tender.lots, tender.items.relatedLot (lots extension)"),
    (gettext_lazy("Award criteria and weights"), "tender.awardCriteria, awardCriteriaDetails"),
    (gettext_lazy("Qualification requirements"), "tender.eligibilityCriteria"),
    (gettext_lazy("Public tender documents"), "tender.documents (biddingDocuments)"),
    (gettext_lazy("Moved deadlines"), "tender.amendments"),
    (gettext_lazy("Number of tenderers"), "tender.numberOfTenderers (from the award)"),
    (
        gettext_lazy("Award decision"),
        "awards (status, date, suppliers, relatedLots)",
    ),
    (gettext_lazy("Winning price"), "awards.value (from the signed contract)"),
    (
        gettext_lazy("Contract"),
        "contracts (title, description, status, period, value, dateSigned)",
    ),
    (gettext_lazy("Suppliers"), "parties (supplier), awards.suppliers"),
    (gettext_lazy("Options exercised"), "contracts.amendments"),
    (
        gettext_lazy("Development phases and milestones"),
        "contracts.implementation.milestones",
    ),
)

NEVER_PUBLISHED: tuple[Promise, ...] = (
    gettext_lazy("Draft projects and competitions; all of a project that has been unpublished."),
    gettext_lazy("A project's internal notes, roadmap notes and internal documents."),
    gettext_lazy(
        "Market dialogue: questions before they are answered, materials shared with registered "
        "suppliers, meeting bookings, minutes, business secrets and written input."
    ),
    gettext_lazy(
        "Tenders: their content, files and prices, and who tendered (only the number, after "
        "the award). The winning price is published only once the contract is signed."
    ),
    gettext_lazy(
        "Evaluation: the team, conflict declarations, scores and notes, consensus "
        "justifications, negotiation rounds and the reasons given in award letters."
    ),
    gettext_lazy(
        "Contract follow-up: reasons for go/no-go decisions and for ending a contract, costs of "
        "phases, KPIs, measurements and their evidence."
    ),
)


# --- Identifiers --------------------------------------------------------------------------------


def project_ocid(project_id: int) -> str:
    return f"{settings.LUPIN_OCID_PREFIX}-{project_id}"


def first_competition_id(project_id: int) -> int | None:
    """The competition that belongs to the case's own contracting process: the first announced."""
    return (
        Competition.objects.filter(project_id=project_id, announced_at__isnull=False)
        .order_by("announced_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def competition_ocid(competition: Competition) -> str:
    base = project_ocid(competition.project_id)
    if first_competition_id(competition.project_id) in (None, competition.pk):
        return base
    return f"{base}-c{competition.pk}"


def contract_ocid(contract: Contract) -> str:
    if contract.award_id is not None:
        return competition_ocid(contract.award.competition)  # type: ignore[union-attr]
    return project_ocid(contract.project_id)


def party_id(organisation: Organisation) -> str:
    if organisation.org_number:
        return f"{ORGANISATION_SCHEME}-{organisation.org_number}"
    return f"{settings.LUPIN_OCID_PREFIX}-org-{organisation.pk}"


def tender_id(competition: Competition) -> str:
    return f"competition-{competition.pk}"


def lot_id(lot: Lot) -> str:
    return f"lot-{lot.number}"


def award_id(decision: AwardDecision) -> str:
    return f"award-{decision.pk}"


def contract_id(contract: Contract) -> str:
    return f"contract-{contract.pk}"


def registered_award_id(contract: Contract) -> str:
    """The award of a contract registered by hand (its procurement ran outside Lupin)."""
    return f"contract-{contract.pk}-award"


# --- Small values -------------------------------------------------------------------------------


def moment(value: datetime) -> str:
    """ISO 8601 in UTC, to the second: 2026-03-01T09:30:00Z."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def start_of(value: date) -> datetime:
    return datetime.combine(value, time.min, tzinfo=OSLO)


def day_start(value: date) -> str:
    return moment(start_of(value))


def day_end(value: date) -> str:
    return moment(datetime.combine(value, time(23, 59, 59), tzinfo=OSLO))


def _amount(value: Decimal) -> int | float:
    # Amounts have at most 14 significant digits (max_digits=14), which a double holds
    # exactly in its shortest text form, so the JSON number reads back as the same øre.
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _value(amount: Decimal | None) -> Json | None:
    if amount is None:
        return None
    return {"amount": _amount(amount), "currency": CURRENCY}


def _percent(weight: Decimal) -> str:
    return f"{weight.normalize():f}"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def clean(value: Any) -> Any:
    """Drop empty fields (None, "", [], {}): OCDS asks publishers to leave out what they do not
    know rather than publish it empty."""
    if isinstance(value, dict):
        cleaned = {key: clean(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        items = [clean(item) for item in value]
        return [item for item in items if item not in (None, "", [], {})]
    return value


# --- Parties ------------------------------------------------------------------------------------


def _reference(organisation: Organisation) -> Json:
    return {"id": party_id(organisation), "name": organisation.name}


def _party(organisation: Organisation, roles: Sequence[str]) -> Json:
    if organisation.org_number:
        identifier = {
            "scheme": ORGANISATION_SCHEME,
            "id": organisation.org_number,
            "legalName": organisation.name,
        }
    else:
        identifier = {"id": organisation.foreign_id, "legalName": organisation.name}
    return {
        "id": party_id(organisation),
        "name": organisation.name,
        "identifier": identifier,
        "roles": list(roles),
    }


def _buyers(project: Project, as_of: datetime) -> list[Json]:
    """The lead buyer (who also runs the procurement) and the co-buyers who had joined. A
    party's roles are the same in every release: merging replaces a list of roles whole."""
    accepted = (
        CoBuyerInvitation.objects.filter(
            project=project, status=InvitationStatus.ACCEPTED, answered_at__lte=as_of
        )
        .select_related("organisation")
        .order_by("answered_at", "pk")
    )
    return [
        _party(project.lead_buyer, ["buyer", "procuringEntity"]),
        *(_party(invitation.organisation, ["buyer"]) for invitation in accepted),
    ]


def _suppliers(organisations: Iterable[Organisation]) -> list[Json]:
    unique = {organisation.pk: organisation for organisation in organisations}
    return [_party(organisation, ["supplier"]) for organisation in unique.values()]


# --- Items and categories -----------------------------------------------------------------------


def _codes(project: Project) -> list[cpv.CpvCode]:
    return project.cpv_list()


def _classification(code: cpv.CpvCode) -> Json:
    return {
        "scheme": CPV_SCHEME,
        "id": code.code,
        "description": code.label(settings.LANGUAGE_CODE),
    }


def _items(codes: Sequence[cpv.CpvCode], description: str, lots: Sequence[Lot]) -> list[Json]:
    """One item per lot (or one for the whole), classified by the main CPV code; the case's
    other codes are additional classifications."""
    if not codes:
        return []
    main, *others = codes
    classified = {
        "classification": _classification(main),
        "additionalClassifications": [_classification(code) for code in others],
    }
    # Numbered from 1 either way: a compiled record merges items by id, so the planned item
    # ("1") gives way to the competition's instead of staying behind without a lot.
    if lots:
        return [
            {"id": str(position), "description": lot.title, **classified, "relatedLot": lot_id(lot)}
            for position, lot in enumerate(lots, start=1)
        ]
    return [{"id": "1", "description": description, **classified}]


def _category(codes: Sequence[cpv.CpvCode], purchase_kind: str | None = None) -> str | None:
    """Works by the kind of purchase or CPV division 45; otherwise supplies (divisions 03-44 and
    48, software packages) or services (50-98), by the main code."""
    if purchase_kind == PurchaseKind.WORKS:
        return "works"
    if not codes:
        return None
    division = int(codes[0].division)
    if division == 45:
        return "works" if purchase_kind is None else "services"
    if division < 45 or division == 48:
        return "goods"
    return "services"


# --- Planning ----------------------------------------------------------------------------------


def _rationale(project: Project) -> str:
    parts = [project.need_statement.strip()]
    if project.desired_effects.strip():
        parts.append(
            _("Desired effects: %(effects)s") % {"effects": project.desired_effects.strip()}
        )
    return "\n\n".join(part for part in parts if part)


def _planning(project: Project) -> Json:
    budget = None
    if project.estimated_value is not None:
        budget = {
            "description": _("Estimated value, NOK excluding VAT"),
            "amount": _value(project.estimated_value),
        }
    return {"rationale": _rationale(project), "budget": budget}


def _planned_tender(project: Project, as_of: datetime) -> Json:
    """The tender as planning releases show it: the planned procurement until the case's
    competition is announced (complete once a contract is registered by hand: it ran outside
    Lupin); after that only the competition's status, so that a planning release dated later
    never overwrites the competition's tender in a compiled record."""
    first = first_competition_id(project.pk)
    if first is not None:
        competition = _competition(first)
        if competition.announced_at is not None and competition.announced_at <= as_of:
            return _tender_state(competition, as_of)
    codes = _codes(project)
    procedure = project.planned_procedure
    registered = Contract.objects.filter(
        project=project, award__isnull=True, created_at__lte=as_of
    ).exists()
    return {
        "id": PLANNED_TENDER_ID,
        "title": project.title,
        "description": project.need_statement,
        "status": "complete" if registered else "planning",
        "items": _items(codes, project.title, []),
        "value": _value(project.estimated_value),
        "mainProcurementCategory": _category(codes),
        "procurementMethod": METHODS.get(procedure),
        "procurementMethodDetails": (
            project.get_planned_procedure_display() if procedure != Procedure.UNDECIDED else None
        ),
    }


# --- Releases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What `publish` decides about a release: its process, identity, date and tags."""

    ocid: str
    release_id: str
    date: datetime
    tags: tuple[str, ...]


def _release(header: Header, project: Project, **sections: Any) -> Json:
    release: Json = {
        "ocid": header.ocid,
        "id": header.release_id,
        "date": moment(header.date),
        "tag": list(header.tags),
        "initiationType": "tender",
        "language": settings.LANGUAGE_CODE,
        "buyer": _reference(project.lead_buyer),
        **sections,
    }
    return clean(release)


def planning_release(header: Header, project: Project) -> Json:
    """A project is published: the need, the rationale and the estimated value."""
    return _release(
        header,
        project,
        parties=_buyers(project, header.date),
        planning=_planning(project),
        tender=_planned_tender(project, header.date),
    )


def _document_language(dialogue: Dialogue) -> str | None:
    """The notice's language; none for a notice in both."""
    if dialogue.language in (Language.NB, Language.EN):
        return str(dialogue.language)
    return None


def dialogue_release(header: Header, dialogue: Dialogue) -> Json:
    """The dialogue notice (a prior information notice): the notice itself as a document,
    its deadlines and conferences as milestones, its contact person on the lead buyer."""
    project = dialogue.project
    as_of = header.date
    parties = _buyers(project, as_of)
    parties[0]["contactPoint"] = {"name": dialogue.contact_name, "email": dialogue.contact_email}
    notice = {
        "id": f"dialogue-{dialogue.pk}",
        "documentType": "plannedProcurementNotice",
        "title": dialogue.title,
        "description": "\n\n".join(
            part.strip() for part in (dialogue.need_summary, dialogue.asks) if part.strip()
        ),
        "url": _absolute(reverse("dialogue:detail", args=[dialogue.pk])),
        "datePublished": moment(dialogue.published_at) if dialogue.published_at else None,
        "format": "text/html",
        "language": _document_language(dialogue),
    }
    deadlines = (
        ("registration", _("Registration deadline"), dialogue.registration_deadline),
        ("questions", _("Deadline for questions"), dialogue.question_deadline),
        ("input", _("Deadline for written input"), dialogue.input_deadline),
    )
    milestones: list[Json] = [
        {
            "id": f"dialogue-{dialogue.pk}-{key}",
            "title": title,
            "type": "engagement",
            "dueDate": moment(when),
        }
        for key, title, when in deadlines
    ]
    for conference in dialogue.conferences.all():
        milestones.append(
            {
                "id": f"conference-{conference.pk}",
                "title": conference.title,
                "type": "engagement",
                "dueDate": moment(conference.starts_at),
            }
        )
    return _release(
        header,
        project,
        parties=parties,
        planning={"documents": [notice], "milestones": milestones},
        tender=_planned_tender(project, as_of),
    )


def _competition(pk: int) -> Competition:
    return (
        Competition.objects.select_related("project__lead_buyer")
        .prefetch_related("transitions", "lots", "awards")
        .get(pk=pk)
    )


def _status_as_of(competition: Competition, as_of: datetime) -> str:
    status = CompetitionStatus.DRAFT
    for transition in competition.transitions.all():
        if transition.at <= as_of:
            status = CompetitionStatus(transition.to_status)
    return status


def _lots(competition: Competition, as_of: datetime, tender_status: str | None) -> list[Json]:
    decided = {d.lot_id for d in competition.awards.all() if d.decided_at <= as_of}
    lots = []
    for lot in competition.lots.all():
        status: str | None = tender_status
        if lot.pk in decided:
            status = "complete"
        elif tender_status == "complete":
            status = "unsuccessful"  # nobody tendered for it: there was nothing to award
        lots.append(
            {
                "id": lot_id(lot),
                "title": lot.title,
                "description": lot.description,
                "status": status,
            }
        )
    return lots


def _tender_state(competition: Competition, as_of: datetime, status: str | None = None) -> Json:
    status = status or TENDER_STATUS.get(_status_as_of(competition, as_of))
    return {
        "id": tender_id(competition),
        "status": status,
        "lots": _lots(competition, as_of, status),
    }


def _award_criteria(competition: Competition) -> tuple[str | None, str]:
    criteria = list(competition.criteria.all())
    top = [c for c in criteria if c.parent_id is None]
    if not top:
        return None, ""
    lines = []
    for criterion in top:
        lines.append(f"{criterion.name}: {_percent(criterion.weight)} %")
        lines.extend(
            f"– {child.name}: {_percent(child.weight)} %"
            for child in criteria
            if child.parent_id == criterion.pk
        )
    only_price = all(c.kind == CriterionKind.PRICE for c in top)
    return ("priceOnly" if only_price else "ratedCriteria"), "\n".join(lines)


def _tender_documents(competition: Competition, as_of: datetime) -> list[Json]:
    documents: list[Json] = [
        {
            "id": f"competition-{competition.pk}-notice",
            "documentType": "tenderNotice",
            "title": competition.title,
            "url": _absolute(reverse("competitions:detail", args=[competition.pk])),
            "datePublished": moment(competition.announced_at) if competition.announced_at else None,
            "format": "text/html",
        }
    ]
    for document in competition.documents.all():
        if document.published_at > as_of:
            continue
        documents.append(
            {
                "id": f"document-{document.pk}",
                "documentType": "biddingDocuments",
                "title": document.title,
                "url": _absolute(
                    reverse(
                        "competitions:document_download",
                        kwargs={"pk": competition.pk, "document_pk": document.pk},
                    )
                ),
                "datePublished": moment(document.published_at),
                "format": document.content_type.split(";")[0].strip(),
            }
        )
    return documents


def timeline_changes(competition: Competition) -> list[AuditEntry]:
    """Deadlines moved after the announcement (the audit log is where Lupin records them)."""
    if competition.announced_at is None:
        return []
    return list(
        AuditEntry.objects.filter(
            action="competition.timeline_changed",
            subject_type=Competition._meta.label_lower,
            subject_id=str(competition.pk),
            at__gt=competition.announced_at,
        ).order_by("seq")
    )


def _related_processes(competition: Competition) -> list[Json]:
    if competition_ocid(competition) == project_ocid(competition.project_id):
        return []
    return [
        {
            "id": "1",
            "relationship": ["planning"],
            "title": competition.project.title,
            "scheme": "ocid",
            "identifier": project_ocid(competition.project_id),
        }
    ]


def tender_release(header: Header, competition: Competition) -> Json:
    """The competition as announced (and as updated, amended or cancelled)."""
    competition = _competition(competition.pk)
    project = competition.project
    as_of = header.date
    lots = list(competition.lots.all())
    codes = _codes(project)
    state = _tender_state(competition, as_of)
    award_criteria, criteria_details = _award_criteria(competition)
    milestones = []
    if competition.request_deadline is not None:
        milestones.append(
            {
                "id": "request-deadline",
                "title": _("Deadline for requests to participate"),
                "type": "engagement",
                "dueDate": moment(competition.request_deadline),
            }
        )
    started = competition.announced_at
    tender = {
        **state,
        "title": competition.title,
        "description": competition.description,
        "procuringEntity": _reference(project.lead_buyer),
        "items": _items(codes, competition.title, lots),
        "value": _value(competition.estimated_value),
        "procurementMethod": METHODS.get(competition.procedure),
        "procurementMethodDetails": competition.get_procedure_display(),
        "mainProcurementCategory": _category(codes, competition.purchase_kind),
        "awardCriteria": award_criteria,
        "awardCriteriaDetails": criteria_details,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": _absolute(reverse("competitions:detail", args=[competition.pk])),
        "tenderPeriod": {
            "startDate": moment(started) if started else None,
            "endDate": moment(competition.tender_deadline),
        },
        "enquiryPeriod": {
            "startDate": moment(started) if started else None,
            "endDate": moment(competition.question_deadline),
        },
        "eligibilityCriteria": "\n\n".join(
            requirement.text.strip() for requirement in competition.qualification_requirements.all()
        ),
        "documents": _tender_documents(competition, as_of),
        "milestones": milestones,
        "amendments": [
            {
                "id": f"timeline-{entry.seq}",
                "date": moment(entry.at),
                "description": _("The deadlines were moved."),
            }
            for entry in timeline_changes(competition)
            if entry.at <= as_of
        ],
    }
    return _release(
        header,
        project,
        parties=_buyers(project, as_of),
        tender=tender,
        relatedProcesses=_related_processes(competition),
    )


def _award(decision: AwardDecision, as_of: datetime) -> Json:
    signed = decision.signed_at is not None and decision.signed_at <= as_of
    competition = decision.competition
    return {
        "id": award_id(decision),
        "title": f"{competition.title}: {decision.lot.title}"
        if decision.lot
        else competition.title,
        "status": "active" if signed else "pending",
        "date": moment(decision.decided_at),
        "suppliers": [_reference(decision.winner.organisation)],
        "relatedLots": [lot_id(decision.lot)] if decision.lot else [],
    }


def _decisions(competition: Competition) -> list[AwardDecision]:
    return list(
        AwardDecision.objects.filter(competition=competition)
        .select_related("competition", "lot", "winner__organisation")
        .order_by("decided_at", "pk")
    )


def _tenderers(competition: Competition) -> int:
    return (
        Tender.objects.filter(competition=competition, status=TenderStatus.SUBMITTED)
        .values("organisation")
        .distinct()
        .count()
    )


def award_release(header: Header, decision: AwardDecision) -> Json:
    """An award decision: who won (each lot) and when. No value: the price is sealed until the
    contract is signed."""
    competition = _competition(decision.competition_id)
    project = competition.project
    as_of = header.date
    decided = [d for d in _decisions(competition) if d.decided_at <= as_of]
    # The decision that completes the award moves the competition to AWARDED a moment after
    # its own time, in the same transaction: judge completeness by the decisions themselves.
    needed = {lot.pk if lot else None for lot in lots_to_award(competition)}
    status = "complete" if needed <= {d.lot_id for d in decided} else None
    tender = {
        **_tender_state(competition, as_of, status),
        "numberOfTenderers": _tenderers(competition),
    }
    return _release(
        header,
        project,
        parties=_buyers(project, as_of) + _suppliers(d.winner.organisation for d in decided),
        tender=tender,
        awards=[_award(d, as_of) for d in decided],
    )


def _contract_status(contract: Contract, as_of: datetime) -> str:
    status = ContractStatus.ACTIVE
    for event in contract_events(contract, "contract.status"):
        if event.at <= as_of:
            status = ContractStatus(event.detail.get("to", status))
    return CONTRACT_STATUS[status]


def contract_events(contract: Contract, verb: str) -> list[ProjectEvent]:
    events = ProjectEvent.objects.filter(project_id=contract.project_id, verb=verb).order_by(
        "at", "pk"
    )
    return [event for event in events if event.detail.get("contract") == contract.pk]


def value_is_award_price(contract: Contract) -> bool:
    """Whether the contract's value is still what it was signed for: one award (a PCP adds each
    later award's price to it) and no change of the value since."""
    if contract.kind == ContractKind.PCP and contract.award_id is not None:
        return False
    return not any(
        "value" in event.detail.get("fields", [])
        for event in contract_events(contract, "contract.updated")
    )


def _phase_milestones(phase: DevelopmentPhase, as_of: datetime) -> list[Json]:
    gate = max((d.decided_at for d in phase.decisions.all()), default=None)
    rows: list[Json] = [
        {
            "id": f"phase-{phase.pk}",
            "title": phase.name,
            "type": "delivery",
            "description": phase.get_kind_display(),
            "dueDate": day_end(phase.ends_on),
            "status": PHASE_STATUS[phase.status],
            "dateMet": moment(gate) if phase.status == PhaseStatus.COMPLETED and gate else None,
        }
    ]
    for milestone in phase.milestones.all():
        met = milestone.done_on is not None and start_of(milestone.done_on) <= as_of
        rows.append(
            {
                "id": f"milestone-{milestone.pk}",
                "title": milestone.title,
                "type": "delivery",
                "dueDate": day_end(milestone.due_on),
                "dateMet": day_start(milestone.done_on) if met and milestone.done_on else None,
                "status": "met" if met else "scheduled",
            }
        )
    return rows


def _contract(contract: Contract, as_of: datetime) -> Json:
    phases = contract.phases.prefetch_related("milestones", "decisions")
    options = [
        option
        for option in contract.options.all()
        if option.exercised_on is not None and start_of(option.exercised_on) <= as_of
    ]
    return {
        "id": contract_id(contract),
        "awardID": award_id(contract.award) if contract.award else registered_award_id(contract),
        "title": contract.title,
        "description": contract.description,
        "status": _contract_status(contract, as_of),
        "period": {
            "startDate": day_start(contract.starts_on),
            "endDate": day_end(contract.ends_on) if contract.ends_on else None,
        },
        "value": _value(contract.value),
        "dateSigned": day_start(contract.signed_on),
        "implementation": {
            "milestones": [row for phase in phases for row in _phase_milestones(phase, as_of)]
        },
        "amendments": [
            {
                "id": f"option-{option.pk}",
                "date": day_start(option.exercised_on),  # type: ignore[arg-type]
                "description": _("Option exercised: %(kind)s")
                % {"kind": option.get_kind_display().lower()},
            }
            for option in options
        ],
    }


def contract_release(header: Header, contract: Contract, *, award_value: bool = False) -> Json:
    """A contract and the awards it came from; every later change to the contract (its terms,
    options, status, phases and milestones) is a release of the same shape. `award_value` puts
    the contract's value on its award too: only in the release of the signing, and only while
    `value_is_award_price()`."""
    contract = Contract.objects.select_related(
        "project__lead_buyer", "award__competition", "award__lot", "award__winner__organisation"
    ).get(pk=contract.pk)
    project = contract.project
    as_of = header.date
    suppliers = [
        party.organisation
        for party in contract.parties.select_related("organisation").order_by("pk")
        if party.role == PartyRole.SUPPLIER
    ]
    price = _value(contract.value) if award_value and value_is_award_price(contract) else None
    if contract.award is not None:
        decisions = [contract.award]
        if contract.kind == ContractKind.PCP:
            # A PCP's later awards join the contract of its first when they are signed.
            decisions = [
                d
                for d in _decisions(contract.award.competition)
                if d.pk == contract.award_id or (d.signed_at is not None and d.signed_at <= as_of)
            ]
        awards = [_award(d, as_of) for d in decisions]
        if price is not None:
            awards[0]["value"] = price
    else:
        awards = [
            {
                "id": registered_award_id(contract),
                "title": contract.title,
                "status": "active",
                "date": day_start(contract.signed_on),
                "value": price,
                "suppliers": [_reference(organisation) for organisation in suppliers],
            }
        ]
    tender = None
    if contract.award is None and first_competition_id(project.pk) is None:
        # Registered by hand: the procurement ran outside Lupin and is over.
        tender = {"id": PLANNED_TENDER_ID, "status": "complete"}
    return _release(
        header,
        project,
        parties=_buyers(project, as_of) + _suppliers(suppliers),
        tender=tender,
        awards=awards,
        contracts=[_contract(contract, as_of)],
    )


# --- Packages -----------------------------------------------------------------------------------


def _uses_lots(release: Json) -> bool:
    if release.get("tender", {}).get("lots"):
        return True
    return any(award.get("relatedLots") for award in release.get("awards", []))


def extensions_used(releases: Iterable[Json], *, paged: bool = False) -> list[str]:
    """The extensions a package declares: only those its releases (or its links) use."""
    extensions = []
    if any(_uses_lots(release) for release in releases):
        extensions.append(LOTS_EXTENSION)
    if paged:
        extensions.append(PAGINATION_EXTENSION)
    return extensions
