"""The suppliers' forms in a competition. They check what people type and hand the actions plain
data; the rules themselves (deadline to the second, price above zero, how many files) live in
`lupin.competitions.actions`.

No form reads an upload into memory: `uploads.validate_upload` looks at the first bytes (or
streams text in chunks) and the action encrypts each file chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupin import uploads
from lupin.competitions.actions.setup import QUESTION_MAX_LENGTH
from lupin.competitions.models import Lot
from lupin.forms import Form
from lupin.lib.money import to_nok

# Far above any real tender, and well inside what Decimal quantises without loss.
PRICE_MAX = Decimal("999999999999.99")


def parse_price(text: str) -> Decimal:
    """A price in NOK as people write it ("1 250 000,50"); raise ValueError with a message for
    the person. Whether it must be above zero is the action's rule (it says so by field)."""
    try:
        amount = to_nok(text.strip())
    except (ValueError, ArithmeticError):
        raise ValueError(_("Write the price as a number, for example 1 250 000,50.")) from None
    if abs(amount) > PRICE_MAX:
        raise ValueError(_("The price is too large."))
    return amount


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one <input type="file" multiple>; cleans to a list."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items:
            # The single-file field raises "This field is required" when it is.
            super().clean(None, initial)
            return []
        cleaned = []
        for item in items:
            cleaned.append(super().clean(item, initial))
        return cleaned


def validate_tender_file(upload: UploadedFile) -> str:
    """`uploads.validate_upload` with the tender files' own, larger size limit
    (LUPIN_TENDER_MAX_BYTES: tenders carry drawings and videos); return the content type."""
    return uploads.validate_upload(upload, max_bytes=settings.LUPIN_TENDER_MAX_BYTES)


def validate_uploads(files: Sequence[UploadedFile]) -> list[UploadedFile]:
    """Every file through `validate_tender_file`; one message per refused file, naming it."""
    problems: list[str] = []
    for upload in files:
        try:
            upload.content_type = validate_tender_file(upload)
        except ValidationError as error:
            problems.extend(f"{upload.name}: {message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)
    return list(files)


class LotChoiceField(forms.ModelChoiceField):
    """The lot a tender is for, as radio buttons (`lot` by its number in the form)."""

    def __init__(self, lots: QuerySet[Lot]) -> None:
        super().__init__(
            queryset=lots,
            to_field_name="number",
            label=gettext_lazy("Lot"),
            empty_label=None,
            widget=forms.RadioSelect,
            error_messages={
                "required": gettext_lazy("Choose the lot your tender is for."),
                "invalid_choice": gettext_lazy("Choose one of this competition's lots."),
            },
        )

    def label_from_instance(self, obj: Any) -> str:
        return _("Lot %(number)d: %(title)s") % {"number": obj.number, "title": obj.title}


class TenderForm(Form):
    file = MultipleFileField(
        label=gettext_lazy("Your tender files"),
        max_length=200,
    )
    price = forms.CharField(
        label=gettext_lazy("Total price in NOK excluding VAT"),
        max_length=40,
        help_text=gettext_lazy("For example 1 250 000,50. The price is sealed with the files."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, lots: QuerySet[Lot] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lots is not None and lots.exists():
            # First, so that the lot is chosen before the files (and the field order follows).
            self.fields = {"lot": LotChoiceField(lots), **self.fields}
        field = self.fields["file"]
        field.widget.attrs["accept"] = uploads.ACCEPT
        field.help_text = _(
            "Choose one or more files: PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, "
            "PNG or JPEG; at most %(limit)s MB each."
        ) % {"limit": uploads.limit_in_mb(settings.LUPIN_TENDER_MAX_BYTES)}
        field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix('file')}-help"

    def clean_file(self) -> list[UploadedFile]:
        return validate_uploads(self.cleaned_data["file"])

    def clean_price(self) -> Decimal:
        try:
            return parse_price(self.cleaned_data["price"])
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class WithdrawForm(Form):
    lot = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, withdraw our tender"),
        help_text=gettext_lazy(
            "The buyer will not evaluate it. You may submit a new tender before the deadline."
        ),
    )


class QuestionForm(Form):
    text = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        help_text=gettext_lazy(
            "Only the buyer sees your question. The answer is published to everyone, in the "
            "buyer's words and without your name."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
