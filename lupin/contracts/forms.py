"""The buyers' forms for following up a contract. They check what people type and hand actions
plain data; the rules (a PCP keeps two suppliers, when the purchase option opens, …) live in
`lupin.contracts.actions`, and their refusals are shown next to the field they name.

Field names match the `field` of the actions' errors (`ends_on`, `max_cost`, `reason_<party>`).
Dates are typed with the browser's date picker (`<input type="date">`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.accounts.models import Organisation
from lupin.contracts.actions import ContractData, GateChoice
from lupin.contracts.models import (
    CONTRACT_MOVES,
    Contract,
    ContractKind,
    ContractParty,
    ContractStatus,
    Direction,
    GateOutcome,
    OptionKind,
    PhaseKind,
)
from lupin.forms import Form
from lupin.lib import orgnr
from lupin.projects.forms import MAX_AMOUNT, AmountField, FirstOptionRadioSelect

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends the day as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


def _day(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput,
        error_messages={"invalid": _("Write a date, e.g. 2026-03-01.")},
        **kwargs,
    )


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _amount(label: Any, **kwargs: Any) -> AmountField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("help_text", _("In kroner without VAT, e.g. 2 500 000."))
    return AmountField(label=label, **kwargs)


def _today() -> date:
    return timezone.localdate()


# The contract --------------------------------------------------------------------------------


@dataclass
class SupplierLine:
    """One line of the suppliers box: its number (for error messages), org. number and name."""

    line: int
    org_number: str
    name: str


# Nine digits, with the spaces or dots people type between them, then the name.
SUPPLIER_LINE = re.compile(r"^\s*((?:\d[ .\u00a0]?){8}\d)(?!\d)[\s,;:]*(.*)$")


def parse_supplier_lines(text: str) -> list[SupplierLine]:
    """The non-empty lines of the suppliers box. A line that does not start with nine digits
    keeps its first word as the number, so the action can say what is wrong with it."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = SUPPLIER_LINE.match(raw)
        if match:
            org_number, name = orgnr.normalise(match.group(1)), match.group(2)
        else:
            org_number, _sep, name = raw.strip().partition(" ")
        lines.append(SupplierLine(number, org_number, name.strip()))
    return lines


class TermsForm(Form):
    """The terms a buyer may change after signing."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(
        label=_("Contract number"),
        max_length=50,
        required=False,
        help_text=_("Your own reference, e.g. the case number in the archive."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=_textarea(5),
        help_text=_("What the contract covers, in a few sentences."),
    )
    starts_on = _day(_("Starts"))
    ends_on = _day(
        _("Ends"),
        required=False,
        help_text=_("Without options and extensions; exercising an extension moves it."),
    )
    value = _amount(_("Value (NOK excl. VAT)"))
    max_cost = _amount(
        _("Maximum cost of the development (NOK)"),
        help_text=_(
            "Innovation partnership and PCP only: the agreed ceiling for all phases. The "
            "purchase option stays closed while the phases cost more."
        ),
    )


class ContractForm(TermsForm):
    """The edit page: the kind, the parties and the signing day stay as they were."""

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        self.contract = contract
        kwargs.setdefault("initial", {name: getattr(contract, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        if not contract.has_phases:
            del self.fields["max_cost"]

    def to_data(self) -> ContractData:
        contract = self.contract
        data = self.cleaned_data
        return ContractData(
            title=data["title"],
            kind=contract.kind,
            signed_on=contract.signed_on,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            value=data["value"],
            max_cost=data.get("max_cost"),
            reference=data["reference"],
            description=data["description"],
            is_pilot=contract.is_pilot,
        )


class RegisterForm(TermsForm):
    """A contract from a procurement run outside Lupin, registered by hand."""

    kind = forms.ChoiceField(
        label=_("Kind of contract"),
        choices=ContractKind.choices,
        help_text=_(
            "An innovation partnership or a PCP gets development phases with go/no-go gates; "
            "a PCP needs at least two suppliers."
        ),
    )
    signed_on = _day(_("Signed"))
    is_pilot = forms.BooleanField(
        label=_("The contract is a pilot"),
        required=False,
        help_text=_(
            "It tries a solution out and a purchase at scale is to follow. Innovation "
            "partnerships and PCPs always count as pilots."
        ),
    )
    suppliers = forms.CharField(
        label=_("Suppliers"),
        widget=_textarea(4),
        strip=False,  # errors name the line: keep leading blank lines in the count
        help_text=_(
            "One per line: the organisation number, then the name, e.g. “100158493 Nordlys "
            "Teknologi AS”. A supplier Lupin already knows needs only its number."
        ),
    )

    field_order = [
        "title",
        "kind",
        "signed_on",
        "starts_on",
        "ends_on",
        "value",
        "max_cost",
        "reference",
        "description",
        "is_pilot",
        "suppliers",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_suppliers(self) -> list[SupplierLine]:
        lines = parse_supplier_lines(self.cleaned_data["suppliers"])
        if not lines:
            raise ValidationError(_("Name at least one supplier."), code="required")
        return lines

    def to_data(self) -> ContractData:
        data = self.cleaned_data
        return ContractData(
            title=data["title"],
            kind=data["kind"],
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            value=data["value"],
            max_cost=data["max_cost"],
            reference=data["reference"],
            description=data["description"],
            is_pilot=data["is_pilot"],
        )


class StatusForm(Form):
    to = forms.ChoiceField(label=_("New status"), widget=FirstOptionRadioSelect, choices=())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Required when the contract is terminated. Kept in the case's history."),
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = CONTRACT_MOVES[contract.status]
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (status.value, status.label) for status in ContractStatus if status in moves
        ]


# Options and extensions ----------------------------------------------------------------------


class OptionForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind of option"), widget=FirstOptionRadioSelect, choices=OptionKind.choices
    )
    description = forms.CharField(
        label=_("Description"),
        widget=_textarea(3),
        help_text=_("As written in the contract, e.g. “Extension by one year”."),
    )
    value = _amount(_("Value (NOK excl. VAT)"))
    extends_to = _day(
        _("Extends the contract to"),
        required=False,
        help_text=_("Extensions only: the new end date once the option is exercised."),
    )


# Development phases, milestones and gates ----------------------------------------------------


class PhaseForm(Form):
    kind = forms.ChoiceField(label=_("Kind of phase"), choices=())
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = _day(_("Starts"))
    ends_on = _day(_("Ends"))
    max_cost = _amount(
        _("Maximum cost (NOK)"), help_text=_("The ceiling agreed for this phase, if any.")
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [
            (kind.value, kind.label)
            for kind in PhaseKind
            # A PCP runs solution design, prototype and test; development is a partnership's.
            if not (contract.kind == ContractKind.PCP and kind == PhaseKind.DEVELOPMENT)
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds


class PhaseCostForm(Form):
    actual_cost = AmountField(
        label=_("Cost so far (NOK)"),
        help_text=_("What the phase has cost in total until now, e.g. 750 000."),
    )


class DayForm(Form):
    """The day a one-button action happened (an option exercised, a milestone reached): today
    when left empty, so a meeting can be recorded afterwards."""

    on = _day(_("On"), required=False)


class MilestoneForm(Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = _day(_("Due"))


class GateForm(Form):
    """The go/no-go for every supplier still in the contract: a decision and a reason each,
    and the day the gate was decided (today unless the meeting is recorded later).

    The fields are optional here: `decide_gate` says what is missing, once, for the API too."""

    on = _day(
        _("Decided on"),
        required=False,
        help_text=_("Leave empty for today; a supplier told “no go” leaves on this day."),
    )

    def __init__(self, *args: Any, suppliers: list[ContractParty], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suppliers = suppliers
        for party in suppliers:
            name = party.organisation.name
            self.fields[f"outcome_{party.pk}"] = forms.ChoiceField(
                label=_("Decision for %(supplier)s") % {"supplier": name},
                choices=GateOutcome.choices,
                widget=FirstOptionRadioSelect,
                required=False,
            )
            reason = f"reason_{party.pk}"
            # Added after the form is built, so given the Designsystemet wiring here.
            textarea = _textarea(3)
            textarea.attrs.update(
                {"class": "ds-input", "aria-describedby": f"id_{self.add_prefix(reason)}-help"}
            )
            self.fields[reason] = forms.CharField(
                label=_("Reason for %(supplier)s") % {"supplier": name},
                max_length=2000,
                required=False,
                widget=textarea,
                help_text=_("The supplier reads it; it is kept in the contract's history."),
            )

    def rows(self) -> list[tuple[ContractParty, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"outcome_{p.pk}"], self[f"reason_{p.pk}"]) for p in self.suppliers]

    def choices(self) -> list[GateChoice]:
        data = self.cleaned_data
        return [
            GateChoice(party, data[f"outcome_{party.pk}"], data[f"reason_{party.pk}"])
            for party in self.suppliers
            if data[f"outcome_{party.pk}"]
        ]


# Performance levels and the purchase option --------------------------------------------------


class PerformanceLevelForm(Form):
    name = forms.CharField(
        label=_("Performance level"),
        max_length=200,
        help_text=_("What the developed solution must achieve, e.g. “Alarms answered in time”."),
    )
    direction = forms.ChoiceField(label=_("Required"), choices=Direction.choices)
    required = AmountField(
        label=_("Required value"), allow_negative=True, help_text=_("E.g. 95 or 2,5.")
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=50, help_text=_("E.g. per cent, seconds, alarms per night.")
    )


class PerformanceResultForm(Form):
    achieved = AmountField(
        label=_("Achieved value"),
        allow_negative=True,
        maximum=MAX_AMOUNT,
        help_text=_("In the level's unit."),
    )
    achieved_on = _day(_("Measured"), required=False, help_text=_("Leave empty for today."))


class PurchaseForm(Form):
    on = _day(_("Exercised"), required=False, help_text=_("Leave empty for today."))
    purchase_value = _amount(_("Value of the purchase (NOK excl. VAT)"))


# From pilot to scale -------------------------------------------------------------------------


class PilotEndForm(Form):
    on = _day(
        _("The pilot ended"),
        help_text=_("From this day the case waits for a purchase at scale."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)


class ScaleUpForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Buyer"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose the buyer"),
        help_text=_(
            "The public buyer that bought the solution. A buyer that is not party to the "
            "contract counts as transfer value."
        ),
    )
    decided_on = _day(_("Bought"))
    value = _amount(_("Value (NOK excl. VAT)"))
    scope = forms.CharField(
        label=_("What was rolled out"),
        widget=_textarea(3),
        help_text=_("E.g. “All 14 home care districts, 2 300 users”."),
    )

    def __init__(self, *args: Any, buyers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = buyers
