"""Forms for the account pages. They validate input; the services do the writing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from accounts.models import TokenScope, User
from core.forms import form_field


def one_time_code_field(*, label: str, required: str, help_text: str = "") -> forms.CharField:
    """A code from an authenticator app or a recovery code (digits both): phones offer the number pad and the code."""
    return forms.CharField(
        label=label,
        max_length=32,
        help_text=help_text,
        error_messages={"required": required},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


EXPIRY_CHOICES = [
    ("7", "In 7 days"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
    ("never", "Never"),
]
SCOPE_CHOICES = [
    (TokenScope.READ.value, "read: see what the account may see"),
    (TokenScope.GATE.value, "gate: ask the run gate"),
    (TokenScope.PUSH.value, "push: send versions, evidence, readiness answers, requests and metrics"),
    (TokenScope.REVIEW.value, "review: claim, hand over and decide reviews (people only, never a pipeline)"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you recognise it later: e.g. “release pipeline”.",
        error_messages={"required": "Name the token, so you recognise it later."},
    )
    holder = forms.TypedChoiceField(label="For the account", coerce=int, empty_value=None)
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the token may do."},
    )
    expires = forms.ChoiceField(label="Expires", choices=EXPIRY_CHOICES, initial="90")

    def __init__(self, *args, holders: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.holders = {h.pk: h for h in holders}
        field = form_field(self, "holder", forms.TypedChoiceField)
        field.choices = [(h.pk, "You" if i == 0 else f"{h.username} (service account)") for i, h in enumerate(holders)]
        field.initial = holders[0].pk if holders else None
        # Someone without service accounts issues tokens for themselves, and is not asked.
        field.required = len(holders) > 1
        if not field.required:
            field.widget = forms.HiddenInput()

    def holder_user(self) -> User:
        chosen = self.cleaned_data.get("holder")
        return self.holders[chosen] if chosen is not None else next(iter(self.holders.values()))

    def expires_at(self) -> datetime | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else timezone.now() + timedelta(days=int(value))


class ServiceAccountForm(forms.Form):
    username = forms.RegexField(
        label="Name of the service account",
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text="Letters, digits and . @ + - _ only: e.g. “ci-fraud-scoring”.",
        error_messages={
            "required": "Give the service account a name.",
            "invalid": "Use letters, digits and . @ + - _ only.",
        },
    )
