"""The buyers' forms. They validate what people type and hand actions plain data."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.forms import Form, UploadForm
from lupin.lib import cpv, money, nuts
from lupin.projects.actions import BenefitData, ProjectData
from lupin.projects.lifecycle import Phase
from lupin.projects.models import BenefitCategory, ExpectedBenefit, Procedure, Project

# Amount columns hold 14 digits with 2 decimals (benefit baselines and targets 16).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_MEASURE = Decimal("99999999999999.99")
AMOUNT_MAX_LENGTH = 40


class AmountField(forms.CharField):
    """A decimal as Norwegians type it: "2 500 000", "2500000,50", "1250000.5"."""

    default_error_messages = {
        "invalid": _("Write a number, e.g. 2 500 000 or 1250,50."),
        "negative": _("The amount cannot be negative."),
        "too_large": _("The number is too large."),
    }

    def __init__(
        self, *, allow_negative: bool = False, maximum: Decimal = MAX_AMOUNT, **kwargs: Any
    ) -> None:
        self.allow_negative = allow_negative
        self.maximum = maximum
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")
        attrs.setdefault("autocomplete", "off")
        attrs.setdefault("maxlength", str(AMOUNT_MAX_LENGTH))
        return attrs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        if len(text) > AMOUNT_MAX_LENGTH:
            raise ValidationError(self.error_messages["too_large"], code="too_large")
        try:
            amount = money.to_nok(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount < 0 and not self.allow_negative:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if abs(amount) > self.maximum:
            raise ValidationError(self.error_messages["too_large"], code="too_large")
        return amount

    def prepare_value(self, value: Any) -> Any:
        # Show stored Decimals the Norwegian way, so a save without changes round-trips.
        if isinstance(value, Decimal):
            text = f"{value:f}"
            if text.endswith(".00"):
                text = text[:-3]
            return text.replace(".", ",")
        return value


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


CPV_SPLIT = re.compile(r"[,;\s]+")


def cpv_error(token: str) -> str:
    """A translated message for one token `cpv.parse` refused."""
    digits = token.split("-")[0]
    if len(digits) == 8 and digits.isdigit():
        return str(_("%(code)s is not in the CPV 2008 list.") % {"code": digits})
    return str(
        _("“%(text)s” is not a CPV code: write eight digits, e.g. 72000000.") % {"text": token}
    )


class ProjectForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    need_statement = forms.CharField(
        label=_("Need statement"),
        required=False,
        widget=_textarea(6),
        help_text=_(
            "Describe WHAT is needed and why, not HOW it should be solved: leave the solution to "
            "the market."
        ),
    )
    affected_users = forms.CharField(
        label=_("Affected users"),
        required=False,
        widget=_textarea(),
        help_text=_("Who meets the problem today: residents, staff, relatives, partners."),
    )
    problem_scenarios = forms.CharField(
        label=_("Problem scenarios"),
        required=False,
        widget=_textarea(),
        help_text=_("Situations where the problem shows, as concretely as you can."),
    )
    desired_effects = forms.CharField(
        label=_("Desired effects"),
        required=False,
        widget=_textarea(),
        help_text=_("What should be better when the need is met."),
    )
    estimated_value = AmountField(
        label=_("Estimated value (NOK excl. VAT)"),
        required=False,
        help_text=_("In kroner without VAT, e.g. 2 500 000."),
    )
    cpv_codes = forms.CharField(
        label=_("CPV codes"),
        required=False,
        max_length=1000,
        help_text=_(
            "Eight-digit codes separated by commas, e.g. 72000000, 48000000. The first is the "
            "main code."
        ),
    )
    nuts_region = forms.ChoiceField(label=_("Region (NUTS)"), required=False, choices=())
    planned_procedure = forms.ChoiceField(
        label=_("Planned procedure"), choices=Procedure.choices, initial=Procedure.UNDECIDED
    )
    internal_notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        widget=_textarea(),
        help_text=_(
            "Seen only by your organisation, co-buyers and the programme: never published."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions: list[tuple[str, Any]] = [("", _("Not chosen")), *nuts.choices()]
        cast(forms.ChoiceField, self.fields["nuts_region"]).choices = regions
        self.fields["cpv_codes"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    @classmethod
    def initial_for(cls, project: Project) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(project, name) for name in cls.base_fields}
        initial["cpv_codes"] = ", ".join(c.code for c in project.cpv_codes.all())
        return initial

    def clean_cpv_codes(self) -> list[str]:
        text: str = self.cleaned_data["cpv_codes"]
        codes, problems = cpv.parse_many(text)
        if problems:
            bad = [token for token in CPV_SPLIT.split(text) if token and _refused(token)]
            raise ValidationError([cpv_error(token) for token in bad], code="unknown_cpv")
        return codes

    def to_data(self) -> ProjectData:
        data = self.cleaned_data
        return ProjectData(
            title=data["title"],
            need_statement=data["need_statement"],
            affected_users=data["affected_users"],
            problem_scenarios=data["problem_scenarios"],
            desired_effects=data["desired_effects"],
            estimated_value=data["estimated_value"],
            nuts_region=data["nuts_region"],
            planned_procedure=data["planned_procedure"],
            internal_notes=data["internal_notes"],
            cpv_codes=tuple(data["cpv_codes"]),
        )


def _refused(token: str) -> bool:
    try:
        cpv.parse(token)
    except cpv.UnknownCpvCode:
        return True
    return False


class FirstOptionRadioSelect(forms.RadioSelect):
    """Radios whose field id is the first option's, so an error summary link lands on a radio.

    Django's RadioSelect gives the field no id (its `<label for>` would tick the first option);
    the error summary then links to "#", the top of the page.
    """

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class PhaseForm(Form):
    """The move itself; the rules (guards, reasons) live in lifecycle and the action."""

    to = forms.ChoiceField(label=_("Move to"), widget=FirstOptionRadioSelect, choices=())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Required when skipping market dialogue or going back. Shown in the timeline."),
    )

    def __init__(self, *args: Any, phases: list[Phase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (phase.value, phase.label) for phase in phases
        ]


class BenefitForm(Form):
    category = forms.ChoiceField(label=_("Category"), choices=BenefitCategory.choices)
    description = forms.CharField(label=_("Description"), widget=_textarea(3))
    baseline = AmountField(
        label=_("Baseline"),
        allow_negative=True,
        maximum=MAX_MEASURE,
        help_text=_("The level today, measured before the project, in the unit below."),
    )
    target = AmountField(
        label=_("Target"),
        allow_negative=True,
        maximum=MAX_MEASURE,
        help_text=_("The level you aim for, in the same unit."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=50, help_text=_("E.g. hours per week, visits per month, NOK.")
    )
    yearly_value = AmountField(
        label=_("Estimated yearly value (NOK)"),
        required=False,
        help_text=_("What reaching the target is worth per year in kroner, if it can be set."),
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=200,
        help_text=_("Who is responsible for realising the benefit."),
    )

    @classmethod
    def initial_for(cls, benefit: ExpectedBenefit) -> dict[str, Any]:
        return {name: getattr(benefit, name) for name in cls.base_fields}

    def to_data(self) -> BenefitData:
        data = self.cleaned_data
        return BenefitData(
            category=data["category"],
            description=data["description"],
            baseline=data["baseline"],
            target=data["target"],
            unit=data["unit"],
            owner=data["owner"],
            yearly_value=data["yearly_value"],
        )


class StepForm(Form):
    """One roadmap step; prefixed with the step key so many can share a page."""

    done = forms.BooleanField(label=_("Done"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=_textarea(2))


class DocumentForm(UploadForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].label = _("Document title")


class InviteForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Buyer organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        help_text=_("Its administrators are asked to accept."),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = candidates
