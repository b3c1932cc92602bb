"""Forms for the sign-off pages. They parse input; the services decide whether it may happen."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from accounts.models import User
from core.forms import form_field
from lifecycle.models import Stage, UseCase
from signoff.models import Decision
from signoff.services import ConditionInput

CONDITION_ROWS = 3


class RequestCreateForm(forms.Form):
    target_stage = forms.TypedChoiceField(
        label="Promote to",
        coerce=int,
        choices=[(s.value, s.label) for s in Stage.active() if s != Stage.PROPOSED],
        help_text="The next stage (promotion goes one stage at a time), or the one the use case is at: a new "
        "version there, or its periodic review.",
    )
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text="Why now, and what reviewers should look at first.",
    )

    def __init__(self, *args, use_case: UseCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offered: only what the stage rule allows, the next stage or (from stage 1 on) the current one again,
        # for a new version to run there or its periodic review. Any other stage sent is refused by the service,
        # in its own words.
        choices: list[tuple[int, str]] = []
        if use_case.next_stage is not None and use_case.promotion_refusal(use_case.next_stage) is None:
            choices.append((use_case.next_stage, Stage(use_case.next_stage).label))
        if use_case.request_refusal(use_case.stage) is None:
            choices.append(
                (use_case.stage, f"Stay at {Stage(use_case.stage).label}: a new version or a periodic review")
            )
        self.offered = choices


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=1000)


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})"


class AssignForm(forms.Form):
    assignee = _PersonChoiceField(label="Assign to", queryset=User.objects.none())

    def __init__(self, *args, members: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "assignee", forms.ModelChoiceField).queryset = members


class HandOverForm(forms.Form):
    to = _PersonChoiceField(label="Hand over to", queryset=User.objects.none())
    note = forms.CharField(label="Note for them (optional)", required=False, max_length=500)

    def __init__(self, *args, members: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "to", forms.ModelChoiceField).queryset = members


class DecisionForm(forms.Form):
    """The decision and up to three conditions (rows left blank are ignored)."""

    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
        help_text="Required for everything but a plain approval.",
    )

    def __init__(self, *args, owners: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, CONDITION_ROWS + 1):
            self.fields[f"condition_{n}_text"] = forms.CharField(
                label=f"Condition {n}", required=False, max_length=2000
            )
            self.fields[f"condition_{n}_owner"] = _PersonChoiceField(
                label=f"Condition {n} owner", queryset=owners, required=False
            )
            self.fields[f"condition_{n}_due_date"] = forms.DateField(
                label=f"Condition {n} due date", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"condition_{n}_blocking"] = forms.BooleanField(
                label=f"Condition {n} stops the use case running once overdue", required=False
            )

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self["decision"], self["comment"]]

    @property
    def condition_rows(self) -> list[list[forms.BoundField]]:
        return [
            [
                self[f"condition_{n}_text"],
                self[f"condition_{n}_owner"],
                self[f"condition_{n}_due_date"],
                self[f"condition_{n}_blocking"],
            ]
            for n in range(1, CONDITION_ROWS + 1)
        ]

    def conditions(self) -> list[ConditionInput]:
        out = []
        for n in range(1, CONDITION_ROWS + 1):
            text = self.cleaned_data.get(f"condition_{n}_text", "")
            owner = self.cleaned_data.get(f"condition_{n}_owner")
            due = self.cleaned_data.get(f"condition_{n}_due_date")
            blocking = bool(self.cleaned_data.get(f"condition_{n}_blocking"))
            if text or owner or due:
                out.append(ConditionInput(text=text, owner=owner, due_date=due, blocking=blocking))
        return out


class ConditionMetForm(forms.Form):
    note = forms.CharField(
        label="How it was met",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
        help_text="A note, a file, or both.",
    )
    file = forms.FileField(label="Evidence file", required=False)


class ConditionJudgeForm(forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=10_000)


class ConditionWaiveForm(forms.Form):
    reason = forms.CharField(
        label="Why it is waived", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=10_000
    )
