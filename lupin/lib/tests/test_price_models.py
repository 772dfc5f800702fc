"""Price models against hand-computed worked examples.

The running example: three tenders, Smax = 10,
    A = 100 000 NOK, B = 125 000 NOK, C = 200 000 NOK, so Pmin = 100 000 and Pmax = 200 000.
"""

from decimal import Decimal

import pytest

from lupin.lib.price_models import (
    Evaluation,
    PriceModel,
    rank,
    score_prices,
    weighted_total,
)

D = Decimal
PRICES = {"A": D("100000"), "B": D("125000"), "C": D("200000")}
SMAX = D("10")


def test_proportional_worked_example():
    # S = Smax · Pmin / P
    # A: 10 · 100 000 / 100 000 = 10
    # B: 10 · 100 000 / 125 000 = 8
    # C: 10 · 100 000 / 200 000 = 5
    scores = score_prices(PriceModel.PROPORTIONAL, PRICES, SMAX)
    assert scores == {"A": D("10.00"), "B": D("8.00"), "C": D("5.00")}


def test_linear_zero_point_k1_worked_example():
    # S = max(0, Smax · (1 − (P − Pmin) / (k · Pmin))), k = 1 so k · Pmin = 100 000
    # A: 10 · (1 − 0 / 100 000)       = 10
    # B: 10 · (1 − 25 000 / 100 000)  = 10 · 0.75 = 7.5
    # C: 10 · (1 − 100 000 / 100 000) = 0   (twice the lowest price scores 0)
    scores = score_prices(PriceModel.LINEAR_ZERO_POINT, PRICES, SMAX, k=D("1"))
    assert scores == {"A": D("10.00"), "B": D("7.50"), "C": D("0.00")}


def test_linear_zero_point_k_half_worked_example():
    # k = 0.5 so k · Pmin = 50 000: 50 % dearer than the lowest scores 0
    # A: 10 · (1 − 0 / 50 000)        = 10
    # B: 10 · (1 − 25 000 / 50 000)   = 10 · 0.5 = 5
    # C: 10 · (1 − 100 000 / 50 000)  = 10 · (−1) = −10 → floored at 0
    scores = score_prices(PriceModel.LINEAR_ZERO_POINT, PRICES, SMAX, k=D("0.5"))
    assert scores == {"A": D("10.00"), "B": D("5.00"), "C": D("0.00")}


def test_linear_min_max_worked_example():
    # S = Smax · (Pmax − P) / (Pmax − Pmin), Pmax − Pmin = 100 000
    # A: 10 · 100 000 / 100 000 = 10
    # B: 10 · 75 000 / 100 000  = 7.5
    # C: 10 · 0 / 100 000       = 0
    scores = score_prices(PriceModel.LINEAR_MIN_MAX, PRICES, SMAX)
    assert scores == {"A": D("10.00"), "B": D("7.50"), "C": D("0.00")}


def test_linear_min_max_with_equal_prices_gives_everyone_smax():
    scores = score_prices("linear_min_max", {"A": D("5000"), "B": D("5000")}, SMAX)
    assert scores == {"A": D("10.00"), "B": D("10.00")}


def test_a_single_tender_gets_smax_in_every_model():
    for model, k in [("proportional", None), ("linear_zero_point", D(1)), ("linear_min_max", None)]:
        assert score_prices(model, {"A": D("999")}, SMAX, k) == {"A": D("10.00")}


def test_scores_are_rounded_half_up_to_two_decimals():
    # Linear min-max, Pmin 100 000, Pmax 300 000, P = 277 500:
    # 10 · 22 500 / 200 000 = 1.125 → 1.13 half up (banker's rounding would give 1.12)
    prices = {"A": D("100000"), "B": D("277500"), "C": D("300000")}
    assert score_prices(PriceModel.LINEAR_MIN_MAX, prices, SMAX)["B"] == D("1.13")
    # Proportional, 10 · 100 000 / 300 000 = 3.333… → 3.33
    assert score_prices(PriceModel.PROPORTIONAL, prices, SMAX)["C"] == D("3.33")


def test_rounding_happens_at_the_end_only():
    # k = 3, P = 200 000: 1 − 100 000 / 300 000 = 0.6666…; · 10 = 6.666… → 6.67.
    # Rounding the fraction first (0.67 · 10) would give 6.70.
    prices = {"A": D("100000"), "C": D("200000")}
    assert score_prices(PriceModel.LINEAR_ZERO_POINT, prices, SMAX, k=D(3))["C"] == D("6.67")


@pytest.mark.parametrize("price", [D("0"), D("-1"), 0])
def test_non_positive_price_is_refused_naming_the_tender(price):
    with pytest.raises(ValueError, match="tender Rival AS must be greater than 0"):
        score_prices("proportional", {"Acme": D("100"), "Rival AS": price}, SMAX)


def test_float_prices_are_refused():
    with pytest.raises(TypeError, match="Decimal"):
        score_prices("proportional", {"A": 100.0}, SMAX)  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("model", "k", "message"),
    [
        ("linear_zero_point", None, "needs k"),
        ("linear_zero_point", D(0), "k must be greater than 0"),
        ("linear_zero_point", D("-0.5"), "k must be greater than 0"),
        ("proportional", D(1), "k applies only"),
    ],
)
def test_k_is_checked(model, k, message):
    with pytest.raises(ValueError, match=message):
        score_prices(model, PRICES, SMAX, k)


def test_unknown_model_and_bad_smax_are_refused():
    with pytest.raises(ValueError):
        score_prices("cheapest_wins", PRICES, SMAX)
    with pytest.raises(ValueError, match="Smax"):
        score_prices("proportional", PRICES, D(0))


def test_no_tenders_no_scores():
    assert score_prices("proportional", {}, SMAX) == {}


def test_weighted_total():
    # price 8.00 · 40 % + quality 6.50 · 60 % = 3.20 + 3.90 = 7.10
    total = weighted_total(
        {"price": D("8.00"), "quality": D("6.50")}, {"price": D(40), "quality": D(60)}
    )
    assert total == D("7.10")


def test_weighted_total_rounds_half_up():
    # 3.33 · 45 % + 8 · 55 % = 1.4985 + 4.4 = 5.8985 → 5.90
    total = weighted_total(
        {"price": D("3.33"), "quality": D(8)}, {"price": D(45), "quality": D(55)}
    )
    assert total == D("5.90")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"price": D(60), "quality": D(30)}, "sum to 90 %, not 100 %"),
        ({"price": D("33.33"), "quality": D("66.66")}, "sum to 99.99 %"),
        ({"price": D(110), "quality": D(-10)}, "between 0 and 100"),
    ],
)
def test_weights_must_sum_to_100(weights, message):
    with pytest.raises(ValueError, match=message):
        weighted_total({"price": D(5), "quality": D(5)}, weights)


def test_weighted_total_needs_exactly_the_weighted_criteria():
    weights = {"price": D(50), "quality": D(50)}
    with pytest.raises(ValueError, match="No score for criterion quality"):
        weighted_total({"price": D(5)}, weights)
    with pytest.raises(ValueError, match="environment has a score but no weight"):
        weighted_total({"price": D(5), "quality": D(5), "environment": D(5)}, weights)


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    ranks = rank({"X": D("7.50"), "Z": D("6.00"), "Y": D("7.50"), "W": D("5.99")})
    assert ranks == {"X": 1, "Y": 1, "Z": 3, "W": 4}
    assert list(ranks) == ["X", "Y", "Z", "W"]


# The reversal example. Weights: price 40 %, quality 60 %, proportional model, Smax 10.
#   A = 1 000 000 NOK, quality 6;  B = 1 500 000 NOK, quality 8;  C = 500 000 NOK, quality 2.
# With all three (Pmin = 500 000):
#   price scores A 10·0.5 = 5.00, B 10·⅓ = 3.33, C 10.00
#   totals A 5·0.4 + 6·0.6 = 2 + 3.6 = 5.60
#          B 3.33·0.4 + 8·0.6 = 1.332 + 4.8 = 6.132 → 6.13
#          C 10·0.4 + 2·0.6 = 4 + 1.2 = 5.20
#   ranking B (1), A (2), C (3)
# Without C, the last-placed tender (Pmin = 1 000 000):
#   price scores A 10.00, B 10·⅔ = 6.67
#   totals A 10·0.4 + 6·0.6 = 4 + 3.6 = 7.60
#          B 6.67·0.4 + 8·0.6 = 2.668 + 4.8 = 7.468 → 7.47
#   ranking A (1), B (2): removing the cheapest, worst tender changes the winner.
def reversal_example(model: PriceModel = PriceModel.PROPORTIONAL) -> Evaluation[str]:
    return Evaluation(
        model=model,
        prices={"A": D("1000000"), "B": D("1500000"), "C": D("500000")},
        scores={"A": {"quality": D(6)}, "B": {"quality": D(8)}, "C": {"quality": D(2)}},
        weights={"price": D(40), "quality": D(60)},
        smax=SMAX,
    )


def test_evaluation_totals_and_ranks():
    evaluation = reversal_example()
    assert evaluation.price_scores() == {"A": D("5.00"), "B": D("3.33"), "C": D("10.00")}
    assert evaluation.totals() == {"A": D("5.60"), "B": D("6.13"), "C": D("5.20")}
    assert evaluation.ranks() == {"B": 1, "A": 2, "C": 3}


def test_removing_a_tender_reverses_the_ranking_under_the_proportional_model():
    result = reversal_example().rank_without("C")
    assert result.totals_after == {"A": D("7.60"), "B": D("7.47")}
    assert result.ranks_before == {"B": 1, "A": 2}
    assert result.ranks_after == {"A": 1, "B": 2}
    assert result.changed
    assert result.winner_changed
    assert {(c.tender, c.before, c.after) for c in result.changes} == {("A", 2, 1), ("B", 1, 2)}
    assert result.description == "without tender C"


def test_removing_a_tender_reverses_the_ranking_under_the_linear_min_max_model():
    # Linear min-max, same tenders and weights.
    # With all three (Pmin 500 000, Pmax 1 500 000, spread 1 000 000):
    #   price scores A 10·500 000/1 000 000 = 5.00, B 0.00, C 10.00
    #   totals A 2 + 3.6 = 5.60, B 0 + 4.8 = 4.80, C 4 + 1.2 = 5.20 → A, C, B
    # Without B, the dearest (Pmin 500 000, Pmax 1 000 000):
    #   price scores A 0.00, C 10.00
    #   totals A 0 + 3.6 = 3.60, C 5.20 → C, A: A and C swap places.
    evaluation = reversal_example(PriceModel.LINEAR_MIN_MAX)
    assert evaluation.ranks() == {"A": 1, "C": 2, "B": 3}
    result = evaluation.rank_without("B")
    assert result.totals_after == {"A": D("3.60"), "C": D("5.20")}
    assert result.winners_before == {"A"}
    assert result.winners_after == {"C"}


def test_removing_a_tender_that_changes_nothing_reports_no_change():
    # Without B (Pmin stays 500 000): A 5.60, C 5.20 → order A, C as before.
    result = reversal_example().rank_without("B")
    assert result.ranks_before == {"A": 1, "C": 2}
    assert result.ranks_after == {"A": 1, "C": 2}
    assert not result.changed
    assert not result.winner_changed


def test_moving_five_points_of_weight_can_swap_places():
    # 5 points from quality to price: price 45 %, quality 55 %.
    #   A 5·0.45 + 6·0.55 = 2.25 + 3.3 = 5.55
    #   B 3.33·0.45 + 8·0.55 = 1.4985 + 4.4 = 5.8985 → 5.90
    #   C 10·0.45 + 2·0.55 = 4.5 + 1.1 = 5.60
    # Before B, A, C; after B, C, A: A and C swap, the winner stays.
    result = reversal_example().weight_shift("quality", "price")
    assert result.totals_after == {"A": D("5.55"), "B": D("5.90"), "C": D("5.60")}
    assert result.ranks_after == {"B": 1, "C": 2, "A": 3}
    assert {(c.tender, c.before, c.after) for c in result.changes} == {("A", 2, 3), ("C", 3, 2)}
    assert not result.winner_changed
    assert result.description == "5 points from quality to price"


def test_weight_shift_is_checked():
    evaluation = reversal_example()
    with pytest.raises(ValueError, match="no criterion delivery"):
        evaluation.weight_shift("delivery", "price")
    with pytest.raises(ValueError, match="cannot give 50 points"):
        evaluation.weight_shift("price", "quality", 50)
    with pytest.raises(ValueError, match="positive"):
        evaluation.weight_shift("price", "quality", 0)


def test_all_removals_and_shifts_for_the_sensitivity_view():
    evaluation = reversal_example()
    assert [s.description for s in evaluation.removals()] == [
        "without tender A",
        "without tender B",
        "without tender C",
    ]
    assert [s.description for s in evaluation.weight_shifts()] == [
        "5 points from price to quality",
        "5 points from quality to price",
    ]


def test_evaluation_is_checked_up_front():
    with pytest.raises(ValueError, match="sum to 90"):
        Evaluation("proportional", {"A": D(1)}, {"A": {}}, {"price": D(90)}, SMAX)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="price criterion price has no weight"):
        Evaluation(PriceModel.PROPORTIONAL, {"A": D(1)}, {"A": {}}, {"quality": D(100)}, SMAX)
    with pytest.raises(ValueError, match="both a price and scores"):
        Evaluation(PriceModel.PROPORTIONAL, {"A": D(1)}, {}, {"price": D(100)}, SMAX)
    with pytest.raises(ValueError, match="no tender Z"):
        reversal_example().rank_without("Z")


def test_missing_quality_score_names_the_tender():
    evaluation = Evaluation(
        PriceModel.PROPORTIONAL,
        {"A": D(1), "B": D(2)},
        {"A": {"quality": D(5)}, "B": {}},
        {"price": D(50), "quality": D(50)},
        SMAX,
    )
    with pytest.raises(ValueError, match="Tender B: No score for criterion quality"):
        evaluation.totals()
