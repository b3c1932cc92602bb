"""Evidence builders for sign-off tests: put a use case where a test needs it, with real rows."""

from django.contrib.auth.models import Group

from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import ArtifactKind, ReadinessAnswer, Stage, Tier, UseCase
from lifecycle.selectors import assessment_current
from signoff import services
from signoff.gates import PolicySpec
from signoff.gates.obligations import obligations_due
from signoff.models import Decision, ReadinessRequest, Review
from tests import factories

STAGE_KINDS = {
    1: [],
    2: [ArtifactKind.EVALUATION_REPORT, ArtifactKind.DATA_LINEAGE],
    3: [
        ArtifactKind.EVALUATION_REPORT,
        ArtifactKind.DATA_LINEAGE,
        ArtifactKind.OBSERVABILITY_PLAN,
        ArtifactKind.ROLLBACK_TEST,
        ArtifactKind.COMMUNICATION_PLAN,
    ],
    4: [ArtifactKind.EVALUATION_REPORT, ArtifactKind.TELEMETRY_REVIEW],
}


def put_at_stage(use_case: UseCase, stage: int) -> UseCase:
    """Place a use case at a stage without a request (the stage field is protected on the model)."""
    UseCase.objects.filter(pk=use_case.pk).update(stage=stage)
    return UseCase.objects.get(pk=use_case.pk)


def supply_evidence(use_case: UseCase, target_stage: int, *, tier: str = Tier.MINIMAL) -> None:
    """Everything the default policy asks the first line for before `target_stage`."""
    owner = use_case.technical_owner
    version = use_case.versions.order_by("-created_at", "-id").first() or factories.ModelVersionFactory(
        use_case=use_case
    )
    if not version.metrics.exists():
        factories.EvaluationMetricFactory(version=version, name="faithfulness")
    if not use_case.assessments.exists():
        factories.RiskAssessmentFactory(use_case=use_case, tier=tier, assessed_by=owner)
    for kind in STAGE_KINDS[target_stage]:
        if not use_case.artifacts.filter(kind=kind, is_current=True).exists():
            factories.ArtifactFactory(
                use_case=use_case, kind=kind, version=version if kind == ArtifactKind.EVALUATION_REPORT else None
            )
    if target_stage >= 3:
        factories.readiness_all_yes(use_case)
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=tier)
    supply_obligations(UseCase.objects.get(pk=use_case.pk), target_stage)


def supply_obligations(use_case: UseCase, target_stage: int) -> None:
    """The evidence the classification obliges at `target_stage` (FRIA, DPIA, registration, ...), as the policy says."""
    spec = PolicySpec.for_stage(target_stage)
    if spec is None:
        return
    for kind in obligations_due(use_case, assessment_current(use_case), spec.obligation_rules):
        if not use_case.artifacts.filter(kind=kind, is_current=True).exists():
            factories.ArtifactFactory(use_case=use_case, kind=kind)


def high_risk_use_case(erin: User, business_owner: User, *, stage: int = 2) -> UseCase:
    use_case = factories.UseCaseFactory(
        slug="credit-scoring",
        title="Credit scoring assistant",
        technical_owner=erin,
        business_owner=business_owner,
        processes_personal_data=True,
        regulated_decision=True,
        risk_tier=Tier.HIGH,
    )
    return put_at_stage(use_case, stage)


def business_owner(username: str = "bob") -> User:
    user = factories.UserFactory(username=username, roles=["engineer"])
    user.groups.add(Group.objects.get(name="engineer"))
    return user


def reviews_by_function(request: ReadinessRequest) -> dict[str, Review]:
    return {r.function.key: r for r in request.reviews.filter(revision=request.revision).select_related("function")}


def answer_no(use_case: UseCase, question: str) -> None:
    ReadinessAnswer.objects.filter(use_case=use_case, question=question).update(answer=False)


def audited(verb: Verb) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


def submitted_request(use_case: UseCase, actor: User, target_stage: int) -> ReadinessRequest:
    request = services.readiness_request_create(use_case=use_case, actor=actor, target_stage=target_stage)
    return services.readiness_request_submit(request=request, actor=actor)


def decide(review: Review, actor: User, decision: str = Decision.APPROVE, comment: str = "", conditions=()) -> Review:
    return services.review_decide(review=review, actor=actor, decision=decision, comment=comment, conditions=conditions)


__all__ = ["Stage", "put_at_stage", "supply_evidence"]
