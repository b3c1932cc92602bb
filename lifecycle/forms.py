"""Forms for the registry pages. They validate input; the services do the writing."""

from __future__ import annotations

import hashlib
import math

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from core.forms import form_field
from lifecycle.models import Artifact, EvaluationMetric, ReadinessQuestion, Stage, UseCase
from lifecycle.questionnaire import AREAS_QUESTION, Questionnaire
from lifecycle.selectors import owner_candidates
from lifecycle.services import EDITABLE_FIELDS, MetricSpec, ReadinessInput

YES_NO = [("yes", "Yes"), ("no", "No")]
DIRECTIONS = {
    ">=": EvaluationMetric.Direction.AT_LEAST,
    "<=": EvaluationMetric.Direction.AT_MOST,
    "at least": EvaluationMetric.Direction.AT_LEAST,
    "at most": EvaluationMetric.Direction.AT_MOST,
}


class UseCaseForm(forms.ModelForm):
    class Meta:
        model = UseCase
        fields = [
            "title",
            "slug",
            "purpose",
            "approved_scope",
            "business_kpi",
            "technical_owner",
            "business_owner",
            "team",
            "sunset_criteria",
            "processes_personal_data",
            "customer_facing",
            "regulated_decision",
        ]
        labels = {
            "slug": "Short name for links",
            "business_kpi": "Business KPI (the measure it must move)",
            "processes_personal_data": "It processes personal data",
            "customer_facing": "It is customer-facing",
            "regulated_decision": "It supports a regulated decision",
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "approved_scope": forms.Textarea(attrs={"rows": 3}),
            "sunset_criteria": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, creating: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        candidates = owner_candidates()
        form_field(self, "technical_owner", forms.ModelChoiceField).queryset = candidates
        form_field(self, "business_owner", forms.ModelChoiceField).queryset = candidates
        if creating:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Used in links and by pipelines; derived from the title if left empty."
            self.fields["technical_owner"].required = False
            self.fields["technical_owner"].help_text = "You, unless you choose someone else."
        else:
            # The slug is what pipelines and links use: it never changes after creation.
            del self.fields["slug"]

    def validate_unique(self) -> None:
        # The service checks slug uniqueness and reports it on the field.
        return None

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class DemoteForm(forms.Form):
    to_stage = forms.TypedChoiceField(coerce=int, label="Demote to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why: the incident, or what failed.")

    def __init__(self, *args, use_case: UseCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "to_stage", forms.ChoiceField).choices = [
            (s.value, s.label) for s in Stage.active() if s.value < use_case.stage and use_case.stage != Stage.RETIRED
        ]


class RetireForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why it is switched off; it stays in the registry."
    )


MAX_CONFIG_BYTES = 5 * 1024 * 1024
MAX_METRICS_BYTES = 256 * 1024


def metrics_parse(text: str, *, where: str = "Line") -> list[MetricSpec]:
    """Rows of 'name, value, threshold, direction[, critical]'; a first row of column names is skipped."""
    specs, errors, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (number == 1 and line.strip().lower().startswith("name")):
            continue
        parts = [p.strip() for p in line.split(",")]
        critical = len(parts) == 5 and parts[4].lower() == "critical"
        if len(parts) == 5 and not critical:
            errors.append(f"{where} {number}: the fifth part may only be 'critical', not '{parts[4]}'.")
            continue
        if len(parts) not in (4, 5):
            errors.append(f"{where} {number}: expected 'name, value, threshold, >= or <=' (four parts).")
            continue
        name, value, threshold, direction = parts[:4]
        try:
            value_f, threshold_f = float(value), float(threshold)
        except ValueError:
            errors.append(f"{where} {number}: value and threshold must be numbers.")
            continue
        if not (math.isfinite(value_f) and math.isfinite(threshold_f)):
            errors.append(f"{where} {number}: value and threshold must be finite numbers.")
            continue
        if direction.lower() not in DIRECTIONS:
            errors.append(f"{where} {number}: the direction must be '>=' or '<=', not '{direction}'.")
            continue
        if not name or len(name) > 100:
            errors.append(f"{where} {number}: the metric needs a name of at most 100 characters.")
            continue
        if name in seen:
            errors.append(f"{where} {number}: '{name}' appears twice.")
            continue
        seen.add(name)
        specs.append(MetricSpec(name, value_f, threshold_f, DIRECTIONS[direction.lower()], critical))
    if errors:
        raise ValidationError(errors)
    return specs


def _read_text(upload, *, limit: int, what: str) -> bytes:
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"The {what} is larger than {limit // 1024} KB.")
    return data


class VersionForm(forms.Form):
    label = forms.CharField(max_length=50, help_text="e.g. 1.4.0 or 2026-11-rc2")
    provider = forms.CharField(max_length=100)
    model_identifier = forms.CharField(max_length=200, label="Model identifier")
    config_hash = forms.CharField(
        label="Configuration SHA-256",
        max_length=64,
        required=False,
        validators=[
            RegexValidator(r"^[0-9a-fA-F]{64}$", "Give the SHA-256 as 64 hexadecimal characters.", code="sha256")
        ],
        help_text="SHA-256 of the prompt or configuration that ships with this version. Leave it empty and "
        "choose the file or paste the text below: the portal computes it.",
    )
    config_file = forms.FileField(
        label="…or the configuration file, to compute its SHA-256",
        required=False,
        help_text="Only its SHA-256 is kept; the file itself is not stored.",
    )
    config_text = forms.CharField(
        label="…or the prompt or configuration, pasted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Its SHA-256 is computed over the text as UTF-8; the text itself is not stored.",
    )
    agent_tools = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One tool an agent may call per line."
    )
    guardrails = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    metrics = forms.CharField(
        required=False,
        label="Evaluation metrics",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One per line: name, value, threshold, >= or <=, and 'critical' if a breach in production should "
            "suspend the use case (e.g. 'faithfulness, 0.93, 0.90, >=, critical')."
        ),
    )
    metrics_file = forms.FileField(
        label="…or the metrics as a CSV file",
        required=False,
        help_text="Columns: name, value, threshold, direction (>= or <=), optionally critical; header row skipped.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # With JavaScript the browser computes the SHA-256 as soon as the file is chosen or the text pasted.
        for name in ("config_file", "config_text"):
            self.fields[name].widget.attrs.update(
                {"data-sha256-into": "id_config_hash", "data-sha256-status": "id_config_hash_helptext"}
            )
        self.fields["metrics_file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_agent_tools(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["agent_tools"].splitlines() if line.strip()]

    def clean_metrics(self) -> list[MetricSpec]:
        return metrics_parse(self.cleaned_data["metrics"])

    def clean(self) -> dict:
        data = super().clean() or {}
        config_file, config_text = data.pop("config_file", None), data.pop("config_text", "")
        metrics_file = data.pop("metrics_file", None)
        computed = ""
        try:
            if config_file:
                computed = hashlib.sha256(_read_text(config_file, limit=MAX_CONFIG_BYTES, what="file")).hexdigest()
            elif config_text:
                computed = hashlib.sha256(config_text.encode()).hexdigest()
        except ValidationError as exc:
            self.add_error("config_file", exc)
        typed = (data.get("config_hash") or "").lower()
        if computed and typed and typed != computed:
            self.add_error("config_hash", f"This differs from the SHA-256 of what you gave below ({computed}).")
        elif computed:
            data["config_hash"] = computed
        elif not typed and "config_hash" not in self.errors and "config_file" not in self.errors:
            self.add_error(
                "config_hash", "Give the SHA-256, or choose the configuration file or paste it to compute it."
            )
        if metrics_file:
            if data.get("metrics"):
                self.add_error("metrics_file", "Give the metrics either as lines above or as a CSV file, not both.")
            else:
                try:
                    text = _read_text(metrics_file, limit=MAX_METRICS_BYTES, what="CSV file").decode("utf-8-sig")
                    data["metrics"] = metrics_parse(text, where="Row")
                except UnicodeDecodeError:
                    self.add_error("metrics_file", "The CSV file is not UTF-8 text.")
                except ValidationError as exc:
                    self.add_error("metrics_file", exc)
        return data


class QuestionnaireForm(forms.Form):
    """One yes/no (or area choice) and a rationale per question, then pre-screen or final."""

    is_final = forms.TypedChoiceField(
        label="This assessment is",
        choices=[("0", "A pre-screen (preliminary)"), ("1", "Final")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    summary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Summary and reviewer notes"
    )

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire.questions:
            label = f"{question.id} · {question.article}: {question.text}"
            if question.id == AREAS_QUESTION:
                self.fields[question.id] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(a.key, f"{a.point}. {a.label}") for a in questionnaire.areas],
                    widget=forms.CheckboxSelectMultiple,
                    help_text=question.effect,
                )
            else:
                self.fields[question.id] = forms.ChoiceField(
                    label=label, required=False, choices=YES_NO, widget=forms.RadioSelect, help_text=question.effect
                )
            self.fields[f"{question.id}_rationale"] = forms.CharField(
                label=f"Rationale for {question.id}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def question_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(q.group, self[q.id], self[f"{q.id}_rationale"]) for q in self.questionnaire.questions]

    def answers(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for question in self.questionnaire.questions:
            rationale = self.cleaned_data.get(f"{question.id}_rationale", "")
            value = self.cleaned_data.get(question.id)
            if question.id == AREAS_QUESTION:
                out[question.id] = {"areas": list(value or []), "rationale": rationale}
            else:
                out[question.id] = {"answer": {"yes": True, "no": False}.get(value or ""), "rationale": rationale}
        return out

    def add_answer_errors(self, exc: ValidationError) -> None:
        for message in exc.message_dict.get("answers", []):
            qid, _, text = message.partition(": ")
            self.add_error(qid if qid in self.fields else None, text or message)


class ReadinessForm(forms.Form):
    """The seven production-readiness questions, each yes/no with a note or a linked artifact."""

    def __init__(self, *args, use_case: UseCase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        artifacts = Artifact.objects.filter(use_case=use_case, is_current=True).order_by("kind", "-uploaded_at")
        for question in ReadinessQuestion:
            self.fields[question.value] = forms.ChoiceField(
                label=question.label,
                choices=[("", "Not answered"), *YES_NO],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"{question.value}_note"] = forms.CharField(
                label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{question.value}_artifact"] = forms.ModelChoiceField(
                label="Supporting evidence", queryset=artifacts, required=False
            )

    def question_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[q.value], self[f"{q.value}_note"], self[f"{q.value}_artifact"]) for q in ReadinessQuestion]

    def answers(self) -> dict[str, ReadinessInput]:
        out = {}
        for question in ReadinessQuestion:
            value = self.cleaned_data.get(question.value)
            if not value:
                continue
            out[question.value] = ReadinessInput(
                answer=value == "yes",
                note=self.cleaned_data.get(f"{question.value}_note", ""),
                artifact=self.cleaned_data.get(f"{question.value}_artifact"),
            )
        return out
