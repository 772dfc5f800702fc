"""The buyer's forms for running a market dialogue. They validate what people type and hand
actions plain data; the rules that must hold everywhere live in `lupin.dialogue.actions`.

Times are typed in Oslo time (`<input type="datetime-local">`); Django reads them in the current
time zone (Europe/Oslo) and stores UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lupin.dialogue.actions import ConferenceData, DialogueData
from lupin.dialogue.models import (
    Answer,
    Conference,
    Dialogue,
    Language,
    MeetingMode,
)
from lupin.forms import Form, UploadForm
from lupin.projects.forms import FirstOptionRadioSelect

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker; the value is local time without a zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


def _when(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput,
        error_messages={"invalid": _("Write a date and time, e.g. 2026-03-01 10:00.")},
        **kwargs,
    )


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _in_the_past(value: datetime | None) -> bool:
    return value is not None and value <= timezone.now()


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


PAST = _("The time has passed: choose a time in the future.")


class DialogueForm(Form):
    """The dialogue notice. `dialogue` is the one being edited (None when creating)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    need_summary = forms.CharField(
        label=_("The need in plain words"),
        widget=_textarea(6),
        help_text=_("What the problem is and for whom: not how it should be solved."),
    )
    asks = forms.CharField(
        label=_("What we ask of suppliers"),
        widget=_textarea(3),
        help_text=_("E.g. take part in the conference, book a meeting, comment on the draft."),
    )
    language = forms.ChoiceField(
        label=_("Language of the dialogue"), choices=Language.choices, initial=Language.NB
    )
    registration_deadline = _when(_("Registration deadline (Oslo time)"))
    question_deadline = _when(
        _("Deadline for questions (Oslo time)"),
        help_text=_("Not before the day of the registration deadline."),
    )
    input_deadline = _when(
        _("Deadline for written input (Oslo time)"),
        help_text=_("Not before the day of the registration deadline."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        error_messages={"invalid": _("Write an e-mail address, e.g. name@kommune.no.")},
    )
    meeting_mode = forms.ChoiceField(
        label=_("How one-to-one meetings are given out"),
        choices=MeetingMode.choices,
        initial=MeetingMode.FIRST_COME,
        widget=FirstOptionRadioSelect,
        help_text=_("Fixed once slots exist: every supplier gets the same."),
    )
    meeting_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"),
        min_value=15,
        max_value=240,
        initial=60,
        help_text=_("The same for every meeting; fixed once slots exist."),
    )
    break_minutes = forms.IntegerField(
        label=_("Break between meetings (minutes)"),
        min_value=0,
        max_value=120,
        initial=15,
        help_text=_("Time to reflect and write notes between meetings."),
    )
    booking_cutoff = _when(
        _("Booking cut-off (Oslo time)"),
        required=False,
        help_text=_(
            "After this, bookings close (or the lottery is drawn). Must be before the first "
            "meeting slot."
        ),
    )

    DEADLINES = ("registration_deadline", "question_deadline", "input_deadline", "booking_cutoff")

    def __init__(
        self,
        *args: Any,
        dialogue: Dialogue | None = None,
        first_slot: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        self.dialogue = dialogue
        self.first_slot = first_slot
        super().__init__(*args, **kwargs)
        for name in ("title", "contact_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"

    @classmethod
    def initial_for(cls, dialogue: Dialogue) -> dict[str, Any]:
        return {name: getattr(dialogue, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        for name in self.DEADLINES:
            value = data.get(name)
            stored = getattr(self.dialogue, name) if self.dialogue is not None else None
            if value is not None and stored is not None and _same_minute(value, stored):
                # The input shows minutes only: an untouched field keeps the stored time.
                data[name] = value = stored
            # Creating: every deadline ahead of us. Editing: only a deadline that changes.
            changed = self.dialogue is None or value != stored
            if changed and _in_the_past(value):
                self.add_error(name, PAST)
        registration = data.get("registration_deadline")
        if registration is not None:
            day = timezone.localdate(registration)
            for name in ("question_deadline", "input_deadline"):
                value = data.get(name)
                if value is not None and timezone.localdate(value) < day:
                    self.add_error(
                        name,
                        _("This deadline cannot be before the day of the registration deadline."),
                    )
        cutoff = data.get("booking_cutoff")
        if cutoff is not None and self.first_slot is not None and cutoff >= self.first_slot:
            self.add_error(
                "booking_cutoff",
                _("The cut-off must be before the first meeting slot (%(time)s).")
                % {"time": timezone.localtime(self.first_slot).strftime("%d.%m.%Y %H:%M")},
            )
        return data

    def to_data(self) -> DialogueData:
        data = self.cleaned_data
        return DialogueData(**{name: data[name] for name in self.base_fields})


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Why is the dialogue cancelled?"),
        max_length=2000,
        widget=_textarea(4),
        help_text=_("Registered suppliers get this by e-mail, and it is kept in the history."),
    )


class ConferenceForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Programme"), required=False, max_length=10000, widget=_textarea(6)
    )
    starts_at = _when(_("Starts (Oslo time)"))
    ends_at = _when(_("Ends (Oslo time)"))
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("An address, or leave empty when the conference is online only."),
    )
    video_link = forms.URLField(
        label=_("Video link"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Write a full web address, e.g. https://meet.example/abc.")},
    )
    seats_per_organisation = forms.IntegerField(
        label=_("Seats per organisation"), min_value=1, max_value=50, initial=2
    )
    capacity = forms.IntegerField(
        label=_("Seats in all"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Leave empty for no limit."),
    )

    def __init__(self, *args: Any, conference: Conference | None = None, **kwargs: Any) -> None:
        self.conference = conference
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, conference: Conference) -> dict[str, Any]:
        return {name: getattr(conference, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if self.conference is not None and starts is not None:
            for name in ("starts_at", "ends_at"):
                stored = getattr(self.conference, name)
                if data.get(name) is not None and _same_minute(data[name], stored):
                    data[name] = stored
            starts, ends = data["starts_at"], data.get("ends_at")
        changed = self.conference is None or starts != self.conference.starts_at
        if changed and _in_the_past(starts):
            self.add_error("starts_at", PAST)
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", _("The conference must end after it starts."))
        if not data.get("place") and not data.get("video_link") and "video_link" not in self.errors:
            self.add_error("place", _("Give a place or a video link."))
        return data

    def to_data(self) -> ConferenceData:
        data = self.cleaned_data
        return ConferenceData(**{name: data[name] for name in self.base_fields})


class MaterialForm(UploadForm):
    conference = forms.ModelChoiceField(
        label=_("From the conference"),
        required=False,
        queryset=Conference.objects.none(),
        empty_label=_("Not tied to a conference"),
    )

    def __init__(self, *args: Any, conferences: QuerySet[Conference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["conference"]).queryset = conferences


class SlotForm(Form):
    """A row of equal slots: the dialogue's meeting length, then its break, `count` times."""

    first_start = _when(_("First meeting starts (Oslo time)"))
    count = forms.IntegerField(label=_("Number of slots"), min_value=1, max_value=40, initial=4)
    place = forms.CharField(
        label=_("Place or video link"),
        required=False,
        max_length=300,
        help_text=_("The same for every slot in this row."),
    )

    def __init__(self, *args: Any, dialogue: Dialogue, **kwargs: Any) -> None:
        self.dialogue = dialogue
        super().__init__(*args, **kwargs)

    def clean_first_start(self) -> datetime:
        start: datetime = self.cleaned_data["first_start"]
        if _in_the_past(start):
            raise ValidationError(_("Slots must start in the future."), code="past")
        cutoff = self.dialogue.booking_cutoff
        if cutoff is not None and start <= cutoff:
            raise ValidationError(
                _("Slots must start after the booking cut-off (%(time)s).")
                % {"time": timezone.localtime(cutoff).strftime("%d.%m.%Y %H:%M")},
                code="before_cutoff",
            )
        return start


class AnswerForm(Form):
    """An answer published to every registered supplier: there is no private answer."""

    question_text = forms.CharField(
        label=_("The question as it will be published"),
        max_length=5000,
        widget=_textarea(5),
        help_text=_(
            "Every registered supplier reads this. Remove anything that reveals who asked: the "
            "company's name, its product, its people or details only it would know."
        ),
    )
    answer_text = forms.CharField(
        label=_("Answer"),
        max_length=20000,
        widget=_textarea(8),
        help_text=_("Published to every registered supplier at the same moment, by e-mail too."),
    )


class ClarificationForm(AnswerForm):
    """A clarification nobody asked for in writing, e.g. a point raised at the conference."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question_text"].label = _("Topic or question")
        self.fields["question_text"].help_text = _(
            "What the clarification is about, e.g. a question raised at the conference. Do not "
            "name who raised it."
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


class MinutesForm(Form):
    text = forms.CharField(
        label=_("Minutes"),
        max_length=50000,
        widget=_textarea(14),
        help_text=_(
            "Separate paragraphs with a blank line: the supplier marks business secrets "
            "paragraph by paragraph."
        ),
    )
    actual_minutes = forms.IntegerField(
        label=_("Actual length (minutes)"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("How long the meeting really took; the equal-treatment report compares."),
    )
