"""Stage changes (lifecycle/services/stages.py): promotion one stage at a time, demotion, retirement."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.services import Verb
from lifecycle.models import Stage, StageChange, Tier, UseCase
from lifecycle.services import use_case_demote, use_case_promote, use_case_retire
from tests import factories
from tests.lifecycle.helpers import at_stage, events_of

pytestmark = pytest.mark.django_db


def test_demote_to_any_lower_stage_with_reason(use_case, erin):
    at_stage(use_case, Stage.GUARDED)
    change = use_case_demote(use_case=use_case, actor=erin, to_stage=Stage.SANDBOX, reason=" Incident 42 ")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.SANDBOX
    assert (change.kind, change.from_stage, change.to_stage, change.reason) == ("demotion", 3, 1, "Incident 42")
    assert events_of(Verb.STAGE_DEMOTED)[0].changes["stage"] == [3, 1]


LOWER = "Demotion must go to a lower stage than the current one."


@pytest.mark.parametrize(
    ("stage", "to_stage", "message"),
    [
        (3, 3, LOWER),
        (3, 4, LOWER),
        (2, 9, LOWER),
        (2, -1, LOWER),
        (0, 0, "A use case at 0 · Proposed cannot be demoted."),
    ],
)
def test_demote_refuses_a_target_that_is_not_lower(use_case, erin, stage, to_stage, message):
    at_stage(use_case, stage)
    with pytest.raises(ValidationError, match=message):
        use_case_demote(use_case=use_case, actor=erin, to_stage=to_stage, reason="why")
    use_case.refresh_from_db()
    assert use_case.stage == stage and not StageChange.objects.exists()


def test_demote_needs_a_reason(use_case, erin):
    at_stage(use_case, Stage.CONTROLLED)
    with pytest.raises(ValidationError, match="why"):
        use_case_demote(use_case=use_case, actor=erin, to_stage=0, reason="  ")
    assert not StageChange.objects.exists()


def test_retired_use_case_cannot_be_demoted(use_case, erin):
    at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="cannot be demoted"):
        use_case_demote(use_case=use_case, actor=erin, to_stage=0, reason="why")


@pytest.mark.parametrize("who", ["eric", "audrey", "ravi"])
def test_others_cannot_demote_or_retire(request, use_case, who):
    at_stage(use_case, Stage.CONTROLLED)
    actor = request.getfixturevalue(who)
    with pytest.raises(
        PermissionDenied,
        match="Only the use case's owners, an administrator or a lead of a review function may demote it",
    ):
        use_case_demote(use_case=use_case, actor=actor, to_stage=0, reason="why")
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may retire it"):
        use_case_retire(use_case=use_case, actor=actor, reason="why")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED and not StageChange.objects.exists()


def test_a_second_line_lead_demotes_but_does_not_retire(use_case, rita):
    at_stage(use_case, Stage.GUARDED)
    change = use_case_demote(use_case=use_case, actor=rita, to_stage=Stage.CONTROLLED, reason="Incident 42")
    assert (change.actor, change.from_stage, change.to_stage) == (rita, Stage.GUARDED, Stage.CONTROLLED)
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may retire it"):
        use_case_retire(use_case=use_case, actor=rita, reason="why")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED


def test_retire_from_any_active_stage_once(use_case, erin):
    at_stage(use_case, Stage.SCALE)
    change = use_case_retire(use_case=use_case, actor=erin, reason="Replaced by vendor tool")
    assert (change.from_stage, change.to_stage, change.kind) == (4, Stage.RETIRED, "retirement")
    with pytest.raises(ValidationError, match="already retired"):
        use_case_retire(use_case=use_case, actor=erin, reason="again")
    with pytest.raises(ValidationError, match="why"):
        use_case_retire(use_case=factories.UseCaseFactory(technical_owner=erin), actor=erin, reason="")
    assert StageChange.objects.count() == 1


def test_prohibited_use_case_is_never_promoted(use_case, erin):
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=Tier.PROHIBITED)
    use_case.refresh_from_db()
    assert not use_case.may_promote()
    with pytest.raises(ValidationError, match="never leave stage 0"), transaction.atomic():
        use_case_promote(use_case=use_case, actor=erin, reason="approved")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.PROPOSED and not StageChange.objects.exists()


def test_database_refuses_a_prohibited_use_case_above_stage_0(use_case):
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=Tier.PROHIBITED)
    with pytest.raises(IntegrityError), transaction.atomic():
        UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.SANDBOX)
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.RETIRED)  # retiring it is fine
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.RETIRED


def test_promote_one_stage_at_a_time(use_case, erin):
    with transaction.atomic():
        use_case_promote(use_case=use_case, actor=erin, reason="approved request #1")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.SANDBOX
