"""The KPI pages: following a KPI over time, adding measurements, editing the KPI, evidence."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lupin.benefits import actions
from lupin.benefits.actions import KpiData
from lupin.benefits.models import Kpi, Measurement
from lupin.benefits.tests.conftest import PDF, evidence_pdf, measurement_data
from lupin.lib.money import format_nok
from lupin.projects import actions as project_actions

EVERYONE = [
    None,
    "supplier",
    "rival",
    "buyer",
    "buyer_colleague",
    "evaluator",
    "cobuyer",
    "advisor",
]
MANAGERS = ["buyer", "buyer_colleague"]
NOT_MANAGERS = ["supplier", "rival", "evaluator", "cobuyer", "advisor"]
# The contract's insiders: the case's insiders (the lead buyer's people, the programme).
INSIDERS = ["buyer", "buyer_colleague", "evaluator", "advisor"]
OUTSIDERS = [None, "supplier", "rival", "cobuyer"]


def _user(request, who):
    return None if who is None else request.getfixturevalue(who)


def kpi_url(kpi: Kpi) -> str:
    return reverse("benefits:kpi", args=[kpi.pk])


def add_url(kpi: Kpi) -> str:
    return reverse("benefits:measurement_add", args=[kpi.pk])


def _files(media):
    return [path for path in media.rglob("*") if path.is_file()]


def _form(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "value": "90",
        "unit": "besøk per uke",
        "measured_on": "2024-06-01",
        "source": "Fagsystemet, ukesrapport",
        "confidence": "expected",
        "note": "",
    }
    values.update(overrides)
    return values


def _no_baseline_kpi(buyer, contract) -> Kpi:
    return actions.add_kpi(
        buyer,
        contract,
        KpiData(
            category="operating_costs",
            description="Lavere driftskostnad",
            unit="kr per måned",
            target=Decimal("40000"),
            owner="Økonomisjef",
            yearly_value=Decimal("120000"),
        ),
    )


@pytest.fixture
def measured(buyer, kpi) -> Measurement:
    return actions.record_measurement(buyer, kpi, measurement_data(evidence=evidence_pdf()))


# The KPI page: who may see it ---------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_may_follow_a_kpi_of_a_published_case(request, login, who, measured):
    response = login(_user(request, who)).get(kpi_url(measured.kpi))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Færre unødvendige nattbesøk" in html
    assert "Fagsystemet, ukesrapport" in html


@pytest.mark.parametrize(
    ("who", "status"),
    # The contract's own supplier follows its KPIs too; other outsiders do not.
    [(w, 200) for w in [*INSIDERS, "supplier"]] + [(w, 404) for w in OUTSIDERS if w != "supplier"],
)
def test_a_kpi_of_an_unpublished_case_is_for_insiders_and_its_supplier(
    request, login, buyer, kpi, who, status
):
    project_actions.unpublish_project(buyer, kpi.contract.project)
    assert login(_user(request, who)).get(kpi_url(kpi)).status_code == status


def test_an_unknown_kpi_is_not_found(login, buyer, db):
    assert login(buyer).get(reverse("benefits:kpi", args=[999])).status_code == 404


def test_the_page_links_back_to_its_contract(login, kpi):
    html = login(None).get(kpi_url(kpi)).content.decode()
    assert reverse("contracts:detail", args=[kpi.contract.pk]) in html


@pytest.mark.parametrize("who", MANAGERS)
def test_the_contracts_buyers_get_the_measurement_form(request, login, who, kpi):
    html = login(_user(request, who)).get(kpi_url(kpi)).content.decode()
    assert f'action="{add_url(kpi)}"' in html
    # The unit is filled in with the KPI's.
    assert 'value="besøk per uke"' in html
    assert reverse("benefits:kpi_edit", args=[kpi.pk]) in html


@pytest.mark.parametrize("who", [None, *NOT_MANAGERS])
def test_others_do_not_get_the_measurement_form(request, login, who, kpi):
    html = login(_user(request, who)).get(kpi_url(kpi)).content.decode()
    assert add_url(kpi) not in html
    assert reverse("benefits:kpi_edit", args=[kpi.pk]) not in html


def test_a_co_buyer_that_joined_before_the_contract_gets_the_form(
    login, cobuyer, contract_with_cobuyer
):
    kpi = contract_with_cobuyer.kpis.get()
    html = login(cobuyer).get(kpi_url(kpi)).content.decode()
    assert f'action="{add_url(kpi)}"' in html


# The KPI page: what it shows ----------------------------------------------------------------


def test_the_page_shows_the_kpi_and_each_measurements_progress_and_value(login, measured):
    html = login(None).get(kpi_url(measured.kpi)).content.decode()
    assert "Leder hjemmetjenesten" in html  # the owner
    assert "besøk per uke" in html
    assert format_nok(Decimal("900000")) in html  # money value per year at the target
    # 90 is halfway from 120 to 60: 50 %, worth 0.5 × 900 000 kr a year.
    assert "50&nbsp;%" in html
    assert format_nok(Decimal("450000")) in html


def test_a_kpi_without_a_baseline_says_so_never_zero(login, buyer, contract):
    kpi = _no_baseline_kpi(buyer, contract)
    actions.record_measurement(
        buyer, kpi, measurement_data(unit="kr per måned", value=Decimal("45000"))
    )
    html = login(None).get(kpi_url(kpi)).content.decode()
    assert "No baseline recorded" in html
    # No progress and no realised value, each with its reason.
    assert "(no baseline)" in html
    assert ">0&nbsp;%<" not in html
    assert f">{format_nok(Decimal(0))}<" not in html


def test_the_buyer_is_pointed_to_where_the_missing_baseline_is_added(login, buyer, contract):
    kpi = _no_baseline_kpi(buyer, contract)
    html = login(buyer).get(kpi_url(kpi)).content.decode()
    assert "No baseline recorded" in html
    assert reverse("benefits:kpi_edit", args=[kpi.pk]) in html


def test_a_kpi_without_a_money_value_says_why_there_is_no_realised_value(login, buyer, kpi):
    data = KpiData(
        category=kpi.category,
        description=kpi.description,
        unit=kpi.unit,
        target=kpi.target,
        owner=kpi.owner,
        baseline=kpi.baseline,
    )
    actions.update_kpi(buyer, kpi, data)
    actions.record_measurement(buyer, kpi, measurement_data())
    html = login(None).get(kpi_url(kpi)).content.decode()
    assert "50&nbsp;%" in html
    assert "(no money value set)" in html


def test_the_chart_is_an_image_with_a_title_and_a_description(login, buyer, kpi):
    actions.record_measurement(buyer, kpi, measurement_data(measured_on=date(2024, 3, 1)))
    actions.record_measurement(
        buyer, kpi, measurement_data(measured_on=date(2024, 9, 1), value=Decimal("75"))
    )
    html = login(None).get(kpi_url(kpi)).content.decode()
    assert 'role="img"' in html
    assert 'aria-labelledby="kpi-chart-title kpi-chart-desc"' in html
    assert '<title id="kpi-chart-title">' in html
    assert "2 measurements from" in html
    assert "Baseline 120" in html
    assert "Target 60" in html
    assert html.count('class="lupin-chart__point"') == 2


def test_without_measurements_there_is_no_chart(login, kpi):
    html = login(None).get(kpi_url(kpi)).content.decode()
    assert "No measurements yet." in html
    assert "<svg" not in html


@pytest.mark.parametrize("who", INSIDERS)
def test_insiders_see_the_evidence_link_and_who_entered_a_measurement(
    request, login, who, measured
):
    html = login(_user(request, who)).get(kpi_url(measured.kpi)).content.decode()
    assert reverse("benefits:evidence", args=[measured.pk]) in html
    assert "Entered by" in html


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_neither_the_evidence_link_nor_who_entered(request, login, who, measured):
    html = login(_user(request, who)).get(kpi_url(measured.kpi)).content.decode()
    assert reverse("benefits:evidence", args=[measured.pk]) not in html
    assert "Entered by" not in html


def test_the_kpi_page_query_count_does_not_grow_with_measurements(login, buyer, kpi):
    client = login(buyer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(kpi_url(kpi)).status_code == 200
        return len(captured)

    actions.record_measurement(buyer, kpi, measurement_data())
    few = queries()
    for day in range(2, 8):
        actions.record_measurement(buyer, kpi, measurement_data(measured_on=date(2024, 6, day)))
    assert queries() == few


# Adding a measurement -----------------------------------------------------------------------


@pytest.mark.parametrize("who", MANAGERS)
def test_a_measurement_posted_through_the_page_appears_on_it(request, login, who, kpi):
    client = login(_user(request, who))
    response = client.post(add_url(kpi), _form())
    assert response.status_code == 302
    assert response.url == kpi_url(kpi) + "#measurements"
    measurement = kpi.measurements.get()
    assert measurement.value == Decimal("90")
    page = client.get(response.url).content.decode()
    assert "The measurement was added." in page
    assert "Fagsystemet, ukesrapport" in page
    assert format_nok(Decimal("450000")) in page


def test_evidence_posted_through_the_page_is_stored(login, buyer, kpi, media):
    upload = SimpleUploadedFile("rapport.pdf", PDF, "text/html")
    response = login(buyer).post(add_url(kpi), _form(evidence=upload))
    assert response.status_code == 302
    measurement = kpi.measurements.get()
    # The type we verified, not the browser's claim.
    assert measurement.evidence_type == "application/pdf"
    assert len(_files(media)) == 1


def _refused(client, kpi, **overrides):
    response = client.post(add_url(kpi), _form(**overrides))
    assert response.status_code == 200
    assert not Measurement.objects.exists()
    return response.content.decode()


def test_a_measurement_in_another_unit_is_refused_next_to_the_unit(login, buyer, kpi):
    html = _refused(login(buyer), kpi, unit="besøk per måned", source="Min kilde")
    assert 'id="id_unit-error"' in html
    assert "This KPI is measured in" in html
    # What was typed is kept.
    assert 'value="besøk per måned"' in html
    assert 'value="Min kilde"' in html


def test_a_measurement_in_the_future_is_refused_next_to_the_date(login, buyer, kpi):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = _refused(login(buyer), kpi, measured_on=tomorrow)
    assert 'id="id_measured_on-error"' in html
    assert "cannot be dated in the future" in html


def test_a_measurement_before_the_baseline_is_refused_next_to_the_date(login, buyer, kpi):
    kpi.baseline_on = date(2024, 5, 1)
    kpi.save(update_fields=["baseline_on"])
    html = _refused(login(buyer), kpi, measured_on="2024-04-30")
    assert 'id="id_measured_on-error"' in html
    assert "The baseline was measured on" in html


def test_a_measurement_without_a_source_is_refused_next_to_the_source(login, buyer, kpi):
    html = _refused(login(buyer), kpi, source="  ")
    assert 'id="id_source-error"' in html


@pytest.mark.parametrize(
    ("name", "content"),
    [("rapport.exe", b"MZ\x90\x00"), ("rapport.html", b"<html></html>"), ("rapport.pdf", b"MZ")],
)
def test_evidence_of_a_disallowed_type_is_refused_and_nothing_stored(
    login, buyer, kpi, media, name, content
):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    html = _refused(login(buyer), kpi, evidence=upload)
    assert 'id="id_evidence-error"' in html
    assert _files(media) == []


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_others_cannot_post_a_measurement(request, login, who, kpi):
    response = login(_user(request, who)).post(add_url(kpi), _form())
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_an_anonymous_visitor_must_log_in_to_post_a_measurement(login, kpi):
    response = login(None).post(add_url(kpi), _form())
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
    assert not Measurement.objects.exists()


def test_the_measurement_form_url_leads_to_the_form_on_the_kpi_page(login, buyer, evaluator, kpi):
    response = login(buyer).get(add_url(kpi))
    assert response.status_code == 302
    assert response.url == kpi_url(kpi) + "#add-measurement"
    assert login(evaluator).get(add_url(kpi)).status_code == 404


def test_with_htmx_a_refusal_swaps_the_form_and_a_success_reloads_the_page(login, buyer, kpi):
    client = login(buyer)
    refused = client.post(add_url(kpi), _form(unit="timer"), HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'id="id_unit-error"' in html
    assert "<html" not in html
    stored = client.post(add_url(kpi), _form(), HTTP_HX_REQUEST="true")
    assert kpi.measurements.count() == 1
    # A new address (not just a new #fragment), so that the browser really reloads the page.
    added = kpi.measurements.get()
    assert stored["HX-Redirect"] == f"{kpi_url(kpi)}?added={added.pk}#measurements"


# Evidence -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_insiders_download_the_evidence(request, login, who, measured):
    response = login(_user(request, who)).get(reverse("benefits:evidence", args=[measured.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_for_the_evidence(request, login, who, measured):
    response = login(_user(request, who)).get(reverse("benefits:evidence", args=[measured.pk]))
    assert response.status_code == 404


def test_a_co_buyer_of_the_case_downloads_the_evidence(login, buyer, cobuyer, measured):
    invitation = project_actions.invite_cobuyer(
        buyer, measured.kpi.contract.project, cobuyer.organisation
    )
    project_actions.answer_invitation(cobuyer, invitation, accept=True)
    response = login(cobuyer).get(reverse("benefits:evidence", args=[measured.pk]))
    assert response.status_code == 200


def test_a_measurement_without_evidence_has_nothing_to_download(login, buyer, kpi):
    measurement = actions.record_measurement(buyer, kpi, measurement_data())
    response = login(buyer).get(reverse("benefits:evidence", args=[measurement.pk]))
    assert response.status_code == 404


# Adding and editing a KPI -------------------------------------------------------------------


def _kpi_form(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "category": "process_hours",
        "description": "Kortere responstid ved alarm",
        "unit": "minutter",
        "baseline": "25",
        "baseline_on": "2024-01-10",
        "target": "10",
        "yearly_value": "350 000",
        "confidence": "low",
        "owner": "Leder nattpatruljen",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("who", "status"), [(w, 200) for w in MANAGERS] + [(w, 404) for w in NOT_MANAGERS]
)
def test_only_the_contracts_buyers_edit_a_kpi(request, login, who, status, kpi):
    client = login(_user(request, who))
    assert client.get(reverse("benefits:kpi_edit", args=[kpi.pk])).status_code == status
    assert client.get(reverse("benefits:kpi_add", args=[kpi.contract.pk])).status_code == status


def test_an_anonymous_visitor_must_log_in_to_edit_a_kpi(login, kpi):
    response = login(None).get(reverse("benefits:kpi_edit", args=[kpi.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_a_buyer_adds_a_kpi_to_the_contract(login, buyer, contract):
    response = login(buyer).post(reverse("benefits:kpi_add", args=[contract.pk]), _kpi_form())
    kpi = contract.kpis.get(unit="minutter")
    assert response.status_code == 302
    assert response.url == kpi_url(kpi)
    assert kpi.yearly_value == Decimal("350000")
    assert kpi.baseline_on == date(2024, 1, 10)
    assert kpi.confidence == "low"


def test_a_buyer_sets_the_missing_baseline_and_its_date(login, buyer, contract):
    kpi = _no_baseline_kpi(buyer, contract)
    form = _kpi_form(
        category=kpi.category,
        description=kpi.description,
        unit=kpi.unit,
        target="40 000",
        yearly_value="120 000",
        baseline="52 500,50",
        baseline_on="2024-01-05",
    )
    response = login(buyer).post(reverse("benefits:kpi_edit", args=[kpi.pk]), form)
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.baseline == Decimal("52500.50")
    assert kpi.baseline_on == date(2024, 1, 5)


def test_the_edit_form_shows_the_kpi_as_it_is(login, buyer, kpi):
    html = login(buyer).get(reverse("benefits:kpi_edit", args=[kpi.pk])).content.decode()
    assert 'value="120"' in html
    assert 'value="900000"' in html
    assert 'value="besøk per uke"' in html


def test_a_refused_kpi_change_is_shown_next_to_the_field(login, buyer, kpi):
    actions.record_measurement(buyer, kpi, measurement_data(measured_on=date(2024, 6, 1)))
    form = _kpi_form(
        unit=kpi.unit, baseline="120", target="60", yearly_value="", baseline_on="2024-07-01"
    )
    response = login(buyer).post(reverse("benefits:kpi_edit", args=[kpi.pk]), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_baseline_on-error"' in html
    kpi.refresh_from_db()
    assert kpi.baseline_on is None
    assert kpi.description == "Færre unødvendige nattbesøk"


def test_a_negative_money_value_is_refused_on_the_kpi_form(login, buyer, contract):
    response = login(buyer).post(
        reverse("benefits:kpi_add", args=[contract.pk]), _kpi_form(yearly_value="-5")
    )
    assert response.status_code == 200
    assert 'id="id_yearly_value-error"' in response.content.decode()
    assert contract.kpis.count() == 1


def test_the_admin_shows_a_kpi_and_its_measurements_without_the_evidence_file(
    login, admin_user, measured
):
    client = login(admin_user)
    html = client.get(reverse("admin:benefits_kpi_change", args=[measured.kpi.pk])).content
    assert "Fagsystemet, ukesrapport" in html.decode()
    page = client.get(reverse("admin:benefits_measurement_change", args=[measured.pk]))
    assert page.status_code == 200
    assert measured.evidence.name not in page.content.decode()


# Withdrawing a wrong measurement -----------------------------------------------------------


def withdraw_url(measurement: Measurement) -> str:
    return reverse("benefits:measurement_withdraw", args=[measurement.pk])


@pytest.mark.parametrize("who", ["supplier", "rival", "evaluator", "advisor", "cobuyer"])
def test_only_the_contracts_buyers_withdraw_a_measurement(request, login, who, measured):
    response = login(_user(request, who)).post(withdraw_url(measured), {"reason": "Feil"})
    assert response.status_code == 404
    measured.refresh_from_db()
    assert measured.withdrawn_at is None


def test_a_withdrawn_measurement_stays_on_the_page_struck_through_with_its_reason(
    login, buyer, measured
):
    client = login(buyer)
    assert client.get(withdraw_url(measured)).status_code == 405
    response = client.post(withdraw_url(measured), {"reason": "Tallet gjaldt feil måned"})
    assert response.status_code == 302
    measured.refresh_from_db()
    assert measured.withdrawn_at is not None
    html = login(None).get(kpi_url(measured.kpi)).content.decode()
    assert "<del>" in html and "Tallet gjaldt feil måned" in html
    assert "Withdrawn" in html


def test_withdrawing_without_a_reason_is_refused(login, buyer, measured):
    response = login(buyer).post(withdraw_url(measured), {"reason": " "}, follow=True)
    assert "Say why the measurement is withdrawn." in response.content.decode()
    measured.refresh_from_db()
    assert measured.withdrawn_at is None
