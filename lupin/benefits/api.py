"""The effect report in the JSON API: `GET /api/v1/effects`.

The body is `lupin.benefits.effects.exports.payload()` of one `report.build()`, the same data the
page shows and the JSON download holds. Amounts are strings with two decimals, in kroner of the
base year (present value); ranges are low / expected / high, a conservative bound, never a
probability.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError

from lupin.accounts.models import Organisation, OrganisationKind
from lupin.benefits import access
from lupin.benefits.effects import exports
from lupin.benefits.report import HUNDRED, MAX_RATE_PERCENT, MAX_YEARS, MIN_YEARS, Params, build
from lupin.projects.schemas import AMOUNT_PATTERN, MAX_ID, ErrorOut

router = Router(tags=["effects"])


class EffectsQuery(Schema):
    rate: Decimal | None = Field(
        None,
        ge=0,
        le=MAX_RATE_PERCENT,
        max_digits=4,
        decimal_places=2,
        description="Real discount rate in percent, 0–20 (default: the site's, normally 4).",
    )
    years: int | None = Field(
        None,
        ge=MIN_YEARS,
        le=MAX_YEARS,
        description="Benefit period of expected benefits in years, 1–40 (default 10).",
    )
    partner: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "A partner organisation's id: its own report, unpublished cases included. Needs a "
            "token of that organisation's people or of the programme."
        ),
    )
    lines: bool = Field(False, description="Include every line behind the figures.")


class RangeOut(Schema):
    low: str = Field(pattern=AMOUNT_PATTERN, examples=["337500.00"])
    expected: str = Field(pattern=AMOUNT_PATTERN, examples=["450000.00"])
    high: str = Field(pattern=AMOUNT_PATTERN, examples=["562500.00"])


class RatiosOut(Schema):
    realised: RangeOut = Field(description="Realised benefits per krone invested.")
    expected: RangeOut = Field(description="Expected benefits per krone invested.")


class HeadlineOut(Schema):
    invested: str = Field(pattern=AMOUNT_PATTERN, description="Programme cost, present value.")
    realised: RangeOut
    expected: RangeOut
    ratio: RatiosOut
    sentence: str = Field(
        description="“X MNOK invested → Y MNOK in realised benefits (range L–H)”, in the "
        "language of the request."
    )
    expected_sentence: str


class TotalsOut(Schema):
    cost: RangeOut
    realised: RangeOut
    expected: RangeOut


class GroupOut(Schema):
    value: int | str | None = Field(
        description="The year, the partner's id, the CPV division, or the code of the "
        "procedure, phase or category; null for what is not allocated to a partner or case."
    )
    label: str
    cost: RangeOut
    realised: RangeOut
    expected: RangeOut


class BreakdownsOut(Schema):
    year: list[GroupOut]
    partner: list[GroupOut]
    sector: list[GroupOut]
    procedure: list[GroupOut]
    phase: list[GroupOut]
    category: list[GroupOut]


class RefOut(Schema):
    id: int
    name: str


class CaseRefOut(Schema):
    id: int
    title: str


class KpiRefOut(Schema):
    id: int
    description: str
    unit: str
    category: str
    case: CaseRefOut
    partner: RefOut


class StageOut(Schema):
    stage: str
    label: str
    cases: int


class PilotsOut(Schema):
    pilots: int
    ended: int
    scaled: int
    waiting: int
    transfers: int
    conversion_percent: str | None = Field(
        description="Share of ended pilots bought at scale, in percent; null when none ended."
    )


class LineOut(Schema):
    measure: str = Field(examples=["realised"])
    id: str = Field(description="m<measurement>, e<kpi>-<year>, s<support entry>, b<year>.")
    year: int
    partner_id: int | None
    partner: str
    case_id: int | None
    case: str
    kpi_id: int | None
    kpi: str
    category: str
    sector: str
    procedure: str
    phase: str
    amount: str = Field(pattern=AMOUNT_PATTERN, description="Nominal NOK in `year`.")
    value: RangeOut = Field(description="Present value in base-year kroner.")


class ScopeOut(Schema):
    partner: RefOut | None = Field(description="null: the public report of published cases.")


class EffectsOut(Schema):
    scope: ScopeOut
    headline: HeadlineOut | None = Field(description="null while no programme cost is recorded.")
    base_year: int
    rate_percent: str
    years: int
    totals: TotalsOut
    breakdowns: BreakdownsOut
    missing_baseline: list[KpiRefOut] = Field(
        description="KPIs without a baseline: their realised benefit cannot be computed and is "
        "left out, never counted as 0."
    )
    without_money_value: list[KpiRefOut]
    warnings: list[str]
    funnel: list[StageOut]
    pilots: PilotsOut
    lines: list[LineOut] | None = Field(description="Only with `lines=true`.")


def _partner(request: HttpRequest, pk: int) -> Organisation:
    """The partner whose report the caller may read: 404 unknown, 401 anonymous, 403 others."""
    organisation = get_object_or_404(Organisation, pk=pk, kind=OrganisationKind.BUYER)
    user = request.auth  # type: ignore[attr-defined]
    if not user.is_authenticated:
        raise AuthenticationError(message="Send a token to read a partner's own report.")
    if not access.can_see_partner_report(user, organisation):
        raise PermissionDenied
    return organisation


@router.get(
    "/effects",
    response={200: EffectsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The effect report",
)
def effects(request: HttpRequest, query: Query[EffectsQuery]) -> dict[str, Any]:
    """Programme cost against realised and expected benefits: the headline, the totals and the
    breakdowns by year, partner, sector, procedure, phase and benefit category. Without
    `partner`, the public report over published cases."""
    default = Params.default()
    params = Params(
        rate=default.rate if query.rate is None else query.rate / HUNDRED,
        years=default.years if query.years is None else query.years,
    )
    partner = None if query.partner is None else _partner(request, query.partner)
    report = build(params, partner=partner, public=partner is None)
    return exports.payload(report, lines=query.lines)
