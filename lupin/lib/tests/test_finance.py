"""Finance helpers against hand-computed worked examples.

Discount factors at 4 % (end of year t: 1 / 1.04^t), to ten decimals:
    t = 1: 0.9615384615    t = 2: 0.9245562130    t = 3: 0.8889963587
    t = 4: 0.8548041910    t = 5: 0.8219271068
    Σ t = 1..5 = 4.4518223310 (the closed form (1 − 1.04^−5) / 0.04 gives the same)
"""

from collections import Counter
from decimal import Decimal

import pytest

from lupin.lib.finance import (
    CONFIDENCE_MARGINS,
    DEFAULT_REAL_RATE,
    Confidence,
    Estimate,
    Row,
    aggregate,
    annuity_present_value,
    discount_factor,
    discounted_payback_year,
    estimate_from,
    format_mnok,
    headline,
    payback_year,
    present_value,
    present_value_range,
    roi,
    round_nok,
    sum_estimates,
)

D = Decimal
MNOK = D(1_000_000)


# Discounting


def test_default_rate_is_four_percent_as_a_fraction():
    assert D("0.04") == DEFAULT_REAL_RATE


def test_year_zero_is_not_discounted():
    assert discount_factor(D("0.04"), 0) == 1
    assert present_value({0: D("250000")}) == D("250000")


def test_discount_factor_worked_example():
    # 1 / 1.04² = 1 / 1.0816 = 0.92455621301…
    assert round(discount_factor(D("0.04"), 2), 10) == D("0.9245562130")


def test_present_value_of_100_000_a_year_for_five_years():
    # End of year 1 … 5, 4 %: 100 000 · 4.4518223310 = 445 182.23310…
    # → 445 182.23 when rounded once, at the end. Rounding each year to øre first gives
    # 96 153.85 + 92 455.62 + 88 899.64 + 85 480.42 + 82 192.71 = 445 182.24, one øre off: which
    # is why nothing is rounded until presentation.
    flows = [D("100000")] * 5
    pv = present_value(flows, D("0.04"), start_year=1)
    assert round_nok(pv) == D("445182.23")
    assert round_nok(present_value(dict(enumerate(flows, start=1)))) == D("445182.23")
    assert round_nok(annuity_present_value(D("100000"), 5, D("0.04"))) == D("445182.23")


def test_sequence_starts_in_year_zero_by_default():
    # [100 000, 100 000]: year 0 undiscounted + 100 000 / 1.04 = 100 000 + 96 153.846… = 196 153.85
    assert round_nok(present_value([D("100000"), D("100000")])) == D("196153.85")


def test_annuity_at_zero_rate_is_the_plain_sum_and_zero_years_is_nothing():
    assert annuity_present_value(D("100000"), 5, D("0")) == D("500000")
    assert annuity_present_value(D("100000"), 0) == 0


def test_floats_are_refused_naming_the_argument():
    with pytest.raises(TypeError, match="rate must be a Decimal, not float"):
        present_value([D("1")], 0.04)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cash flow in year 1 must be a Decimal, not float"):
        present_value([D("1"), 2.5])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="yearly must be a Decimal"):
        annuity_present_value(100000.0, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="amount must be a Decimal"):
        round_nok(1.005)  # type: ignore[arg-type]


def test_rate_given_as_percent_is_refused():
    with pytest.raises(ValueError, match="fraction"):
        discount_factor(D("4"), 1)


def test_fractional_and_negative_years_are_refused():
    with pytest.raises(TypeError, match="whole number of years"):
        discount_factor(D("0.04"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="before the base year"):
        present_value({-1: D("100")})


def test_start_year_with_a_mapping_is_refused():
    with pytest.raises(ValueError, match="start_year applies to a sequence"):
        present_value({1: D("100")}, start_year=2)


def test_round_nok_rounds_half_up_to_ore():
    assert round_nok(D("0.005")) == D("0.01")
    assert round_nok(D("2.344999")) == D("2.34")


# Payback


def test_payback_never():
    # Costs 1 000 in year 0; benefits 100 a year for years 1–5: cumulative 500 < 1 000.
    assert payback_year({0: D("1000")}, [D("100")] * 5) is None


def test_payback_in_year_zero():
    # Cost 100 and benefit 150 both in year 0: covered at the end of year 0.
    assert payback_year({0: D("100")}, {0: D("150")}) == 0


def test_payback_in_the_exact_year_benefits_reach_costs():
    # Costs: 300 in year 0. Benefits: 100 in years 1, 2, 3.
    # Cumulative benefits 100, 200, 300: reach 300 exactly at the end of year 3.
    assert payback_year([D("300")], {1: D("100"), 2: D("100"), 3: D("100")}) == 3


def test_discounted_payback_comes_later():
    # Same flows at 4 %: 100/1.04 + 100/1.04² + 100/1.04³ = 96.15 + 92.46 + 88.90 = 277.51 < 300,
    # year 4 adds 100/1.04⁴ = 85.48 → 362.99 ≥ 300: paid back in year 4.
    costs = [D("300")]
    benefits = {year: D("100") for year in range(1, 6)}
    assert payback_year(costs, benefits) == 3
    assert discounted_payback_year(costs, benefits) == 4
    assert discounted_payback_year(costs, {1: D("100"), 2: D("100"), 3: D("100")}) is None


def test_payback_waits_for_the_first_cost():
    # Nothing happens in year 0, the cost comes in year 1: year 0 is not a payback year.
    assert payback_year({0: D("0"), 1: D("100")}, {2: D("100")}) == 2


def test_payback_refuses_negative_cost_and_no_cost():
    with pytest.raises(ValueError, match="negative"):
        payback_year({0: D("-5")}, {0: D("10")})
    with pytest.raises(ValueError, match="no cost"):
        payback_year({}, {0: D("10")})


# ROI


def test_roi_ratio_and_net():
    # 400 MNOK of benefits for 10 MNOK: 40 kroner per krone, net 390 MNOK.
    result = roi(400 * MNOK, 10 * MNOK)
    assert result.ratio == 40
    assert result.net == 390 * MNOK
    assert (result.benefits, result.cost) == (400 * MNOK, 10 * MNOK)


def test_roi_refuses_zero_and_negative_cost():
    with pytest.raises(ValueError, match="cost greater than 0"):
        roi(D("100"), D("0"))
    with pytest.raises(ValueError, match="cost greater than 0"):
        roi(D("100"), D("-1"))


# Ranges


def test_estimate_must_be_ordered():
    with pytest.raises(ValueError, match="low ≤ expected ≤ high"):
        Estimate(D("5"), D("4"), D("6"))
    with pytest.raises(TypeError, match="low must be a Decimal"):
        Estimate(4.0, D("5"), D("6"))  # type: ignore[arg-type]


def test_ranges_add_bound_by_bound():
    # (300, 400, 500) + (10, 20, 40) = (310, 420, 540)
    a = Estimate(D("300"), D("400"), D("500"))
    b = Estimate(D("10"), D("20"), D("40"))
    assert a + b == Estimate(D("310"), D("420"), D("540"))
    assert sum_estimates([a, b, b]) == Estimate(D("320"), D("440"), D("580"))
    assert sum_estimates([]) == Estimate.exact(D("0"))


def test_scaling_and_a_negative_factor_turns_the_range_round():
    a = Estimate(D("1"), D("2"), D("4"))
    assert a * D("3") == Estimate(D("3"), D("6"), D("12"))
    assert D("3") * a == a * 3
    assert a * D("-1") == Estimate(D("-4"), D("-2"), D("-1"))
    assert a / D("2") == Estimate(D("0.5"), D("1"), D("2"))
    with pytest.raises(TypeError, match="factor must be a Decimal"):
        a * 1.5


def test_estimate_from_confidence_worked_examples():
    # 200 000 a year measured: high ±10 % → 180 000–220 000, expected ±25 % → 150 000–250 000,
    # low ±50 % → 100 000–300 000.
    value = D("200000")
    assert estimate_from(value, Confidence.HIGH) == Estimate(D("180000"), value, D("220000"))
    assert estimate_from(value, "expected") == Estimate(D("150000"), value, D("250000"))
    assert estimate_from(value, "low") == Estimate(D("100000"), value, D("300000"))


def test_estimate_from_with_the_callers_own_margins():
    margins = {**CONFIDENCE_MARGINS, Confidence.HIGH: D("0")}
    assert estimate_from(D("100"), "high", margins).is_exact
    assert CONFIDENCE_MARGINS[Confidence.HIGH] == D("0.10")


def test_estimate_from_a_loss_keeps_the_bounds_in_order():
    # −100 at ±50 %: −150 … −50
    assert estimate_from(D("-100"), "low") == Estimate(D("-150"), D("-100"), D("-50"))


def test_estimate_from_refuses_unknown_confidence():
    with pytest.raises(ValueError, match="use one of low, expected, high"):
        estimate_from(D("1"), "certain")


def test_present_value_of_a_range():
    # (90, 100, 110) in years 1 and 2 at 4 %: each bound · (0.9615384615 + 0.9245562130)
    # = each bound · 1.8860946746 → 169.75, 188.61, 207.47
    flows = [Estimate(D("90"), D("100"), D("110"))] * 2
    pv = present_value_range(flows, start_year=1)
    assert tuple(round_nok(x) for x in (pv.low, pv.expected, pv.high)) == (
        D("169.75"),
        D("188.61"),
        D("207.47"),
    )
    assert pv.expected == present_value([D("100")] * 2, start_year=1)


# Aggregation


def _rows() -> list[Row]:
    return [
        Row("m1", {"year": 2023, "partner": "Oslo"}, Estimate(D("90"), D("100"), D("110"))),
        Row("m2", {"year": 2023, "partner": "Bergen"}, Estimate(D("40"), D("50"), D("60"))),
        Row("m3", {"year": 2024, "partner": "Oslo"}, Estimate(D("150"), D("200"), D("250"))),
        Row("m4", {"year": 2024}, Estimate.exact(D("5"))),
    ]


def test_aggregation_worked_example():
    # Overall: lows 90+40+150+5 = 285, expected 100+50+200+5 = 355, highs 110+60+250+5 = 425.
    # 2023: m1 + m2 = (130, 150, 170); 2024: m3 + m4 = (155, 205, 255).
    # Oslo: m1 + m3 = (240, 300, 360); Bergen: m2; no partner: m4.
    result = aggregate(_rows())
    assert result.total.value == Estimate(D("285"), D("355"), D("425"))
    assert result.total.row_ids == ("m1", "m2", "m3", "m4")
    assert result.by["year"][2023].value == Estimate(D("130"), D("150"), D("170"))
    assert result.by["year"][2024].row_ids == ("m3", "m4")
    assert result.by["partner"]["Oslo"].value == Estimate(D("240"), D("300"), D("360"))
    assert result.by["partner"][None].row_ids == ("m4",)


def test_every_total_equals_the_sum_of_its_drill_down_rows():
    result = aggregate(_rows())
    totals = [result.total, *(t for groups in result.by.values() for t in groups.values())]
    for total in totals:
        assert sum_estimates(row.value for row in result.rows_behind(total)) == total.value


def test_each_breakdown_adds_up_to_the_headline_total():
    result = aggregate(_rows())
    for key, groups in result.by.items():
        assert sum_estimates(t.value for t in groups.values()) == result.total.value, key
        ids = [row_id for t in groups.values() for row_id in t.row_ids]
        assert Counter(ids) == Counter(result.total.row_ids), key


def test_duplicate_row_ids_are_refused():
    row = Row("m1", {}, Estimate.exact(D("1")))
    with pytest.raises(ValueError, match="appears twice"):
        aggregate([row, row])


def test_no_rows_aggregate_to_zero():
    result = aggregate([])
    assert result.total.value == Estimate.exact(D("0"))
    assert result.total.row_ids == ()
    assert result.by == {}


# Headline


def test_headline_for_10_mnok_and_400_mnok_expected():
    # Benefits 300–500 MNOK, expected 400, for 10 MNOK: ratios 30, 40, 50.
    benefits = Estimate(300 * MNOK, 400 * MNOK, 500 * MNOK)
    result = headline(10 * MNOK, benefits)
    assert result.sentence == "10 MNOK invested → 400 MNOK in benefits (range 300–500)"
    assert result.invested == 10 * MNOK
    assert result.benefits == benefits
    assert result.ratio == Estimate(D("30"), D("40"), D("50"))


def test_headline_shows_one_decimal_where_needed_and_no_range_when_exact():
    # 2 450 000 → 2.5 (half up); 36 049 999 → 36.0 → "36"
    result = headline(D("2450000"), Estimate.exact(D("36049999")))
    assert result.sentence == "2.5 MNOK invested → 36 MNOK in benefits"


def test_headline_refuses_zero_cost():
    with pytest.raises(ValueError, match="cost greater than 0"):
        headline(D("0"), Estimate.exact(D("1")))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("10000000"), "10"),
        (D("12345678"), "12.3"),
        (D("1234500000"), "1,234.5"),
        (D("40000"), "0.04"),
        (D("0"), "0"),
        (D("-1500000"), "\u22121.5"),
    ],
)
def test_format_mnok(amount, text):
    assert format_mnok(amount) == text
