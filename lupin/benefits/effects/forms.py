"""The small GET form that recomputes the effect report with another discount rate and period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from lupin.benefits.report import HUNDRED, MAX_RATE_PERCENT, MAX_YEARS, MIN_YEARS, Params
from lupin.forms import Form

RATE_MESSAGE = _("Give a discount rate between 0 and 20 percent, e.g. 4 or 3.5.")
YEARS_MESSAGE = _("Give a whole number of years between 1 and 40.")


class ParamsForm(Form):
    """Always bound: what the query string leaves out or empty is the default, so the fields
    show the assumptions the report was computed with. A bad value is reported next to its field
    and the default is used instead; the page still renders."""

    rate = forms.DecimalField(
        label=_("Discount rate (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_RATE_PERCENT,
        max_digits=4,
        decimal_places=2,
        localize=True,
        help_text=_("The real discount rate, 0–20 %. The government's guide (R-109) uses 4 %."),
        error_messages={
            key: RATE_MESSAGE
            for key in (
                "invalid",
                "min_value",
                "max_value",
                "max_digits",
                "max_decimal_places",
                "max_whole_digits",
            )
        },
    )
    years = forms.IntegerField(
        label=_("Benefit period (years)"),
        required=False,
        min_value=MIN_YEARS,
        max_value=MAX_YEARS,
        help_text=_("How many years of expected benefits each contract gets, from its start."),
        error_messages={key: YEARS_MESSAGE for key in ("invalid", "min_value", "max_value")},
    )

    def __init__(self, query: QueryDict, **kwargs: Any) -> None:
        default = Params.default()
        data = {"rate": str(default.rate_percent), "years": str(default.years)}
        for name in data:
            given = query.get(name, "")
            if isinstance(given, str) and given.strip():
                data[name] = given
        super().__init__(data, **kwargs)
        self.fields["rate"].widget.attrs.update(inputmode="decimal")
        self.fields["years"].widget.attrs.update(inputmode="numeric")

    def params(self) -> Params:
        """The valid values, each bad one replaced by its default."""
        default = Params.default()
        self.is_valid()
        rate = self.cleaned_data.get("rate")
        years = self.cleaned_data.get("years")
        return Params(
            rate=default.rate if rate is None else rate / HUNDRED,
            years=default.years if years is None else years,
        )


def query(params: Params) -> str:
    """The query string that recomputes the report with `params` (in any language)."""
    return urlencode({"rate": str(params.rate_percent), "years": params.years})
