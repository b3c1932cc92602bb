"""The forms of running governance's pages. Services check again; a form only reads what was posted."""

from __future__ import annotations

from collections.abc import Callable

from django import forms

from accounts.models import User
from core.forms import form_field
from governance.models import Finding, Severity
from lifecycle.models import Artifact, ModelVersion, UseCase


class SuspendForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it must stop now: the incident, the breach or the finding. The owners read this.",
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it may run again: what was remediated and who validated it.",
    )


class FindingRaiseForm(forms.Form):
    title = forms.CharField(max_length=200)
    source = forms.ChoiceField(choices=Finding.Source.choices, help_text="Where the finding comes from.")
    severity = forms.ChoiceField(
        choices=Severity.choices, help_text="High and critical findings block promotion until closed."
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What is wrong, and where it shows."
    )
    due_date = forms.DateField(label="Remediate by", widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="The technical owner", help_text="Who remediates it."
    )
    version = forms.ModelChoiceField(
        queryset=ModelVersion.objects.none(), required=False, empty_label="No particular version", to_field_name="label"
    )

    def __init__(self, *args, use_case: UseCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "owner", forms.ModelChoiceField).queryset = User.objects.filter(pk__in=use_case.owner_ids)
        form_field(self, "version", forms.ModelChoiceField).queryset = ModelVersion.objects.filter(use_case=use_case)


class FindingRemediateForm(forms.Form):
    remediation_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What was done, and how you know it worked."
    )
    closure_evidence = forms.ModelChoiceField(
        queryset=Artifact.objects.none(),
        required=False,
        empty_label="No file (the notes are the evidence)",
        help_text="Evidence already uploaded to the use case: upload it there first.",
    )

    def __init__(self, *args, finding: Finding, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "closure_evidence", forms.ModelChoiceField).queryset = Artifact.objects.filter(
            use_case_id=finding.use_case_id, is_current=True
        )


class FindingValidateForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FindingReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What is still wrong.")


class ExceptionGrantForm(forms.Form):
    requirement_key = forms.ChoiceField(label="Requirement to waive")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why it is waived for this use case.")
    compensating_controls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="What stands in for it while it is waived."
    )
    expires_on = forms.DateField(
        label="Waived until", widget=forms.DateInput(attrs={"type": "date"}), help_text="Required again the day after."
    )

    def __init__(self, *args, waivable: dict[str, str], words: Callable[[str], str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "requirement_key", forms.ChoiceField).choices = [
            ("", "Choose a requirement"),
            *((key, f"{words(key)} (now: {detail})") for key, detail in waivable.items()),
        ]
