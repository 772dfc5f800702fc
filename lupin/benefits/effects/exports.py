"""The effect report as files: CSV, xlsx and JSON, all from one `report.build()`.

- CSV: one row per line (every figure the report adds up), amounts **unrounded**, so the rows
  of a measure add up exactly to the report's totals.
- xlsx: a "Summary" sheet (headline, totals, rate, period, base year), one sheet per breakdown,
  "Lines" (the CSV's rows) and "No baseline". Amounts are numbers rounded to øre (a spreadsheet
  keeps about 15 digits anyway).
- JSON: exactly what `GET /api/v1/effects` answers; amounts are strings with two decimals.

Column names and sheet names are stable identifiers for the programs that read these files, so
they are not translated; labels inside the cells are in the active language. A text cell that
would start a formula in a spreadsheet is defused with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from lupin.benefits.report import (
    BREAKDOWNS,
    EXPECTED,
    MEASURE_LABELS,
    MEASURES,
    REALISED,
    EffectReport,
    Line,
    headline_sentence,
)
from lupin.lib.finance import Estimate, round_nok

LINE_COLUMNS = (
    "measure",
    "id",
    "year",
    "partner",
    "case",
    "kpi",
    "category",
    "sector",
    "procedure",
    "phase",
    "amount",
    "pv_low",
    "pv_expected",
    "pv_high",
)
BOUNDS = ("low", "expected", "high")
BOUND_LABELS = {
    "low": pgettext_lazy("range", "low"),
    "expected": pgettext_lazy("range", "expected"),
    "high": pgettext_lazy("range", "high"),
}
BREAKDOWN_COLUMNS = (
    "value",
    "label",
    *(f"{measure}_{bound}" for measure in MEASURES for bound in BOUNDS),
)
BASELINE_COLUMNS = ("kpi_id", "kpi", "unit", "category", "case_id", "case", "partner")
# A cell starting with one of these is a formula to a spreadsheet; names and titles come from
# other people, so such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAMES = {
    "year": "Year",
    "partner": "Partner",
    "sector": "Sector",
    "procedure": "Procedure",
    "phase": "Phase",
    "category": "Category",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def money(amount: Decimal) -> str:
    """An amount for JSON: rounded to øre, two decimals, as a string."""
    return f"{round_nok(amount):.2f}"


def filename(report: EffectReport, extension: str) -> str:
    scope = f"partner-{report.partner.pk}" if report.partner else "programme"
    return f"effects-{scope}-{timezone.localdate().isoformat()}.{extension}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Lines (CSV and the "Lines" sheet)


def _line_row(line: Line) -> list[object]:
    """A line's cells: texts defused, numbers as Decimal (unrounded)."""
    return [
        line.measure,
        line.id,
        line.year,
        _text(line.partner),
        _text(line.project),
        _text(line.basis.get("kpi", "")),
        line.category,
        line.sector,
        line.procedure,
        line.phase,
        line.amount,
        line.value.low,
        line.value.expected,
        line.value.high,
    ]


def csv_response(report: EffectReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(LINE_COLUMNS)
    for line in report.lines:
        writer.writerow(_line_row(line))
    return _attachment(response, filename(report, "csv"))


# xlsx


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    """Numbers stay numbers (money rounded to øre, with a number format); text is defused."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=round_nok(value))
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, int | float) or value is None:
        return value
    return _text(value)


def _write(sheet: WriteOnlyWorksheet, rows: Iterator[list[object]] | list[list[object]]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _range(estimate: Estimate) -> list[object]:
    return [estimate.low, estimate.expected, estimate.high]


def summary_rows(report: EffectReport) -> list[list[object]]:
    """key | what it is | value: the Summary sheet."""
    scope = report.partner.name if report.partner else _("The programme: published cases")
    rows: list[list[object]] = [
        ["scope", _("Scope"), scope],
        ["base_year", _("Base year (amounts in its kroner)"), report.base_year],
        ["rate_percent", _("Real discount rate (%)"), report.params.rate_percent],
        ["years", _("Benefit period (years)"), report.params.years],
    ]
    headlines = ((REALISED, report.headline), (EXPECTED, report.expected_headline))
    for measure, headline in headlines:
        if headline is not None:
            sentence = headline_sentence(headline, measure)
            rows.append([f"headline_{measure}", _("Headline"), sentence])
    for measure in MEASURES:
        total = report.aggregations[measure].total.value
        for bound, value in zip(BOUNDS, _range(total), strict=True):
            label = f"{MEASURE_LABELS[measure]} ({BOUND_LABELS[bound]})"
            rows.append([f"{measure}_{bound}", label, value])
    for measure, headline in headlines:
        if headline is not None:
            for bound, value in zip(BOUNDS, _range(headline.ratio), strict=True):
                label = _("%(measure)s per krone invested (%(bound)s)") % {
                    "measure": MEASURE_LABELS[measure],
                    "bound": BOUND_LABELS[bound],
                }
                rows.append([f"ratio_{measure}_{bound}", label, value])
    rows.append(
        ["kpis_without_baseline", _("KPIs without a baseline"), len(report.missing_baseline)]
    )
    rows.extend(["warning", _("Warning"), warning] for warning in report.warnings)
    return rows


def breakdown_rows(report: EffectReport, key: str) -> list[list[object]]:
    return [
        [
            value,
            report.label(key, value),
            *(bound for measure in MEASURES for bound in _range(totals[measure])),
        ]
        for value, totals in report.breakdown(key)
    ]


def xlsx_response(report: EffectReport) -> HttpResponse:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Summary")
    _write(summary, [["key", "label", "value"], *summary_rows(report)])
    for key in BREAKDOWNS:
        sheet = workbook.create_sheet(SHEET_NAMES[key])
        _write(sheet, [list(BREAKDOWN_COLUMNS), *breakdown_rows(report, key)])
    lines = workbook.create_sheet("Lines")
    _write(lines, [list(LINE_COLUMNS), *(_line_row(line) for line in report.lines)])
    baseline = workbook.create_sheet("No baseline")
    _write(
        baseline,
        [
            list(BASELINE_COLUMNS),
            *(
                [
                    kpi.pk,
                    kpi.description,
                    kpi.unit,
                    kpi.category,
                    kpi.contract.project_id,
                    kpi.contract.project.title,
                    kpi.contract.project.lead_buyer.name,
                ]
                for kpi in report.missing_baseline
            ),
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    return _attachment(response, filename(report, "xlsx"))


# JSON (the API's body)


def _estimate(estimate: Estimate) -> dict[str, str]:
    """A range with two decimals per bound (kroner, or kroner per krone for a ratio)."""
    return {
        "low": money(estimate.low),
        "expected": money(estimate.expected),
        "high": money(estimate.high),
    }


def _kpi(kpi: Any) -> dict[str, Any]:
    project = kpi.contract.project
    return {
        "id": kpi.pk,
        "description": kpi.description,
        "unit": kpi.unit,
        "category": kpi.category,
        "case": {"id": project.pk, "title": project.title},
        "partner": {"id": project.lead_buyer_id, "name": project.lead_buyer.name},
    }


def _line(line: Line) -> dict[str, Any]:
    return {
        "measure": line.measure,
        "id": line.id,
        "year": line.year,
        "partner_id": line.partner_id,
        "partner": line.partner,
        "case_id": line.project_id,
        "case": line.project,
        "kpi_id": line.kpi_id,
        "kpi": str(line.basis.get("kpi", "")),
        "category": line.category,
        "sector": line.sector,
        "procedure": line.procedure,
        "phase": line.phase,
        "amount": money(line.amount),
        "value": _estimate(line.value),
    }


def payload(report: EffectReport, *, lines: bool = False) -> dict[str, Any]:
    """The report as JSON-ready data (str, int, bool, None, lists and dicts only)."""
    headline = report.headline
    expected = report.expected_headline
    pilots = report.pilots
    return {
        "scope": {
            "partner": (
                {"id": report.partner.pk, "name": report.partner.name} if report.partner else None
            ),
        },
        "headline": (
            {
                "invested": money(headline.invested),
                "realised": _estimate(headline.benefits),
                "expected": _estimate(expected.benefits),
                "ratio": {
                    "realised": _estimate(headline.ratio),
                    "expected": _estimate(expected.ratio),
                },
                "sentence": headline_sentence(headline, REALISED),
                "expected_sentence": headline_sentence(expected, EXPECTED),
            }
            if headline is not None and expected is not None
            else None
        ),
        "base_year": report.base_year,
        "rate_percent": f"{report.params.rate_percent:.2f}",
        "years": report.params.years,
        "totals": {
            measure: _estimate(report.aggregations[measure].total.value) for measure in MEASURES
        },
        "breakdowns": {
            key: [
                {
                    "value": value,
                    "label": report.label(key, value),
                    **{measure: _estimate(totals[measure]) for measure in MEASURES},
                }
                for value, totals in report.breakdown(key)
            ]
            for key in BREAKDOWNS
        },
        "missing_baseline": [_kpi(kpi) for kpi in report.missing_baseline],
        "without_money_value": [_kpi(kpi) for kpi in report.without_money_value],
        "warnings": list(report.warnings),
        "funnel": [
            {"stage": stage, "label": label, "cases": count}
            for stage, label, count in report.funnel
        ],
        "pilots": {
            "pilots": pilots.pilots,
            "ended": pilots.ended,
            "scaled": pilots.scaled,
            "waiting": pilots.waiting,
            "transfers": pilots.transfers,
            "conversion_percent": (
                None if pilots.conversion is None else money(pilots.conversion * 100)
            ),
        },
        "lines": [_line(line) for line in report.lines] if lines else None,
    }
