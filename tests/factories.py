import hashlib

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import FunctionMembership, ReviewFunction, User
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    InternalTier,
    ModelVersion,
    ReadinessAnswer,
    ReadinessQuestion,
    RiskAssessment,
    Tier,
    UseCase,
)
from lifecycle.services import use_case_owners_sync

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@bank.example")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted if extracted is not None else ["engineer"]:
            self.groups.add(Group.objects.get(name=name))


def reviewer(username: str, function_key: str, *, lead: bool = False) -> User:
    user = UserFactory(username=username, roles=[function_key])
    FunctionMembership.objects.get_or_create(
        function=ReviewFunction.objects.get(key=function_key), user=user, defaults={"is_lead": lead}
    )
    return user


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"use-case-{n}")
    title = factory.Sequence(lambda n: f"Use case {n}")
    purpose = "Summarise inbound tickets for support agents."
    approved_scope = "Internal support agents only; no automated replies."
    business_kpi = "Average handling time down 15%"
    technical_owner = factory.SubFactory(UserFactory)
    team = "Customer operations"
    sunset_criteria = "Retire if handling time does not improve within two quarters."
    risk_tier = Tier.MINIMAL
    internal_tier = InternalTier.LOW
    created_by = factory.SelfAttribute("technical_owner")

    @factory.post_generation
    def owner_permissions(self, create, extracted, **kwargs):
        if create:
            with transaction.atomic():
                use_case_owners_sync(use_case=self, actor=None)


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    use_case = factory.SubFactory(UseCaseFactory)
    label = factory.Sequence(lambda n: f"1.{n}.0")
    provider = "Azure OpenAI"
    model_identifier = "gpt-4o-2024-08-06"
    config_hash = factory.LazyAttribute(lambda v: hashlib.sha256(v.label.encode()).hexdigest())
    agent_tools = factory.LazyFunction(list)
    guardrails = "PII redaction on input; toxicity filter on output; 60 requests/minute."
    created_by = factory.SelfAttribute("use_case.technical_owner")


class EvaluationMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationMetric

    version = factory.SubFactory(ModelVersionFactory)
    name = factory.Sequence(lambda n: f"metric_{n}")
    value = 0.91
    threshold = 0.85
    direction = EvaluationMetric.Direction.AT_LEAST


def _artifact_content(artifact) -> bytes:
    return f"%PDF-1.4\n% {artifact.kind} evidence for {artifact.use_case.slug}\n".encode()


class ArtifactFactory(factory.django.DjangoModelFactory):
    """An artifact row with a real stored file whose hash and size match."""

    class Meta:
        model = Artifact
        exclude = ("content",)

    use_case = factory.SubFactory(UseCaseFactory)
    kind = ArtifactKind.EVALUATION_REPORT
    title = factory.LazyAttribute(lambda a: ArtifactKind(a.kind).label)
    content = factory.LazyAttribute(_artifact_content)
    original_name = factory.LazyAttribute(lambda a: f"{a.kind}.pdf")
    content_type = "application/pdf"
    sha256 = factory.LazyAttribute(lambda a: hashlib.sha256(a.content).hexdigest())
    size = factory.LazyAttribute(lambda a: len(a.content))
    file = factory.LazyAttribute(lambda a: ContentFile(a.content, name=a.original_name))
    uploaded_by = factory.SelfAttribute("use_case.technical_owner")
    uploaded_at = factory.LazyFunction(timezone.now)


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    use_case = factory.SubFactory(UseCaseFactory)
    questionnaire_version = "eu-ai-act-2026-11"
    answers = factory.LazyFunction(dict)
    tier = Tier.MINIMAL
    internal_tier = InternalTier.LOW
    is_final = True
    assessed_by = factory.SelfAttribute("use_case.technical_owner")


def readiness_all_yes(use_case: UseCase, user: User | None = None) -> None:
    for question in ReadinessQuestion:
        ReadinessAnswer.objects.update_or_create(
            use_case=use_case,
            question=question,
            defaults={
                "answer": True,
                "note": "Yes, see the linked evidence.",
                "answered_by": user or use_case.technical_owner,
            },
        )


class ReadinessRequestFactory(factory.django.DjangoModelFactory):
    """A request row made directly (no services): for tests that need one in a given state."""

    class Meta:
        model = "signoff.ReadinessRequest"

    use_case = factory.SubFactory(UseCaseFactory)
    version = factory.SubFactory(ModelVersionFactory, use_case=factory.SelfAttribute("..use_case"))
    from_stage = factory.LazyAttribute(lambda r: r.use_case.stage)
    target_stage = factory.LazyAttribute(lambda r: r.from_stage + 1)
    state = "submitted"
    submitted_by = factory.SelfAttribute("use_case.technical_owner")
    submitted_at = factory.LazyFunction(timezone.now)
    revision = 1


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review row made directly; `function` is a function key (risk, compliance, legal)."""

    class Meta:
        model = "signoff.Review"

    request = factory.SubFactory(ReadinessRequestFactory)
    function = factory.LazyFunction(lambda: ReviewFunction.objects.get(key="risk"))
    revision = factory.SelfAttribute("request.revision")
    state = "unassigned"
    assignee = None
    due_date = factory.LazyFunction(timezone.localdate)
    submitter = factory.SelfAttribute("request.submitted_by")
    technical_owner = factory.SelfAttribute("request.use_case.technical_owner")
    business_owner = factory.SelfAttribute("request.use_case.business_owner")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("function"), str):
            kwargs["function"] = ReviewFunction.objects.get(key=kwargs["function"])
        if kwargs.get("assignee") is not None and kwargs.get("state") == "unassigned":
            kwargs["state"] = "assigned"
        return kwargs


class ReviewConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "signoff.ReviewCondition"

    review = factory.SubFactory(
        ReviewFactory,
        request__state="approved",
        state="decided",
        decision="approve_with_conditions",
        comment="Approved on conditions.",
        decided_by=factory.SubFactory(UserFactory, roles=["risk"]),
        decided_at=factory.LazyFunction(timezone.now),
    )
    text = "Re-run the bias evaluation on the Q1 data before widening scope."
    use_case = factory.SelfAttribute("review.request.use_case")
    owner = factory.SelfAttribute("review.request.use_case.technical_owner")
    due_date = factory.LazyFunction(timezone.localdate)
    status = "open"
    # A closed condition says who closed it, and when (the database checks it).
    closed_at = factory.LazyAttribute(lambda c: timezone.now() if c.status in ("met", "waived") else None)
    closed_by = factory.LazyAttribute(lambda c: c.review.decided_by if c.status in ("met", "waived") else None)
