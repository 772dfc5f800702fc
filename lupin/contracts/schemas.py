"""The typed shapes of the contracts API (documented at /api/v1/openapi.json).

Money and measured values are strings, never JSON numbers, so no client rounds them through a
float: amounts in NOK with two decimals, performance levels with four. Days are ISO 8601 dates,
times ISO 8601 in UTC. A missing baseline is null, never 0.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from lupin.projects.schemas import AMOUNT_PATTERN, MAX_ID, MAX_OFFSET, MONEY_PATTERN, BuyerOut

# The values of the models' TextChoices (a test keeps them in step).
KindCode = Literal["ordinary", "innovation_partnership", "pcp"]
StatusCode = Literal["active", "completed", "terminated"]
PhaseKindCode = Literal["solution_design", "prototype", "test", "development"]
PhaseStatusCode = Literal["planned", "running", "completed", "stopped"]
OutcomeCode = Literal["go", "no_go"]
DirectionCode = Literal["at_least", "at_most"]
ConfidenceCode = Literal["low", "expected", "high"]
OptionKindCode = Literal["extension", "additional"]
CategoryCode = Literal[
    "process_hours",
    "process_market_input",
    "process_learning",
    "price",
    "better_for_users",
    "better_for_buyer",
    "operating_costs",
    "transfer_own",
    "transfer_others",
]
LEVEL_PATTERN = r"^-?\d+\.\d{4}$"


def _money(description: str) -> Any:
    """A money field: NOK with two decimals, as a string."""
    return Field(description=description, pattern=MONEY_PATTERN, examples=["2400000.00"])


class ContractQuery(Schema):
    """Query parameters of the contract list."""

    limit: int = Field(20, ge=1, le=100, description="Page size, 1–100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many contracts to skip.")
    project: int | None = Field(None, ge=1, le=MAX_ID, description="Only this project's.")
    status: StatusCode | None = Field(None, description="Only contracts with this status.")
    kind: KindCode | None = Field(None, description="Only contracts of this kind.")
    mine: bool = Field(
        False,
        description="Only contracts the caller's organisation is party to, as buyer or "
        "supplier (needs a caller: 401 without one).",
    )


class ProjectRefOut(Schema):
    id: int
    title: str


class SupplierOut(BuyerOut):
    left_on: date | None = Field(description="The day it left the contract at a gate, or null.")
    left_reason: str | None = Field(
        description="Why it left; empty while it is in the contract. Null for callers other than "
        "the contract's insiders and the supplier itself."
    )


class OptionOut(Schema):
    kind: OptionKindCode
    description: str
    value: str | None = _money("NOK excluding VAT, or null.")
    extends_to: date | None = Field(description="An extension: the contract's new end.")
    exercised_on: date | None


class MilestoneOut(Schema):
    title: str
    due_on: date
    done_on: date | None = Field(description="The day it was reached, or null.")


class OrganisationRefOut(Schema):
    id: int
    name: str


class GateDecisionOut(Schema):
    """The go/no-go for one supplier at the end of a phase, always with its reason."""

    supplier: OrganisationRefOut
    outcome: OutcomeCode
    reason: str | None = Field(
        description="Why; null for callers other than the contract's insiders and that supplier."
    )
    decided_at: datetime


class PhaseOut(Schema):
    number: int
    kind: PhaseKindCode
    name: str
    starts_on: date
    ends_on: date
    status: PhaseStatusCode
    max_cost: str | None = _money("NOK, or null.")
    actual_cost: str | None = _money("NOK spent so far, or null.")
    milestones: list[MilestoneOut]
    gate_decisions: list[GateDecisionOut] = Field(description="Empty until the phase's gate.")


class PerformanceLevelOut(Schema):
    name: str
    unit: str
    direction: DirectionCode
    required: str = Field(pattern=LEVEL_PATTERN, examples=["99.0000"])
    achieved: str | None = Field(pattern=LEVEL_PATTERN, description="Null until measured.")
    achieved_on: date | None
    met: bool


class PurchaseOptionOut(Schema):
    """Innovation partnerships only: the purchase opens when every performance level is met
    and the phases cost no more than the maximum."""

    open: bool
    blockers: list[str] = Field(
        description="Why the purchase option is not open (or that it has been exercised)."
    )
    exercised_on: date | None
    value: str | None = _money("NOK excluding VAT, once exercised.")
    development_cost: str = _money("What the phases have cost so far.")


class ScaleUpOut(Schema):
    buyer: OrganisationRefOut
    decided_on: date
    value: str | None = _money("NOK excluding VAT, or null.")
    scope: str
    is_transfer: bool = Field(description="Bought by a buyer that was not party to the contract.")


class MeasurementOut(Schema):
    id: int
    value: str = Field(pattern=AMOUNT_PATTERN, examples=["212.50"])
    measured_on: date
    source: str
    confidence: ConfidenceCode
    note: str
    realised_yearly_value: str | None = Field(
        pattern=AMOUNT_PATTERN,
        description=(
            "NOK per year realised at this value: the KPI's money value at the target times the "
            "progress from baseline to target. Null without a baseline or a money value."
        ),
    )
    entered_by: str | None = Field(
        description="Who entered it: only for the contract's insiders, null for everyone else."
    )


class KpiOut(Schema):
    id: int
    category: CategoryCode
    description: str
    unit: str
    baseline: str | None = Field(
        pattern=AMOUNT_PATTERN, description="Null when no baseline was measured (never 0)."
    )
    baseline_on: date | None
    target: str = Field(pattern=AMOUNT_PATTERN)
    yearly_value: str | None = _money("Money value per year at the target in NOK, or null.")
    confidence: ConfidenceCode
    owner: str
    measurements: list[MeasurementOut] = Field(description="Oldest first.")


class ContractOut(Schema):
    id: int
    title: str
    reference: str
    description: str
    kind: KindCode
    source: Literal["award", "manual"] = Field(
        description="Created from an award in Lupin, or registered by hand."
    )
    status: StatusCode
    status_reason: str
    value: str | None = _money("NOK excluding VAT, or null.")
    max_cost: str | None = _money(
        "Innovation partnership and PCP: the ceiling for all phases, or null."
    )
    currency: Literal["NOK"] = "NOK"
    signed_on: date
    starts_on: date
    ends_on: date | None
    project: ProjectRefOut
    buyers: list[BuyerOut] = Field(description="The lead buyer first, then the co-buyers.")
    suppliers: list[SupplierOut]
    options: list[OptionOut]
    phases: list[PhaseOut] = Field(description="Innovation partnership and PCP; else empty.")
    performance_levels: list[PerformanceLevelOut]
    purchase_option: PurchaseOptionOut | None = Field(
        description="Innovation partnerships only; null for other kinds."
    )
    is_pilot: bool
    pilot_ended_on: date | None
    scale_ups: list[ScaleUpOut] = Field(description="Purchases at scale after the pilot.")
    kpis: list[KpiOut]
    url: str = Field(description="Path of the contract's page on this site.")


class ContractPage(Schema):
    items: list[ContractOut]
    count: int = Field(description="How many contracts match, over all pages.")


class MeasurementIn(Schema):
    """A measurement of one KPI. Evidence files are uploaded on the contract's web page."""

    value: Decimal = Field(
        max_digits=16,
        decimal_places=2,
        description="The measured value, as a decimal string or a number; may be negative.",
        examples=["212.5"],
    )
    unit: str = Field(
        max_length=50, description="Must be the KPI's unit (Lupin does not convert units)."
    )
    measured_on: date = Field(
        description="Not in the future, nor before the KPI's baseline (or the contract)."
    )
    source: str = Field(max_length=300, description="Where the number comes from.")
    confidence: ConfidenceCode = "expected"
    note: str = Field("", max_length=5000)

    @field_validator("value", mode="before")
    @classmethod
    def _no_bool(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("Give the measured value as a number or a decimal string.")
        return value
