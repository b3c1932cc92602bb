"""The audit trail's filters, shared by the pages, the CSV export and the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from audit.services import Verb
from lifecycle.models import UseCase
from portal.audit_trail import AuditFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    use_case = forms.SlugField(required=False, max_length=80, label="Use case (slug)")
    actor = forms.CharField(required=False, max_length=150, label="Actor (username)")
    verb = forms.ChoiceField(required=False, choices=[("", "Any verb"), *[(v.value, v.value) for v in Verb]])
    since = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    until = forms.DateField(required=False, label="To", widget=DATE_INPUT)
    request = forms.IntegerField(required=False, min_value=1, label="Readiness request #")

    def clean_use_case(self) -> UseCase | None:
        slug = self.cleaned_data.get("use_case")
        if not slug:
            return None
        use_case = UseCase.objects.filter(slug=slug).first()
        if use_case is None:
            raise ValidationError(f"No use case has the slug “{slug}”.")
        return use_case

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The start date is after the end date.")
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            use_case=data.get("use_case"),
            actor=(data.get("actor") or "").strip(),
            verb=data.get("verb") or "",
            since=data.get("since"),
            until=data.get("until"),
            request_id=data.get("request"),
        )
