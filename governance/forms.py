"""The forms of running governance's pages. Services check again; a form only reads what was posted."""

from __future__ import annotations

from django import forms


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
