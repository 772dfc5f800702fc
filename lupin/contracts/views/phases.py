"""Development phases of an innovation partnership or a PCP: adding and starting phases, their
cost, milestones, the go/no-go gate at the end of each phase, and the performance levels an
innovation partnership must reach before its purchase option opens.

Same shape as `buyer`: access helper, form, one action, redirect; a refusal stands next to the
field it names (a gate's reason next to its supplier) and nothing is stored. A contract of a
kind without phases (or levels) has no such pages: 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupin.contracts import access, actions
from lupin.contracts.actions import ContractError
from lupin.contracts.forms import (
    GateForm,
    MilestoneForm,
    PerformanceLevelForm,
    PerformanceResultForm,
    PhaseCostForm,
    PhaseForm,
)
from lupin.contracts.models import (
    Contract,
    ContractKind,
    ContractStatus,
    DevelopmentPhase,
    Milestone,
    PhaseStatus,
)
from lupin.contracts.views.buyer import add_error, form_page, posted, posted_day, to_contract
from lupin.projects.views.buyer import BuyerRequest, buyer_view


def _contract_with_phases(request: BuyerRequest, pk: int) -> Contract:
    contract = access.get_contract_for_managing(request.user, pk)
    if not contract.has_phases:
        raise Http404
    return contract


def _phase(request: BuyerRequest, pk: int, phase_pk: int) -> DevelopmentPhase:
    contract = _contract_with_phases(request, pk)
    return get_object_or_404(contract.phases, pk=phase_pk)


def _anchor(phase: DevelopmentPhase) -> str:
    return f"phase-{phase.pk}"


# Phases ----------------------------------------------------------------------------------------


@buyer_view
def phase_add(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = _contract_with_phases(request, pk)
    form = PhaseForm(posted(request), contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            phase = actions.add_phase(request.user, contract, **form.cleaned_data)
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Phase “%(name)s” was added.") % {"name": phase.name})
            return to_contract(contract, _anchor(phase))
    return form_page(
        request,
        contract,
        form,
        heading=_("Add a development phase"),
        submit=_("Add the phase"),
        intro=_(
            "Phases run one after the other; each ends at a go/no-go gate before the next "
            "may start."
        ),
        anchor="phases",
    )


@buyer_view
@require_POST
def phase_start(request: BuyerRequest, pk: int, phase_pk: int) -> HttpResponse:
    phase = _phase(request, pk, phase_pk)
    try:
        actions.start_phase(request.user, phase)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Phase “%(name)s” has started.") % {"name": phase.name})
    return to_contract(phase.contract, _anchor(phase))


@buyer_view
def phase_cost(request: BuyerRequest, pk: int, phase_pk: int) -> HttpResponse:
    phase = _phase(request, pk, phase_pk)
    form = PhaseCostForm(posted(request), initial={"actual_cost": phase.actual_cost})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_phase_cost(request.user, phase, form.cleaned_data["actual_cost"])
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The cost of the phase was saved."))
            return to_contract(phase.contract, _anchor(phase))
    return form_page(
        request,
        phase.contract,
        form,
        heading=_("Cost of phase “%(name)s”") % {"name": phase.name},
        submit=_("Save the cost"),
        intro=_("The phases together must stay within the contract's maximum cost."),
        anchor=_anchor(phase),
    )


# Milestones ------------------------------------------------------------------------------------


@buyer_view
def milestone_add(request: BuyerRequest, pk: int, phase_pk: int) -> HttpResponse:
    phase = _phase(request, pk, phase_pk)
    form = MilestoneForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_milestone(request.user, phase, **form.cleaned_data)
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The milestone was added."))
            return to_contract(phase.contract, _anchor(phase))
    return form_page(
        request,
        phase.contract,
        form,
        heading=_("Add a milestone to “%(name)s”") % {"name": phase.name},
        submit=_("Add the milestone"),
        anchor=_anchor(phase),
    )


@buyer_view
@require_POST
def milestone_reach(request: BuyerRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract = _contract_with_phases(request, pk)
    milestone = get_object_or_404(
        Milestone.objects.select_related("phase__contract"),
        pk=milestone_pk,
        phase__contract=contract,
    )
    day = posted_day(request)
    if day is False:
        return to_contract(contract, _anchor(milestone.phase))
    try:
        actions.reach_milestone(request.user, milestone, day)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Milestone “%(title)s” is reached.") % {"title": milestone.title}
        )
    return to_contract(contract, _anchor(milestone.phase))


# The go/no-go gate -----------------------------------------------------------------------------


@buyer_view
def gate(request: BuyerRequest, pk: int, phase_pk: int) -> HttpResponse:
    phase = _phase(request, pk, phase_pk)
    contract = phase.contract
    form = GateForm(posted(request), suppliers=actions.active_suppliers(contract))
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_gate(request.user, phase, form.choices(), on=form.cleaned_data.get("on"))
        except ContractError as error:
            add_error(form, error)
        else:
            contract.refresh_from_db(fields=["status"])
            if contract.status == ContractStatus.TERMINATED:
                messages.warning(
                    request,
                    _("No supplier goes on: the contract was terminated at this gate."),
                )
            else:
                messages.success(
                    request,
                    _("The go/no-go for phase “%(name)s” is recorded.") % {"name": phase.name},
                )
            return to_contract(contract, _anchor(phase))
    return form_page(
        request,
        contract,
        form,
        heading=_("Go/no-go: %(name)s") % {"name": phase.name},
        submit=_("Record the decisions"),
        anchor=_anchor(phase),
        template="contracts/buyer_gate.html",
        phase=phase,
        is_running=phase.status == PhaseStatus.RUNNING,
        is_pcp=contract.kind == ContractKind.PCP,
    )


# Performance levels ----------------------------------------------------------------------------


def _partnership(request: BuyerRequest, pk: int) -> Contract:
    contract = access.get_contract_for_managing(request.user, pk)
    if contract.kind != ContractKind.INNOVATION_PARTNERSHIP:
        raise Http404
    return contract


@buyer_view
def level_add(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = _partnership(request, pk)
    form = PerformanceLevelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_performance_level(request.user, contract, **form.cleaned_data)
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The performance level was added."))
            return to_contract(contract, "purchase")
    return form_page(
        request,
        contract,
        form,
        heading=_("Add a performance level"),
        submit=_("Add the level"),
        intro=_(
            "A level the developed solution must reach, as agreed in the partnership: the "
            "purchase option opens only when every level is met."
        ),
        anchor="purchase",
    )


@buyer_view
def level_record(request: BuyerRequest, pk: int, level_pk: int) -> HttpResponse:
    contract = _partnership(request, pk)
    level = get_object_or_404(contract.performance_levels, pk=level_pk)
    initial = {"achieved": level.achieved, "achieved_on": level.achieved_on}
    form = PerformanceResultForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_performance(request.user, level, data["achieved"], data["achieved_on"])
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The result was saved."))
            return to_contract(contract, "purchase")
    return form_page(
        request,
        contract,
        form,
        heading=_("Result for “%(name)s”") % {"name": level.name},
        submit=_("Save the result"),
        intro=_("Required: %(direction)s %(value)s %(unit)s.")
        % {
            "direction": level.get_direction_display(),
            "value": number_format(level.required.normalize()),
            "unit": level.unit,
        },
        anchor="purchase",
    )
