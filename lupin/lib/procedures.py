"""The procedure advisor: which rules apply to a purchase, which procedures, which deadlines.

Everything that is law or a number lives in data, not in scattered code:

- the thresholds are dated rows in `data/thresholds.csv` (they change every two years);
- the procedures allowed in each regime, with their conditions in plain English, are `OPTIONS`;
- every minimum deadline is one row of `DEADLINE_RULES`.

[verify] The legal references and day counts below come from DOMAIN.md and Directive 2014/24,
not from a lawyer's reading of the current FOA. In particular, to be checked against lovdata.no
before Lupin is used for real: the paragraph numbers FOA § 20-1, § 20-2, § 20-3 (minimum
deadlines in part III), § 25-2 (standstill), § 13-2 (conditions for negotiation and dialogue),
§ 2-5 (research and development exception), § 7-9 (climate and environment) and § 5-4
(estimated value); the 35/30-day open deadline, the 30-day request deadline, the 25/30-day
restricted tender deadline, the 6-day clarification rule (Directive 2014/24 art. 53(2)) and the
10-day standstill; and how forsyningsforskriften (utilities) treats purchases below the EEA
threshold.

Rows marked `legal=False` are Lupin defaults, not law: FOA part II asks only for "reasonable"
deadlines, pre-commercial procurement is outside FOA, and for utilities Lupin applies the FOA
part III figures as a safe default (the utilities rules allow shorter periods in some cases).
A deadline shorter than a legal minimum is an error; shorter than a Lupin default, a warning.

A value exactly at a threshold counts as at or above it ("not less than", Directive 2014/24
art. 1(1)). Deadlines are counted in whole calendar days in Europe/Oslo: a deadline on the 30th
day after the day the notice was sent is "30 days", whatever the hour. The extension of a period
that ends on a Saturday, Sunday or public holiday (Regulation 1182/71, via FOA § 7-6) is not
applied [verify]; nor are the shorter deadlines allowed after a prior information notice or in
urgency, which need a recorded justification and are left to the buyer's lawyer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from lupin.lib.money import format_nok

_DATA = Path(__file__).resolve().parent / "data" / "thresholds.csv"
OSLO = ZoneInfo("Europe/Oslo")

Buyer = Literal["central", "other"]
Purchase = Literal["goods_services", "works"]
Severity = Literal["error", "warning"]


class Regime(StrEnum):
    OUTSIDE_ACT = "outside_act"  # below the Act's lower limit
    PART_I = "part_i"  # the Act applies, below the national threshold
    PART_II = "part_ii"  # national threshold ≤ value < EEA threshold
    PART_III = "part_iii"  # value ≥ EEA threshold
    UTILITIES_BELOW_EEA = "utilities_below_eea"
    UTILITIES_EEA = "utilities_eea"


class Procedure(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    NEGOTIATION = "negotiation"  # competitive procedure with negotiation, prior publication
    COMPETITIVE_DIALOGUE = "competitive_dialogue"
    INNOVATION_PARTNERSHIP = "innovation_partnership"
    SIMPLIFIED_NATIONAL = "simplified_national"  # FOA part II
    PCP = "pcp"  # pre-commercial procurement, outside FOA


class Notice(StrEnum):
    DOFFIN = "doffin"
    TED = "ted"


PROCEDURE_NAMES: dict[Procedure, str] = {
    Procedure.OPEN: "an open procedure",
    Procedure.RESTRICTED: "a restricted procedure",
    Procedure.NEGOTIATION: "a competitive procedure with negotiation",
    Procedure.COMPETITIVE_DIALOGUE: "a competitive dialogue",
    Procedure.INNOVATION_PARTNERSHIP: "an innovation partnership",
    Procedure.SIMPLIFIED_NATIONAL: "a simplified national competition",
    Procedure.PCP: "a pre-commercial procurement",
}

_TWO_STAGE = frozenset(
    {
        Procedure.RESTRICTED,
        Procedure.NEGOTIATION,
        Procedure.COMPETITIVE_DIALOGUE,
        Procedure.INNOVATION_PARTNERSHIP,
    }
)

# ---------------------------------------------------------------------------------------------
# Thresholds


class ThresholdsUnknown(ValueError):
    """No threshold data for the date asked; the message says which dates are covered."""


@dataclass(frozen=True, slots=True)
class Threshold:
    kind: str
    amount_nok: Decimal
    valid_from: date
    valid_to: date  # inclusive
    source: str


THRESHOLD_KINDS = (
    "act",
    "national",
    "eea_central_goods_services",
    "eea_other_goods_services",
    "eea_works",
    "eea_utilities_goods_services",
)


@cache
def all_thresholds() -> tuple[Threshold, ...]:
    """Every row of the data file; raises ValueError if a row is malformed or overlaps another."""
    rows: list[Threshold] = []
    with _DATA.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                threshold = Threshold(
                    kind=row["kind"],
                    amount_nok=Decimal(row["amount_nok"]),
                    valid_from=date.fromisoformat(row["valid_from"]),
                    valid_to=date.fromisoformat(row["valid_to"]),
                    source=row["source"],
                )
            except (KeyError, InvalidOperation, ValueError) as error:
                raise ValueError(f"{_DATA.name} line {line}: {error}") from None
            if threshold.kind not in THRESHOLD_KINDS or threshold.valid_to < threshold.valid_from:
                raise ValueError(f"{_DATA.name} line {line}: unknown kind or empty period.")
            for other in rows:
                if other.kind == threshold.kind and not (
                    threshold.valid_to < other.valid_from or other.valid_to < threshold.valid_from
                ):
                    raise ValueError(
                        f"{_DATA.name} line {line}: overlaps another {other.kind} row."
                    )
            rows.append(threshold)
    return tuple(rows)


def thresholds_on(on: date) -> dict[str, Threshold]:
    """Kind → the threshold valid on that date; raises ThresholdsUnknown if any kind is missing."""
    if isinstance(on, datetime):
        on = on.astimezone(OSLO).date() if on.tzinfo else on.date()
    found = {t.kind: t for t in all_thresholds() if t.valid_from <= on <= t.valid_to}
    missing = [kind for kind in THRESHOLD_KINDS if kind not in found]
    if missing:
        rows = all_thresholds()
        first = min(t.valid_from for t in rows)
        last = max(t.valid_to for t in rows)
        raise ThresholdsUnknown(
            f"No procurement thresholds are recorded for {on.isoformat()} "
            f"(missing: {', '.join(missing)}); the data covers {first.isoformat()} to "
            f"{last.isoformat()}. Add the thresholds for that period to lupin/lib/data/"
            f"{_DATA.name}."
        )
    return found


# ---------------------------------------------------------------------------------------------
# Procedures allowed in each regime


@dataclass(frozen=True, slots=True)
class ProcedureOption:
    procedure: Procedure
    freely: bool  # True: allowed without conditions
    conditions: tuple[str, ...]  # each must hold
    rule: str

    @property
    def name(self) -> str:
        return PROCEDURE_NAMES[self.procedure]


_GROUNDS_13_2 = (
    "One of the grounds in FOA § 13-2 (Directive 2014/24 art. 26(4)) holds and is recorded: "
    "the need cannot be met without adapting readily available solutions; it includes design "
    "or innovative solutions; the contract cannot be awarded without negotiation because of "
    "its nature, complexity, legal or financial make-up or risks; the specifications cannot be "
    "set precisely enough by reference to a standard; or an open or restricted procedure "
    "received only irregular or unacceptable tenders."
)
_INNOVATION_PARTNERSHIP = (
    "Only for real innovation: a product, service or works not available on the market.",
    "At least 30 days to request participation.",
    "Prequalification with requirements on the candidates' research and development capacity.",
    "If the number of candidates is limited, at least 3 are invited.",
    "Negotiation is mandatory.",
    "Award on the best price-quality ratio only.",
    "Development in phases with performance levels and a maximum cost; the buyer purchases the "
    "result only if both are met.",
)
_PCP = (
    "Research and development services only, outside FOA through the R&D exception (FOA § 2-5, "
    "Directive 2014/24 art. 14): the buyer neither keeps every result for its own use alone "
    "nor pays the whole cost.",
    "Phases design → prototype → test, with at least 2 suppliers competing to the end.",
    "Buying the finished solution is a separate procurement under the ordinary rules.",
    "Lupin recommends announcing it openly (Doffin) so that every supplier can compete.",
)
_NO_RULES = "No procedure rules apply in this regime; the buyer describes the process."

_PART_III = (
    ProcedureOption(Procedure.OPEN, True, (), "FOA § 13-1"),
    ProcedureOption(Procedure.RESTRICTED, True, (), "FOA § 13-1"),
    ProcedureOption(Procedure.NEGOTIATION, False, (_GROUNDS_13_2,), "FOA § 13-2"),
    ProcedureOption(Procedure.COMPETITIVE_DIALOGUE, False, (_GROUNDS_13_2,), "FOA § 13-2"),
    ProcedureOption(
        Procedure.INNOVATION_PARTNERSHIP,
        False,
        _INNOVATION_PARTNERSHIP,
        "FOA part III / Directive 2014/24 art. 31",
    ),
    ProcedureOption(Procedure.PCP, False, _PCP, "FOA § 2-5"),
)
_PART_II = (
    ProcedureOption(Procedure.OPEN, True, (), "FOA part II"),
    ProcedureOption(Procedure.RESTRICTED, True, (), "FOA part II"),
    ProcedureOption(
        Procedure.NEGOTIATION,
        True,
        ("Say in the tender documents that the buyer will or may negotiate.",),
        "FOA part II",
    ),
    ProcedureOption(
        Procedure.COMPETITIVE_DIALOGUE,
        True,
        ("The dialogue rounds are described in the tender documents.",),
        "FOA part II",
    ),
    ProcedureOption(
        Procedure.INNOVATION_PARTNERSHIP,
        False,
        _INNOVATION_PARTNERSHIP,
        "FOA part II (Lupin applies the conditions of Directive 2014/24 art. 31)",
    ),
    ProcedureOption(
        Procedure.SIMPLIFIED_NATIONAL,
        True,
        ("The buyer sets the process in the tender documents and may negotiate.",),
        "FOA part II",
    ),
    ProcedureOption(Procedure.PCP, False, _PCP, "FOA § 2-5"),
)
_BELOW = (
    ProcedureOption(Procedure.OPEN, True, (_NO_RULES,), "anskaffelsesloven § 4"),
    ProcedureOption(Procedure.RESTRICTED, True, (_NO_RULES,), "anskaffelsesloven § 4"),
    ProcedureOption(Procedure.NEGOTIATION, True, (_NO_RULES,), "anskaffelsesloven § 4"),
    ProcedureOption(Procedure.COMPETITIVE_DIALOGUE, True, (_NO_RULES,), "anskaffelsesloven § 4"),
    ProcedureOption(
        Procedure.INNOVATION_PARTNERSHIP,
        False,
        _INNOVATION_PARTNERSHIP,
        "Lupin applies the conditions of Directive 2014/24 art. 31",
    ),
    ProcedureOption(Procedure.PCP, False, _PCP, "FOA § 2-5"),
)
_UTILITIES_EEA = (
    ProcedureOption(Procedure.OPEN, True, (), "forsyningsforskriften"),
    ProcedureOption(Procedure.RESTRICTED, True, (), "forsyningsforskriften"),
    ProcedureOption(Procedure.NEGOTIATION, True, (), "forsyningsforskriften"),
    ProcedureOption(Procedure.COMPETITIVE_DIALOGUE, True, (), "forsyningsforskriften"),
    ProcedureOption(
        Procedure.INNOVATION_PARTNERSHIP,
        False,
        _INNOVATION_PARTNERSHIP,
        "forsyningsforskriften / Directive 2014/25 art. 49",
    ),
    ProcedureOption(Procedure.PCP, False, _PCP, "forsyningsforskriften (R&D exception)"),
)

OPTIONS: dict[Regime, tuple[ProcedureOption, ...]] = {
    Regime.OUTSIDE_ACT: _BELOW,
    Regime.PART_I: _BELOW,
    Regime.PART_II: _PART_II,
    Regime.PART_III: _PART_III,
    Regime.UTILITIES_BELOW_EEA: _BELOW,
    Regime.UTILITIES_EEA: _UTILITIES_EEA,
}

NOTICES: dict[Regime, tuple[Notice, ...]] = {
    Regime.OUTSIDE_ACT: (),
    Regime.PART_I: (),
    Regime.PART_II: (Notice.DOFFIN,),
    Regime.PART_III: (Notice.DOFFIN, Notice.TED),
    Regime.UTILITIES_BELOW_EEA: (),
    Regime.UTILITIES_EEA: (Notice.DOFFIN, Notice.TED),
}

SUMMARIES: dict[Regime, str] = {
    Regime.OUTSIDE_ACT: (
        "Below the Public Procurement Act's lower limit: the Act does not apply and no notice "
        "is required."
    ),
    Regime.PART_I: (
        "FOA part I: no duty to announce; the Act's basic principles apply (competition, equal "
        "treatment, predictability, verifiability, proportionality)."
    ),
    Regime.PART_II: (
        "FOA part II: announce on Doffin; the buyer chooses the procedure and may negotiate."
    ),
    Regime.PART_III: (
        "FOA part III: announce on Doffin and TED; the EEA procedures and minimum deadlines apply."
    ),
    Regime.UTILITIES_BELOW_EEA: (
        "Utilities below the EEA threshold: forsyningsforskriften does not apply, only the Act's "
        "basic principles; no notice is required."
    ),
    Regime.UTILITIES_EEA: (
        "Utilities at or above the EEA threshold: forsyningsforskriften applies; announce on "
        "Doffin and TED."
    ),
}

_VALUE_NOTE = (
    "The estimated value is the total to be paid excluding VAT over the whole contract period, "
    "options and extensions included (FOA § 5-4). A value equal to a threshold counts as at or "
    "above it."
)


@dataclass(frozen=True, slots=True)
class Advice:
    regime: Regime
    estimated_value: Decimal
    on: date
    summary: str
    notices: tuple[Notice, ...]
    procedures: tuple[ProcedureOption, ...]
    reached: Threshold | None  # the highest threshold the value is at or above
    next_threshold: Threshold | None  # the next one up, if any
    notes: tuple[str, ...]

    def allows(self, procedure: Procedure | str) -> bool:
        return any(option.procedure == procedure for option in self.procedures)

    def option(self, procedure: Procedure | str) -> ProcedureOption:
        for option in self.procedures:
            if option.procedure == procedure:
                return option
        raise ValueError(f"{procedure} is not allowed: {self.summary}")


def advise(
    estimated_value: Decimal,
    buyer: Buyer,
    purchase: Purchase,
    on: date,
    utilities: bool = False,
) -> Advice:
    """Which regime applies to a purchase on a date, its notices, procedures and conditions.

    `buyer` is "central" (central government authorities) or "other" (municipalities,
    counties, bodies governed by public law); `purchase` is "goods_services" or "works";
    `utilities` selects forsyningsforskriften's thresholds. Raises ThresholdsUnknown for a date
    outside the data and ValueError for a bad argument.
    """
    if isinstance(estimated_value, bool) or not isinstance(estimated_value, Decimal | int):
        raise TypeError("The estimated value must be a Decimal (NOK excl. VAT), never a float.")
    value = Decimal(estimated_value)
    if not value.is_finite() or value < 0:
        raise ValueError("The estimated value must be a positive amount in NOK excl. VAT.")
    if buyer not in ("central", "other"):
        raise ValueError(f"Unknown buyer type {buyer!r}: use 'central' or 'other'.")
    if purchase not in ("goods_services", "works"):
        raise ValueError(f"Unknown purchase kind {purchase!r}: use 'goods_services' or 'works'.")
    stale_note = ""
    try:
        rows = thresholds_on(on)
    except ThresholdsUnknown:
        # After the last recorded period the newest thresholds still guide better than nothing
        # (they change every two years); the advice says so. Before the data: no guess.
        latest = max(t.valid_to for t in all_thresholds())
        if on <= latest:
            raise
        rows = thresholds_on(latest)
        stale_note = (
            f"No thresholds are recorded for {on.isoformat()}: these are the ones valid until "
            f"{latest.isoformat()}. Check the current thresholds and add them to "
            f"lupin/lib/data/{_DATA.name}."
        )
    if purchase == "works":
        eea = rows["eea_works"]
    elif utilities:
        eea = rows["eea_utilities_goods_services"]
    elif buyer == "central":
        eea = rows["eea_central_goods_services"]
    else:
        eea = rows["eea_other_goods_services"]
    act = rows["act"]
    ladder: list[tuple[Threshold | None, Regime]]
    if utilities:
        ladder = [(None, Regime.OUTSIDE_ACT), (act, Regime.UTILITIES_BELOW_EEA)]
        ladder.append((eea, Regime.UTILITIES_EEA))
    else:
        national = rows["national"]
        ladder = [(None, Regime.OUTSIDE_ACT), (act, Regime.PART_I), (national, Regime.PART_II)]
        ladder.append((eea, Regime.PART_III))
    reached: Threshold | None = None
    regime = Regime.OUTSIDE_ACT
    next_threshold: Threshold | None = None
    for threshold, step in ladder:
        if threshold is None or value >= threshold.amount_nok:
            reached, regime = threshold, step
        else:
            next_threshold = threshold
            break
    notes = [_VALUE_NOTE]
    if stale_note:
        notes.insert(0, stale_note)
    if reached is not None:
        notes.append(f"At or above {_describe(reached)}.")
    if next_threshold is not None:
        notes.append(f"Below {_describe(next_threshold)}.")
    if regime is Regime.PART_I:
        notes.append("A voluntary notice on Doffin widens the competition.")
    if regime in (Regime.PART_III, Regime.UTILITIES_EEA):
        notes.append("The notice is sent to Doffin, which forwards it to TED as an eForms notice.")
    return Advice(
        regime=regime,
        estimated_value=value,
        on=on,
        summary=SUMMARIES[regime],
        notices=NOTICES[regime],
        procedures=OPTIONS[regime],
        reached=reached,
        next_threshold=next_threshold,
        notes=tuple(notes),
    )


def _describe(threshold: Threshold) -> str:
    label = {
        "act": "the Public Procurement Act's lower limit",
        "national": "the national threshold",
        "eea_central_goods_services": "the EEA threshold for central government goods and services",
        "eea_other_goods_services": "the EEA threshold for other buyers' goods and services",
        "eea_works": "the EEA threshold for works",
        "eea_utilities_goods_services": "the EEA threshold for utilities' goods and services",
    }[threshold.kind]
    return f"{label} ({format_nok(threshold.amount_nok)} excl. VAT)"


# ---------------------------------------------------------------------------------------------
# Minimum deadlines: one table


Field = Literal["request_deadline", "tender_deadline", "last_answer_at", "standstill"]
Anchor = Literal["published_at", "request_deadline", "tender_deadline", "award_notice"]


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    field: Field
    counted_from: Anchor  # for last_answer_at: days *before* the tender deadline
    days: int  # without electronic submission
    days_electronic: int
    rule: str
    what: str  # completes "… needs at least N days …"
    legal: bool = True


_ALL = frozenset(Procedure)
_P3 = frozenset({Regime.PART_III})
_P2 = frozenset({Regime.PART_II})
_ANY = frozenset(Regime)

_PART_II_DEFAULT = (
    "Lupin default for FOA part II (no legal minimum: the regulation asks for reasonable deadlines)"
)
_PCP_DEFAULT = "Lupin default for pre-commercial procurement (outside FOA)"
_UTILITIES_DEFAULT = (
    "Lupin default for forsyningsforskriften (the FOA part III figure; the utilities rules allow "
    "shorter periods in some cases)"
)
_FROM_NOTICE = "from the notice to the tender deadline"
_TO_REQUEST = "from the notice to the deadline for requests to participate"
_AFTER_REQUEST = (
    "from the request deadline to the tender deadline (counted from the invitation to tender, "
    "which cannot be sent earlier)"
)
_ANSWERS = "between the last answer to suppliers' questions and the tender deadline"
_STANDSTILL = "of standstill after the award notice before the contract is signed"

_PART_III_RULES: tuple[tuple[frozenset[Procedure], DeadlineRule], ...] = (
    (
        frozenset({Procedure.OPEN}),
        DeadlineRule(
            "tender_deadline",
            "published_at",
            35,
            30,
            "FOA § 20-1 / Directive 2014/24 art. 27",
            _FROM_NOTICE,
        ),
    ),
    (
        frozenset({Procedure.RESTRICTED, Procedure.NEGOTIATION}),
        DeadlineRule(
            "request_deadline",
            "published_at",
            30,
            30,
            "FOA § 20-2 / Directive 2014/24 art. 28 and 29",
            _TO_REQUEST,
        ),
    ),
    (
        frozenset({Procedure.RESTRICTED, Procedure.NEGOTIATION}),
        DeadlineRule(
            "tender_deadline",
            "request_deadline",
            30,
            25,
            "FOA § 20-2 / Directive 2014/24 art. 28 and 29",
            _AFTER_REQUEST,
        ),
    ),
    (
        frozenset({Procedure.COMPETITIVE_DIALOGUE}),
        DeadlineRule(
            "request_deadline",
            "published_at",
            30,
            30,
            "FOA § 20-3 / Directive 2014/24 art. 30",
            _TO_REQUEST,
        ),
    ),
    (
        frozenset({Procedure.INNOVATION_PARTNERSHIP}),
        DeadlineRule(
            "request_deadline",
            "published_at",
            30,
            30,
            "FOA § 20-3 / Directive 2014/24 art. 31",
            _TO_REQUEST,
        ),
    ),
    (
        _ALL - {Procedure.PCP},
        DeadlineRule(
            "last_answer_at", "tender_deadline", 6, 6, "Directive 2014/24 art. 53(2)", _ANSWERS
        ),
    ),
    (
        _ALL - {Procedure.PCP},
        DeadlineRule(
            "standstill",
            "award_notice",
            10,
            10,
            "FOA § 25-2 / Directive 89/665 art. 2a",
            _STANDSTILL,
        ),
    ),
)


def _as_default(rule: DeadlineRule, reference: str) -> DeadlineRule:
    return DeadlineRule(
        rule.field, rule.counted_from, rule.days, rule.days_electronic, reference, rule.what, False
    )


DEADLINE_RULES: tuple[tuple[frozenset[Regime], frozenset[Procedure], DeadlineRule], ...] = (
    *((_P3, procedures, rule) for procedures, rule in _PART_III_RULES),
    # Utilities above the EEA threshold: the part III figures, as Lupin defaults.
    *(
        (frozenset({Regime.UTILITIES_EEA}), procedures, _as_default(rule, _UTILITIES_DEFAULT))
        for procedures, rule in _PART_III_RULES
    ),
    # FOA part II: no legal minimum. Lupin's floor is 10 days for a first deadline, the
    # 6-day rule for answers and a 10-day standstill, so that a buyer is warned before
    # setting a deadline no supplier could meet.
    (
        _P2,
        frozenset({Procedure.OPEN, Procedure.SIMPLIFIED_NATIONAL}),
        DeadlineRule(
            "tender_deadline", "published_at", 10, 10, _PART_II_DEFAULT, _FROM_NOTICE, False
        ),
    ),
    (
        _P2,
        _TWO_STAGE | {Procedure.SIMPLIFIED_NATIONAL},
        DeadlineRule(
            "request_deadline", "published_at", 10, 10, _PART_II_DEFAULT, _TO_REQUEST, False
        ),
    ),
    (
        _P2,
        _ALL - {Procedure.PCP},
        DeadlineRule("last_answer_at", "tender_deadline", 6, 6, _PART_II_DEFAULT, _ANSWERS, False),
    ),
    (
        _P2,
        _ALL - {Procedure.PCP},
        DeadlineRule("standstill", "award_notice", 10, 10, _PART_II_DEFAULT, _STANDSTILL, False),
    ),
    # Pre-commercial procurement, in any regime: the EEA open-procedure figures as defaults.
    (
        _ANY,
        frozenset({Procedure.PCP}),
        DeadlineRule("tender_deadline", "published_at", 30, 30, _PCP_DEFAULT, _FROM_NOTICE, False),
    ),
    (
        _ANY,
        frozenset({Procedure.PCP}),
        DeadlineRule("request_deadline", "published_at", 30, 30, _PCP_DEFAULT, _TO_REQUEST, False),
    ),
    (
        _ANY,
        frozenset({Procedure.PCP}),
        DeadlineRule("last_answer_at", "tender_deadline", 6, 6, _PCP_DEFAULT, _ANSWERS, False),
    ),
    (
        _ANY,
        frozenset({Procedure.PCP}),
        DeadlineRule("standstill", "award_notice", 10, 10, _PCP_DEFAULT, _STANDSTILL, False),
    ),
)

_REGIME_PHRASES: dict[Regime, str] = {
    Regime.OUTSIDE_ACT: "",
    Regime.PART_I: "",
    Regime.PART_II: " under FOA part II",
    Regime.PART_III: " above the EEA threshold",
    Regime.UTILITIES_BELOW_EEA: "",
    Regime.UTILITIES_EEA: " by a utility above the EEA threshold",
}


@dataclass(frozen=True, slots=True)
class Minimum:
    field: Field
    days: int
    counted_from: Anchor
    rule: str
    legal: bool  # False: a Lupin default, not law
    text: str  # "at least 30 days from the notice to the tender deadline"


def _check_allowed(procedure: Procedure, regime: Regime) -> None:
    if not any(option.procedure is procedure for option in OPTIONS[regime]):
        raise ValueError(
            f"{PROCEDURE_NAMES[procedure].capitalize()} is not allowed here: {SUMMARIES[regime]}"
        )


def _rules(procedure: Procedure, regime: Regime) -> Iterable[DeadlineRule]:
    for regimes, procedures, rule in DEADLINE_RULES:
        if regime in regimes and procedure in procedures:
            yield rule


def minimum_deadlines(
    procedure: Procedure | str, regime: Regime | str, electronic: bool = True
) -> dict[str, Minimum]:
    """Field → its minimum, for one procedure in one regime ({} where no minimum applies).

    Fields: "request_deadline" and "tender_deadline" (days after the field named in
    `counted_from`), "last_answer_at" (days before the tender deadline) and "standstill"
    (days after the award notice). Raises ValueError for a procedure the regime does not allow.
    """
    procedure, regime = Procedure(procedure), Regime(regime)
    _check_allowed(procedure, regime)
    minimums: dict[str, Minimum] = {}
    for rule in _rules(procedure, regime):
        days = rule.days_electronic if electronic else rule.days
        minimums[rule.field] = Minimum(
            rule.field,
            days,
            rule.counted_from,
            rule.rule,
            rule.legal,
            f"at least {days} days {rule.what}",
        )
    return minimums


# ---------------------------------------------------------------------------------------------
# Checking a timeline


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    field: str
    message: str  # English, names the rule
    rule: str = ""
    severity: Severity = "error"  # "warning": below a Lupin default, not a legal minimum
    minimum_days: int | None = None
    actual_days: int | None = None


def _days(start: datetime, end: datetime) -> int:
    """Whole calendar days from start's date to end's date, in Europe/Oslo."""
    return (end.astimezone(OSLO).date() - start.astimezone(OSLO).date()).days


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime (with a time zone).")


def check_deadlines(
    procedure: Procedure | str,
    regime: Regime | str,
    published_at: datetime,
    request_deadline: datetime | None = None,
    tender_deadline: datetime | None = None,
    last_answer_at: datetime | None = None,
    electronic: bool = True,
) -> list[Problem]:
    """Every problem with a competition's timeline; an empty list means it may be published.

    A deadline longer than the minimum is always fine; a shorter one is a problem whose message
    names the rule. `published_at` is when the notice is sent. A two-stage procedure needs a
    request deadline and may leave the tender deadline to the invitation; an open procedure
    needs a tender deadline. All datetimes must be aware.
    """
    procedure, regime = Procedure(procedure), Regime(regime)
    values: dict[str, datetime | None] = {
        "published_at": published_at,
        "request_deadline": request_deadline,
        "tender_deadline": tender_deadline,
        "last_answer_at": last_answer_at,
    }
    for name, value in values.items():
        _aware(name, value)
    try:
        _check_allowed(procedure, regime)
    except ValueError as error:
        return [Problem("procedure_not_allowed", "procedure", str(error))]

    problems: list[Problem] = []
    name = PROCEDURE_NAMES[procedure]
    if procedure in _TWO_STAGE and request_deadline is None:
        problems.append(
            Problem(
                "missing",
                "request_deadline",
                f"{name.capitalize()} starts with requests to participate: set their deadline.",
            )
        )
    if procedure not in _TWO_STAGE and request_deadline is None and tender_deadline is None:
        problems.append(
            Problem("missing", "tender_deadline", f"{name.capitalize()} needs a tender deadline.")
        )
    for field_name in ("request_deadline", "tender_deadline", "last_answer_at"):
        value = values[field_name]
        if value is not None and value <= published_at:
            problems.append(
                Problem("before_publication", field_name, "This must be after the notice is sent.")
            )
    if request_deadline and tender_deadline and tender_deadline <= request_deadline:
        problems.append(
            Problem(
                "tender_before_request",
                "tender_deadline",
                "The tender deadline must come after the deadline for requests to participate.",
            )
        )
    if last_answer_at and tender_deadline and last_answer_at >= tender_deadline:
        problems.append(
            Problem(
                "answers_after_tender_deadline",
                "last_answer_at",
                "Answers to questions must be given before the tender deadline.",
            )
        )

    for minimum in minimum_deadlines(procedure, regime, electronic).values():
        problem = _check_minimum(minimum, procedure, regime, values, electronic)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_minimum(
    minimum: Minimum,
    procedure: Procedure,
    regime: Regime,
    values: dict[str, datetime | None],
    electronic: bool,
) -> Problem | None:
    if minimum.field == "standstill":
        return None  # checked when the award notice is sent, not on the timeline
    if minimum.field == "last_answer_at":
        start, end = values["last_answer_at"], values["tender_deadline"]
    else:
        start, end = values[minimum.counted_from], values[minimum.field]
    if start is None or end is None:
        return None
    actual = _days(start, end)
    if actual >= minimum.days:
        return None
    rule = next(r for r in _rules(procedure, regime) if r.field == minimum.field)
    electronic_note = ""
    if rule.days != rule.days_electronic:
        electronic_note = (
            f" with electronic submission ({rule.days} without)"
            if electronic
            else f" without electronic submission ({rule.days_electronic} with)"
        )
    subject = f"{PROCEDURE_NAMES[procedure]}{_REGIME_PHRASES[regime]}"
    if minimum.legal:
        message = (
            f"{minimum.rule}: {subject} needs {minimum.text}{electronic_note}; "
            f"this timeline gives {actual}."
        )
        code = "answers_too_late" if minimum.field == "last_answer_at" else "too_short"
    else:
        message = (
            f"{minimum.rule}: Lupin recommends that {subject} has {minimum.text}; "
            f"this timeline gives {actual}."
        )
        code = "answers_too_late" if minimum.field == "last_answer_at" else "shorter_than_default"
    return Problem(
        code=code,
        field=minimum.field,
        message=message,
        rule=minimum.rule,
        severity="error" if minimum.legal else "warning",
        minimum_days=minimum.days,
        actual_days=actual,
    )


# ---------------------------------------------------------------------------------------------
# Climate and environment

ENVIRONMENT_MINIMUM_PERCENT = Decimal(30)  # FOA § 7-9 (2), in force from 2024-01-01 [verify]
ENVIRONMENT_RULE = "FOA § 7-9"


def check_environment_weight(weight_percent: Decimal, justification: str = "") -> list[Problem]:
    """Climate and environment must weigh at least 30 % among the award criteria, unless the
    tender documents justify the exception: requirements in the specification give a clearly
    better effect (§ 7-9 (4)) or the purchase's footprint is insignificant (§ 7-9 (5)).

    Callers decide whether the rule applies (it has no bite where award criteria are not used,
    e.g. FOA part I [verify]). Raises ValueError for a weight outside 0–100.
    """
    if isinstance(weight_percent, bool) or not isinstance(weight_percent, Decimal | int):
        raise TypeError("The environment weight must be a Decimal, never a float.")
    weight = Decimal(weight_percent)
    if not weight.is_finite() or not 0 <= weight <= 100:
        raise ValueError("The environment weight is a percentage between 0 and 100.")
    if weight >= ENVIRONMENT_MINIMUM_PERCENT or justification.strip():
        return []
    return [
        Problem(
            code="environment_weight_below_minimum",
            field="environment_weight",
            message=(
                f"{ENVIRONMENT_RULE}: climate and environment must weigh at least "
                f"{ENVIRONMENT_MINIMUM_PERCENT} % among the award criteria (here {weight} %), "
                "or the tender documents must justify why requirements in the specification "
                "give a clearly better effect or why the purchase's footprint is insignificant."
            ),
            rule=ENVIRONMENT_RULE,
        )
    ]
