"""Price models, weighted totals, ranking and sensitivity for award on best price-quality ratio.

Decimal only, never float. The three models are the common ones in DOMAIN.md ("Evaluation"),
with Pmin the lowest and Pmax the highest evaluated price among the tenders scored together:

- proportional:                 S = Smax · Pmin / P
- linear with a zero point:     S = max(0, Smax · (1 − (P − Pmin) / (k · Pmin))), k > 0
                                (k = 1: a price twice the lowest scores 0)
- linear between lowest and highest:
                                S = Smax · (Pmax − P) / (Pmax − Pmin); all prices equal → Smax

Every model is relative: a score depends on the other tenders' prices, so adding or removing one
tender can reverse the order of two others. `Evaluation.rank_without()` and
`Evaluation.weight_shift()` show evaluators that sensitivity.

Rounding: price scores are computed at full Decimal precision and rounded once, to two decimals
with ROUND_HALF_UP, at the end. Weighted totals are computed from those published scores and
rounded the same way, and ranks are taken from the rounded totals, so the figures a tenderer sees
always explain the ranking.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


class PriceModel(StrEnum):
    PROPORTIONAL = "proportional"
    LINEAR_ZERO_POINT = "linear_zero_point"
    LINEAR_MIN_MAX = "linear_min_max"


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _decimal(value: object, what: str) -> Decimal:
    """Accept Decimal or int; refuse float (binary rounding) and bool with a TypeError."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}.")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} is not a finite number.")
    return number


# The three formulas, unrounded. They trust their arguments; score_prices() validates.


def proportional(price: Decimal, pmin: Decimal, smax: Decimal) -> Decimal:
    return smax * pmin / price


def linear_zero_point(price: Decimal, pmin: Decimal, smax: Decimal, k: Decimal) -> Decimal:
    return max(Decimal(0), smax * (1 - (price - pmin) / (k * pmin)))


def linear_min_max(price: Decimal, pmin: Decimal, pmax: Decimal, smax: Decimal) -> Decimal:
    if pmax == pmin:
        return smax
    return smax * (pmax - price) / (pmax - pmin)


def score_prices(
    model: PriceModel | str,
    prices: Mapping[K, Decimal],
    smax: Decimal,
    k: Decimal | None = None,
) -> dict[K, Decimal]:
    """Tender → price score, rounded to two decimals (ROUND_HALF_UP) at the end only.

    Pmin and Pmax are taken over the given tenders, so pass exactly the tenders being evaluated
    (rejected tenders left out). Raises ValueError for a non-positive price (naming the tender),
    a non-positive Smax, a missing or non-positive k for the zero-point model, or a k given to a
    model that has none.
    """
    model = PriceModel(model)
    smax = _decimal(smax, "Smax")
    if smax <= 0:
        raise ValueError("Smax must be greater than 0.")
    if model is PriceModel.LINEAR_ZERO_POINT:
        if k is None:
            raise ValueError("The linear model with a zero point needs k (k = 1: twice Pmin is 0).")
        k = _decimal(k, "k")
        if k <= 0:
            raise ValueError("k must be greater than 0.")
    elif k is not None:
        raise ValueError(f"k applies only to the linear model with a zero point, not to {model}.")
    checked: dict[K, Decimal] = {}
    for key, price in prices.items():
        value = _decimal(price, f"The price of tender {key}")
        if value <= 0:
            raise ValueError(f"The price of tender {key} must be greater than 0 (got {value}).")
        checked[key] = value
    if not checked:
        return {}
    pmin = min(checked.values())
    pmax = max(checked.values())
    if model is PriceModel.PROPORTIONAL:
        raw = {key: proportional(p, pmin, smax) for key, p in checked.items()}
    elif model is PriceModel.LINEAR_ZERO_POINT:
        assert k is not None  # noqa: S101 (checked above; narrows the type)
        raw = {key: linear_zero_point(p, pmin, smax, k) for key, p in checked.items()}
    else:
        raw = {key: linear_min_max(p, pmin, pmax, smax) for key, p in checked.items()}
    return {key: _round(score) for key, score in raw.items()}


def check_weights(weights: Mapping[str, Decimal]) -> None:
    """Raise ValueError unless every weight is between 0 and 100 and they sum to exactly 100."""
    for criterion, weight in weights.items():
        value = _decimal(weight, f"The weight of {criterion}")
        if not 0 <= value <= HUNDRED:
            raise ValueError(f"The weight of {criterion} must be between 0 and 100 (got {value}).")
    total = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total != HUNDRED:
        raise ValueError(f"The weights sum to {total} %, not 100 %.")


def weighted_total(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """Σ score · weight / 100, rounded to two decimals; the total is on the scores' own scale.

    The weights (percent) must sum to 100 and every weighted criterion needs exactly one score.
    """
    check_weights(weights)
    missing = [c for c in weights if c not in scores]
    if missing:
        raise ValueError(f"No score for criterion {', '.join(map(str, missing))}.")
    unknown = [c for c in scores if c not in weights]
    if unknown:
        raise ValueError(f"Criterion {', '.join(map(str, unknown))} has a score but no weight.")
    total = sum(
        (
            _decimal(scores[c], f"The score for {c}") * Decimal(w) / HUNDRED
            for c, w in weights.items()
        ),
        Decimal(0),
    )
    return _round(total)


def rank(totals: Mapping[K, Decimal]) -> dict[K, int]:
    """Tender → rank, highest total first; equal totals share a rank and the next rank is skipped
    ("1, 1, 3"). The result is ordered by rank, ties in the order given."""
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    ranks: dict[K, int] = {}
    for position, (key, total) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        if previous is not None and previous[1] == total:
            ranks[key] = ranks[previous[0]]
        else:
            ranks[key] = position
    return ranks


@dataclass(frozen=True, slots=True)
class RankChange(Generic[K]):
    tender: K
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class Sensitivity(Generic[K]):
    """What one change to the evaluation does to the ranking.

    `ranks_before` covers the same tenders as `ranks_after`: when a tender is removed, the
    original totals are re-ranked without it, so a tender that moves up merely because the
    removed one stood above it is not reported as a change. `changes` lists only tenders whose
    place among the others really moved.
    """

    description: str
    totals_before: dict[K, Decimal]
    totals_after: dict[K, Decimal]
    ranks_before: dict[K, int]
    ranks_after: dict[K, int]
    changes: tuple[RankChange[K], ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def winners_before(self) -> frozenset[K]:
        return frozenset(key for key, r in self.ranks_before.items() if r == 1)

    @property
    def winners_after(self) -> frozenset[K]:
        return frozenset(key for key, r in self.ranks_after.items() if r == 1)

    @property
    def winner_changed(self) -> bool:
        return self.winners_before != self.winners_after


def _compare(
    description: str,
    totals_before: dict[K, Decimal],
    totals_after: dict[K, Decimal],
) -> Sensitivity[K]:
    before = rank({key: totals_before[key] for key in totals_after})
    after = rank(totals_after)
    changes = tuple(
        RankChange(key, before[key], after[key]) for key in after if before[key] != after[key]
    )
    return Sensitivity(
        description=description,
        totals_before={key: totals_before[key] for key in totals_after},
        totals_after=totals_after,
        ranks_before=before,
        ranks_after=after,
        changes=changes,
    )


@dataclass(frozen=True)
class Evaluation(Generic[K]):
    """One evaluation: prices, the other criteria's scores and the weights.

    `weights` holds every criterion including the price criterion (named `price_criterion`);
    `scores` holds, for each tender, the score of every other criterion (usually consensus
    scores on the same 0–Smax scale as the price score).
    """

    model: PriceModel
    prices: Mapping[K, Decimal]
    scores: Mapping[K, Mapping[str, Decimal]]
    weights: Mapping[str, Decimal]
    smax: Decimal
    k: Decimal | None = None
    price_criterion: str = "price"

    def __post_init__(self) -> None:
        check_weights(self.weights)
        if self.price_criterion not in self.weights:
            raise ValueError(f"The price criterion {self.price_criterion} has no weight.")
        if set(self.prices) != set(self.scores):
            raise ValueError("Every tender needs both a price and scores, and nothing else.")

    def price_scores(self) -> dict[K, Decimal]:
        return score_prices(self.model, self.prices, self.smax, self.k)

    def totals(self) -> dict[K, Decimal]:
        return self._totals(self.prices, self.weights)

    def ranks(self) -> dict[K, int]:
        return rank(self.totals())

    def _totals(
        self, prices: Mapping[K, Decimal], weights: Mapping[str, Decimal]
    ) -> dict[K, Decimal]:
        price_scores = score_prices(self.model, prices, self.smax, self.k)
        totals: dict[K, Decimal] = {}
        for key, price_score in price_scores.items():
            criteria = {**self.scores[key], self.price_criterion: price_score}
            try:
                totals[key] = weighted_total(criteria, weights)
            except ValueError as error:
                raise ValueError(f"Tender {key}: {error}") from None
        return totals

    def rank_without(self, tender: K) -> Sensitivity[K]:
        """Recompute the relative price scores without `tender` and report who changes place."""
        if tender not in self.prices:
            raise ValueError(f"There is no tender {tender} in this evaluation.")
        rest = {key: price for key, price in self.prices.items() if key != tender}
        return _compare(f"without tender {tender}", self.totals(), self._totals(rest, self.weights))

    def weight_shift(
        self, criterion_a: str, criterion_b: str, points: Decimal | int = 5
    ) -> Sensitivity[K]:
        """Move `points` percentage points of weight from criterion A to criterion B."""
        amount = _decimal(points, "points")
        for criterion in (criterion_a, criterion_b):
            if criterion not in self.weights:
                raise ValueError(f"There is no criterion {criterion} in this evaluation.")
        if criterion_a == criterion_b:
            raise ValueError("Move weight between two different criteria.")
        if amount <= 0:
            raise ValueError("Move a positive number of points.")
        weights = dict(self.weights)
        if weights[criterion_a] - amount < 0 or weights[criterion_b] + amount > HUNDRED:
            raise ValueError(f"{criterion_a} cannot give {amount} points to {criterion_b}.")
        weights[criterion_a] -= amount
        weights[criterion_b] += amount
        return _compare(
            f"{amount} points from {criterion_a} to {criterion_b}",
            self.totals(),
            self._totals(self.prices, weights),
        )

    def removals(self) -> list[Sensitivity[K]]:
        """`rank_without()` for each tender in turn (an evaluation needs at least two)."""
        return [self.rank_without(key) for key in self.prices] if len(self.prices) > 1 else []

    def weight_shifts(self, points: Decimal | int = 5) -> list[Sensitivity[K]]:
        """`weight_shift()` for every ordered pair of criteria where the move is possible."""
        amount = _decimal(points, "points")
        return [
            self.weight_shift(a, b, amount)
            for a, b in _pairs(self.weights)
            if self.weights[a] >= amount and self.weights[b] + amount <= HUNDRED
        ]


def _pairs(items: Iterable[str]) -> list[tuple[str, str]]:
    names = list(items)
    return [(a, b) for a in names for b in names if a != b]
