"""Findings: raised from validation, audit, monitoring, incidents or review; tracked to validated closure."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from governance.access import finding_raise_refusal, finding_remediate_refusal, finding_validate_refusal
from governance.models import Finding, Severity
from lifecycle.models import Artifact, ModelVersion, UseCase
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
            url=finding.get_absolute_url(),
        )
    return finding


def _finding_lock(finding: Finding) -> Finding:
    """The finding under a row lock, its use case with it (the use case's lock is not needed: nothing else moves)."""
    return Finding.objects.select_for_update(of=("self",)).select_related("use_case", "owner").get(pk=finding.pk)


def finding_remediate(*, finding: Finding, actor: User, notes: str, evidence: Artifact | None = None) -> Finding:
    """The owner says what was done, with the evidence of it; the finding waits for the second line's validation."""
    if (refusal := finding_remediate_refusal(actor, finding)) is not None:
        refusal.raise_it(on=finding.use_case)
    notes = notes.strip()
    if not notes:
        raise ValidationError({"remediation_notes": "Say what was done to remediate the finding."})
    if evidence is not None and evidence.use_case_id != finding.use_case_id:
        raise ValidationError({"closure_evidence": "That evidence belongs to another use case."})
    with transaction.atomic():
        finding = _finding_lock(finding)
        if finding.state != Finding.State.OPEN:
            raise ValidationError(f"This finding is {finding.get_state_display().lower()}, not open.")
        finding.state = Finding.State.REMEDIATED
        finding.remediation_notes = notes
        finding.closure_evidence = evidence
        finding.remediated_at = timezone.now()
        finding.save(update_fields=["state", "remediation_notes", "closure_evidence", "remediated_at"])
        audit_record(
            actor=actor,
            verb=Verb.FINDING_REMEDIATED,
            obj=finding,
            use_case_id=finding.use_case_id,
            changes={
                "state": [Finding.State.OPEN, Finding.State.REMEDIATED],
                "remediation_notes": notes,
                "closure_evidence": evidence.sha256 if evidence is not None else None,
            },
        )
        if finding.raised_by is not None and finding.raised_by_id != actor.pk:
            notify(
                users=[finding.raised_by],
                kind=Kind.FINDING,
                title=f"Remediated, to validate: {finding.title} ({finding.use_case.title})",
                body=notes,
                url=finding.get_absolute_url(),
            )
    return finding


def finding_validate(*, finding: Finding, actor: User, comment: str = "") -> Finding:
    """The second line accepts the remediation: the finding is closed."""
    if (refusal := finding_validate_refusal(actor, finding)) is not None:
        refusal.raise_it(on=finding.use_case)
    with transaction.atomic():
        finding = _finding_lock(finding)
        if finding.state != Finding.State.REMEDIATED:
            raise ValidationError(
                "Only a remediated finding can be validated closed: its owner records the remediation first."
            )
        finding.state = Finding.State.CLOSED
        finding.validated_by = actor
        finding.validated_at = timezone.now()
        finding.save(update_fields=["state", "validated_by", "validated_at"])
        audit_record(
            actor=actor,
            verb=Verb.FINDING_CLOSED,
            obj=finding,
            use_case_id=finding.use_case_id,
            changes={"state": [Finding.State.REMEDIATED, Finding.State.CLOSED], "comment": comment.strip()},
        )
        notify(
            users=[finding.owner],
            kind=Kind.FINDING,
            title=f"Closed: {finding.title} ({finding.use_case.title})",
            body=comment.strip() or "The second line validated the remediation.",
            url=finding.get_absolute_url(),
        )
    return finding


def finding_reopen(*, finding: Finding, actor: User, reason: str) -> Finding:
    """The second line finds the remediation short (or the issue back): open again, with why."""
    if (refusal := finding_validate_refusal(actor, finding)) is not None:
        refusal.raise_it(on=finding.use_case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the finding is reopened."})
    with transaction.atomic():
        finding = _finding_lock(finding)
        if finding.state == Finding.State.OPEN:
            raise ValidationError("This finding is already open.")
        before = finding.state
        finding.state = Finding.State.OPEN
        finding.validated_by = None
        finding.validated_at = None
        finding.save(update_fields=["state", "validated_by", "validated_at"])
        audit_record(
            actor=actor,
            verb=Verb.FINDING_REOPENED,
            obj=finding,
            use_case_id=finding.use_case_id,
            changes={"state": [before, Finding.State.OPEN], "reason": reason},
        )
        notify(
            users=[finding.owner],
            kind=Kind.FINDING,
            title=f"Reopened: {finding.title} ({finding.use_case.title})",
            body=reason,
            url=finding.get_absolute_url(),
        )
    return finding
