"""Sign-off fixtures: a high-risk use case ready for stage 3, and a request for it in review."""

import pytest

from lifecycle.models import Tier, UseCase
from signoff import services
from tests.signoff.helpers import business_owner, high_risk_use_case, supply_evidence


@pytest.fixture
def bob(db):
    """Business owner of the high-risk use case."""
    return business_owner("bob")


@pytest.fixture
def credit(erin, bob):
    """erin's high-risk use case at stage 2 with every stage-3 requirement supplied."""
    use_case = high_risk_use_case(erin, bob, stage=2)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    return UseCase.objects.get(pk=use_case.pk)


@pytest.fixture
def in_review(credit, erin, rita, carl, lena, ravi, cora, leo):
    """A stage-3 request in review, waiting on risk, compliance and legal."""
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    return services.readiness_request_submit(request=request, actor=erin)
