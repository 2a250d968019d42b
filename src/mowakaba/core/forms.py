"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form: forms.BaseForm, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to the form, field by field, so the page explains it."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = rename.get(field, field)
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
