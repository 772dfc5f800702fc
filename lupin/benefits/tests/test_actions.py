"""The rules of KPIs, measurements and programme costs (lupin.benefits.actions)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lupin.audit.models import AuditEntry
from lupin.benefits import actions
from lupin.benefits.actions import BenefitError, KpiData, MeasurementData, SupportData
from lupin.benefits.models import Kpi, Measurement, ProgrammeBudget, SupportEntry
from lupin.benefits.tests.conftest import evidence_pdf, measurement_data
from lupin.conftest import make_contract, make_project
from lupin.projects import actions as project_actions
from lupin.projects.models import BenefitCategory, ProjectEvent


def _files(media):
    return [path for path in media.rglob("*") if path.is_file()]


def kpi_data(**overrides: object) -> KpiData:
    values: dict[str, object] = {
        "category": BenefitCategory.PROCESS_HOURS,
        "description": "Færre unødvendige nattbesøk",
        "unit": "besøk per uke",
        "target": Decimal("60"),
        "owner": "Leder hjemmetjenesten",
        "baseline": Decimal("120"),
        "yearly_value": Decimal("900000"),
    }
    values.update(overrides)
    return KpiData(**values)  # type: ignore[arg-type]


def _refused(call, *args, **kwargs) -> BenefitError:
    with pytest.raises(BenefitError) as caught:
        call(*args, **kwargs)
    return caught.value


# Measurements: what is stored ---------------------------------------------------------------


def test_a_measurement_is_stored_with_who_entered_it_and_a_history_row(buyer, kpi):
    measurement = actions.record_measurement(
        buyer, kpi, measurement_data(source="  Fagsystemet  ", note=" Uke 22 ")
    )
    assert measurement.kpi == kpi
    assert measurement.value == Decimal("90")
    assert measurement.entered_by == buyer
    assert measurement.source == "Fagsystemet"
    assert measurement.note == "Uke 22"
    assert ProjectEvent.objects.filter(verb="measurement.added", project=kpi.contract.project)


def test_a_buyer_colleague_may_record_a_measurement(buyer_colleague, kpi):
    actions.record_measurement(buyer_colleague, kpi, measurement_data())
    assert kpi.measurements.count() == 1


def test_evidence_is_stored_with_its_size_and_type(buyer, kpi, media):
    measurement = actions.record_measurement(buyer, kpi, measurement_data(evidence=evidence_pdf()))
    assert measurement.evidence.name.endswith("rapport.pdf")
    assert measurement.evidence_type == "application/pdf"
    assert measurement.evidence_size == len(evidence_pdf().read())
    assert len(_files(media)) == 1


# Measurements: what is refused --------------------------------------------------------------


def test_a_measurement_in_another_unit_is_refused_naming_the_unit(buyer, kpi):
    error = _refused(
        actions.record_measurement, buyer, kpi, measurement_data(unit="besøk per måned")
    )
    assert error.field == "unit"
    assert "besøk per uke" in error.message
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("unit", ["Besøk per uke", "  besøk   per  UKE ", "BESØK PER UKE"])
def test_the_unit_is_compared_ignoring_case_and_spacing(buyer, kpi, unit):
    actions.record_measurement(buyer, kpi, measurement_data(unit=unit))
    assert kpi.measurements.count() == 1


def test_same_unit_does_not_convert_between_units():
    assert actions.same_unit("Hours per week", "hours  per week")
    assert not actions.same_unit("hours per week", "hours per month")
    assert not actions.same_unit("timer", "hours")


def test_a_measurement_before_the_baseline_is_refused(buyer, kpi):
    actions.update_kpi(buyer, kpi, kpi_data(baseline_on=date(2024, 3, 1)))
    error = _refused(
        actions.record_measurement, buyer, kpi, measurement_data(measured_on=date(2024, 2, 29))
    )
    assert error.field == "measured_on"
    assert not Measurement.objects.exists()


def test_a_measurement_on_the_baseline_day_is_accepted(buyer, kpi):
    actions.update_kpi(buyer, kpi, kpi_data(baseline_on=date(2024, 3, 1)))
    actions.record_measurement(buyer, kpi, measurement_data(measured_on=date(2024, 3, 1)))
    assert kpi.measurements.count() == 1


def test_without_a_baseline_date_a_measurement_before_the_contract_is_refused(buyer, kpi):
    # The contract was signed on 15 January 2024.
    error = _refused(
        actions.record_measurement, buyer, kpi, measurement_data(measured_on=date(2024, 1, 14))
    )
    assert error.field == "measured_on"


def test_a_measurement_dated_in_the_future_is_refused(buyer, kpi):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = _refused(actions.record_measurement, buyer, kpi, measurement_data(measured_on=tomorrow))
    assert error.field == "measured_on"
    assert not Measurement.objects.exists()


def test_a_measurement_dated_today_is_accepted(buyer, kpi):
    actions.record_measurement(buyer, kpi, measurement_data(measured_on=timezone.localdate()))
    assert kpi.measurements.count() == 1


def test_a_measurement_without_a_source_is_refused(buyer, kpi):
    error = _refused(actions.record_measurement, buyer, kpi, measurement_data(source="   "))
    assert error.field == "source"
    assert not Measurement.objects.exists()


def test_a_refused_measurement_leaves_no_evidence_file_behind(buyer, kpi, media):
    _refused(
        actions.record_measurement,
        buyer,
        kpi,
        measurement_data(unit="timer", evidence=evidence_pdf()),
    )
    assert not Measurement.objects.exists()
    assert _files(media) == []


# Progress and realised value ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("measured", "progress", "realised"),
    [
        # Baseline 120, target 60, 900 000 kr a year at the target.
        ("120", "0", "0"),
        ("90", "0.5", "450000"),  # halfway: (90 − 120) / (60 − 120) = 0.5 → 0.5 × 900 000
        ("60", "1", "900000"),
        ("30", "1.5", "1350000"),  # beyond the target
        ("150", "-0.5", "-450000"),  # worse than before
    ],
)
def test_realised_yearly_value_is_the_money_value_times_the_progress(
    buyer, kpi, measured, progress, realised
):
    measurement = actions.record_measurement(buyer, kpi, measurement_data(value=Decimal(measured)))
    assert kpi.progress(Decimal(measured)) == Decimal(progress)
    assert measurement.realised_yearly_value == Decimal(realised)


def test_a_kpi_without_a_baseline_has_no_progress_and_no_realised_value(buyer, contract):
    kpi = actions.add_kpi(buyer, contract, kpi_data(baseline=None))
    measurement = actions.record_measurement(buyer, kpi, measurement_data())
    assert kpi.progress(Decimal("90")) is None
    assert measurement.realised_yearly_value is None


def test_a_kpi_without_a_money_value_has_progress_but_no_realised_value(buyer, contract):
    kpi = actions.add_kpi(buyer, contract, kpi_data(yearly_value=None))
    assert kpi.progress(Decimal("90")) == Decimal("0.5")
    assert kpi.realised_yearly_value(Decimal("90")) is None


def test_a_kpi_whose_baseline_equals_its_target_is_refused(buyer, contract):
    with pytest.raises(BenefitError) as refused:
        actions.add_kpi(buyer, contract, kpi_data(baseline=Decimal("60")))
    assert refused.value.field == "target"
    assert contract.kpis.count() == 1  # only the one copied from the case


def test_a_kpi_whose_baseline_equals_its_target_has_no_progress(contract):
    # Such a KPI can still come from the need phase's benefit: it is shown without progress.
    kpi = contract.kpis.get()
    kpi.baseline = kpi.target
    assert kpi.progress(Decimal("50")) is None
    assert kpi.realised_yearly_value(Decimal("50")) is None


def test_a_case_with_two_contracts_counts_its_benefits_once(buyer, contract, supplier_org):
    second = make_contract(buyer, contract.project, [supplier_org], title="Lot 2")
    assert contract.kpis.count() == 1
    assert second.kpis.count() == 0


@time_machine.travel("2026-06-01 12:00Z")
def test_a_withdrawn_measurement_is_kept_but_no_longer_counts(buyer, supplier, contract):
    from lupin.benefits import report

    kpi = contract.kpis.get()
    wrong = actions.record_measurement(
        buyer, kpi, MeasurementData(Decimal("9"), kpi.unit, date(2025, 3, 1), "Skrivefeil")
    )
    with pytest.raises(PermissionDenied):
        actions.withdraw_measurement(supplier, wrong, "Ikke min")
    with pytest.raises(BenefitError) as refused:
        actions.withdraw_measurement(buyer, wrong, "  ")
    assert refused.value.field == "reason"
    assert report.build().realised.expected > 0
    actions.withdraw_measurement(buyer, wrong, "Skulle vært 90")
    wrong.refresh_from_db()
    assert wrong.withdrawn_reason == "Skulle vært 90" and wrong.withdrawn_by == buyer
    assert report.build().realised.expected == 0
    with pytest.raises(BenefitError):
        actions.withdraw_measurement(buyer, wrong, "Igjen")


# KPIs ---------------------------------------------------------------------------------------


def test_a_contract_gets_its_kpis_from_the_cases_expected_benefits(contract):
    kpi = contract.kpis.get()
    benefit = contract.project.benefits.get()
    assert kpi.source_benefit == benefit
    assert (kpi.baseline, kpi.target, kpi.unit) == (Decimal("120"), Decimal("60"), "besøk per uke")
    assert kpi.yearly_value == Decimal("900000")
    assert kpi.baseline_on is None


def test_a_buyer_adds_a_kpi(buyer, contract):
    kpi = actions.add_kpi(buyer, contract, kpi_data(description="Kortere responstid"))
    assert kpi.contract == contract
    assert ProjectEvent.objects.filter(verb="kpi.added").exists()


def test_a_missing_baseline_can_be_set_later(buyer, contract):
    kpi = actions.add_kpi(buyer, contract, kpi_data(baseline=None))
    actions.update_kpi(buyer, kpi, kpi_data(baseline=Decimal("110"), baseline_on=date(2024, 1, 10)))
    kpi.refresh_from_db()
    assert kpi.baseline == Decimal("110")
    assert kpi.baseline_on == date(2024, 1, 10)


def test_a_baseline_date_needs_a_baseline_value(buyer, contract):
    error = _refused(
        actions.add_kpi, buyer, contract, kpi_data(baseline=None, baseline_on=date(2024, 1, 1))
    )
    assert error.field == "baseline"


def test_a_negative_money_value_is_refused(buyer, contract):
    error = _refused(actions.add_kpi, buyer, contract, kpi_data(yearly_value=Decimal("-1")))
    assert error.field == "yearly_value"
    assert contract.kpis.count() == 1  # only the one from the case


def test_the_baseline_cannot_move_past_the_first_measurement(buyer, kpi):
    actions.record_measurement(buyer, kpi, measurement_data(measured_on=date(2024, 6, 1)))
    error = _refused(actions.update_kpi, buyer, kpi, kpi_data(baseline_on=date(2024, 6, 2)))
    assert error.field == "baseline_on"
    kpi.refresh_from_db()
    assert kpi.baseline_on is None


def test_the_unit_cannot_change_once_measured(buyer, kpi):
    actions.record_measurement(buyer, kpi, measurement_data())
    error = _refused(actions.update_kpi, buyer, kpi, kpi_data(unit="besøk per måned"))
    assert error.field == "unit"


# Who may write ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["evaluator", "supplier", "rival", "advisor", "cobuyer"])
def test_only_the_contracts_buyers_may_record_measurements(request, who, kpi):
    # Evaluators read, suppliers and advisors read, and a co-buyer that had not joined the case
    # when the contract was made is not one of its buyers.
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.record_measurement(user, kpi, measurement_data())
    with pytest.raises(PermissionDenied):
        actions.update_kpi(user, kpi, kpi_data(owner="Noen andre"))
    with pytest.raises(PermissionDenied):
        actions.add_kpi(user, kpi.contract, kpi_data())
    assert not Measurement.objects.exists()
    assert Kpi.objects.get().owner == "Leder hjemmetjenesten"


def test_a_co_buyer_that_joined_before_the_contract_may_record(cobuyer, contract_with_cobuyer):
    kpi = contract_with_cobuyer.kpis.get()
    actions.record_measurement(cobuyer, kpi, measurement_data())
    assert kpi.measurements.count() == 1


def test_a_co_buyer_that_joined_after_the_contract_may_not_record(buyer, cobuyer, kpi):
    invite = project_actions.invite_cobuyer(buyer, kpi.contract.project, cobuyer.organisation)
    project_actions.answer_invitation(cobuyer, invite, accept=True)
    with pytest.raises(PermissionDenied):
        actions.record_measurement(cobuyer, kpi, measurement_data())


# Programme costs ----------------------------------------------------------------------------


def support(buyer_org, **overrides: object) -> SupportData:
    values: dict[str, object] = {
        "organisation": buyer_org,
        "given_on": date(2025, 3, 4),
        "description": "Workshop om gevinstrealisering",
        "hours": Decimal("7.5"),
        "hourly_rate": Decimal("1000"),
        "other_cost": Decimal("2500"),
    }
    values.update(overrides)
    return SupportData(**values)  # type: ignore[arg-type]


def test_support_costs_hours_times_rate_plus_other_costs(advisor, buyer_org):
    entry = actions.log_support(advisor, support(buyer_org))
    assert entry.cost == Decimal("10000")  # 7.5 × 1 000 + 2 500
    assert entry.advisor == advisor
    assert AuditEntry.objects.filter(action="programme.support_logged").exists()


def test_support_without_a_rate_uses_the_programmes_hourly_rate(advisor, buyer_org, settings):
    settings.LUPIN_ADVISOR_HOURLY_RATE = Decimal("1200")
    entry = actions.log_support(advisor, support(buyer_org, hourly_rate=None, other_cost=0))
    assert entry.hourly_rate == Decimal("1200")
    assert entry.cost == Decimal("9000")


@pytest.mark.parametrize("field", ["hours", "hourly_rate", "other_cost"])
def test_a_negative_number_is_refused_naming_its_field(advisor, buyer_org, field):
    error = _refused(actions.log_support, advisor, support(buyer_org, **{field: Decimal("-1")}))
    assert error.field == field
    assert not SupportEntry.objects.exists()


def test_support_with_neither_hours_nor_cost_is_refused(advisor, buyer_org):
    error = _refused(
        actions.log_support, advisor, support(buyer_org, hours=Decimal(0), other_cost=Decimal(0))
    )
    assert error.field == "hours"


def test_support_for_another_partners_case_is_refused(advisor, buyer_org, cobuyer):
    their_case = make_project(cobuyer, "Solbergs egen sak")
    error = _refused(actions.log_support, advisor, support(buyer_org, project=their_case))
    assert error.field == "project"
    assert not SupportEntry.objects.exists()


def test_support_for_the_partners_own_case_is_logged(advisor, buyer_org, published_project):
    entry = actions.log_support(advisor, support(buyer_org, project=published_project))
    assert entry.project == published_project


def test_support_is_for_a_public_buyer_not_a_supplier(advisor, supplier_org):
    error = _refused(actions.log_support, advisor, support(supplier_org))
    assert error.field == "organisation"


def test_support_not_yet_given_is_refused(advisor, buyer_org):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = _refused(actions.log_support, advisor, support(buyer_org, given_on=tomorrow))
    assert error.field == "given_on"


def test_a_superuser_may_log_support(admin_user, buyer_org):
    actions.log_support(admin_user, support(buyer_org))
    assert SupportEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["buyer", "evaluator", "supplier"])
def test_only_the_programme_may_log_support_or_budgets(request, who, buyer_org):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.log_support(user, support(buyer_org))
    with pytest.raises(PermissionDenied):
        actions.set_budget(user, year=2025, amount=Decimal("1000000"))
    assert not SupportEntry.objects.exists()
    assert not ProgrammeBudget.objects.exists()


def test_a_years_budget_is_set_then_updated(advisor):
    actions.set_budget(advisor, year=2025, amount=Decimal("4000000"), note="Første anslag")
    actions.set_budget(advisor, year=2025, amount=Decimal("4500000"), note=" Revidert ")
    budget = ProgrammeBudget.objects.get()
    assert (budget.year, budget.amount, budget.note) == (2025, Decimal("4500000"), "Revidert")
    assert budget.entered_by == advisor
    assert AuditEntry.objects.filter(action="programme.budget_set").count() == 2


def test_a_negative_budget_is_refused(advisor):
    error = _refused(actions.set_budget, advisor, year=2025, amount=Decimal("-1"))
    assert error.field == "amount"
    assert not ProgrammeBudget.objects.exists()


@pytest.mark.parametrize("year", [1999, timezone.localdate().year + 2])
def test_a_budget_year_out_of_range_is_refused(advisor, year):
    error = _refused(actions.set_budget, advisor, year=year, amount=Decimal("1"))
    assert error.field == "year"
