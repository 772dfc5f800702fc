"""Forms for following benefits up and logging the programme's costs. They validate what people
type and hand actions plain data; the rules that hold everywhere (a measurement's unit and date,
a case belonging to its partner, no negative costs) live in `lupin.benefits.actions`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lupin import uploads
from lupin.accounts.models import Organisation
from lupin.benefits.actions import KpiData, MeasurementData, SupportData
from lupin.benefits.models import ConfidenceLevel, Kpi
from lupin.forms import Form
from lupin.projects.forms import MAX_MEASURE, AmountField
from lupin.projects.models import BenefitCategory, Project

ISO_DATE = "%Y-%m-%d"
MAX_HOURS = Decimal("999999.99")


class DateInput(forms.DateInput):
    """The browser's own date picker; the value is an ISO date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


def _day(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput,
        error_messages={"invalid": _("Write a date, e.g. 2025-03-01.")},
        **kwargs,
    )


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _confidence() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Confidence"),
        choices=ConfidenceLevel.choices,
        initial=ConfidenceLevel.EXPECTED,
        help_text=_("How sure you are of the number: high ±10 %, expected ±25 %, low ±50 %."),
    )


class KpiForm(Form):
    category = forms.ChoiceField(label=_("Category"), choices=BenefitCategory.choices)
    description = forms.CharField(label=_("Description"), widget=_textarea())
    unit = forms.CharField(
        label=_("Unit"),
        max_length=50,
        help_text=_("E.g. hours per week, visits per month, NOK. Measurements use the same unit."),
    )
    baseline = AmountField(
        label=_("Baseline"),
        required=False,
        allow_negative=True,
        maximum=MAX_MEASURE,
        help_text=_("The level before the contract, in the unit above."),
    )
    baseline_on = _day(
        _("Baseline measured"),
        required=False,
        help_text=_("The day the baseline was measured. Measurements cannot be earlier."),
    )
    target = AmountField(
        label=_("Target"),
        allow_negative=True,
        maximum=MAX_MEASURE,
        help_text=_("The level you aim for, in the same unit."),
    )
    yearly_value = AmountField(
        label=_("Money value per year at the target (NOK)"),
        required=False,
        help_text=_("What reaching the target is worth per year in kroner, if it can be set."),
    )
    confidence = _confidence()
    owner = forms.CharField(
        label=_("Owner"),
        max_length=200,
        help_text=_("Who is responsible for realising the benefit."),
    )

    @classmethod
    def initial_for(cls, kpi: Kpi) -> dict[str, Any]:
        return {name: getattr(kpi, name) for name in cls.base_fields}

    def to_data(self) -> KpiData:
        data = self.cleaned_data
        return KpiData(
            category=data["category"],
            description=data["description"],
            unit=data["unit"],
            target=data["target"],
            owner=data["owner"],
            baseline=data["baseline"],
            baseline_on=data["baseline_on"],
            yearly_value=data["yearly_value"],
            confidence=data["confidence"],
        )


def _file_help() -> str:
    return str(
        _(
            "Optional: a report or an export behind the number. PDF, Word, Excel, PowerPoint, "
            "OpenDocument, text, CSV, PNG or JPEG; at most %(limit)s MB. Only the buyers and "
            "the programme can open it."
        )
        % {"limit": uploads.limit_in_mb()}
    )


class MeasurementForm(Form):
    value = AmountField(label=_("Measured value"), allow_negative=True, maximum=MAX_MEASURE)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=50,
        help_text=_("The KPI's unit. Convert the value first if you measured in another."),
    )
    measured_on = _day(_("Measured"))
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the number comes from, e.g. the case management system's report."),
    )
    confidence = _confidence()
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=_textarea())
    evidence = forms.FileField(label=_("Evidence"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        evidence.help_text = _file_help()
        evidence.widget.attrs["accept"] = uploads.ACCEPT
        evidence.widget.attrs["aria-describedby"] = f"id_{self.add_prefix('evidence')}-help"

    @classmethod
    def initial_for(cls, kpi: Kpi, today: date) -> dict[str, Any]:
        return {"unit": kpi.unit, "measured_on": today, "confidence": kpi.confidence}

    def clean_evidence(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("evidence")
        if not upload:
            return None
        # Store the type we verified, never the one the browser claimed.
        upload.content_type = uploads.validate_upload(upload)
        return upload

    def to_data(self) -> MeasurementData:
        data = self.cleaned_data
        return MeasurementData(
            value=data["value"],
            unit=data["unit"],
            measured_on=data["measured_on"],
            source=data["source"],
            confidence=data["confidence"],
            note=data["note"],
            evidence=data["evidence"],
        )


class BudgetForm(Form):
    year = forms.IntegerField(label=_("Year"))
    amount = AmountField(
        label=_("Amount (NOK)"),
        help_text=_("All the programme's spending that year: staff, grants, events."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        project = cast(Project, obj)
        return f"{project.title} ({project.lead_buyer.name})"


class SupportForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose a partner"),
    )
    project = CaseChoiceField(
        label=_("Case"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("No case: support for the partner in general"),
        help_text=_("One of the partner's own cases, if the support was for one."),
    )
    given_on = _day(_("Date"))
    hours = AmountField(
        label=_("Hours"),
        required=False,
        maximum=MAX_HOURS,
        error_messages={"invalid": _("Write a number of hours, e.g. 7,5.")},
    )
    hourly_rate = AmountField(label=_("Hourly rate (NOK)"))
    other_cost = AmountField(
        label=_("Other costs (NOK)"),
        required=False,
        help_text=_("Travel, grants, external experts."),
    )
    description = forms.CharField(label=_("What was done"), max_length=300)

    def __init__(
        self,
        *args: Any,
        partners: QuerySet[Organisation],
        cases: QuerySet[Project],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"hourly_rate": Decimal(settings.LUPIN_ADVISOR_HOURLY_RATE)})
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = partners
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = cases

    def to_data(self) -> SupportData:
        data = self.cleaned_data
        return SupportData(
            organisation=data["organisation"],
            project=data["project"],
            given_on=data["given_on"],
            description=data["description"],
            hours=data["hours"] or Decimal(0),
            hourly_rate=data["hourly_rate"],
            other_cost=data["other_cost"] or Decimal(0),
        )
