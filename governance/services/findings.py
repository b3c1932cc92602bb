"""Findings: raised from validation, audit, monitoring, incidents or review; tracked to validated closure."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record
from governance.access import finding_raise_refusal
from governance.models import Finding, Severity
from lifecycle.models import ModelVersion, UseCase
from notifications.services import Kind, notify


def finding_raise(
    *,
    use_case: UseCase,
    actor: User,
    source: str,
    severity: str,
    title: str,
    description: str,
    due_date: date,
    owner: User | None = None,
    version: ModelVersion | None = None,
    by_policy: bool = False,
) -> Finding:
    """Open a finding; its owner (by default the technical owner) is told.

    `by_policy`: raised by the portal itself (a monitoring breach) on behalf of whoever pushed the data.
    """
    if not by_policy and (refusal := finding_raise_refusal(actor, use_case)) is not None:
        refusal.raise_it(on=use_case)
    errors: dict[str, str] = {}
    if source not in Finding.Source.values:
        errors["source"] = f"Choose one of: {', '.join(Finding.Source.values)}."
    if severity not in Severity.values:
        errors["severity"] = f"Choose one of: {', '.join(Severity.values)}."
    if not title.strip():
        errors["title"] = "Give the finding a title."
    if version is not None and version.use_case_id != use_case.pk:
        errors["version"] = "That version belongs to another use case."
    if errors:
        raise ValidationError(errors)
    owner = owner or use_case.technical_owner
    with transaction.atomic():
        finding = Finding.objects.create(
            use_case=use_case,
            version=version,
            source=source,
            severity=severity,
            title=title.strip(),
            description=description.strip(),
            owner=owner,
            due_date=due_date,
            raised_by=actor,
        )
        audit_record(
            actor=actor,
            verb=Verb.FINDING_RAISED,
            obj=finding,
            use_case_id=use_case.pk,
            changes={
                "source": source,
                "severity": severity,
                "title": finding.title,
                "owner": owner.get_username(),
                "due_date": due_date.isoformat(),
                "version": version.label if version is not None else None,
                "by_policy": by_policy,
            },
        )
        notify(
            users=[owner],
            kind=Kind.FINDING,
            title=f"{finding.get_severity_display()} finding on {use_case.title}: {finding.title}",
            body=f"Due {due_date:%d %b %Y}.",
            url=use_case.get_absolute_url(),
        )
    return finding
