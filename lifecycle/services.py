"""Writes to the registry. Each service runs in one transaction and audits itself."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import CHANGE_USE_CASE, use_case_may_change, use_case_may_create
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    ModelVersion,
    ReadinessAnswer,
    ReadinessQuestion,
    RiskAssessment,
    Stage,
    StageChange,
    Tier,
    UseCase,
    artifact_upload_to,
)
from lifecycle.questionnaire import UseCaseFlags, answers_clean, classify, internal_tier_for, questionnaire_load
from lifecycle.uploads import upload_validate

SHA256_RE = re.compile(r"[0-9a-f]{64}")

# The registry fields owners may edit, and whose before/after the audit trail records. The yearly
# revalidation date is not one of them: sign-off sets it when it approves a promotion.
EDITABLE_FIELDS = (
    "title",
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
)
AUDITED_FIELDS = EDITABLE_FIELDS
# Slugs that would collide with the registry's own URLs (/use-cases/new/).
RESERVED_SLUGS = frozenset({"new"})


def use_case_lock(*, use_case: UseCase) -> UseCase:
    """Re-read the use case with a row lock; every stage change goes through here first."""
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


def use_case_owners_sync(*, use_case: UseCase, actor: User | None) -> None:
    """Owners hold the object permission to change the use case; nobody else does."""
    owners = set(User.objects.filter(pk__in=use_case.owner_ids))
    holders = set(get_users_with_perms(use_case, only_with_perms_in=["change_usecase"], with_superusers=False))
    for user in owners - holders:
        assign_perm(CHANGE_USE_CASE, user, use_case)
        audit_record(
            actor=actor,
            verb=Verb.PERMISSION_GRANTED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"user": user.username, "permission": "change_usecase"},
        )
    for user in holders - owners:
        remove_perm(CHANGE_USE_CASE, user, use_case)
        audit_record(
            actor=actor,
            verb=Verb.PERMISSION_REVOKED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"user": user.username, "permission": "change_usecase"},
        )


def _stage_change(
    *, use_case: UseCase, actor: User, kind: str, from_stage: int, reason: str, verb: Verb
) -> StageChange:
    use_case.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    change = StageChange.objects.create(
        use_case=use_case, kind=kind, from_stage=from_stage, to_stage=use_case.stage, reason=reason, actor=actor
    )
    audit_record(
        actor=actor,
        verb=verb,
        obj=use_case,
        use_case_id=use_case.pk,
        changes={"stage": [from_stage, use_case.stage], "reason": reason, "stage_change": change.pk},
    )
    hooks.announce(kind=hooks.ChangeKind.STAGE_CHANGED, use_case=use_case, actor=actor)
    return change


def use_case_promote(*, use_case: UseCase, actor: User, reason: str) -> StageChange:
    """Move up one stage. Only the sign-off services call this, inside the approving transaction."""
    use_case = use_case_lock(use_case=use_case)
    if use_case.is_prohibited:
        raise ValidationError("A use case classified as prohibited can never leave stage 0.")
    if not can_proceed(use_case.promote):
        raise ValidationError(f"A use case at {use_case.get_stage_display()} cannot be promoted.")
    from_stage = use_case.stage
    use_case.promote()
    return _stage_change(
        use_case=use_case,
        actor=actor,
        kind=StageChange.Kind.PROMOTION,
        from_stage=from_stage,
        reason=reason,
        verb=Verb.STAGE_PROMOTED,
    )


def _stage_change_lock(*, use_case: UseCase, actor: User, reason: str, step: str, step_done: str) -> UseCase:
    """Demotion and retirement start alike: close open requests, lock the use case, check who asks and why.

    Runs inside the caller's transaction.
    """
    # What hangs on the current stage (sign-off's open requests) closes first: a request is locked before its use case.
    hooks.stage_leaving(use_case=use_case, actor=actor, reason=reason.strip())
    use_case = use_case_lock(use_case=use_case)
    if not use_case_may_change(actor, use_case):
        raise PermissionDenied(f"Only the use case's owners or an administrator may {step} it.")
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the use case is being {step_done}."})
    return use_case


def use_case_demote(*, use_case: UseCase, actor: User, to_stage: int, reason: str) -> StageChange:
    """Roll back to a lower stage (after an incident, or a failed revalidation), with a reason."""
    with transaction.atomic():
        use_case = _stage_change_lock(use_case=use_case, actor=actor, reason=reason, step="demote", step_done="demoted")
        if use_case.stage == Stage.RETIRED or not can_proceed(use_case.demote):
            raise ValidationError(f"A use case at {use_case.get_stage_display()} cannot be demoted.")
        if to_stage not in Stage.values or not (Stage.PROPOSED <= to_stage < use_case.stage):
            raise ValidationError({"to_stage": "Demotion must go to a lower stage than the current one."})
        from_stage = use_case.stage
        use_case.demote(to_stage)
        change = _stage_change(
            use_case=use_case,
            actor=actor,
            kind=StageChange.Kind.DEMOTION,
            from_stage=from_stage,
            reason=reason.strip(),
            verb=Verb.STAGE_DEMOTED,
        )
    return change


def use_case_retire(*, use_case: UseCase, actor: User, reason: str) -> StageChange:
    """Switch the use case off for good; it stays in the registry for the record."""
    with transaction.atomic():
        use_case = _stage_change_lock(use_case=use_case, actor=actor, reason=reason, step="retire", step_done="retired")
        if not can_proceed(use_case.retire):
            raise ValidationError("This use case is already retired.")
        from_stage = use_case.stage
        use_case.retire()
        change = _stage_change(
            use_case=use_case,
            actor=actor,
            kind=StageChange.Kind.RETIREMENT,
            from_stage=from_stage,
            reason=reason.strip(),
            verb=Verb.STAGE_RETIRED,
        )
    return change


FLAG_FIELDS = ("processes_personal_data", "customer_facing", "regulated_decision")


def _flags_of(use_case: UseCase) -> UseCaseFlags:
    return UseCaseFlags(**{name: getattr(use_case, name) for name in FLAG_FIELDS})


def _internal_tier_now(use_case: UseCase) -> str | None:
    """The internal tier from the current assessment and the use case's flags as they are now."""
    assessment = RiskAssessment.objects.filter(use_case=use_case).order_by("-created_at", "-id").first()
    if assessment is None:
        return None
    return internal_tier_for(
        tier=assessment.tier, gpai=assessment.gpai, fria_required=assessment.fria_required, flags=_flags_of(use_case)
    )


def _field_value(use_case: UseCase, name: str) -> Any:
    if name in ("technical_owner", "business_owner"):
        owner = getattr(use_case, name)
        return owner.username if owner else None
    value = getattr(use_case, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _slug_unique(base: str) -> str:
    base = (slugify(base) or "use-case")[:70].strip("-") or "use-case"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or UseCase.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _owners_check(*, technical_owner: User | None, business_owner: User | None) -> None:
    errors = {}
    if technical_owner is not None and (not technical_owner.has_any_role or technical_owner.is_auditor):
        errors["technical_owner"] = "The technical owner must hold a role in the portal and not be an auditor."
    if business_owner is not None and (not business_owner.has_any_role or business_owner.is_auditor):
        errors["business_owner"] = "The business owner must hold a role in the portal and not be an auditor."
    if errors:
        raise ValidationError(errors)


def use_case_create(
    *,
    actor: User,
    title: str,
    purpose: str,
    slug: str = "",
    technical_owner: User | None = None,
    **fields: Any,
) -> UseCase:
    """Register a use case. Its creator is its technical owner unless someone else is named."""
    if not use_case_may_create(actor):
        raise PermissionDenied("Auditors and accounts without a role may not register use cases.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not registry fields: {sorted(unknown)}")
    title, purpose = title.strip(), purpose.strip()
    errors = {}
    if not title:
        errors["title"] = "Give the use case a title."
    if not purpose:
        errors["purpose"] = "Say what the system does and for whom."
    if errors:
        raise ValidationError(errors)
    technical_owner = technical_owner or actor
    _owners_check(technical_owner=technical_owner, business_owner=fields.get("business_owner"))
    with transaction.atomic():
        if slug:
            slug = slug.strip().lower()
            if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 80:
                raise ValidationError({"slug": "Use lower-case letters, digits and single hyphens (at most 80)."})
            if slug in RESERVED_SLUGS or UseCase.objects.filter(slug=slug).exists():
                raise ValidationError({"slug": f"The slug '{slug}' is taken; choose another."})
        else:
            slug = _slug_unique(title)
        try:
            with transaction.atomic():
                use_case = UseCase.objects.create(
                    slug=slug, title=title, purpose=purpose, technical_owner=technical_owner, created_by=actor, **fields
                )
        except IntegrityError:
            # Two people registered the same slug at the same moment.
            raise ValidationError({"slug": f"The slug '{slug}' is taken; choose another."}) from None
        audit_record(
            actor=actor,
            verb=Verb.USE_CASE_CREATED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"slug": slug, **{name: _field_value(use_case, name) for name in AUDITED_FIELDS}},
        )
        use_case_owners_sync(use_case=use_case, actor=actor)
    return use_case


def use_case_update(*, use_case: UseCase, actor: User, **fields: Any) -> UseCase:
    """Edit registry fields (not the slug, which URLs and pipelines rely on). Audits before/after."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        use_case = (
            UseCase.objects.select_for_update(of=("self",))
            .select_related("technical_owner", "business_owner")
            .get(pk=use_case.pk)
        )
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may edit it.")
        for name in ("title", "purpose"):
            if name in fields and not str(fields[name]).strip():
                raise ValidationError({name: "This field cannot be blank."})
        if "technical_owner" in fields and fields["technical_owner"] is None:
            raise ValidationError({"technical_owner": "A use case always has a technical owner."})
        _owners_check(technical_owner=fields.get("technical_owner"), business_owner=fields.get("business_owner"))
        before = {name: _field_value(use_case, name) for name in fields}
        for name, value in fields.items():
            setattr(use_case, name, value.strip() if isinstance(value, str) else value)
        after = {name: _field_value(use_case, name) for name in fields}
        changed = {name: [before[name], after[name]] for name in fields if before[name] != after[name]}
        if not changed:
            return use_case
        update_fields = [*fields, "updated_at"]
        if set(FLAG_FIELDS) & set(changed):
            # The internal tier weighs these flags; keep it in step without waiting for a new assessment.
            internal = _internal_tier_now(use_case)
            if internal is not None and internal != use_case.internal_tier:
                changed["internal_tier"] = [use_case.internal_tier, internal]
                use_case.internal_tier = internal
                update_fields.append("internal_tier")
        use_case.save(update_fields=update_fields)
        audit_record(actor=actor, verb=Verb.USE_CASE_UPDATED, obj=use_case, use_case_id=use_case.pk, changes=changed)
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
        if {"technical_owner", "business_owner"} & set(changed):
            use_case_owners_sync(use_case=use_case, actor=actor)
    return use_case


@dataclass(frozen=True)
class MetricSpec:
    name: str
    value: float
    threshold: float
    direction: str = EvaluationMetric.Direction.AT_LEAST


def model_version_create(
    *,
    use_case: UseCase,
    actor: User,
    label: str,
    provider: str,
    model_identifier: str,
    config_hash: str,
    agent_tools: list[str] | None = None,
    guardrails: str = "",
    notes: str = "",
    metrics: list[MetricSpec] | None = None,
) -> ModelVersion:
    """Record what actually runs. Versions are never edited: a change is a new version."""
    metrics = metrics or []
    agent_tools = [t.strip() for t in agent_tools or [] if t.strip()]
    label, provider, model_identifier = label.strip(), provider.strip(), model_identifier.strip()
    config_hash = config_hash.strip().lower()
    errors: dict[str, str] = {}
    for name, value in (("label", label), ("provider", provider), ("model_identifier", model_identifier)):
        if not value:
            errors[name] = "This field is required."
    if not SHA256_RE.fullmatch(config_hash):
        errors["config_hash"] = "Give the SHA-256 as 64 hexadecimal characters."
    names = [m.name.strip() for m in metrics]
    if any(not n for n in names):
        errors["metrics"] = "Every metric needs a name."
    elif len(set(names)) != len(names):
        errors["metrics"] = "Each metric may appear only once."
    elif any(m.direction not in EvaluationMetric.Direction.values for m in metrics):
        errors["metrics"] = "A metric's direction must be 'gte' (at least) or 'lte' (at most)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may add versions.")
        if use_case.stage == Stage.RETIRED:
            raise ValidationError("The use case is retired; it gets no new versions.")
        if ModelVersion.objects.filter(use_case=use_case, label=label).exists():
            raise ValidationError({"label": f"Version {label} already exists; versions are never changed."})
        version = ModelVersion.objects.create(
            use_case=use_case,
            label=label,
            provider=provider,
            model_identifier=model_identifier,
            config_hash=config_hash,
            agent_tools=agent_tools,
            guardrails=guardrails.strip(),
            notes=notes.strip(),
            created_by=actor,
        )
        EvaluationMetric.objects.bulk_create(
            EvaluationMetric(
                version=version, name=m.name.strip(), value=m.value, threshold=m.threshold, direction=m.direction
            )
            for m in metrics
        )
        audit_record(
            actor=actor,
            verb=Verb.VERSION_CREATED,
            obj=version,
            use_case_id=use_case.pk,
            changes={
                "label": label,
                "provider": provider,
                "model_identifier": model_identifier,
                "config_hash": config_hash,
                "agent_tools": agent_tools,
                "metrics": [[m.name.strip(), m.value, m.threshold, m.direction] for m in metrics],
            },
        )
        hooks.announce(kind=hooks.ChangeKind.VERSION_ADDED, use_case=use_case, actor=actor)
    return version


def artifact_upload(
    *,
    use_case: UseCase,
    actor: User,
    kind: str,
    file: UploadedFile,
    title: str = "",
    version: ModelVersion | None = None,
) -> Artifact:
    """Store one piece of evidence, content-addressed; it supersedes the current one of its kind.

    The file is written only after validation and inside the transaction. If
    anything after the write fails, including the commit itself (PostgreSQL
    checks foreign keys at commit), the file is removed again, so a refused
    upload leaves neither a row nor a file. Called inside a caller's larger
    transaction that later rolls back, a file can outlive its row; it is
    content-addressed, so the orphan is inert and a later upload reuses it.
    """
    if kind not in ArtifactKind.values:
        raise ValidationError({"kind": "Unknown kind of evidence."})
    written: list[str] = []
    try:
        with transaction.atomic():
            return _artifact_store(
                use_case=use_case, actor=actor, kind=kind, file=file, title=title, version=version, written=written
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _artifact_store(
    *,
    use_case: UseCase,
    actor: User,
    kind: str,
    file: UploadedFile,
    title: str,
    version: ModelVersion | None,
    written: list[str],
) -> Artifact:
    use_case = use_case_lock(use_case=use_case)
    if not use_case_may_change(actor, use_case):
        raise PermissionDenied("Only the use case's owners or an administrator may upload evidence.")
    if use_case.stage == Stage.RETIRED:
        raise ValidationError("The use case is retired; it takes no new evidence.")
    if version is not None and version.use_case_id != use_case.pk:
        raise ValidationError({"version": "That version belongs to another use case."})
    try:
        upload = upload_validate(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    previous = None
    if kind != ArtifactKind.OTHER:
        previous = Artifact.objects.select_for_update().filter(use_case=use_case, kind=kind, is_current=True).first()
    artifact = Artifact(
        use_case=use_case,
        version=version,
        kind=kind,
        title=title.strip()[:200],
        original_name=upload.original_name,
        content_type=upload.content_type,
        sha256=upload.sha256,
        size=upload.size,
        supersedes=previous,
        uploaded_by=actor,
    )
    path = artifact_upload_to(artifact, upload.original_name)
    if not default_storage.exists(path):
        name = default_storage.save(path, ContentFile(upload.data))
        if name != path:
            # Someone stored the same content a moment ago; theirs is byte-identical.
            default_storage.delete(name)
        else:
            written.append(name)
    artifact.file.name = path
    if previous is not None:
        # Before the insert: the one-current-per-kind constraint is checked row by row.
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    artifact.save()
    audit_record(
        actor=actor,
        verb=Verb.ARTIFACT_UPLOADED,
        obj=artifact,
        use_case_id=use_case.pk,
        changes={
            "kind": kind,
            "name": upload.original_name,
            "sha256": upload.sha256,
            "size": upload.size,
            "version": version.label if version else None,
            "supersedes": previous.pk if previous else None,
        },
    )
    hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return artifact


def artifact_download_record(*, artifact: Artifact, actor: User) -> None:
    """Downloads of evidence are events: who read what, when."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.ARTIFACT_DOWNLOADED,
            obj=artifact,
            use_case_id=artifact.use_case_id,
            changes={"sha256": artifact.sha256, "name": artifact.original_name},
        )


def risk_assessment_record(
    *, use_case: UseCase, actor: User, answers: Mapping[str, Any], is_final: bool, summary: str = ""
) -> RiskAssessment:
    """Answer the questionnaire; the newest assessment is the use case's classification.

    A use case classified prohibited is taken back to stage 0 in the same
    transaction: the practice may not run at all.
    """
    cleaned, errors = answers_clean(answers)
    if errors:
        raise ValidationError({"answers": [f"{qid}: {message}" for qid, message in sorted(errors.items())]})
    with transaction.atomic():
        if classify(cleaned).tier == Tier.PROHIBITED and use_case_may_change(actor, use_case):
            # A prohibited practice ends every open promotion request; they are locked before the use case.
            hooks.stage_leaving(use_case=use_case, actor=actor, reason="Classified as a prohibited practice (Art. 5).")
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may classify it.")
        if use_case.stage == Stage.RETIRED:
            raise ValidationError("The use case is retired; it is not classified again.")
        result = classify(cleaned, flags=_flags_of(use_case))
        assessment = RiskAssessment.objects.create(
            use_case=use_case,
            questionnaire_version=questionnaire_load().version,
            answers=cleaned,
            tier=result.tier,
            transparency_flags=result.transparency_flags,
            gpai=result.gpai,
            role=result.role,
            fria_required=result.fria_required,
            annex_iii_areas=result.annex_iii_areas,
            internal_tier=result.internal_tier,
            is_final=is_final,
            summary=(summary.strip() + "\n\n" if summary.strip() else "") + result.summary,
            assessed_by=actor,
        )
        before = {"risk_tier": use_case.risk_tier, "internal_tier": use_case.internal_tier}
        if result.tier == Tier.PROHIBITED and use_case.stage != Stage.PROPOSED:
            from_stage = use_case.stage
            use_case.demote(Stage.PROPOSED)
            use_case.risk_tier, use_case.internal_tier = result.tier, result.internal_tier
            # One UPDATE for stage and tier: the check constraint sees both at once.
            use_case.save(update_fields=["stage", "stage_entered_at", "risk_tier", "internal_tier", "updated_at"])
            _stage_change(
                use_case=use_case,
                actor=actor,
                kind=StageChange.Kind.DEMOTION,
                from_stage=from_stage,
                reason=f"Classified prohibited (assessment #{assessment.pk}): it may not run at any stage.",
                verb=Verb.STAGE_DEMOTED,
            )
        else:
            use_case.risk_tier, use_case.internal_tier = result.tier, result.internal_tier
            use_case.save(update_fields=["risk_tier", "internal_tier", "updated_at"])
        audit_record(
            actor=actor,
            verb=Verb.ASSESSMENT_RECORDED,
            obj=assessment,
            use_case_id=use_case.pk,
            changes={
                "questionnaire": assessment.questionnaire_version,
                "is_final": is_final,
                "tier": [before["risk_tier"], result.tier],
                "internal_tier": [before["internal_tier"], result.internal_tier],
                "answers": {qid: entry["answer"] for qid, entry in cleaned.items()},
            },
        )
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return assessment


@dataclass(frozen=True)
class ReadinessInput:
    answer: bool
    note: str = ""
    artifact: Artifact | None = None


def readiness_answers_save(*, use_case: UseCase, actor: User, answers: Mapping[str, ReadinessInput]) -> int:
    """Answer (or re-answer) the production-readiness check. Returns how many answers changed."""
    errors: dict[str, str] = {}
    for question, given in answers.items():
        if question not in ReadinessQuestion.values:
            errors[question] = "Unknown readiness question."
        elif given.artifact is not None and given.artifact.use_case_id != use_case.pk:
            errors[question] = "The linked artifact must be evidence of this use case."
        elif not given.note.strip() and given.artifact is None:
            errors[question] = "Add a note or link an artifact that supports the answer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may answer the readiness check.")
        existing = {a.question: a for a in ReadinessAnswer.objects.select_for_update().filter(use_case=use_case)}
        changes = {}
        for question, given in answers.items():
            old = existing.get(question)
            new_state = [given.answer, given.note.strip(), given.artifact.pk if given.artifact else None]
            old_state = [old.answer, old.note, old.artifact_id] if old else None
            if old_state == new_state:
                continue
            ReadinessAnswer.objects.update_or_create(
                use_case=use_case,
                question=question,
                defaults={
                    "answer": given.answer,
                    "note": given.note.strip(),
                    "artifact": given.artifact,
                    "answered_by": actor,
                },
            )
            changes[question] = [old_state, new_state]
        if changes:
            audit_record(
                actor=actor, verb=Verb.READINESS_ANSWERED, obj=use_case, use_case_id=use_case.pk, changes=changes
            )
            hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return len(changes)
