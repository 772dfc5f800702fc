"""The typed shapes of the projects API (what OpenAPI documents at /api/v1/openapi.json).

Money is a string with two decimals ("2500000.00"), never a JSON number, so no client rounds øre
away through a float. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from lupin.lib import nuts

# The values of lifecycle.Phase (a test keeps them in step).
PhaseCode = Literal["need", "dialogue", "competition", "contract"]
MONEY_PATTERN = r"^\d+\.\d{2}$"
AMOUNT_PATTERN = r"^-?\d+\.\d{2}$"
# Ids are 64-bit (BigAutoField); a larger number reaches the database driver and overflows there.
MAX_ID = 2**63 - 1
# Far past any real list, and offset + limit still fits a 64-bit integer.
MAX_OFFSET = 1_000_000_000


class ErrorBody(Schema):
    code: str = Field(examples=["not_found"])
    message: str
    fields: dict[str, str] | None = Field(
        None, description="Per-field messages; present on validation errors (422)."
    )


class ErrorOut(Schema):
    """The one error format of the whole API."""

    error: ErrorBody


class ProjectQuery(Schema):
    """Query parameters of the project list."""

    limit: int = Field(20, ge=1, le=100, description="Page size, 1–100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many projects to skip.")
    phase: PhaseCode | None = Field(None, description="Only projects in this phase.")
    region: str | None = Field(
        None, description="NUTS-3 code, e.g. NO0A2 (Vestland).", examples=["NO0A2"]
    )
    cpv_division: str | None = Field(
        None, pattern=r"^\d{2}$", description="The first two digits of a CPV code, e.g. 72."
    )
    buyer: int | None = Field(
        None, ge=1, le=MAX_ID, description="The lead buyer organisation's id."
    )
    q: str | None = Field(
        None,
        max_length=200,
        description="Free text in the title, need, affected users, desired effects or buyer.",
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value and value not in nuts.regions():
            raise ValueError("Unknown NUTS region: use a NUTS-3 code such as NO0A2.")
        return value or None


class BuyerOut(Schema):
    id: int
    name: str
    org_number: str = Field(description="Nine digits (Enhetsregisteret).")


class CpvOut(Schema):
    code: str = Field(description="Eight digits, without the check digit.", examples=["72000000"])
    label_en: str
    label_nb: str


class ProjectOut(Schema):
    """A project as the list shows it. Internal notes never appear here."""

    id: int
    title: str
    phase: PhaseCode
    visibility: Literal["draft", "published"]
    buyer: BuyerOut = Field(description="The lead buyer.")
    need_statement: str
    affected_users: str
    problem_scenarios: str
    desired_effects: str
    estimated_value: str | None = Field(
        description="NOK excluding VAT, two decimals, as a string.",
        pattern=MONEY_PATTERN,
        examples=["2500000.00"],
    )
    currency: Literal["NOK"] = "NOK"
    cpv_codes: list[CpvOut] = Field(description="The main code first.")
    nuts_region: str
    planned_procedure: str
    published_at: datetime | None
    updated_at: datetime
    url: str = Field(description="Path of the project's page on this site.")


class BenefitOut(Schema):
    category: str
    description: str
    baseline: str = Field(pattern=AMOUNT_PATTERN, examples=["120.00"])
    target: str = Field(pattern=AMOUNT_PATTERN, examples=["60.00"])
    unit: str
    yearly_value: str | None = Field(
        description="Estimated value per year in NOK, as a string.", pattern=MONEY_PATTERN
    )
    owner: str


class TimelineEntryOut(Schema):
    """One phase move: who moved is not published, only when, from, to and why."""

    from_phase: PhaseCode = Field(alias="from")
    to: PhaseCode
    at: datetime
    reason: str


class ProjectDetailOut(ProjectOut):
    benefits: list[BenefitOut]
    timeline: list[TimelineEntryOut] = Field(description="Phase moves, oldest first.")
    internal_notes: str | None = Field(
        description=(
            "Only for the lead buyer's people, accepted co-buyers and programme advisors; "
            "null for everyone else (an empty string means no notes were written)."
        )
    )


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int = Field(description="How many projects match, over all pages.")
