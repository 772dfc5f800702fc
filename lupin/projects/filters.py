"""The filter form of the public project list: phase, region, CPV division, buyer, free text.

A bad value in one field is reported next to that field and ignored; the other filters still
apply, so a mistyped link never breaks the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lupin.forms import Form
from lupin.lib import cpv, nuts
from lupin.projects.lifecycle import Phase
from lupin.projects.models import Project, ProjectCpvCode


def division_choices(language: str) -> list[tuple[str, str]]:
    return [(d.division, f"{d.division} – {d.label(language)}") for d in cpv.divisions()]


def buyer_choices(projects: QuerySet[Project]) -> list[tuple[str, str]]:
    """Buyers that lead at least one of these projects (never a name only a hidden draft shows)."""
    rows = (
        projects.order_by("lead_buyer__name", "lead_buyer_id")
        .values_list("lead_buyer_id", "lead_buyer__name")
        .distinct()
    )
    return [(str(pk), name) for pk, name in rows]


class ProjectFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Title, need, affected users, desired effects or buyer."),
    )
    phase = forms.ChoiceField(label=_("Phase"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    division = forms.ChoiceField(label=_("CPV division"), required=False)
    buyer = forms.TypedChoiceField(label=_("Buyer"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything: list[tuple[str, str]] = [("", str(_("All")))]
        self.fields["phase"].choices = everything + [(p.value, p.label) for p in Phase]  # type: ignore[attr-defined]
        self.fields["region"].choices = everything + nuts.choices()  # type: ignore[attr-defined]
        self.fields["division"].choices = everything + division_choices(get_language() or "nb")  # type: ignore[attr-defined]
        self.fields["buyer"].choices = everything + buyer_choices(projects)  # type: ignore[attr-defined]

    def cleaned_values(self) -> dict[str, Any]:
        # After validation `cleaned_data` holds only the fields that passed: the bad ones drop out.
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        values = self.cleaned_values()
        return filter_projects(
            projects,
            phase=values["phase"],
            region=values["region"],
            division=values["division"],
            buyer=values["buyer"],
            q=values["q"],
        )


def filter_projects(
    projects: QuerySet[Project],
    *,
    phase: str | None = None,
    region: str | None = None,
    division: str | None = None,
    buyer: int | None = None,
    q: str | None = None,
) -> QuerySet[Project]:
    """The project filters, one meaning for the HTML list and the API (values already valid)."""
    if phase:
        projects = projects.filter(phase=phase)
    if region:
        projects = projects.filter(nuts_region=region)
    if division:
        # A subquery, not a join: a project with two codes in the division appears once.
        codes = ProjectCpvCode.objects.filter(code__startswith=division)
        projects = projects.filter(pk__in=codes.values("project_id"))
    if buyer is not None:
        projects = projects.filter(lead_buyer_id=buyer)
    text = (q or "").strip()
    if text:
        projects = projects.filter(
            Q(title__icontains=text)
            | Q(need_statement__icontains=text)
            | Q(affected_users__icontains=text)
            | Q(desired_effects__icontains=text)
            | Q(lead_buyer__name__icontains=text)
        )
    return projects
