"""The typed shapes of the competitions API (documented at /api/v1/openapi.json).

Times are ISO 8601 in UTC; money is a string with two decimals, never a JSON number. A supplier's
tender appears only to that supplier's users (`/tenders/mine`), as metadata and receipt: no
endpoint ever returns another organisation's tender, and content only after the opening, to the
declared evaluation team.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from lupin.competitions.forms_supplier import parse_price
from lupin.projects.schemas import MAX_OFFSET, MONEY_PATTERN, BuyerOut

# The values of models.CompetitionStatus, TenderStatus and CriterionKind.
StatusCode = Literal["draft", "announced", "closed", "opened", "awarded", "signed", "cancelled"]
TenderStatusCode = Literal["submitted", "replaced", "withdrawn"]
CriterionKindCode = Literal["price", "quality", "environment"]


class CompetitionQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="Page size, 1–100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many competitions to skip.")


class DeadlinesOut(Schema):
    requests: datetime | None = Field(description="Two-stage procedures only.")
    questions: datetime
    last_answer: datetime = Field(description="The last time answers are given.")
    tenders: datetime = Field(description="A tender received at this second or later is refused.")
    opening: datetime


class CompetitionSummary(Schema):
    id: int
    title: str
    reference: str
    buyer: BuyerOut = Field(description="The lead buyer.")
    procedure: str
    status: StatusCode
    open_for_tenders: bool = Field(description="Announced and before the deadline (server time).")
    announced_at: datetime | None
    deadlines: DeadlinesOut
    url: str = Field(description="Path of the notice's page on this site.")


class CompetitionPage(Schema):
    items: list[CompetitionSummary]
    count: int = Field(description="How many public competitions there are, over all pages.")


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    kind: CriterionKindCode
    weight: str = Field(pattern=MONEY_PATTERN, description="Percent of 100, two decimals.")
    children: list[CriterionOut]


class RequirementOut(Schema):
    text: str
    documentation: str


class DocumentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    published_at: datetime
    url: str = Field(description="Download without logging in.")


class AnswerOut(Schema):
    id: int
    question: str
    answer: str
    published_at: datetime


class LotOut(Schema):
    number: int = Field(description="Send it as `lot` when tendering for this lot.")
    title: str
    description: str


class CompetitionOut(CompetitionSummary):
    """The notice: everything a supplier needs to decide whether to tender."""

    description: str
    project: int
    regime: str = Field(description="The rules that apply (procedure advisor).")
    estimated_value: str = Field(pattern=MONEY_PATTERN, description="NOK excluding VAT.")
    seconds_left: int = Field(description="Until the tender deadline, by the server's clock.")
    price_model: str
    score_max: int
    lots: list[LotOut] = Field(description="Empty when the competition is one contract.")
    criteria: list[CriterionOut]
    qualification_requirements: list[RequirementOut]
    documents: list[DocumentOut]
    answers: list[AnswerOut]


class TenderIn(Schema):
    """The multipart form fields next to the `file` parts."""

    price: str = Field(
        description="Total price in NOK excluding VAT, e.g. 1250000.50 or “1 250 000,50”.",
        examples=["1250000.00"],
    )
    lot: int | None = Field(
        None,
        description="The lot number the tender is for: required when the competition has lots, "
        "refused when it has none.",
        examples=[1],
    )

    @field_validator("price")
    @classmethod
    def _amount(cls, value: str) -> str:
        return f"{parse_price(value):.2f}"

    def amount(self) -> Decimal:
        return Decimal(self.price)


class ReceiptFileOut(Schema):
    name: str
    size: int
    sha256: str


EXACT_TIME = Field(
    description="The exact time of receipt: ISO 8601 in UTC, to the microsecond.",
    examples=["2026-03-02T11:59:59.123456+00:00"],
)


class ReceiptOut(Schema):
    tender_id: int
    lot: int | None = Field(description="The lot number, or null without lots.")
    version: int
    received_at: str = EXACT_TIME
    receipt_hash: str
    files: list[ReceiptFileOut]


class SealedFileOut(Schema):
    """A file as the supplier's receipt lists it later: its name stays sealed until opening."""

    size: int
    sha256: str


class OwnTenderOut(Schema):
    tender_id: int
    lot: int | None = Field(description="The lot number, or null without lots.")
    version: int
    status: TenderStatusCode
    received_at: str = EXACT_TIME
    withdrawn_at: datetime | None
    receipt_hash: str
    files: list[SealedFileOut]


class OrganisationOut(Schema):
    id: int
    name: str
    org_number: str


class OpenedTenderOut(Schema):
    """A tender after opening, for a declared member of the evaluation team."""

    tender_id: int
    organisation: OrganisationOut
    lot: int | None = Field(description="The lot number, or null without lots.")
    version: int
    received_at: datetime
    price: str = Field(pattern=MONEY_PATTERN, description="NOK excluding VAT (audited read).")
    files: int = Field(description="How many files the tender has.")
