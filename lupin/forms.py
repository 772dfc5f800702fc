"""Form plumbing shared by every app: Designsystemet classes and accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms


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

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "errors", {}):
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = f"id_{self.add_prefix(name)}-error"
                before = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{before} {described}".strip()


class Form(LupinFormMixin, forms.Form):
    pass


class ModelForm(LupinFormMixin, forms.ModelForm):
    pass
