"""The error summary at the top of a form that failed: each problem, linked to its field."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template

register = template.Library()

# Widgets rendered as a group of inputs: the first input (id suffixed _0) is the one to jump to.
_GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@dataclass(frozen=True)
class ErrorItem:
    anchor: str
    label: str
    message: str


def _anchor(field: forms.BoundField) -> str:
    if isinstance(field.field.widget, _GROUPS):
        return f"{field.auto_id}_0" if field.auto_id else ""
    return field.id_for_label or field.auto_id or ""


@register.simple_tag
def form_error_items(form: forms.BaseForm | None) -> list[ErrorItem]:
    """Every error of the form, the ones not tied to a field first."""
    if form is None or not form.is_bound or not form.errors:
        return []
    items = [ErrorItem("", "", str(message)) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            items.append(ErrorItem(_anchor(field), str(field.label or field.name), str(message)))
    return items
