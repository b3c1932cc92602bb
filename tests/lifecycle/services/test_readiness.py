"""Readiness answers (lifecycle/services/readiness.py): saved, and only changes audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.services import Verb
from lifecycle.models import ReadinessAnswer, ReadinessQuestion
from lifecycle.services import ReadinessInput, readiness_answers_save
from tests import factories
from tests.lifecycle.helpers import events_of

pytestmark = pytest.mark.django_db


def test_readiness_answers_are_saved_and_only_changes_audited(use_case, erin):
    artifact = factories.ArtifactFactory(use_case=use_case)
    given = {
        ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, "Handling time -15%"),
        ReadinessQuestion.REPRESENTATIVE_DATA: ReadinessInput(True, artifact=artifact),
        ReadinessQuestion.WORKFLOW_INTEGRATION: ReadinessInput(False, "Not yet in the CRM"),
    }
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 3
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 0
    given[ReadinessQuestion.WORKFLOW_INTEGRATION] = ReadinessInput(True, "Live in the CRM")
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 1
    events = events_of(Verb.READINESS_ANSWERED)
    assert len(events) == 2
    assert events[1].changes == {
        "workflow_integration": [[False, "Not yet in the CRM", None], [True, "Live in the CRM", None]]
    }
    assert ReadinessAnswer.objects.get(question="representative_data").artifact == artifact


def test_readiness_refuses_unsupported_answers_and_foreign_artifacts(use_case, erin):
    foreign = factories.ArtifactFactory()
    with pytest.raises(ValidationError) as info:
        readiness_answers_save(
            use_case=use_case,
            actor=erin,
            answers={
                ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, " "),
                ReadinessQuestion.NAMED_OWNER: ReadinessInput(True, "", foreign),
                "vibes": ReadinessInput(True, "x"),
            },
        )
    assert set(info.value.message_dict) == {"business_kpi", "named_owner", "vibes"}
    assert not ReadinessAnswer.objects.exists()


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_cannot_answer_readiness(request, use_case, who):
    with pytest.raises(
        PermissionDenied, match="Only the use case's owners or an administrator may answer the readiness check"
    ):
        readiness_answers_save(
            use_case=use_case,
            actor=request.getfixturevalue(who),
            answers={ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, "x")},
        )
    assert not ReadinessAnswer.objects.exists()
