"""One KPI followed over time: its page (anyone who may see the contract), a measurement added
from that page, the KPI added or edited, and the evidence behind a measurement.

Each view fetches through `lupin.benefits.access` (or `lupin.contracts.access` to add a KPI),
validates a form, calls one action and redirects. A refusal by an action (`BenefitError`) is
shown next to the field it names, with what was typed kept; a `PermissionDenied` becomes a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from lupin import uploads
from lupin.benefits import access, actions
from lupin.benefits.actions import BenefitError
from lupin.benefits.forms import KpiForm, MeasurementForm
from lupin.benefits.models import Kpi, Measurement
from lupin.benefits.views import chart
from lupin.contracts import access as contract_access
from lupin.forms import Form
from lupin.projects.views.buyer import BuyerRequest, buyer_view

FORM_ANCHOR = "add-measurement"


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def _add_error(form: Form, error: BenefitError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _kpi_url(kpi: Kpi, anchor: str = "") -> str:
    url = reverse("benefits:kpi", kwargs={"pk": kpi.pk})
    return f"{url}#{anchor}" if anchor else url


# The KPI page ------------------------------------------------------------------------------


@dataclass
class Row:
    """One measurement in the table, with what it means for the KPI."""

    measurement: Measurement
    progress: Decimal | None  # per cent of the way from baseline to target
    realised: Decimal | None  # NOK per year
    no_progress: str  # why there is no progress, when there is none
    no_value: str  # why there is no realised value, when there is none


def _reasons(kpi: Kpi) -> tuple[str, str]:
    """Why the KPI's measurements have no progress and no realised value ("" when they do)."""
    if kpi.baseline is None:
        no_progress = _("no baseline")
    elif kpi.baseline == kpi.target:
        no_progress = _("baseline equals target")
    else:
        no_progress = ""
    no_value = _("no money value set") if kpi.yearly_value is None else no_progress
    return no_progress, no_value


def _rows(kpi: Kpi, measurements: list[Measurement]) -> list[Row]:
    no_progress, no_value = _reasons(kpi)
    rows = []
    for measurement in measurements:
        progress = kpi.progress(measurement.value)
        percent = None if progress is None else (progress * 100).quantize(1, ROUND_HALF_UP)
        rows.append(
            Row(
                measurement,
                percent,
                kpi.realised_yearly_value(measurement.value),
                no_progress,
                no_value,
            )
        )
    return rows


def _kpi_page(request: HttpRequest, kpi: Kpi, form: MeasurementForm | None = None) -> HttpResponse:
    """The KPI page; a bound form given here replaces the blank one (errors, typed values)."""
    contract = kpi.contract
    manage = contract_access.can_manage(request.user, contract)
    every = list(kpi.measurements.select_related("entered_by", "withdrawn_by"))
    measurements = [m for m in every if m.withdrawn_at is None]
    if manage and form is None:
        form = MeasurementForm(initial=MeasurementForm.initial_for(kpi, timezone.localdate()))
    context = {
        "kpi": kpi,
        "contract": contract,
        "project": contract.project,
        "rows": _rows(kpi, every),
        "latest": _rows(kpi, measurements[-1:])[0] if measurements else None,
        "chart": chart.build(kpi, measurements),
        "can_manage": manage,
        "insider": contract_access.is_insider(request.user, contract),
        "form": form if manage else None,
    }
    return render(request, "benefits/kpi_detail.html", context)


@require_safe
def kpi_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _kpi_page(request, access.get_kpi_for_user(request.user, pk))


# Measurements ------------------------------------------------------------------------------


@buyer_view
@require_POST
def measurement_withdraw(request: BuyerRequest, pk: int) -> HttpResponse:
    """Take back a wrong measurement; it stays on the page, struck through, with the reason."""
    measurement = access.get_measurement_for_managing(request.user, pk)
    try:
        actions.withdraw_measurement(request.user, measurement, request.POST.get("reason", ""))
    except BenefitError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The measurement was withdrawn."))
    return redirect(_kpi_url(measurement.kpi, "measurements"))


@buyer_view
@require_http_methods(["GET", "POST"])
def measurement_add(request: BuyerRequest, pk: int) -> HttpResponse:
    kpi = access.get_kpi_for_managing(request.user, pk)
    if request.method == "GET":
        # The form lives on the KPI page, next to the measurements it adds to.
        return redirect(_kpi_url(kpi, FORM_ANCHOR))
    form = MeasurementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            measurement = actions.record_measurement(request.user, kpi, form.to_data())
        except BenefitError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The measurement was added."))
            if not request.htmx:
                return redirect(_kpi_url(kpi, "measurements"))
            # htmx reloads the whole page, so the table and the chart change too. The query
            # makes it a new address: a redirect that differs only in its #fragment would
            # just scroll the old page.
            url = f"{reverse('benefits:kpi', args=[kpi.pk])}?added={measurement.pk}#measurements"
            return HttpResponseClientRedirect(url)
    if request.htmx:
        return render(request, "benefits/_measurement_form.html", {"kpi": kpi, "form": form})
    return _kpi_page(request, kpi, form)


@require_safe
def evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evidence file behind a measurement, for the contract's insiders (404 for others)."""
    measurement = access.get_evidence_for_user(request.user, pk)
    return uploads.private_download(
        measurement.evidence, content_type=measurement.evidence_type, fallback_name="evidence"
    )


# Add and edit a KPI ------------------------------------------------------------------------


@buyer_view
def kpi_add(request: BuyerRequest, contract_pk: int) -> HttpResponse:
    contract = contract_access.get_contract_for_managing(request.user, contract_pk)
    form = KpiForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            kpi = actions.add_kpi(request.user, contract, form.to_data())
        except BenefitError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The KPI was added."))
            return redirect(_kpi_url(kpi))
    return render(
        request, "benefits/kpi_form.html", {"contract": contract, "kpi": None, "form": form}
    )


@buyer_view
def kpi_edit(request: BuyerRequest, pk: int) -> HttpResponse:
    kpi = access.get_kpi_for_managing(request.user, pk)
    form = KpiForm(_posted(request), initial=KpiForm.initial_for(kpi))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_kpi(request.user, kpi, form.to_data())
        except BenefitError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(_kpi_url(kpi))
    return render(
        request, "benefits/kpi_form.html", {"contract": kpi.contract, "kpi": kpi, "form": form}
    )
