"""After approval: suspension, findings, exceptions to policy, incidents and monitoring results.

Each row is kept for the record: a suspension is lifted, a finding closed, an exception expires or is
withdrawn, an incident closed; nothing is deleted. State changes go through governance's services, which
audit them in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lifecycle.models import Artifact, ModelVersion, UseCase


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


BLOCKING_SEVERITIES = [Severity.HIGH, Severity.CRITICAL]


class Suspension(models.Model):
    """A second-line lead stops a use case from running at once; only the second line lifts it."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField()
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    suspended_at = models.DateTimeField(default=timezone.now)
    # Suspended by a critical monitoring breach or an incident rather than by hand.
    cause = models.CharField(max_length=200, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-suspended_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["use_case"], condition=Q(lifted_at__isnull=True), name="suspension_one_active_per_use_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.use_case} suspended {self.suspended_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Finding(models.Model):
    """An issue found by validation, audit, monitoring, an incident or a reviewer, tracked to validated closure."""

    class Source(models.TextChoices):
        VALIDATION = "validation", "Validation"
        AUDIT = "audit", "Audit"
        MONITORING = "monitoring", "Monitoring"
        INCIDENT = "incident", "Incident"
        REVIEW = "review", "Review"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        REMEDIATED = "remediated", "Remediated, awaiting validation"
        CLOSED = "closed", "Closed (validated)"

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="findings")
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_owned")
    due_date = models.DateField(db_index=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    raised_at = models.DateTimeField(default=timezone.now)
    remediation_notes = models.TextField(blank=True)
    closure_evidence = models.ForeignKey(Artifact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    remediated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["use_case", "state", "severity"], name="finding_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:finding-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


class RequirementException(models.Model):
    """A second-line lead waives one gate requirement for one use case, with compensating controls, until a date."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="exceptions")
    requirement_key = models.CharField(max_length=64, help_text="The gate requirement's key, e.g. evidence.model_card.")
    reason = models.TextField()
    compensating_controls = models.TextField()
    expires_on = models.DateField(db_index=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "id"]

    def __str__(self) -> str:
        return f"{self.requirement_key} waived for {self.use_case} until {self.expires_on:%Y-%m-%d}"


class Incident(models.Model):
    """Something that went wrong in operation; a serious incident under Art. 73 starts a reporting clock."""

    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MAJOR = "major", "Major"
        SERIOUS = "serious", "Serious (Art. 73)"

    class Clock(models.TextChoices):
        # Art. 73(2)-(4): no later than 15 days after awareness; 10 for a death; 2 for a widespread
        # infringement or a serious and irreversible disruption of critical infrastructure.
        NONE = "", "No report due"
        STANDARD = "standard", "Serious incident: 15 days"
        DEATH = "death", "A death: 10 days"
        WIDESPREAD = "widespread", "Widespread infringement or critical infrastructure: 2 days"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="incidents")
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    people_affected = models.TextField(blank=True, help_text="Who was affected, and how many.")
    detected_at = models.DateTimeField()
    aware_at = models.DateTimeField(help_text="When the organisation became aware: the Art. 73 clock starts here.")
    clock = models.CharField(max_length=12, choices=Clock.choices, blank=True, default=Clock.NONE)
    report_due_on = models.DateField(null=True, blank=True, db_index=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    blocking = models.BooleanField(default=False, help_text="While open, the run gate denies.")
    suspension = models.ForeignKey(Suspension, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    root_cause = models.TextField(blank=True)
    corrective_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} incident: {self.title}"


class Observation(models.Model):
    """One value of a metric of a version over a window, pushed by a pipeline or a monitor."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="observations")
    metric = models.CharField(max_length=100)
    value = models.FloatField()
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=100, blank=True)
    # Against the version's threshold for the metric, when it has one: kept as seen at the time.
    threshold = models.FloatField(null=True, blank=True)
    breach = models.BooleanField(default=False)
    finding = models.ForeignKey(Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "window_end", "id"]
        indexes = [models.Index(fields=["version", "metric", "window_end"], name="observation_series_idx")]

    def __str__(self) -> str:
        return f"{self.version} {self.metric}={self.value:g}"
