"""The buyer's forms for preparing and running a competition. They validate what people type and
hand actions plain data; the rules that must hold everywhere live in `lupin.competitions.actions`.

Times are typed in Oslo time (`<input type="datetime-local">`); Django reads them in the current
time zone (Europe/Oslo) and stores UTC. The timeline is checked against the law here, with the
advisor's own check (`actions.timeline_problems`), so that an error stands next to its field and
names the rule; announcing checks it again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.competitions.actions import CompetitionData, timeline_problems
from lupin.competitions.actions.setup import CriterionData
from lupin.competitions.models import (
    Answer,
    BuyerKind,
    Competition,
    Criterion,
    CriterionKind,
    PriceModel,
    PurchaseKind,
)
from lupin.dialogue.forms import DateTimeLocalInput
from lupin.forms import Form, UploadForm
from lupin.lib import procedures
from lupin.projects.forms import AmountField
from lupin.projects.models import Procedure


def _when(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput,
        error_messages={"invalid": _("Write a date and time, e.g. 2026-03-01 12:00.")},
        **kwargs,
    )


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


PROCEDURES = [(value, label) for value, label in Procedure.choices if value != "undecided"]


class AdvisorForm(Form):
    """What the procedure advisor needs to know. Field names match the competition form, so the
    panel on the create page refreshes from the same inputs."""

    estimated_value = AmountField(
        label=_("Estimated value (NOK excl. VAT)"),
        help_text=_(
            "The total for the whole contract period, options and extensions included, "
            "e.g. 2 500 000."
        ),
    )
    buyer_kind = forms.ChoiceField(
        label=_("Buyer type"), choices=BuyerKind.choices, initial=BuyerKind.OTHER
    )
    purchase_kind = forms.ChoiceField(
        label=_("Kind of purchase"),
        choices=PurchaseKind.choices,
        initial=PurchaseKind.GOODS_SERVICES,
    )
    utilities = forms.BooleanField(
        label=_("The purchase is for a utility (water, energy, transport or postal services)"),
        required=False,
    )


class CompetitionForm(Form):
    """The competition: notice, procedure, timeline and price model (a draft only)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(label=_("Case number"), max_length=50, required=False)
    description = forms.CharField(
        label=_("Description"),
        widget=_textarea(6),
        help_text=_("What is bought, described by function and effect: leave the solution open."),
    )
    estimated_value = AdvisorForm.base_fields["estimated_value"]
    buyer_kind = AdvisorForm.base_fields["buyer_kind"]
    purchase_kind = AdvisorForm.base_fields["purchase_kind"]
    procedure = forms.ChoiceField(label=_("Procedure"), choices=PROCEDURES)
    request_deadline = _when(
        _("Deadline for requests to participate (Oslo time)"),
        required=False,
        help_text=_("Two-stage procedures only: restricted, negotiation, dialogue, partnership."),
    )
    question_deadline = _when(_("Deadline for questions (Oslo time)"))
    last_answer_at = _when(
        _("Last time answers are given (Oslo time)"),
        help_text=_(
            "At least 6 days before the tender deadline (Directive 2014/24 art. 53(2)): answers "
            "after this are refused."
        ),
    )
    tender_deadline = _when(_("Tender deadline (Oslo time)"))
    opening_at = _when(_("Opening (Oslo time)"), help_text=_("At or after the tender deadline."))
    price_model = forms.ChoiceField(
        label=_("Price model"), choices=PriceModel.choices, initial=PriceModel.PROPORTIONAL
    )
    price_zero_factor = forms.DecimalField(
        label=_("k: how much dearer than the lowest price scores zero"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Only for the linear model with a zero point: 1 means twice the lowest."),
    )
    score_max = forms.IntegerField(
        label=_("Score scale (0 to …)"),
        min_value=1,
        max_value=1000,
        initial=10,
        help_text=_("Usually 10 or 100."),
    )
    environment_justification = forms.CharField(
        label=_("Why climate and environment weigh less than 30 %"),
        required=False,
        widget=_textarea(3),
        help_text=_(
            "Only when climate and environment weigh less than 30 % among the award criteria "
            "(FOA § 7-9): requirements in the specification give a clearly better effect, or the "
            "purchase's footprint is insignificant."
        ),
    )

    DEADLINES = ("request_deadline", "question_deadline", "last_answer_at", "tender_deadline")

    def __init__(self, *args: Any, competition: Competition | None = None, **kwargs: Any) -> None:
        self.competition = competition
        self.warnings: list[procedures.Problem] = []
        super().__init__(*args, **kwargs)
        self.fields["price_zero_factor"].widget.attrs["inputmode"] = "decimal"

    @classmethod
    def initial_for(cls, competition: Competition) -> dict[str, Any]:
        return {name: getattr(competition, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if self.competition is not None:
            for name in (*self.DEADLINES, "opening_at"):
                stored = getattr(self.competition, name)
                value = data.get(name)
                if value is not None and stored is not None and _same_minute(value, stored):
                    # The input shows minutes only: an untouched field keeps the stored time.
                    data[name] = stored
        if data.get("price_model") == PriceModel.LINEAR_ZERO:
            if data.get("price_zero_factor") is None and "price_zero_factor" not in self.errors:
                self.add_error(
                    "price_zero_factor", _("Give k for the linear model with a zero point.")
                )
        else:
            data["price_zero_factor"] = None
        needed = (
            *("question_deadline", "last_answer_at", "tender_deadline", "opening_at"),
            *("estimated_value", "procedure", "buyer_kind", "purchase_kind"),
        )
        if any(data.get(name) is None for name in needed):
            return data
        try:
            problems = timeline_problems(self.to_data(data), timezone.now())
        except procedures.ThresholdsUnknown as error:
            self.add_error("estimated_value", str(error))
            return data
        if data["question_deadline"] <= timezone.now():
            self.add_error(
                "question_deadline", _("The time has passed: choose a time in the future.")
            )
        for problem in problems:
            if problem.severity == "warning":
                self.warnings.append(problem)
                continue
            field = problem.field if problem.field in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, problem.message)
        return data

    def to_data(self, data: dict[str, Any] | None = None) -> CompetitionData:
        data = data if data is not None else self.cleaned_data
        values: dict[str, Any] = {name: data.get(name) for name in self.base_fields}
        values["reference"] = values["reference"] or ""
        values["environment_justification"] = values["environment_justification"] or ""
        return CompetitionData(**values)


class TimelineForm(Form):
    """New deadlines after the announcement, with the reason every interested supplier reads."""

    question_deadline = CompetitionForm.base_fields["question_deadline"]
    last_answer_at = CompetitionForm.base_fields["last_answer_at"]
    tender_deadline = CompetitionForm.base_fields["tender_deadline"]
    opening_at = CompetitionForm.base_fields["opening_at"]
    reason = forms.CharField(
        label=_("Why the timeline changes"),
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Every interested supplier gets this by e-mail, and it is kept in the log."),
    )

    def __init__(self, *args: Any, competition: Competition, **kwargs: Any) -> None:
        self.competition = competition
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, competition: Competition) -> dict[str, Any]:
        names = ("question_deadline", "last_answer_at", "tender_deadline", "opening_at")
        return {name: getattr(competition, name) for name in names}

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        for name in ("question_deadline", "last_answer_at", "tender_deadline", "opening_at"):
            stored = getattr(self.competition, name)
            value = data.get(name)
            if value is not None and _same_minute(value, stored):
                data[name] = stored
        return data


class CriterionForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices)
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        localize=True,
    )
    description = forms.CharField(
        label=_("What is assessed"),
        required=False,
        max_length=5000,
        widget=_textarea(3),
        help_text=_("What a tender must show to score well on this criterion."),
    )

    def __init__(self, *args: Any, sub: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs["inputmode"] = "decimal"
        if sub:
            # A sub-criterion takes its parent's kind.
            del self.fields["kind"]
            self.fields["weight"].help_text = _("Part of the main criterion's weight.")
            self.fields["weight"].widget.attrs["aria-describedby"] = (
                f"id_{self.add_prefix('weight')}-help"
            )

    @classmethod
    def initial_for(cls, criterion: Criterion) -> dict[str, Any]:
        return {
            "name": criterion.name,
            "kind": criterion.kind,
            "weight": criterion.weight,
            "description": criterion.description,
        }

    def to_data(self, kind: str | None = None) -> CriterionData:
        data = self.cleaned_data
        return CriterionData(
            name=data["name"],
            weight=data["weight"],
            kind=kind or data.get("kind") or CriterionKind.QUALITY,
            description=data.get("description") or "",
        )


class JustificationForm(Form):
    environment_justification = CompetitionForm.base_fields["environment_justification"]


class RequirementForm(Form):
    text = forms.CharField(label=_("Requirement"), max_length=5000, widget=_textarea(3))
    documentation = forms.CharField(
        label=_("Documentation required"),
        required=False,
        max_length=5000,
        widget=_textarea(2),
        help_text=_("How the supplier shows it meets the requirement, e.g. a tax certificate."),
    )


class LotForm(Form):
    """A lot of the competition: suppliers tender for it, and it is awarded, on its own."""

    title = forms.CharField(label=_("Title of the lot"), max_length=200)
    description = forms.CharField(
        label=_("What the lot covers"), required=False, max_length=5000, widget=_textarea(2)
    )


class DocumentForm(UploadForm):
    """A tender document: public once the competition is announced."""


class AnswerForm(Form):
    """An answer published to every interested supplier: there is no private answer."""

    question_text = forms.CharField(
        label=_("The question as it will be published"),
        max_length=5000,
        widget=_textarea(5),
        help_text=_(
            "Every interested supplier reads this. Remove anything that reveals who asked: the "
            "company's name, its product, its people or details only it would know."
        ),
    )
    answer_text = forms.CharField(
        label=_("Answer"),
        max_length=20000,
        widget=_textarea(8),
        help_text=_("Published to every interested supplier at the same moment, by e-mail too."),
    )


class ClarificationForm(AnswerForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question_text"].label = _("Topic or question")
        self.fields["question_text"].help_text = _(
            "What the clarification is about, e.g. a correction to the tender documents."
        )
        self.fields["answer_text"].label = _("Clarification")


class AnswerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text: str = obj.question_text
        return text if len(text) <= 80 else text[:79] + "…"


class DuplicateForm(Form):
    answer = AnswerChoiceField(
        label=_("Already answered by"),
        queryset=Answer.objects.none(),
        empty_label=_("Choose a published answer"),
    )

    def __init__(self, *args: Any, answers: QuerySet[Answer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["answer"]).queryset = answers


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Why is the competition cancelled?"),
        max_length=2000,
        widget=_textarea(4),
        help_text=_(
            "Interested suppliers get this by e-mail, and it is kept in the history. A "
            "competition can be cancelled only on a lawful ground: name it."
        ),
    )
