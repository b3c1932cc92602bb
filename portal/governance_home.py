"""Running governance on the home pages: what an owner must remediate, what a lead must chase, what an auditor reads."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, F, Q

from accounts.models import User
from governance.models import Finding, Incident, RequirementException, Severity, Suspension
from governance.services.exceptions import requirement_words
from portal.dashboards import use_cases_owned_by

LIST_LIMIT = 20
# Owners hear of an exception's end by reminder a day before; the home page shows it a month ahead.
EXCEPTIONS_ENDING_WITHIN_DAYS = 30


def _unclosed() -> Q:
    return ~Q(state=Finding.State.CLOSED)


def owner_governance(user: User, today: date) -> dict:
    """Findings the owner must remediate (or await validation of), open incidents on her use cases (soonest
    Art. 73 report first), her suspended use cases, exceptions ending soon."""
    owned = use_cases_owned_by(user).values("pk")
    findings = list(
        Finding.objects.filter(_unclosed())
        .filter(Q(owner=user) | Q(use_case__in=owned))
        .select_related("use_case", "owner")
        .order_by("due_date", "id")[:LIST_LIMIT]
    )
    incidents = list(
        Incident.objects.filter(use_case__in=owned, state=Incident.State.OPEN)
        .select_related("use_case")
        .order_by(F("report_due_on").asc(nulls_last=True), "aware_at", "id")[:LIST_LIMIT]
    )
    suspensions = list(
        Suspension.objects.filter(use_case__in=owned, lifted_at__isnull=True).select_related("use_case", "suspended_by")
    )
    ending = [
        {"exception": e, "words": requirement_words(e.requirement_key)}
        for e in RequirementException.objects.filter(
            use_case__in=owned,
            withdrawn_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=EXCEPTIONS_ENDING_WITHIN_DAYS),
        )
        .select_related("use_case")
        .order_by("expires_on", "id")
    ]
    return {
        "my_findings": findings,
        "my_incidents": incidents,
        "my_suspensions": suspensions,
        "my_exceptions_ending": ending,
    }


def lead_governance(today: date) -> dict:
    """Overdue remediation and remediation awaiting validation, across the portfolio; the suspensions standing."""
    base = Finding.objects.select_related("use_case", "owner")
    return {
        "overdue_findings": list(
            base.filter(state=Finding.State.OPEN, due_date__lt=today).order_by("due_date", "id")[:LIST_LIMIT]
        ),
        "awaiting_validation": list(
            base.filter(state=Finding.State.REMEDIATED).order_by("remediated_at", "id")[:LIST_LIMIT]
        ),
        "suspensions": list(
            Suspension.objects.filter(lifted_at__isnull=True)
            .select_related("use_case", "suspended_by")
            .order_by("suspended_at", "id")
        ),
    }


def auditor_governance(today: date) -> dict:
    """Open findings by severity, the exceptions in force and the suspensions standing."""
    counts = dict(
        Finding.objects.filter(_unclosed()).values_list("severity").annotate(n=Count("id")).values_list("severity", "n")
    )
    return {
        "findings_by_severity": [(label, counts.get(value, 0)) for value, label in reversed(Severity.choices)],
        "exceptions_in_force": [
            {"exception": e, "words": requirement_words(e.requirement_key)}
            for e in RequirementException.objects.filter(withdrawn_at__isnull=True, expires_on__gte=today)
            .select_related("use_case", "granted_by")
            .order_by("expires_on", "id")[:LIST_LIMIT]
        ],
        "suspensions": list(
            Suspension.objects.filter(lifted_at__isnull=True).select_related("use_case").order_by("suspended_at")
        ),
    }
