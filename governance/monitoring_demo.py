"""Demo data for running governance: ten days of monitoring on the credit-scoring model, one of them a breach
of a population-stability threshold, and a serious incident whose Art. 73 clock runs. Seeded once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from governance.models import Incident, Observation
from governance.services import ObservationSpec, incident_record, observations_record
from lifecycle.models import UseCase

GINI = [0.64, 0.63, 0.64, 0.62, 0.61, 0.6, 0.61, 0.6, 0.59, 0.6]
PSI = [0.04, 0.05, 0.05, 0.06, 0.07, 0.08, 0.09, 0.13, 0.09, 0.08]


def demo_monitoring_seed(*, users: dict[str, User], use_cases: dict[str, UseCase]) -> list[str]:
    """What it seeded, in words; nothing when run again."""
    notes: list[str] = []
    credit = use_cases.get("credit-scoring")
    version = credit.versions.order_by("-created_at", "-id").first() if credit is not None else None
    if credit is None or version is None or Observation.objects.filter(version=version).exists():
        return notes
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    days = range(len(GINI))
    specs = [
        *(
            ObservationSpec("gini", GINI[d], window_end=now - timedelta(days=len(GINI) - d), source="prometheus")
            for d in days
        ),
        *(
            ObservationSpec(
                "population_stability_index", PSI[d], window_end=now - timedelta(days=len(PSI) - d), source="prometheus"
            )
            for d in days
        ),
    ]
    recorded = observations_record(version=version, actor=credit.technical_owner, observations=specs)
    notes.append(
        f"credit-scoring: {len(recorded.observations)} observations, {len(recorded.findings_opened)} finding(s)"
    )
    if not Incident.objects.filter(use_case=credit).exists():
        aware = now - timedelta(days=3)
        incident_record(
            use_case=credit,
            actor=credit.technical_owner,
            severity=Incident.Severity.SERIOUS,
            clock=Incident.Clock.STANDARD,
            title="Applicants refused on a stale bureau score",
            description="A feature cache served last month's bureau scores for six hours.",
            people_affected="About 300 applicants, refused credit",
            detected_at=aware - timedelta(hours=2),
            aware_at=aware,
            version=version,
        )
        notes.append("credit-scoring: a serious incident with its Art. 73 clock running")
    return notes
