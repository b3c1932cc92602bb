"""What the governance tests share: a use case that runs, the gate's answer, a person's API token."""

from __future__ import annotations

from accounts.models import ApiToken, User
from lifecycle.models import UseCase
from signoff import services
from tests.signoff.helpers import supply_evidence


def running_at_stage_1(use_case: UseCase, owner: User) -> UseCase:
    """The use case with a version approved and running at stage 1."""
    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=owner, target_stage=1), actor=owner
    )
    use_case.refresh_from_db()
    return use_case


def gate_answer(client, slug: str, stage: int) -> tuple[bool, dict[str, dict]]:
    """(allowed, requirements by key) of the run gate, asked as the client's user."""
    body = client.get(f"/api/v1/use-cases/{slug}/gate/", {"stage": stage}).json()
    return body["allowed"], {r["key"]: r for r in body["requirements"]}


def bearer(user: User, *scopes: str) -> dict[str, str]:
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), key_prefix=key[:12], scopes=list(scopes))
    return {"Authorization": f"Bearer {key}"}
