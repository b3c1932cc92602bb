"""Versions: what actually runs. Never edited; a change is a new version."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record
from core.exceptions import Conflict
from lifecycle import hooks
from lifecycle.access import use_case_may_change
from lifecycle.models import (
    EvaluationMetric,
    ModelVersion,
    Stage,
    UseCase,
)
from lifecycle.services.base import use_case_lock

SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class MetricSpec:
    name: str
    value: float
    threshold: float
    direction: str = EvaluationMetric.Direction.AT_LEAST
    critical: bool = False


@dataclass(frozen=True)
class VersionRegistered:
    version: ModelVersion
    created: bool


def _hex(value: str) -> str:
    return value.strip().lower().removeprefix("sha256:")


def _identity_differences(existing: ModelVersion, identity: dict[str, str]) -> list[str]:
    names = {
        "model_identifier": "model",
        "config_hash": "configuration",
        "image_hash": "image",
        "weights_hash": "weights",
    }
    out = []
    for field, name in names.items():
        old, new = getattr(existing, field), identity[field]
        if old != new:
            shown = (
                (lambda v: v or "none") if field == "model_identifier" else (lambda v: f"sha256:{v}" if v else "none")
            )
            out.append(f"{name} {shown(old)} here, {shown(new)} sent")
    return out


def model_version_create(
    *,
    use_case: UseCase,
    actor: User,
    label: str,
    provider: str,
    model_identifier: str,
    config_hash: str,
    image_hash: str = "",
    weights_hash: str = "",
    agent_tools: list[str] | None = None,
    guardrails: str = "",
    notes: str = "",
    metrics: list[MetricSpec] | None = None,
) -> ModelVersion:
    """Record what actually runs (see model_version_register); the version, new or the same one again."""
    return model_version_register(
        use_case=use_case,
        actor=actor,
        label=label,
        provider=provider,
        model_identifier=model_identifier,
        config_hash=config_hash,
        image_hash=image_hash,
        weights_hash=weights_hash,
        agent_tools=agent_tools,
        guardrails=guardrails,
        notes=notes,
        metrics=metrics,
    ).version


def model_version_register(
    *,
    use_case: UseCase,
    actor: User,
    label: str,
    provider: str,
    model_identifier: str,
    config_hash: str,
    image_hash: str = "",
    weights_hash: str = "",
    agent_tools: list[str] | None = None,
    guardrails: str = "",
    notes: str = "",
    metrics: list[MetricSpec] | None = None,
) -> VersionRegistered:
    """Record what actually runs. Versions are never edited: a change is a new version.

    Pipelines retry, so registering a label again with the same identity (model and digests) returns the
    version already recorded and changes nothing; the same label with another identity is a Conflict.
    """
    metrics = metrics or []
    agent_tools = [t.strip() for t in agent_tools or [] if t.strip()]
    label, provider, model_identifier = label.strip(), provider.strip(), model_identifier.strip()
    config_hash, image_hash, weights_hash = _hex(config_hash), _hex(image_hash), _hex(weights_hash)
    errors: dict[str, str] = {}
    for name, value in (("label", label), ("provider", provider), ("model_identifier", model_identifier)):
        if not value:
            errors[name] = "This field is required."
    if not SHA256_RE.fullmatch(config_hash):
        errors["config_hash"] = "Give the SHA-256 as 64 hexadecimal characters."
    for name, value in (("image_hash", image_hash), ("weights_hash", weights_hash)):
        if value and not SHA256_RE.fullmatch(value):
            errors[name] = "Give the SHA-256 as 64 hexadecimal characters (or nothing)."
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
        identity = {
            "model_identifier": model_identifier,
            "config_hash": config_hash,
            "image_hash": image_hash,
            "weights_hash": weights_hash,
        }
        existing = ModelVersion.objects.filter(use_case=use_case, label=label).first()
        if existing is not None:
            if differences := _identity_differences(existing, identity):
                raise Conflict(
                    f"Version {label} is already registered with other digests ({'; '.join(differences)}); "
                    "versions are never changed: give the new one a new label."
                )
            return VersionRegistered(existing, created=False)
        version = ModelVersion.objects.create(
            use_case=use_case,
            label=label,
            provider=provider,
            model_identifier=model_identifier,
            config_hash=config_hash,
            image_hash=image_hash,
            weights_hash=weights_hash,
            agent_tools=agent_tools,
            guardrails=guardrails.strip(),
            notes=notes.strip(),
            created_by=actor,
        )
        EvaluationMetric.objects.bulk_create(
            EvaluationMetric(
                version=version,
                name=m.name.strip(),
                value=m.value,
                threshold=m.threshold,
                direction=m.direction,
                critical=m.critical,
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
                "image_hash": image_hash,
                "weights_hash": weights_hash,
                "agent_tools": agent_tools,
                "metrics": [[m.name.strip(), m.value, m.threshold, m.direction, m.critical] for m in metrics],
            },
        )
        hooks.announce(kind=hooks.ChangeKind.VERSION_ADDED, use_case=use_case, actor=actor)
    return VersionRegistered(version, created=True)
