from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from lupin.lib.procedures import (
    DEADLINE_RULES,
    OSLO,
    THRESHOLD_KINDS,
    Notice,
    Procedure,
    Regime,
    ThresholdsUnknown,
    advise,
    all_thresholds,
    check_deadlines,
    check_environment_weight,
    minimum_deadlines,
    thresholds_on,
)

D = Decimal
ON = date(2025, 3, 1)


# Thresholds as dated data


def test_the_data_covers_every_kind_for_2024_to_2026():
    for day in (date(2024, 1, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31)):
        assert set(thresholds_on(day)) == set(THRESHOLD_KINDS)
    assert len(all_thresholds()) == 2 * len(THRESHOLD_KINDS)


def test_thresholds_are_the_ones_in_domain_md():
    amounts = {kind: t.amount_nok for kind, t in thresholds_on(ON).items()}
    assert amounts == {
        "act": D("100000"),
        "national": D("1300000"),
        "eea_central_goods_services": D("1490000"),
        "eea_other_goods_services": D("2300000"),
        "eea_works": D("57800000"),
        "eea_utilities_goods_services": D("4600000"),
    }
    assert "verify" in thresholds_on(ON)["national"].source


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2027, 1, 1)])
def test_a_date_outside_the_data_raises_a_clear_error(day):
    with pytest.raises(
        ThresholdsUnknown, match=f"No procurement thresholds are recorded for {day}"
    ):
        thresholds_on(day)


def test_the_advisor_refuses_a_date_before_the_data():
    with pytest.raises(ThresholdsUnknown, match="the data covers 2024-01-01 to 2026-12-31"):
        advise(D("500000"), "other", "goods_services", date(2023, 12, 31))


def test_after_the_data_the_advisor_uses_the_newest_thresholds_and_says_so():
    advice = advise(D("2500000"), "other", "goods_services", date(2027, 3, 1))
    assert advice.regime is Regime.PART_III
    assert "No thresholds are recorded for 2027-03-01" in advice.notes[0]
    assert "2026-12-31" in advice.notes[0]


# The advisor: every regime boundary. A value equal to a threshold is at or above it.


@pytest.mark.parametrize(
    ("value", "regime"),
    [
        ("0", Regime.OUTSIDE_ACT),
        ("99999.99", Regime.OUTSIDE_ACT),
        ("100000", Regime.PART_I),
        ("1299999.99", Regime.PART_I),
        ("1300000", Regime.PART_II),
        ("2299999.99", Regime.PART_II),
        ("2300000", Regime.PART_III),
    ],
)
def test_other_buyers_goods_and_services(value, regime):
    assert advise(D(value), "other", "goods_services", ON).regime is regime


@pytest.mark.parametrize(
    ("value", "regime"),
    [
        ("1299999.99", Regime.PART_I),
        ("1300000", Regime.PART_II),
        ("1489999.99", Regime.PART_II),
        ("1490000", Regime.PART_III),
    ],
)
def test_central_government_goods_and_services(value, regime):
    assert advise(D(value), "central", "goods_services", ON).regime is regime


@pytest.mark.parametrize("buyer", ["central", "other"])
@pytest.mark.parametrize(
    ("value", "regime"),
    [
        ("2300000", Regime.PART_II),  # the goods threshold does not apply to works
        ("57799999.99", Regime.PART_II),
        ("57800000", Regime.PART_III),
    ],
)
def test_works_have_one_eea_threshold_for_every_buyer(buyer, value, regime):
    assert advise(D(value), buyer, "works", ON).regime is regime


@pytest.mark.parametrize(
    ("value", "purchase", "regime"),
    [
        ("99999", "goods_services", Regime.OUTSIDE_ACT),
        ("1300000", "goods_services", Regime.UTILITIES_BELOW_EEA),  # no national part
        ("4599999.99", "goods_services", Regime.UTILITIES_BELOW_EEA),
        ("4600000", "goods_services", Regime.UTILITIES_EEA),
        ("57799999.99", "works", Regime.UTILITIES_BELOW_EEA),
        ("57800000", "works", Regime.UTILITIES_EEA),
    ],
)
def test_utilities(value, purchase, regime):
    assert advise(D(value), "other", purchase, ON, utilities=True).regime is regime


def test_notices_per_regime():
    assert advise(D("50000"), "other", "goods_services", ON).notices == ()
    assert advise(D("500000"), "other", "goods_services", ON).notices == ()
    assert advise(D("1500000"), "other", "goods_services", ON).notices == (Notice.DOFFIN,)
    assert advise(D("3000000"), "other", "goods_services", ON).notices == (
        Notice.DOFFIN,
        Notice.TED,
    )


def test_part_ii_allows_negotiation_freely_and_the_simplified_competition():
    advice = advise(D("1500000"), "other", "goods_services", ON)
    assert advice.summary.startswith("FOA part II")
    assert advice.option(Procedure.NEGOTIATION).freely
    assert advice.allows(Procedure.SIMPLIFIED_NATIONAL)
    assert advice.reached is not None and advice.reached.kind == "national"
    assert advice.next_threshold is not None
    assert advice.next_threshold.kind == "eea_other_goods_services"


def test_part_iii_procedures_and_their_conditions():
    advice = advise(D("3000000"), "other", "goods_services", ON)
    assert [o.procedure for o in advice.procedures] == [
        Procedure.OPEN,
        Procedure.RESTRICTED,
        Procedure.NEGOTIATION,
        Procedure.COMPETITIVE_DIALOGUE,
        Procedure.INNOVATION_PARTNERSHIP,
        Procedure.PCP,
    ]
    assert advice.option("open").freely
    assert advice.option("restricted").freely
    assert not advice.option("negotiation").freely
    assert "§ 13-2" in advice.option("negotiation").conditions[0]
    assert "§ 13-2" in advice.option("competitive_dialogue").conditions[0]
    partnership = " ".join(advice.option("innovation_partnership").conditions)
    for words in (
        "not available on the market",
        "30 days",
        "at least 3",
        "mandatory",
        "price-quality",
    ):
        assert words in partnership
    pcp = " ".join(advice.option("pcp").conditions)
    assert "§ 2-5" in pcp
    assert "at least 2 suppliers" in pcp
    assert not advice.allows(Procedure.SIMPLIFIED_NATIONAL)
    with pytest.raises(ValueError, match="not allowed"):
        advice.option(Procedure.SIMPLIFIED_NATIONAL)
    assert advice.next_threshold is None


@pytest.mark.parametrize(
    ("buyer", "purchase", "message"),
    [("county", "goods_services", "buyer type"), ("other", "services", "purchase kind")],
)
def test_bad_arguments_are_refused(buyer, purchase, message):
    with pytest.raises(ValueError, match=message):
        advise(D("1"), buyer, purchase, ON)


def test_floats_and_negative_values_are_refused():
    with pytest.raises(TypeError, match="never a float"):
        advise(1500000.0, "other", "goods_services", ON)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        advise(D("-1"), "other", "goods_services", ON)


# Minimum deadlines: one table


def test_open_part_iii_minimums():
    electronic = minimum_deadlines(Procedure.OPEN, Regime.PART_III)
    assert electronic["tender_deadline"].days == 30
    assert electronic["last_answer_at"].days == 6
    assert electronic["standstill"].days == 10
    assert all(m.legal for m in electronic.values())
    assert minimum_deadlines("open", "part_iii", electronic=False)["tender_deadline"].days == 35


@pytest.mark.parametrize(
    "procedure", ["restricted", "negotiation", "competitive_dialogue", "innovation_partnership"]
)
def test_two_stage_part_iii_procedures_give_30_days_to_request_participation(procedure):
    assert minimum_deadlines(procedure, "part_iii")["request_deadline"].days == 30


def test_restricted_tender_deadline_counts_from_the_request_deadline():
    minimum = minimum_deadlines("restricted", "part_iii")["tender_deadline"]
    assert (minimum.days, minimum.counted_from) == (25, "request_deadline")
    assert (
        minimum_deadlines("restricted", "part_iii", electronic=False)["tender_deadline"].days == 30
    )


def test_part_ii_minimums_are_lupin_defaults_not_law():
    minimums = minimum_deadlines("simplified_national", "part_ii")
    assert minimums["tender_deadline"].days == 10
    assert not any(m.legal for m in minimums.values())
    assert "Lupin default" in minimums["tender_deadline"].rule


def test_no_minimums_below_the_national_threshold():
    assert minimum_deadlines("open", "part_i") == {}
    assert minimum_deadlines("open", "outside_act") == {}


def test_a_procedure_the_regime_does_not_allow_has_no_minimums():
    with pytest.raises(ValueError, match="simplified national competition is not allowed"):
        minimum_deadlines("simplified_national", "part_iii")


def test_every_deadline_rule_names_its_source():
    for _regimes, _procedures, rule in DEADLINE_RULES:
        assert rule.rule
        assert rule.days_electronic <= rule.days
        assert rule.legal or "Lupin default" in rule.rule


# Checking a timeline. Published 1 March 2025 at 10:00 in Oslo.

PUBLISHED = datetime(2025, 3, 1, 10, 0, tzinfo=OSLO)


def day(n: int, hour: int = 12) -> datetime:
    return (PUBLISHED + timedelta(days=n)).replace(hour=hour)


def test_open_part_iii_exactly_30_days_is_allowed():
    assert check_deadlines("open", "part_iii", PUBLISHED, tender_deadline=day(30)) == []


def test_open_part_iii_one_day_short_is_refused_naming_the_rule():
    [problem] = check_deadlines("open", "part_iii", PUBLISHED, tender_deadline=day(29))
    assert problem.code == "too_short"
    assert problem.field == "tender_deadline"
    assert problem.severity == "error"
    assert (problem.minimum_days, problem.actual_days) == (30, 29)
    assert problem.message == (
        "FOA § 20-1 / Directive 2014/24 art. 27: an open procedure above the EEA threshold "
        "needs at least 30 days from the notice to the tender deadline with electronic "
        "submission (35 without); this timeline gives 29."
    )


def test_open_part_iii_without_electronic_submission_needs_35_days():
    assert check_deadlines("open", "part_iii", PUBLISHED, None, day(35), electronic=False) == []
    [problem] = check_deadlines("open", "part_iii", PUBLISHED, None, day(34), electronic=False)
    assert "35 days" in problem.message
    assert "without electronic submission (30 with)" in problem.message


def test_a_longer_deadline_is_always_fine():
    assert check_deadlines("open", "part_iii", PUBLISHED, tender_deadline=day(90)) == []


def test_days_are_calendar_days_in_oslo_whatever_the_hour():
    # Published at 23:30 Oslo time (22:30 UTC); the 30th day starts at midnight.
    late = datetime(2025, 3, 1, 22, 30, tzinfo=UTC)
    early_on_day_30 = datetime(2025, 3, 30, 23, 5, tzinfo=UTC)  # 31 March 01:05 Oslo (DST)
    assert check_deadlines("open", "part_iii", late, tender_deadline=early_on_day_30) == []
    evening_of_day_29 = datetime(2025, 3, 30, 21, 0, tzinfo=UTC)  # 30 March 23:00 Oslo
    [problem] = check_deadlines("open", "part_iii", late, tender_deadline=evening_of_day_29)
    assert problem.actual_days == 29


@pytest.mark.parametrize(
    "procedure", ["restricted", "negotiation", "competitive_dialogue", "innovation_partnership"]
)
def test_request_deadline_boundary_in_part_iii(procedure):
    assert check_deadlines(procedure, "part_iii", PUBLISHED, request_deadline=day(30)) == []
    [problem] = check_deadlines(procedure, "part_iii", PUBLISHED, request_deadline=day(29))
    assert problem.field == "request_deadline"
    assert problem.message.startswith("FOA § 20-")
    assert "Directive 2014/24 art. " in problem.message
    assert "at least 30 days from the notice to the deadline for requests" in problem.message


def test_restricted_tender_deadline_boundary():
    ok = check_deadlines("restricted", "part_iii", PUBLISHED, day(30), day(55))
    assert ok == []
    [problem] = check_deadlines("restricted", "part_iii", PUBLISHED, day(30), day(54))
    assert problem.field == "tender_deadline"
    assert "at least 25 days from the request deadline" in problem.message


def test_two_stage_procedures_need_a_request_deadline():
    [problem] = check_deadlines("restricted", "part_iii", PUBLISHED)
    assert (problem.code, problem.field) == ("missing", "request_deadline")
    [problem] = check_deadlines("open", "part_iii", PUBLISHED)
    assert (problem.code, problem.field) == ("missing", "tender_deadline")


def test_answers_exactly_6_days_before_the_tender_deadline_are_allowed():
    problems = check_deadlines(
        "open", "part_iii", PUBLISHED, tender_deadline=day(40), last_answer_at=day(34, hour=23)
    )
    assert problems == []


def test_answers_5_days_before_the_tender_deadline_are_refused():
    [problem] = check_deadlines(
        "open", "part_iii", PUBLISHED, tender_deadline=day(40), last_answer_at=day(35, hour=8)
    )
    assert problem.code == "answers_too_late"
    assert problem.field == "last_answer_at"
    assert problem.severity == "error"
    assert problem.message.startswith("Directive 2014/24 art. 53(2): ")
    assert "at least 6 days between the last answer" in problem.message


def test_the_6_day_rule_also_warns_in_part_ii():
    [problem] = check_deadlines(
        "simplified_national", "part_ii", PUBLISHED, tender_deadline=day(20), last_answer_at=day(15)
    )
    assert (problem.code, problem.severity) == ("answers_too_late", "warning")


def test_part_ii_short_deadline_is_a_warning_naming_the_lupin_default():
    assert check_deadlines("simplified_national", "part_ii", PUBLISHED, None, day(10)) == []
    [problem] = check_deadlines("simplified_national", "part_ii", PUBLISHED, None, day(9))
    assert (problem.code, problem.severity) == ("shorter_than_default", "warning")
    assert problem.message.startswith("Lupin default for FOA part II")
    assert "no legal minimum" in problem.message


def test_part_i_has_no_minimums_but_the_order_is_still_checked():
    assert check_deadlines("open", "part_i", PUBLISHED, tender_deadline=day(2)) == []
    problems = check_deadlines(
        "restricted", "part_i", PUBLISHED, day(5), day(3), last_answer_at=day(4)
    )
    assert {p.code for p in problems} == {"tender_before_request", "answers_after_tender_deadline"}
    [problem] = check_deadlines("open", "part_i", PUBLISHED, tender_deadline=day(0, hour=9))
    assert (problem.code, problem.field) == ("before_publication", "tender_deadline")


def test_a_procedure_not_allowed_in_the_regime_is_a_problem():
    [problem] = check_deadlines("simplified_national", "part_iii", PUBLISHED, None, day(60))
    assert (problem.code, problem.field) == ("procedure_not_allowed", "procedure")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        check_deadlines("open", "part_iii", datetime(2025, 3, 1), tender_deadline=day(30))  # noqa: DTZ001


# Climate and environment (FOA § 7-9)


def test_environment_weight_of_30_percent_is_enough():
    assert check_environment_weight(D("30")) == []
    assert check_environment_weight(D("45.5")) == []


def test_environment_weight_just_under_30_needs_a_justification():
    [problem] = check_environment_weight(D("29.99"))
    assert problem.code == "environment_weight_below_minimum"
    assert problem.message.startswith("FOA § 7-9: ")
    assert "at least 30 %" in problem.message
    assert "29.99 %" in problem.message
    assert check_environment_weight(D("29.99"), "   ") != []


def test_a_recorded_justification_allows_a_lower_weight():
    justification = (
        "Minimum requirements on emissions in the specification give a clearly better effect."
    )
    assert check_environment_weight(D("0"), justification) == []


@pytest.mark.parametrize("weight", [D("-1"), D("100.01")])
def test_environment_weight_must_be_a_percentage(weight):
    with pytest.raises(ValueError, match="between 0 and 100"):
        check_environment_weight(weight)
