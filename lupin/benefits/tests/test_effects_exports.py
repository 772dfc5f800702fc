"""The effect report's downloads: the CSV read with csv, the xlsx opened with openpyxl and the
JSON hold the same figures as the page and the API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lupin.benefits.effects.exports import BREAKDOWN_COLUMNS, LINE_COLUMNS
from lupin.benefits.report import BREAKDOWNS, COST, EXPECTED, MEASURES, REALISED, build
from lupin.benefits.tests.test_report import (
    PARAMS,
    bigger_programme,
    frozen_today,  # noqa: F401 (the autouse fixture: today is 1 March 2026)
    published_case,
)
from lupin.conftest import make_contract
from lupin.lib.finance import round_nok

QUERY = {"rate": "4", "years": "10"}


def download(fmt: str, partner: int | None = None) -> str:
    if partner is None:
        return reverse("effects:download", args=[fmt])
    return reverse("effects:partner_download", args=[partner, fmt])


@pytest.fixture
def programme(buyer, cobuyer, advisor, contract, supplier_org):
    return bigger_programme(buyer, cobuyer, advisor, contract, supplier_org)


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def open_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.content), read_only=True)


# CSV


def test_csv_has_one_row_per_line_adding_up_exactly_to_the_report(login, programme):
    rows = read_csv(login(None).get(download("csv"), QUERY))
    report = build(PARAMS)
    assert list(rows[0]) == list(LINE_COLUMNS)
    assert [row["id"] for row in rows] == [line.id for line in report.lines]
    for measure_ in MEASURES:
        mine = [row for row in rows if row["measure"] == measure_]
        total = report.aggregations[measure_].total.value
        # Unrounded: the rows add up to the total exactly, as the lines do.
        assert sum((Decimal(row["pv_expected"]) for row in mine), Decimal(0)) == total.expected
        assert sum((Decimal(row["pv_low"]) for row in mine), Decimal(0)) == total.low
        assert sum((Decimal(row["pv_high"]) for row in mine), Decimal(0)) == total.high


def test_csv_holds_the_same_totals_as_the_page(login, programme):
    client = login(None)
    page = client.get(reverse("effects:report"), QUERY)
    rows = read_csv(client.get(download("csv"), QUERY))
    for measure_ in MEASURES:
        summed = sum(
            (Decimal(row["pv_expected"]) for row in rows if row["measure"] == measure_),
            Decimal(0),
        )
        assert round_nok(summed) == round_nok(page.context["totals"][measure_].value.expected)


def test_csv_names_the_case_partner_and_kpi_of_each_line(login, programme):
    rows = read_csv(login(None).get(download("csv")))
    realised = [row for row in rows if row["measure"] == REALISED and row["year"] == "2025"]
    fjordvik = next(row for row in realised if row["partner"] == "Fjordvik kommune")
    assert fjordvik["case"] == "Velferdsteknologi i hjemmetjenesten"
    assert fjordvik["kpi"] == "Færre unødvendige nattbesøk"
    assert (fjordvik["category"], fjordvik["sector"], fjordvik["phase"]) == (
        "process_hours",
        "33",
        "contract",
    )
    assert Decimal(fjordvik["amount"]) == Decimal("450000")


def test_csv_defuses_text_a_spreadsheet_would_run_as_a_formula(login, buyer, advisor, supplier_org):
    case = published_case(buyer, '=HYPERLINK("http://evil.example")')
    make_contract(buyer, case, [supplier_org])
    rows = read_csv(login(None).get(download("csv")))
    assert {row["case"] for row in rows} == {'\'=HYPERLINK("http://evil.example")'}


def test_rate_in_the_address_changes_the_csv(login, programme):
    client = login(None)
    zero = read_csv(client.get(download("csv"), {"rate": "0", "years": "10"}))
    realised = sum(
        (Decimal(row["pv_expected"]) for row in zero if row["measure"] == REALISED), Decimal(0)
    )
    assert realised == Decimal("450000") + Decimal("675000")


def test_bad_assumptions_in_a_download_address_are_a_400(login, programme):
    response = login(None).get(download("csv"), {"rate": "99"})
    assert response.status_code == 400
    assert "between 0 and 20 percent" in response.content.decode()


def test_unknown_format_is_404(login, db):
    assert login(None).get("/effects/effects.pdf").status_code == 404


# xlsx


def test_xlsx_has_a_summary_a_sheet_per_breakdown_and_the_lines(login, programme):
    workbook = open_xlsx(login(None).get(download("xlsx"), QUERY))
    assert workbook.sheetnames == [
        "Summary",
        "Year",
        "Partner",
        "Sector",
        "Procedure",
        "Phase",
        "Category",
        "Lines",
        "No baseline",
    ]


def test_xlsx_summary_holds_the_reports_totals_as_numbers(login, programme):
    workbook = open_xlsx(login(None).get(download("xlsx"), QUERY))
    report = build(PARAMS)
    summary = {row[0]: row[2] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    for measure_ in MEASURES:
        total = report.aggregations[measure_].total.value
        for bound in ("low", "expected", "high"):
            value = summary[f"{measure_}_{bound}"]
            assert isinstance(value, int | float), (measure_, bound, value)
            assert value == pytest.approx(float(round_nok(getattr(total, bound))), abs=0.005)
    assert summary["base_year"] == 2024
    assert summary["rate_percent"] == 4
    assert summary["years"] == 10
    assert report.headline is not None
    assert summary["headline_realised"].startswith("1 MNOK invested → ")
    assert summary["kpis_without_baseline"] == 1


def test_xlsx_breakdowns_and_lines_add_up_to_the_summary(login, programme):
    workbook = open_xlsx(login(None).get(download("xlsx"), QUERY))
    report = build(PARAMS)
    for key in BREAKDOWNS:
        rows = list(workbook[key.capitalize()].iter_rows(values_only=True))
        assert list(rows[0]) == list(BREAKDOWN_COLUMNS)
        column = BREAKDOWN_COLUMNS.index(f"{REALISED}_expected")
        summed = sum(row[column] for row in rows[1:])
        assert summed == pytest.approx(float(report.realised.expected), abs=0.01 * len(rows))
    lines = list(workbook["Lines"].iter_rows(values_only=True))
    assert list(lines[0]) == list(LINE_COLUMNS)
    assert len(lines) - 1 == len(report.lines)
    column = LINE_COLUMNS.index("pv_expected")
    for measure_ in (COST, EXPECTED):
        summed = sum(row[column] for row in lines[1:] if row[0] == measure_)
        total = report.aggregations[measure_].total.value.expected
        assert summed == pytest.approx(float(total), abs=0.01 * len(lines))


def test_xlsx_lists_kpis_without_a_baseline(login, programme):
    workbook = open_xlsx(login(None).get(download("xlsx")))
    rows = list(workbook["No baseline"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [
        (programme["no_baseline"].pk, "Lavere driftskostnad per bruker")
    ]


# JSON


def test_json_download_is_what_the_api_answers(login, programme):
    client = login(None)
    downloaded = client.get(download("json"), QUERY)
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"].endswith('.json"')
    api = client.get("/api/v1/effects", QUERY)
    assert api.status_code == 200
    assert downloaded.json() == api.json()
    with_lines = client.get(download("json"), {**QUERY, "lines": "1"}).json()
    assert with_lines == client.get("/api/v1/effects", {**QUERY, "lines": "true"}).json()
    assert len(with_lines["lines"]) == len(build(PARAMS).lines)


def test_partner_json_download_is_the_partners_api_answer(login, buyer, programme):
    client = login(buyer)
    downloaded = client.get(download("json", buyer.organisation_id)).json()
    api = client.get("/api/v1/effects", {"partner": buyer.organisation_id}).json()
    assert downloaded == api
    assert downloaded["scope"]["partner"]["name"] == "Fjordvik kommune"


# A partner's downloads, per role


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_partner_download_follows_the_partner_report_rule(
    login, buyer, evaluator, advisor, supplier, cobuyer, programme, fmt
):
    url = download(fmt, buyer.organisation_id)
    assert login(None).get(url).status_code == 302
    for outsider in (supplier, cobuyer):
        assert login(outsider).get(url).status_code == 404
    for insider in (buyer, evaluator, advisor):
        assert login(insider).get(url).status_code == 200


def test_partner_csv_holds_its_unpublished_case(login, buyer, programme):
    public = read_csv(login(buyer).get(download("csv")))
    own = read_csv(login(buyer).get(download("csv", buyer.organisation_id)))
    assert not any(row["case"].startswith("Hemmelig") for row in public)
    assert any(row["case"].startswith("Hemmelig") for row in own)
    assert {row["partner"] for row in own} == {"Fjordvik kommune"}
