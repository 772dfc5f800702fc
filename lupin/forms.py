"""Form plumbing shared by every app: Designsystemet classes and accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from lupin import uploads


class LupinFormMixin:
    """Adds `ds-input` to every widget and points invalid inputs at their error messages."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if not isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " ds-input").strip()
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-help")

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix(field_name)  # type: ignore[misc]

    def _mark_invalid(self, name: str) -> None:
        attrs = self.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        described = f"id_{self.add_prefix(name)}-error"
        before = attrs.get("aria-describedby", "").split()
        if described not in before:
            attrs["aria-describedby"] = " ".join([*before, described])

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "errors", {}):
            if name in self.fields:
                self._mark_invalid(name)

    def add_error(self, field: str | None, error: Any) -> None:
        """Also an action's refusal, added after cleaning, points its input at the message."""
        super().add_error(field, error)  # type: ignore[misc]
        if field is not None and field in self.fields:
            self._mark_invalid(field)


class Form(LupinFormMixin, forms.Form):
    pass


class ModelForm(LupinFormMixin, forms.ModelForm):
    pass


class UploadForm(Form):
    """A title and one file, checked by size, type and content (lupin/uploads.py)."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the file name."),
    )
    file = forms.FileField(label=_("File"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = uploads.ACCEPT
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, PNG or JPEG; at most "
            "%(limit)s MB."
        ) % {"limit": uploads.limit_in_mb()}
        self.fields["file"].widget.attrs["aria-describedby"] = f"id_{self.add_prefix('file')}-help"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Store the type we verified, never the one the browser claimed.
        upload.content_type = uploads.validate_upload(upload)
        return upload
