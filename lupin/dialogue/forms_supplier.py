"""The suppliers' forms in a market dialogue. They validate what people type and hand actions
plain data; the rules themselves (deadlines, seats, one booking) live in the actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lupin import uploads
from lupin.dialogue.actions import QUESTION_MAX_LENGTH
from lupin.dialogue.models import Conference, Slot
from lupin.forms import Form

ATTENDEES_MAX_LENGTH = 2000


class SignupForm(Form):
    """The people an organisation sends to a conference, one name per line."""

    attendees = forms.CharField(
        label=_("Who comes"),
        max_length=ATTENDEES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "name"}),
    )

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"conference-{conference.pk}")
        super().__init__(*args, **kwargs)
        self.conference = conference
        seats = conference.seats_per_organisation
        self.fields["attendees"].help_text = ngettext(
            "One name per line, at most %(n)d person.",
            "One name per line, at most %(n)d people.",
            seats,
        ) % {"n": seats}
        # Set after the mixin ran, so point the input at its help text here.
        self.fields["attendees"].widget.attrs["aria-describedby"] = (
            f"id_{self.add_prefix('attendees')}-help"
        )

    def clean_attendees(self) -> list[str]:
        text: str = self.cleaned_data["attendees"]
        return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        help_text=_(
            "Only the buyer sees your question. The answer is published to every registered "
            "supplier, without your name."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SlotRequestForm(Form):
    """Lottery mode: every slot the organisation can take. None chosen withdraws the requests."""

    slots = forms.TypedMultipleChoiceField(
        label=_("Slots you can take"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, slots: Sequence[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slots"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 (declared above)
        field.choices = [(slot.pk, str(slot)) for slot in slots]


class WrittenInputForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Your input"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Write here, attach a file, or both."),
    )
    file = forms.FileField(label=_("File (optional)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = uploads.ACCEPT
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, PNG or JPEG; at most "
            "%(limit)s MB."
        ) % {"limit": uploads.limit_in_mb()}
        self.fields["file"].widget.attrs["aria-describedby"] = f"id_{self.add_prefix('file')}-help"

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        # Store the type we verified, never the one the browser claimed.
        upload.content_type = uploads.validate_upload(upload)
        return upload


class SecretsForm(Form):
    """Which paragraphs of the organisation's own minutes are business secrets."""

    paragraphs = forms.TypedMultipleChoiceField(
        label=_("Business secrets"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, paragraphs: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["paragraphs"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 (declared above)
        field.choices = [(index, text) for index, text in enumerate(paragraphs)]
