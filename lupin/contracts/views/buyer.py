"""The buyer following up a contract: registering one by hand, its terms and status, options and
extensions, the purchase option, the end of the pilot and the purchases at scale after it.

Each view fetches through `lupin.contracts.access` (or `lupin.projects.access` to register),
validates a form, calls one action and redirects to the contract page. A refusal by an action
(`ContractError`) is shown next to the field it names, and nothing is stored; a
`PermissionDenied` becomes a 404 (`buyer_view`), like a contract the person may not see.
Changes need `get_contract_for_managing` (the people of a buyer party to the contract); a
purchase at scale may also be recorded by a programme advisor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupin.accounts.models import Organisation, OrganisationKind, User
from lupin.contracts import access, actions
from lupin.contracts.actions import ContractError
from lupin.contracts.forms import (
    ContractForm,
    DayForm,
    OptionForm,
    PilotEndForm,
    PurchaseForm,
    RegisterForm,
    ScaleUpForm,
    StatusForm,
    SupplierLine,
)
from lupin.contracts.models import Contract, ContractKind, ContractStatus
from lupin.forms import Form
from lupin.projects import access as project_access
from lupin.projects.models import Project
from lupin.projects.views.buyer import BuyerRequest, buyer_view


def posted_day(request: HttpRequest) -> Any:
    """The day posted with a one-button action (None: today), or False, with a message saying
    what is wrong, when it is not a date."""
    form = DayForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["on"]
    messages.error(request, " ".join(str(error) for error in form.errors["on"]))
    return False


def posted(request: HttpRequest) -> Any:
    """The POST data for a bound form, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def add_error(form: Form, error: ContractError) -> None:
    """The action's refusal next to the field it names (else at the top of the form)."""
    name = error.field if error.field in form.fields else None
    form.add_error(name, error.message)


def to_contract(contract: Contract, anchor: str = "") -> HttpResponse:
    url = reverse("contracts:detail", kwargs={"pk": contract.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def form_page(
    request: HttpRequest,
    contract: Contract,
    form: Form,
    *,
    heading: str,
    submit: str,
    intro: str = "",
    anchor: str = "",
    template: str = "contracts/buyer_form.html",
    **extra: Any,
) -> HttpResponse:
    """One of the contract's small form pages: a heading, the form, a way back."""
    context = {
        "contract": contract,
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "back_url": reverse("contracts:detail", kwargs={"pk": contract.pk})
        + (f"#{anchor}" if anchor else ""),
        **extra,
    }
    return render(request, template, context)


# Register and edit ---------------------------------------------------------------------------


def _supplier(line: SupplierLine) -> Organisation:
    try:
        return actions.find_or_add_supplier(line.org_number, line.name)
    except ContractError as error:
        message = _("Line %(line)d: %(problem)s") % {"line": line.line, "problem": error.message}
        raise ContractError(message, field="suppliers") from None


def _register(actor: User, project: Project, form: RegisterForm) -> Contract:
    # One transaction: suppliers new to Lupin are added with the contract or not at all, so
    # a refused registration leaves no stray organisations behind.
    with transaction.atomic():
        suppliers = [_supplier(line) for line in form.cleaned_data["suppliers"]]
        return actions.register_contract(actor, project, form.to_data(), suppliers)


@buyer_view
def register(request: BuyerRequest, project_pk: int) -> HttpResponse:
    project = project_access.get_project_for_editing(request.user, project_pk)
    form = RegisterForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contract = _register(request.user, project, form)
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("The contract “%(title)s” was registered; the case is in contract follow-up.")
                % {"title": contract.title},
            )
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/buyer_register.html", {"project": project, "form": form})


@buyer_view
def edit(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    form = ContractForm(posted(request), contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_contract(request.user, contract, form.to_data())
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return to_contract(contract)
    return form_page(
        request,
        contract,
        form,
        heading=_("Edit the contract"),
        submit=_("Save changes"),
        intro=_("The kind, the parties and the day it was signed stay as registered."),
    )


@buyer_view
def status(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    form = StatusForm(posted(request), contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_status(request.user, contract, data["to"], data["reason"])
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("The contract is now %(status)s.")
                % {"status": ContractStatus(data["to"]).label.lower()},
            )
            return to_contract(contract)
    return form_page(
        request,
        contract,
        form,
        heading=_("Complete or terminate the contract"),
        submit=_("Change the status"),
        intro=_("A completed or terminated contract can no longer be changed."),
        template="contracts/buyer_status.html",
    )


# Options and extensions ----------------------------------------------------------------------


@buyer_view
def option_add(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    form = OptionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_option(request.user, contract, **form.cleaned_data)
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The option was added."))
            return to_contract(contract, "options")
    return form_page(
        request,
        contract,
        form,
        heading=_("Add an option"),
        submit=_("Add the option"),
        intro=_(
            "An option written into the contract: an extension of the term or additional "
            "deliveries. Exercising it later is recorded on the contract page."
        ),
        anchor="options",
    )


@buyer_view
@require_POST
def option_exercise(request: BuyerRequest, pk: int, option_pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    option = get_object_or_404(contract.options, pk=option_pk)
    day = posted_day(request)
    if day is False:
        return to_contract(contract, "options")
    try:
        actions.exercise_option(request.user, option, day)
    except ContractError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The option was exercised."))
    return to_contract(contract, "options")


# The purchase option -------------------------------------------------------------------------


@buyer_view
def purchase(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    if contract.kind != ContractKind.INNOVATION_PARTNERSHIP:
        raise Http404
    form = PurchaseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.exercise_purchase_option(
                request.user, contract, on=data["on"], value=data["purchase_value"]
            )
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The purchase option was exercised."))
            return to_contract(contract, "purchase")
    return form_page(
        request,
        contract,
        form,
        heading=_("Exercise the purchase option"),
        submit=_("Exercise the purchase option"),
        intro=_(
            "The buyer buys the solution developed in the partnership. The option opens when "
            "every performance level is met and the phases cost no more than the maximum."
        ),
        anchor="purchase",
        template="contracts/buyer_purchase.html",
        blockers=actions.purchase_blockers(contract),
    )


# From pilot to scale -------------------------------------------------------------------------


@buyer_view
def pilot_end(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_managing(request.user, pk)
    form = PilotEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_pilot(request.user, contract, form.cleaned_data["on"])
        except ContractError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("The pilot has ended. Record the purchase at scale when it is made."),
            )
            return to_contract(contract, "pilot")
    return form_page(
        request,
        contract,
        form,
        heading=_("End the pilot"),
        submit=_("The pilot has ended"),
        intro=_(
            "Until a purchase at scale is recorded, the programme's portfolio shows the case "
            "among the pilots waiting for a purchase, with the days it has waited."
        ),
        anchor="pilot",
    )


@buyer_view
def scale_up(request: BuyerRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_user(request.user, pk)
    if not access.can_record_scale_up(request.user, contract):
        raise Http404
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")
    form = ScaleUpForm(posted(request), buyers=buyers)
    if request.method == "POST" and form.is_valid():
        try:
            scaled = actions.record_scale_up(request.user, contract, **form.cleaned_data)
        except ContractError as error:
            add_error(form, error)
        else:
            if scaled.is_transfer:
                text = _("The purchase at scale was recorded as transfer value to %(buyer)s.")
            else:
                text = _("The purchase at scale by %(buyer)s was recorded.")
            messages.success(request, text % {"buyer": scaled.organisation.name})
            return to_contract(contract, "pilot")
    return form_page(
        request,
        contract,
        form,
        heading=_("Record a purchase at scale"),
        submit=_("Record the purchase"),
        intro=_(
            "The solution bought and rolled out after the pilot, by one of the contract's "
            "buyers or by another public buyer."
        ),
        anchor="pilot",
    )
