"""The forms of the incident register's pages. Services check again; a form only reads what was posted."""

from __future__ import annotations

from django import forms

from core.forms import form_field
from governance.models import Incident
from lifecycle.models import ModelVersion, UseCase

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Incident.Severity.choices)
    clock = forms.ChoiceField(
        choices=Incident.Clock.choices,
        required=False,
        label="Art. 73 clock",
        help_text="For a serious incident: 15 days from awareness; 10 for a death; 2 for a widespread "
        "infringement or a serious and irreversible disruption of critical infrastructure.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What happened")
    people_affected = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Who was affected, and how many."
    )
    detected_at = forms.DateTimeField(widget=DATETIME_INPUT, label="Detected")
    aware_at = forms.DateTimeField(
        widget=DATETIME_INPUT, label="Aware since", help_text="When the organisation became aware: the clock starts."
    )
    version = forms.ModelChoiceField(queryset=ModelVersion.objects.none(), required=False, empty_label="Not known")
    blocking = forms.BooleanField(required=False, help_text="While it is open, no version of the use case may run.")

    def __init__(self, *args, use_case: UseCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "version", forms.ModelChoiceField).queryset = ModelVersion.objects.filter(use_case=use_case)


class ReportedForm(forms.Form):
    reported_at = forms.DateTimeField(
        widget=DATETIME_INPUT, required=False, label="Reported on", help_text="Leave empty for now."
    )


class IncidentSuspendForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why it must stop now. Not needed when the use case is already suspended: that suspension is linked.",
    )


class IncidentCloseForm(forms.Form):
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    corrective_actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class BlockingForm(forms.Form):
    blocking = forms.ChoiceField(choices=[("yes", "Blocks the run gate"), ("no", "Does not block")])
