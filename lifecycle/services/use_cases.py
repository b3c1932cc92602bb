"""Registering and editing use cases, and keeping their owners' object permissions in step."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import CHANGE_USE_CASE, use_case_may_change, use_case_may_create
from lifecycle.models import (
    RiskAssessment,
    Tier,
    UseCase,
)
from lifecycle.questionnaire import internal_tier_for
from lifecycle.selectors import assessment_current
from lifecycle.services.base import FLAG_FIELDS, flags_of

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


def _internal_tier_now(use_case: UseCase) -> str | None:
    """The internal tier from the current assessment and the use case's flags as they are now."""
    assessment = assessment_current(use_case)
    if assessment is None:
        return None
    return internal_tier_for(
        tier=Tier(assessment.tier),
        gpai=RiskAssessment.Gpai(assessment.gpai),
        fria_required=assessment.fria_required,
        flags=flags_of(use_case),
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
