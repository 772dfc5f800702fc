"""The programme's costs, for its advisors: yearly budgets, the support given to partners, and
the totals per year and per partner that the effect report divides by.

Only advisors (and superusers) reach these pages; anyone else gets a 404, an anonymous visitor
the login page. Each form posts to its own URL, calls one action and comes back here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lupin.accounts.models import Organisation, OrganisationKind
from lupin.benefits import access, actions
from lupin.benefits.actions import BenefitError
from lupin.benefits.forms import BudgetForm, SupportForm
from lupin.benefits.models import ProgrammeBudget, SupportEntry
from lupin.forms import Form
from lupin.lib.money import format_nok
from lupin.projects import access as project_access
from lupin.projects.views.buyer import BuyerRequest

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def programme_view(view: _View) -> _View:
    """Login required; the programme's people only (others 404, as for any hidden page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_programme(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return cast(_View, login_required(wrapped))


def _add_error(form: Form, error: BenefitError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _back(anchor: str) -> HttpResponse:
    return redirect(reverse("benefits:programme") + f"#{anchor}")


# Totals ------------------------------------------------------------------------------------


@dataclass
class YearTotal:
    year: int
    entries: int = 0
    hours: Decimal = Decimal(0)
    support: Decimal = Decimal(0)
    budget: ProgrammeBudget | None = None

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.support > self.budget.amount

    @property
    def counted(self) -> Decimal:
        """What the effect report (`lupin.benefits.report`) counts as the year's cost: the
        budget, which the support logged is part of; the support when it exceeds the budget."""
        if self.budget is None or self.over_budget:
            return self.support
        return self.budget.amount


@dataclass
class PartnerTotal:
    partner: Organisation
    entries: int = 0
    hours: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)


def per_year(
    entries: Iterable[SupportEntry], budgets: Iterable[ProgrammeBudget]
) -> list[YearTotal]:
    """Support logged and the budget of every year that has either, newest first."""
    years: dict[int, YearTotal] = {}
    for entry in entries:
        row = years.setdefault(entry.given_on.year, YearTotal(entry.given_on.year))
        row.entries += 1
        row.hours += entry.hours
        row.support += entry.cost
    for budget in budgets:
        years.setdefault(budget.year, YearTotal(budget.year)).budget = budget
    return sorted(years.values(), key=lambda row: row.year, reverse=True)


def per_partner(entries: Iterable[SupportEntry]) -> list[PartnerTotal]:
    partners: dict[int, PartnerTotal] = {}
    for entry in entries:
        row = partners.setdefault(entry.organisation_id, PartnerTotal(entry.organisation))
        row.entries += 1
        row.hours += entry.hours
        row.cost += entry.cost
    return sorted(partners.values(), key=lambda row: row.partner.name.casefold())


# The page ----------------------------------------------------------------------------------


def _support_form(request: HttpRequest, data: Any = None) -> SupportForm:
    partners = Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")
    cases = (
        project_access.projects_visible_to(request.user)
        .select_related("lead_buyer")
        .order_by("lead_buyer__name", "title", "id")
    )
    return SupportForm(data, partners=partners, cases=cases)


def _page(
    request: HttpRequest,
    *,
    budget_form: BudgetForm | None = None,
    support_form: SupportForm | None = None,
) -> HttpResponse:
    """The costs page; a bound form given here replaces the blank one (errors, typed values)."""
    entries = list(SupportEntry.objects.select_related("organisation", "project", "advisor"))
    budgets = list(ProgrammeBudget.objects.select_related("entered_by"))
    years = per_year(entries, budgets)
    context = {
        "entries": entries,
        "budgets": budgets,
        "years": years,
        "partners": per_partner(entries),
        "total_hours": sum((e.hours for e in entries), Decimal(0)),
        "total_support": sum((e.cost for e in entries), Decimal(0)),
        "total_counted": sum((row.counted for row in years), Decimal(0)),
        "budget_form": budget_form or BudgetForm(),
        "support_form": support_form or _support_form(request),
    }
    return render(request, "benefits/programme.html", context)


@programme_view
@require_safe
def programme(request: BuyerRequest) -> HttpResponse:
    return _page(request)


@programme_view
@require_POST
def budget_set(request: BuyerRequest) -> HttpResponse:
    form = BudgetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            budget = actions.set_budget(
                request.user, year=data["year"], amount=data["amount"], note=data["note"]
            )
        except BenefitError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The budget for %(year)s is %(amount)s.")
                % {"year": budget.year, "amount": format_nok(budget.amount)},
            )
            return _back("budgets")
    return _page(request, budget_form=form)


@programme_view
@require_POST
def support_add(request: BuyerRequest) -> HttpResponse:
    form = _support_form(request, request.POST)
    if form.is_valid():
        try:
            entry = actions.log_support(request.user, form.to_data())
        except BenefitError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Support to %(partner)s was logged: %(cost)s.")
                % {"partner": entry.organisation.name, "cost": format_nok(entry.cost)},
            )
            return _back("support")
    return _page(request, support_form=form)
