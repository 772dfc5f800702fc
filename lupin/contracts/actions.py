"""Every change to a contract goes through one function here (STYLE.md: writes go through actions).

Each owns its transaction, checks the rule, saves, and writes a row to the case's history.
The rules of innovation partnerships and PCPs live here once:

- a gate (go/no-go) decides for every supplier still in the contract, each with a reason;
- a PCP keeps at least two suppliers until its test phase is over: a gate before then may let
  two or more go on, or stop them all (ending the PCP), never leave one;
- the purchase option of an innovation partnership opens only when every agreed performance
  level is met and the cost of the phases is within the maximum (`purchase_blockers` says why not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation, OrganisationKind, User
from lupin.competitions.models import AwardDecision
from lupin.contracts import access
from lupin.contracts.models import (
    CONTRACT_MOVES,
    PHASE_MOVES,
    Contract,
    ContractKind,
    ContractOption,
    ContractParty,
    ContractSource,
    ContractStatus,
    DevelopmentPhase,
    Direction,
    GateDecision,
    GateOutcome,
    Milestone,
    OptionKind,
    PartyRole,
    PerformanceLevel,
    PhaseKind,
    PhaseStatus,
    ScaleUp,
)
from lupin.lib.orgnr import is_valid as is_valid_org_number
from lupin.lib.orgnr import normalise as normalise_org_number
from lupin.projects.actions import move_phase, record
from lupin.projects.lifecycle import Phase
from lupin.projects.models import CoBuyerInvitation, InvitationStatus, Procedure, Project

MIN_PCP_SUPPLIERS = 2
# Dates before this are typing errors (1923 for 2023); the effect report discounts from them.
EARLIEST_YEAR = 2000


class ContractError(Exception):
    """A rule said no. The message is for the person who tried; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _nok(amount: Decimal) -> str:
    return _("NOK %(amount)s") % {"amount": number_format(amount, 0, force_grouping=True)}


def _not_negative(value: Decimal | None, field: str) -> None:
    if value is not None and value < 0:
        raise ContractError(_("An amount cannot be negative."), field=field)


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ContractError(_("Give the reason: it is kept in the case's history."), field=field)
    return text


def _today() -> date:
    return timezone.localdate()


def kind_for_procedure(procedure: str) -> str:
    if procedure == Procedure.INNOVATION_PARTNERSHIP:
        return ContractKind.INNOVATION_PARTNERSHIP
    if procedure == Procedure.PCP:
        return ContractKind.PCP
    return ContractKind.ORDINARY


def _buyers_of(project: Project) -> list[Organisation]:
    accepted = CoBuyerInvitation.objects.filter(
        project=project, status=InvitationStatus.ACCEPTED
    ).select_related("organisation")
    return [project.lead_buyer, *(i.organisation for i in accepted)]


# --- Creating a contract -----------------------------------------------------------------------


@dataclass
class ContractData:
    title: str
    kind: str
    signed_on: date
    starts_on: date
    ends_on: date | None = None
    value: Decimal | None = None
    max_cost: Decimal | None = None
    reference: str = ""
    description: str = ""
    is_pilot: bool = False


def _check(data: ContractData) -> None:
    if not data.title.strip():
        raise ContractError(_("Give the contract a title."), field="title")
    for name in ("signed_on", "starts_on", "ends_on"):
        day = getattr(data, name)
        if day is not None and day.year < EARLIEST_YEAR:
            raise ContractError(
                _("Give a date in %(year)s or later.") % {"year": EARLIEST_YEAR}, field=name
            )
    _not_negative(data.value, "value")
    _not_negative(data.max_cost, "max_cost")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise ContractError(_("The contract cannot end before it starts."), field="ends_on")
    if data.kind == ContractKind.ORDINARY and data.max_cost is not None:
        raise ContractError(
            _("A maximum cost belongs to an innovation partnership or a PCP."), field="max_cost"
        )


def _create(
    actor: User,
    project: Project,
    data: ContractData,
    suppliers: Sequence[Organisation],
    *,
    source: str,
    award: AwardDecision | None = None,
) -> Contract:
    from lupin.benefits.actions import kpis_from_benefits

    contract = Contract.objects.create(
        project=project,
        award=award,
        source=source,
        kind=data.kind,
        title=data.title.strip(),
        reference=data.reference.strip(),
        description=data.description.strip(),
        value=data.value,
        max_cost=data.max_cost,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        is_pilot=data.is_pilot or data.kind != ContractKind.ORDINARY,
        created_by=actor,
    )
    for organisation in _buyers_of(project):
        ContractParty.objects.create(
            contract=contract, organisation=organisation, role=PartyRole.BUYER
        )
    for organisation in dict.fromkeys(suppliers):
        ContractParty.objects.create(
            contract=contract, organisation=organisation, role=PartyRole.SUPPLIER
        )
    kpis_from_benefits(contract)
    record(project, actor, "contract.created", contract=contract.pk, source=source)
    return contract


def create_from_award(actor: User, decision: AwardDecision) -> Contract:
    """The contract of a signed award decision (idempotent: one contract per decision).

    Called by `competitions.actions.evaluation.sign_contract` inside its transaction. The value
    is the winning tender's price, the term starts on the day of signing; the buyer completes
    the rest (end date, options) on the contract page.
    """
    from lupin.competitions.actions.evaluation import awarded_price

    existing = Contract.objects.filter(award=decision).first()
    if existing is not None:
        return existing
    competition = decision.competition
    if kind_for_procedure(competition.procedure) == ContractKind.PCP:
        # A PCP is one contract with several suppliers (one lot each): a later lot's winner
        # joins the contract of the first, so the rule of two suppliers can hold.
        pcp = Contract.objects.filter(award__competition=competition).first()
        if pcp is not None:
            return _join_pcp(actor, pcp, decision)
    signed_on = timezone.localdate(decision.signed_at) if decision.signed_at else _today()
    title = competition.title
    if decision.lot_id is not None:
        title = f"{competition.title}: {decision.lot}"
    data = ContractData(
        title=title[:200],
        kind=kind_for_procedure(competition.procedure),
        signed_on=signed_on,
        starts_on=signed_on,
        value=awarded_price(actor, decision),
        reference=competition.reference,
        description=competition.description,
    )
    with transaction.atomic():
        return _create(
            actor,
            competition.project,
            data,
            [decision.winner.organisation],
            source=ContractSource.AWARD,
            award=decision,
        )


def _join_pcp(actor: User, contract: Contract, decision: AwardDecision) -> Contract:
    from lupin.competitions.actions.evaluation import awarded_price

    supplier, created = ContractParty.objects.get_or_create(
        contract=contract, organisation=decision.winner.organisation, role=PartyRole.SUPPLIER
    )
    if created:
        price = awarded_price(actor, decision)
        contract.value = (contract.value or Decimal(0)) + price
        contract.save(update_fields=["value"])
        record(contract.project, actor, "contract.updated", contract=contract.pk, fields=["value"])
    return contract


def find_or_add_supplier(org_number: str, name: str) -> Organisation:
    """The supplier with this organisation number, added (kind supplier) when Lupin does not
    know it yet: a contract registered by hand may name suppliers that never logged in."""
    # "974 760 673" and "974.760.673" are the same number: look it up and store it bare.
    org_number = normalise_org_number(org_number.strip())
    name = name.strip()
    if not is_valid_org_number(org_number):
        raise ContractError(
            _("“%(number)s” is not a valid organisation number (nine digits, MOD11).")
            % {"number": org_number},
            field="suppliers",
        )
    existing = Organisation.objects.filter(org_number=org_number).first()
    if existing is not None:
        return existing
    if not name:
        raise ContractError(
            _("Lupin does not know %(number)s yet: give its name after the number.")
            % {"number": org_number},
            field="suppliers",
        )
    return Organisation.objects.create(
        kind=OrganisationKind.SUPPLIER, name=name[:200], org_number=org_number
    )


def register_contract(
    actor: User, project: Project, data: ContractData, suppliers: Sequence[Organisation]
) -> Contract:
    """A contract from a procurement run outside Lupin (a PCP under the R&D exception, say)."""
    _require(access.can_register(actor, project))
    _check(data)
    suppliers = list(dict.fromkeys(suppliers))
    if not suppliers:
        raise ContractError(_("Name at least one supplier."), field="suppliers")
    if any(s.kind != OrganisationKind.SUPPLIER for s in suppliers):
        raise ContractError(_("Only suppliers can be a contract's suppliers."), field="suppliers")
    if data.kind == ContractKind.PCP and len(suppliers) < MIN_PCP_SUPPLIERS:
        raise ContractError(
            _("A pre-commercial procurement needs at least two suppliers."), field="suppliers"
        )
    with transaction.atomic():
        contract = _create(actor, project, data, suppliers, source=ContractSource.MANUAL)
        if project.phase != Phase.CONTRACT:
            move_phase(
                actor,
                project,
                Phase.CONTRACT,
                reason=_("Contract registered: %(title)s") % {"title": contract.title},
            )
        return contract


CONTRACT_FIELDS = ("title", "reference", "description", "value", "max_cost", "starts_on", "ends_on")


@transaction.atomic
def update_contract(actor: User, contract: Contract, data: ContractData) -> Contract:
    """Change the terms; the kind, parties and signing date are fixed once created."""
    _require(access.can_manage(actor, contract))
    _active(contract)
    data.kind = contract.kind
    _check(data)
    changed = []
    for name in CONTRACT_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(contract, name) != value:
            setattr(contract, name, value)
            changed.append(name)
    if changed:
        contract.save(update_fields=changed)
        record(contract.project, actor, "contract.updated", contract=contract.pk, fields=changed)
    return contract


def _move(contract: Contract, to: str) -> None:
    if to not in CONTRACT_MOVES[contract.status]:
        raise ContractError(
            _("A contract that is %(status)s cannot be changed that way.")
            % {"status": contract.get_status_display().lower()}
        )


@transaction.atomic
def change_status(actor: User, contract: Contract, to: str, reason: str = "") -> Contract:
    _require(access.can_manage(actor, contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _move(contract, to)
    if to == ContractStatus.TERMINATED:
        reason = _reason(reason)
    contract.status, contract.status_reason = to, reason.strip()
    contract.save(update_fields=["status", "status_reason"])
    record(contract.project, actor, "contract.status", contract=contract.pk, to=to, reason=reason)
    return contract


def _active(contract: Contract) -> None:
    # Read from the database: the caller's instance may be older than a status change.
    contract.status = Contract.objects.values_list("status", flat=True).get(pk=contract.pk)
    if contract.status != ContractStatus.ACTIVE:
        raise ContractError(
            _("The contract is %(status)s: it can no longer be changed.")
            % {"status": contract.get_status_display().lower()}
        )


# --- Options and extensions --------------------------------------------------------------------


@transaction.atomic
def add_option(
    actor: User,
    contract: Contract,
    *,
    kind: str,
    description: str,
    value: Decimal | None = None,
    extends_to: date | None = None,
) -> ContractOption:
    _require(access.can_manage(actor, contract))
    _active(contract)
    if not description.strip():
        raise ContractError(_("Describe the option."), field="description")
    _not_negative(value, "value")
    if kind == OptionKind.EXTENSION:
        if extends_to is None:
            raise ContractError(
                _("Say to which day the option extends the contract."), field="extends_to"
            )
        if contract.ends_on is not None and extends_to <= contract.ends_on:
            raise ContractError(
                _("An extension must end after the contract's current end."), field="extends_to"
            )
    elif extends_to is not None:
        raise ContractError(_("Only an extension changes the end date."), field="extends_to")
    option = ContractOption.objects.create(
        contract=contract,
        kind=kind,
        description=description.strip(),
        value=value,
        extends_to=extends_to,
    )
    record(contract.project, actor, "contract.option_added", contract=contract.pk, option=option.pk)
    return option


@transaction.atomic
def exercise_option(actor: User, option: ContractOption, on: date | None = None) -> ContractOption:
    """Use an option; an extension moves the contract's end date to the option's."""
    contract = option.contract
    _require(access.can_manage(actor, contract))
    _active(contract)
    option = ContractOption.objects.select_for_update().get(pk=option.pk)
    if option.exercised_on is not None:
        raise ContractError(_("This option has already been exercised."))
    on = on or _today()
    if on < contract.signed_on:
        raise ContractError(
            _("An option cannot be exercised before the contract was signed."), field="on"
        )
    option.exercised_on, option.exercised_by = on, actor
    option.save(update_fields=["exercised_on", "exercised_by"])
    if option.kind == OptionKind.EXTENSION and option.extends_to is not None:
        contract.ends_on = option.extends_to
        contract.save(update_fields=["ends_on"])
    record(
        contract.project, actor, "contract.option_exercised", contract=contract.pk, option=option.pk
    )
    return option


# --- Development phases, milestones, gates -----------------------------------------------------


def _phases_only(contract: Contract) -> None:
    if not contract.has_phases:
        raise ContractError(_("Development phases belong to an innovation partnership or a PCP."))


@transaction.atomic
def add_phase(
    actor: User,
    contract: Contract,
    *,
    kind: str,
    name: str,
    starts_on: date,
    ends_on: date,
    max_cost: Decimal | None = None,
) -> DevelopmentPhase:
    _require(access.can_manage(actor, contract))
    _active(contract)
    _phases_only(contract)
    if not name.strip():
        raise ContractError(_("Give the phase a name."), field="name")
    if ends_on < starts_on:
        raise ContractError(_("A phase cannot end before it starts."), field="ends_on")
    _not_negative(max_cost, "max_cost")
    if contract.kind == ContractKind.PCP and kind == PhaseKind.DEVELOPMENT:
        raise ContractError(
            _("A PCP's phases are solution design, prototype and test."), field="kind"
        )
    last = contract.phases.order_by("-number").first()
    if last is not None and starts_on < last.starts_on:
        raise ContractError(
            _("A phase cannot start before the phase before it."), field="starts_on"
        )
    phase = DevelopmentPhase.objects.create(
        contract=contract,
        number=(last.number + 1) if last else 1,
        kind=kind,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        max_cost=max_cost,
    )
    record(contract.project, actor, "phase.added", contract=contract.pk, phase=phase.pk)
    return phase


def _phase_move(phase: DevelopmentPhase, to: str) -> None:
    if to not in PHASE_MOVES[phase.status]:
        raise ContractError(
            _("Phase “%(name)s” is %(status)s.")
            % {"name": phase.name, "status": phase.get_status_display().lower()}
        )


@transaction.atomic
def start_phase(actor: User, phase: DevelopmentPhase) -> DevelopmentPhase:
    """Start a planned phase once every earlier phase has passed its gate."""
    contract = phase.contract
    _require(access.can_manage(actor, contract))
    _active(contract)
    phase = DevelopmentPhase.objects.select_for_update().get(pk=phase.pk)
    _phase_move(phase, PhaseStatus.RUNNING)
    earlier = (
        contract.phases.filter(number__lt=phase.number)
        .exclude(status=PhaseStatus.COMPLETED)
        .first()
    )
    if earlier is not None:
        raise ContractError(
            _("Phase “%(name)s” has not passed its gate yet.") % {"name": earlier.name}
        )
    suppliers = active_suppliers(contract)
    if not suppliers:
        raise ContractError(_("No supplier is left in the contract."))
    if contract.kind == ContractKind.PCP and len(suppliers) < MIN_PCP_SUPPLIERS:
        raise ContractError(
            _("A PCP keeps at least two suppliers through the test phase; this one has one.")
        )
    phase.status = PhaseStatus.RUNNING
    phase.save(update_fields=["status"])
    record(contract.project, actor, "phase.started", contract=contract.pk, phase=phase.pk)
    return phase


@transaction.atomic
def record_phase_cost(actor: User, phase: DevelopmentPhase, amount: Decimal) -> DevelopmentPhase:
    _require(access.can_manage(actor, phase.contract))
    _active(phase.contract)
    _not_negative(amount, "actual_cost")
    phase.actual_cost = amount
    phase.save(update_fields=["actual_cost"])
    record(phase.contract.project, actor, "phase.cost", phase=phase.pk, amount=str(amount))
    return phase


@transaction.atomic
def add_milestone(actor: User, phase: DevelopmentPhase, *, title: str, due_on: date) -> Milestone:
    _require(access.can_manage(actor, phase.contract))
    if not title.strip():
        raise ContractError(_("Name the milestone."), field="title")
    if phase.status in (PhaseStatus.COMPLETED, PhaseStatus.STOPPED):
        raise ContractError(_("The phase is over: add milestones to a later phase."))
    milestone = Milestone.objects.create(phase=phase, title=title.strip(), due_on=due_on)
    record(phase.contract.project, actor, "milestone.added", milestone=milestone.pk)
    return milestone


@transaction.atomic
def reach_milestone(actor: User, milestone: Milestone, on: date | None = None) -> Milestone:
    _require(access.can_manage(actor, milestone.phase.contract))
    if milestone.done_on is not None:
        raise ContractError(_("This milestone is already reached."))
    on = on or _today()
    if on > _today():
        raise ContractError(_("A milestone cannot be reached in the future."), field="on")
    milestone.done_on = on
    milestone.save(update_fields=["done_on"])
    record(milestone.phase.contract.project, actor, "milestone.reached", milestone=milestone.pk)
    return milestone


def active_suppliers(contract: Contract) -> list[ContractParty]:
    return list(
        contract.parties.filter(role=PartyRole.SUPPLIER, left_on__isnull=True).select_related(
            "organisation"
        )
    )


def _rule_of_two_applies(contract: Contract, phase: DevelopmentPhase) -> bool:
    """A PCP's gate must keep two suppliers unless it closes the test phase (or comes after
    it). While no test phase is planned yet, it is assumed to lie ahead."""
    if contract.kind != ContractKind.PCP or phase.kind == PhaseKind.TEST:
        return False
    return not contract.phases.filter(number__lt=phase.number, kind=PhaseKind.TEST).exists()


@dataclass
class GateChoice:
    supplier: ContractParty
    outcome: str
    reason: str


@transaction.atomic
def decide_gate(
    actor: User,
    phase: DevelopmentPhase,
    choices: Sequence[GateChoice],
    on: date | None = None,
) -> list[GateDecision]:
    """The go/no-go at the end of a running phase: one decision with a reason for every
    supplier still in the contract, taken `on` a day (today by default; a gate meeting is
    often recorded a few days later). The phase is completed if anyone goes on, else stopped;
    suppliers told no-go leave the contract that day; when nobody goes on the contract is
    terminated."""
    contract = phase.contract
    _require(access.can_manage(actor, contract))
    _active(contract)
    phase = DevelopmentPhase.objects.select_for_update().get(pk=phase.pk)
    if phase.status != PhaseStatus.RUNNING:
        raise ContractError(_("A go/no-go is decided at the end of a running phase."))
    suppliers = {party.pk: party for party in active_suppliers(contract)}
    decided: dict[int, GateChoice] = {}
    for choice in choices:
        if choice.supplier.pk not in suppliers:
            raise ContractError(
                _("%(supplier)s is not in the contract any more.")
                % {"supplier": choice.supplier.organisation.name},
                field="supplier",
            )
        if choice.outcome not in GateOutcome.values:
            raise ContractError(_("Choose go or no go."), field=f"outcome_{choice.supplier.pk}")
        _reason(choice.reason, field=f"reason_{choice.supplier.pk}")
        decided[choice.supplier.pk] = choice
    missing = [party for pk, party in suppliers.items() if pk not in decided]
    if missing:
        raise ContractError(
            _("Decide for every supplier still in the contract: %(names)s is missing.")
            % {"names": ", ".join(p.organisation.name for p in missing)}
        )
    going = [c for c in decided.values() if c.outcome == GateOutcome.GO]
    if 0 < len(going) < MIN_PCP_SUPPLIERS and _rule_of_two_applies(contract, phase):
        raise ContractError(
            _(
                "A PCP keeps at least two suppliers through the test phase: let two or more go "
                "on, or stop the PCP for all of them."
            )
        )
    today = _today()
    on = on or today
    if on > today:
        raise ContractError(_("Record a gate decision once it is taken."), field="on")
    if on < phase.starts_on:
        raise ContractError(_("A phase's gate cannot come before the phase starts."), field="on")
    decided_at = timezone.make_aware(datetime.combine(on, time(12)))
    decisions = []
    for choice in decided.values():
        decisions.append(
            GateDecision.objects.create(
                phase=phase,
                supplier=choice.supplier,
                outcome=choice.outcome,
                reason=choice.reason.strip(),
                decided_by=actor,
                decided_at=decided_at if on != today else timezone.now(),
            )
        )
        if choice.outcome == GateOutcome.NO_GO:
            party = choice.supplier
            party.left_on, party.left_reason = on, choice.reason.strip()
            party.save(update_fields=["left_on", "left_reason"])
    phase.status = PhaseStatus.COMPLETED if going else PhaseStatus.STOPPED
    phase.save(update_fields=["status"])
    record(
        contract.project,
        actor,
        "phase.gate",
        phase=phase.pk,
        go=[c.supplier.organisation_id for c in going],
        no_go=[c.supplier.organisation_id for c in decided.values() if c not in going],
    )
    if not going:
        contract.phases.filter(status=PhaseStatus.PLANNED).update(status=PhaseStatus.STOPPED)
        _move(contract, ContractStatus.TERMINATED)
        contract.status = ContractStatus.TERMINATED
        contract.status_reason = _("Stopped at the gate of phase “%(name)s”.") % {
            "name": phase.name
        }
        contract.save(update_fields=["status", "status_reason"])
        record(contract.project, actor, "contract.status", contract=contract.pk, to="terminated")
    return decisions


# --- Performance levels and the purchase option ------------------------------------------------


@transaction.atomic
def add_performance_level(
    actor: User, contract: Contract, *, name: str, unit: str, direction: str, required: Decimal
) -> PerformanceLevel:
    _require(access.can_manage(actor, contract))
    _active(contract)
    if contract.kind != ContractKind.INNOVATION_PARTNERSHIP:
        raise ContractError(_("Performance levels belong to an innovation partnership."))
    if not name.strip():
        raise ContractError(_("Name the performance level."), field="name")
    if not unit.strip():
        raise ContractError(_("Give the unit it is measured in."), field="unit")
    if direction not in Direction.values:
        raise ContractError(_("Choose at least or at most."), field="direction")
    level = PerformanceLevel.objects.create(
        contract=contract,
        name=name.strip(),
        unit=unit.strip(),
        direction=direction,
        required=required,
    )
    record(contract.project, actor, "performance.added", level=level.pk)
    return level


@transaction.atomic
def record_performance(
    actor: User, level: PerformanceLevel, achieved: Decimal, on: date | None = None
) -> PerformanceLevel:
    _require(access.can_manage(actor, level.contract))
    _active(level.contract)
    on = on or _today()
    if on > _today():
        raise ContractError(_("A result cannot be measured in the future."), field="achieved_on")
    level.achieved, level.achieved_on = achieved, on
    level.save(update_fields=["achieved", "achieved_on"])
    record(level.contract.project, actor, "performance.measured", level=level.pk)
    return level


def development_cost(contract: Contract) -> Decimal:
    # Summed from the phases rather than aggregated in SQL, so that a list of contracts with
    # their phases prefetched (the API, the portfolio) costs no query per contract.
    return sum((p.actual_cost or Decimal(0) for p in contract.phases.all()), Decimal(0))


def purchase_blockers(contract: Contract) -> list[str]:
    """Why the purchase option is not open yet; an empty list means it is."""
    if contract.kind != ContractKind.INNOVATION_PARTNERSHIP:
        return [
            _(
                "Only an innovation partnership has a purchase option; after a PCP the purchase "
                "is a separate procurement."
            )
        ]
    if contract.purchase_exercised_on is not None:
        return [_("The purchase option has been exercised.")]
    if contract.status != ContractStatus.ACTIVE:
        return [_("The contract is not active.")]
    reasons: list[str] = []
    phases = list(contract.phases.all())
    if not phases:
        reasons.append(_("No development phase is recorded."))
    for phase in phases:
        if phase.status != PhaseStatus.COMPLETED:
            reasons.append(_("Phase “%(name)s” has not passed its gate.") % {"name": phase.name})
    levels = list(contract.performance_levels.all())
    if not levels:
        reasons.append(_("No performance level is agreed."))
    for level in levels:
        required = _("%(direction)s %(value)s %(unit)s") % {
            "direction": level.get_direction_display(),
            "value": number_format(level.required.normalize()),
            "unit": level.unit,
        }
        if level.achieved is None:
            reasons.append(
                _("“%(name)s” is not measured yet (required: %(required)s).")
                % {"name": level.name, "required": required}
            )
        elif not level.is_met:
            reasons.append(
                _("“%(name)s” is not met: %(achieved)s %(unit)s achieved, %(required)s required.")
                % {
                    "name": level.name,
                    "achieved": number_format(level.achieved.normalize()),
                    "unit": level.unit,
                    "required": required,
                }
            )
    if contract.max_cost is None:
        reasons.append(_("No maximum cost is agreed."))
    else:
        cost = development_cost(contract)
        if cost > contract.max_cost:
            reasons.append(
                _("The phases cost %(cost)s, more than the agreed maximum of %(max)s.")
                % {"cost": _nok(cost), "max": _nok(contract.max_cost)}
            )
    return reasons


@transaction.atomic
def exercise_purchase_option(
    actor: User, contract: Contract, *, on: date | None = None, value: Decimal | None = None
) -> Contract:
    _require(access.can_manage(actor, contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    blockers = purchase_blockers(contract)
    if blockers:
        raise ContractError(
            _("The purchase option is not open: %(reasons)s") % {"reasons": " ".join(blockers)}
        )
    _not_negative(value, "purchase_value")
    on = on or _today()
    if on > _today():
        raise ContractError(_("Record the purchase once it is made."), field="on")
    if on < contract.signed_on:
        raise ContractError(
            _("The purchase cannot come before the contract was signed."), field="on"
        )
    contract.purchase_exercised_on = on
    contract.purchase_value = value
    contract.save(update_fields=["purchase_exercised_on", "purchase_value"])
    record(contract.project, actor, "contract.purchase", contract=contract.pk)
    return contract


# --- From pilot to scale -----------------------------------------------------------------------


@transaction.atomic
def end_pilot(actor: User, contract: Contract, on: date | None = None) -> Contract:
    """The pilot is over; from now on the case waits for a purchase at scale (and the
    portfolio shows how long)."""
    _require(access.can_manage(actor, contract))
    if not contract.is_pilot:
        raise ContractError(_("This contract is not a pilot."))
    if contract.pilot_ended_on is not None:
        raise ContractError(_("The pilot has already ended."))
    on = on or _today()
    if on < contract.starts_on:
        raise ContractError(_("A pilot cannot end before the contract starts."), field="on")
    if on > _today():
        raise ContractError(_("Record the end of the pilot when it has ended."), field="on")
    contract.pilot_ended_on = on
    contract.save(update_fields=["pilot_ended_on"])
    record(contract.project, actor, "contract.pilot_ended", contract=contract.pk)
    return contract


@transaction.atomic
def record_scale_up(
    actor: User,
    contract: Contract,
    *,
    organisation: Organisation,
    decided_on: date,
    scope: str,
    value: Decimal | None = None,
) -> ScaleUp:
    """The solution bought and rolled out after the pilot, by a buyer of the contract or by
    another buyer (then it counts as transfer value)."""
    _require(access.can_record_scale_up(actor, contract))
    if organisation.kind != OrganisationKind.BUYER:
        raise ContractError(_("A roll-out is bought by a public buyer."), field="organisation")
    if not scope.strip():
        raise ContractError(_("Say what was bought and rolled out."), field="scope")
    _not_negative(value, "value")
    if decided_on < contract.starts_on:
        raise ContractError(
            _("A roll-out cannot be bought before the contract starts."), field="decided_on"
        )
    if decided_on > _today():
        raise ContractError(_("Record a purchase once it is made."), field="decided_on")
    is_transfer = not contract.parties.filter(
        organisation=organisation, role=PartyRole.BUYER
    ).exists()
    scale_up = ScaleUp.objects.create(
        contract=contract,
        organisation=organisation,
        decided_on=decided_on,
        value=value,
        scope=scope.strip(),
        is_transfer=is_transfer,
        recorded_by=actor,
    )
    record(contract.project, actor, "contract.scaled", contract=contract.pk, scale_up=scale_up.pk)
    return scale_up


@dataclass
class WaitingPilot:
    contract: Contract
    days: int


def waiting_pilots(contracts: QuerySet[Contract], today: date | None = None) -> list[WaitingPilot]:
    """Pilots that have ended without any purchase at scale, longest wait first."""
    today = today or _today()
    ended = (
        contracts.filter(
            pilot_ended_on__isnull=False,
            purchase_exercised_on__isnull=True,
            scale_ups__isnull=True,
        )
        .select_related("project", "project__lead_buyer")
        .order_by("pilot_ended_on", "pk")
    )
    return [WaitingPilot(c, (today - c.pilot_ended_on).days) for c in ended]  # type: ignore[operator]
