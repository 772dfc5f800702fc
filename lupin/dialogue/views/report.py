"""The equal-treatment report, as a page and as CSV: for the project's insiders only."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lupin.dialogue import access
from lupin.dialogue.report import Item, SupplierRow, build, oslo

# A cell starting with one of these is a formula to Excel; organisation names and material
# titles come from other people, so such cells are defused with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def report(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = access.get_dialogue_for_insider(request.user, pk)
    return render(
        request, "dialogue/report.html", {"dialogue": dialogue, "report": build(dialogue)}
    )


def _items(items: Iterable[Item]) -> str:
    return "; ".join(
        f"{item.label} ({oslo(item.delivered_at) if item.delivered_at else _('never')})"
        for item in items
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(row: SupplierRow) -> list[str]:
    meeting = row.meeting
    return [
        _cell(value)
        for value in (
            row.organisation.name,
            row.organisation.org_number,
            oslo(row.registered_at),
            row.materials_received,
            _items(row.materials),
            row.answers_received,
            _items(row.answers),
            row.conference_seats,
            oslo(meeting.starts_at) if meeting else "",
            meeting.slot_minutes if meeting else "",
            meeting.actual_minutes if meeting else "",
            row.questions_asked,
            " | ".join(f"{flag.code}: {flag.explanation}" for flag in row.flags),
        )
    ]


def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One line per registered supplier. UTF-8 with a byte order mark, so Excel reads æøå."""
    dialogue = access.get_dialogue_for_insider(request.user, pk)
    result = build(dialogue)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="equal-treatment-dialogue-{dialogue.pk}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Organisation"),
            _("Organisation number"),
            _("Registered"),
            _("Materials received"),
            _("Materials (delivered)"),
            _("Answers received"),
            _("Answers (delivered)"),
            _("Conference seats"),
            _("Meeting"),
            _("Slot length (minutes)"),
            _("Actual length (minutes)"),
            _("Questions asked"),
            _("Flags"),
        ]
    )
    for row in result.rows:
        writer.writerow(_csv_row(row))
    return response
