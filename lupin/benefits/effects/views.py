"""The effect report's pages and downloads: the public report, a partner's own report, the
drill-down behind every figure, and the files.

Every response is built from one `report.build()`; the views only choose its scope (public, or
one partner with its unpublished cases) and shape it for the template.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lupin.accounts.models import Organisation
from lupin.benefits import access
from lupin.benefits.effects import exports
from lupin.benefits.effects.charts import Chart, bar_chart, column_chart
from lupin.benefits.effects.forms import ParamsForm, query
from lupin.benefits.models import ConfidenceLevel
from lupin.benefits.report import (
    BREAKDOWN_LABELS,
    BREAKDOWNS,
    COST,
    EXPECTED,
    MEASURE_LABELS,
    MEASURES,
    REALISED,
    EffectReport,
    Params,
    build,
    headline_sentence,
    mnok,
    ratio_sentence,
)
from lupin.lib.finance import Estimate

DRILL_PAGE_SIZE = 200
FORMATS = ("xlsx", "csv", "json")


# Parameters and URLs


def _params(request: HttpRequest) -> tuple[ParamsForm, Params]:
    form = ParamsForm(request.GET)
    return form, form.params()


@dataclass(frozen=True)
class Urls:
    """Where the figures of one report lead: the public one, or a partner's."""

    partner: Organisation | None
    params: Params

    def _name(self, name: str) -> str:
        return f"effects:partner_{name}" if self.partner else f"effects:{name}"

    def _args(self) -> list[int]:
        return [self.partner.pk] if self.partner else []

    @property
    def query(self) -> str:
        return query(self.params)

    def report(self) -> str:
        name = "effects:partner" if self.partner else "effects:report"
        return reverse(name, args=self._args())

    def drill(self, measure: str, key: str | None = None, value: Hashable = None) -> str:
        params = {"measure": measure}
        if key is not None:
            params.update(key=key, value=group_param(value))
        url = reverse(self._name("drill"), args=self._args())
        return f"{url}?{urlencode(params)}&{self.query}"

    def download(self, fmt: str) -> str:
        url = reverse(self._name("download"), args=[*self._args(), fmt])
        return f"{url}?{self.query}"


def group_param(value: Hashable) -> str:
    """A group value in a URL: the group without a value is the empty string."""
    return "" if value is None else str(value)


def parse_group(key: str, text: str) -> Hashable:
    """The group value a URL names; ValueError when it cannot be one of `key`'s values."""
    if text == "":
        return None
    if key in ("year", "partner"):
        if not text.isdigit() or len(text) > 18:
            raise ValueError(text)
        return int(text)
    return text


# The figures, shaped for the templates


@dataclass(frozen=True)
class Figure:
    """A figure on the page; `url` leads to its lines, None when there are none (the page
    then shows a dash, not a 0 that was never computed)."""

    value: Estimate
    url: str | None
    exact: bool


@dataclass(frozen=True)
class BreakdownRow:
    value: Hashable
    label: str
    figures: dict[str, Figure]
    partner_url: str | None = None


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    rows: list[BreakdownRow]

    @property
    def shows_cost(self) -> bool:
        """Costs have no category: that table has no cost column."""
        return self.key != "category"


def _figure(report: EffectReport, urls: Urls, measure: str, key: str | None, value: Any) -> Figure:
    total = report.total(measure, key, value)
    zero = Estimate.exact(Decimal(0))
    if total is None:
        return Figure(zero, None, True)
    url = urls.drill(measure, key, value) if total.row_ids else None
    return Figure(total.value, url, total.value.is_exact)


def _partner_links(request: HttpRequest, report: EffectReport) -> dict[int, str]:
    """Each partner row's own report, for the users allowed to open it (one query)."""
    if report.partner is not None or not request.user.is_authenticated:
        return {}
    ids = [pk for pk in report.partner_names if pk is not None]
    return {
        organisation.pk: reverse("effects:partner", args=[organisation.pk])
        for organisation in Organisation.objects.filter(pk__in=ids)
        if access.can_see_partner_report(request.user, organisation)
    }


def _breakdowns(request: HttpRequest, report: EffectReport, urls: Urls) -> list[Breakdown]:
    partner_links = _partner_links(request, report)
    breakdowns = []
    for key in BREAKDOWNS:
        rows = []
        for value, _totals in report.breakdown(key):
            figures = {m: _figure(report, urls, m, key, value) for m in MEASURES}
            link = partner_links.get(value) if key == "partner" and isinstance(value, int) else None
            rows.append(BreakdownRow(value, report.label(key, value), figures, link))
        breakdowns.append(Breakdown(key, str(BREAKDOWN_LABELS[key]), rows))
    return breakdowns


def _charts(report: EffectReport) -> list[Chart]:
    def money(amount: Decimal) -> str:
        return _("%(amount)s MNOK") % {"amount": mnok(amount)}

    def count(value: Decimal) -> str:
        return str(int(value))

    realised, expected = str(MEASURE_LABELS[REALISED]), str(MEASURE_LABELS[EXPECTED])

    def benefits(key: str) -> list[tuple[str, list[Decimal]]]:
        return [
            (report.label(key, value), [totals[REALISED].expected, totals[EXPECTED].expected])
            for value, totals in report.breakdown(key)
            if key != "partner" or totals[REALISED].expected or totals[EXPECTED].expected
        ]

    charts = [
        column_chart(
            title=_("Benefits over time"),
            description=_(
                "Columns of realised and expected benefits per year, in MNOK present value "
                "(expected value of each range). The table gives the same figures."
            ),
            group_heading=str(BREAKDOWN_LABELS["year"]),
            series=[realised, expected],
            groups=benefits("year"),
            fmt=money,
        ),
        bar_chart(
            title=_("Benefits by partner"),
            description=_(
                "Bars of realised and expected benefits per partner, in MNOK present value. "
                "The table gives the same figures."
            ),
            group_heading=str(BREAKDOWN_LABELS["partner"]),
            series=[realised, expected],
            groups=benefits("partner"),
            fmt=money,
        ),
        bar_chart(
            title=_("Benefits by category"),
            description=_(
                "Bars of realised and expected benefits per benefit category, in MNOK present "
                "value. The table gives the same figures."
            ),
            group_heading=str(BREAKDOWN_LABELS["category"]),
            series=[realised, expected],
            groups=benefits("category"),
            fmt=money,
        ),
        bar_chart(
            title=_("Cases by phase"),
            description=_(
                "A funnel: how many cases reached each phase, then how many have a contract and "
                "how many were bought at scale. The table gives the same figures."
            ),
            group_heading=_("Stage"),
            series=[_("Cases")],
            groups=[(label, [Decimal(n)]) for _stage, label, n in report.funnel],
            fmt=count,
        ),
    ]
    pilots = report.pilots
    charts.append(
        bar_chart(
            title=_("From pilot to scale"),
            description=_(
                "Bars: pilots, pilots ended, bought at scale, waiting for a purchase, and "
                "purchases by other buyers (transfers). The table gives the same figures."
            ),
            group_heading=_("Pilots"),
            series=[_("Contracts")],
            groups=[
                (_("Pilots"), [Decimal(pilots.pilots)]),
                (_("Pilots ended"), [Decimal(pilots.ended)]),
                (_("Bought at scale"), [Decimal(pilots.scaled)]),
                (_("Waiting for a purchase"), [Decimal(pilots.waiting)]),
                (_("Bought by other buyers (transfers)"), [Decimal(pilots.transfers)]),
            ],
            fmt=count,
        )
    )
    return charts


def _conversion(report: EffectReport) -> str | None:
    conversion = report.pilots.conversion
    if conversion is None:
        return None
    return _("%(percent)s %% of the pilots that ended were bought at scale.") % {
        "percent": round(conversion * 100)
    }


# Pages


def _render_report(request: HttpRequest, report: EffectReport, form: ParamsForm) -> HttpResponse:
    urls = Urls(report.partner, report.params)
    headlines = []
    for measure, headline in ((REALISED, report.headline), (EXPECTED, report.expected_headline)):
        if headline is not None:
            headlines.append(
                {
                    "measure": measure,
                    "sentence": headline_sentence(headline, measure),
                    "ratio": ratio_sentence(headline),
                }
            )
    context = {
        "report": report,
        "form": form,
        "urls": urls,
        "headlines": headlines,
        "totals": {m: _figure(report, urls, m, None, None) for m in MEASURES},
        "breakdowns": _breakdowns(request, report, urls),
        "charts": _charts(report),
        "conversion": _conversion(report),
        "downloads": [(fmt, urls.download(fmt)) for fmt in FORMATS],
        "measure_labels": MEASURE_LABELS,
    }
    return render(request, "effects/report.html", context)


def report(request: HttpRequest) -> HttpResponse:
    form, params = _params(request)
    return _render_report(request, build(params, public=True), form)


@login_required
def partner_report(request: HttpRequest, org_pk: int) -> HttpResponse:
    organisation = access.get_partner_for_report(request.user, org_pk)
    form, params = _params(request)
    return _render_report(request, build(params, partner=organisation, public=False), form)


# The drill-down


def _bad_request(request: HttpRequest, message: str, urls: Urls) -> HttpResponse:
    return render(
        request, "effects/bad_request.html", {"message": message, "urls": urls}, status=400
    )


def _render_drill(request: HttpRequest, report: EffectReport, form: ParamsForm) -> HttpResponse:
    urls = Urls(report.partner, report.params)
    measure = request.GET.get("measure", "")
    key = request.GET.get("key") or None
    if measure not in MEASURES:
        return _bad_request(
            request, _("Choose what to drill into: realised, expected or cost."), urls
        )
    if key is not None and key not in BREAKDOWNS:
        return _bad_request(
            request,
            _("“%(key)s” is not a breakdown of the report; use one of: %(keys)s.")
            % {"key": key, "keys": ", ".join(BREAKDOWNS)},
            urls,
        )
    value: Hashable = None
    if key is not None:
        try:
            value = parse_group(key, request.GET.get("value", ""))
        except ValueError:
            return _bad_request(
                request, _("That is not a value of the breakdown by %(key)s.") % {"key": key}, urls
            )
    total = report.total(measure, key, value)
    if total is None:
        raise Http404
    lines = report.lines_behind(measure, key, value)
    page = Paginator(lines, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    confidences = {value: str(label) for value, label in ConfidenceLevel.choices}
    base = request.GET.copy()
    base.pop("page", None)
    context = {
        "report": report,
        "form": form,
        "urls": urls,
        "measure": measure,
        "measure_label": MEASURE_LABELS[measure],
        "key": key,
        "key_label": BREAKDOWN_LABELS[key] if key else None,
        "value_label": report.label(key, value) if key else None,
        "total": total.value,
        "count": len(lines),
        "page": page,
        "rows": [(line, confidences.get(line.confidence, "")) for line in page.object_list],
        "page_query": base.urlencode(),
        "is_cost": measure == COST,
    }
    return render(request, "effects/drill.html", context)


def drill(request: HttpRequest) -> HttpResponse:
    form, params = _params(request)
    return _render_drill(request, build(params, public=True), form)


@login_required
def partner_drill(request: HttpRequest, org_pk: int) -> HttpResponse:
    organisation = access.get_partner_for_report(request.user, org_pk)
    form, params = _params(request)
    return _render_drill(request, build(params, partner=organisation, public=False), form)


# Downloads

WRITERS: dict[str, Callable[[EffectReport], HttpResponse]] = {
    "csv": exports.csv_response,
    "xlsx": exports.xlsx_response,
}


def _download(request: HttpRequest, fmt: str, partner: Organisation | None) -> HttpResponse:
    form, params = _params(request)
    if not form.is_valid():
        messages = [str(error) for errors in form.errors.values() for error in errors]
        return HttpResponse(
            " ".join(messages), status=400, content_type="text/plain; charset=utf-8"
        )
    report = build(params, partner=partner, public=partner is None)
    if fmt == "json":
        # The API reads `lines` as a boolean: accept what pydantic accepts as true.
        lines = request.GET.get("lines", "").lower() in ("1", "true", "yes", "on")
        response = JsonResponse(
            exports.payload(report, lines=lines), json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(report, "json")}"'
        )
        return response
    return WRITERS[fmt](report)


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    return _download(request, fmt, None)


@login_required
def partner_download(request: HttpRequest, org_pk: int, fmt: str) -> HttpResponse:
    organisation = access.get_partner_for_report(request.user, org_pk)
    return _download(request, fmt, organisation)
