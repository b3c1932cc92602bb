"""The registry tells sign-off when evidence changes, and a prohibited classification ends open requests."""

import pytest

from lifecycle.models import ArtifactKind, Stage, UseCase
from lifecycle.services import artifact_upload, model_version_create, risk_assessment_record
from signoff.models import RequestState
from signoff.services import readiness_request_create, readiness_request_submit
from tests import factories
from tests.lifecycle.files import PDF, upload
from tests.lifecycle.helpers import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(use_case, erin, rita, django_capture_on_commit_callbacks):
    """erin's use case at stage 1, asking for stage 2, waiting for risk's review."""
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.SANDBOX)
    factories.ModelVersionFactory(use_case=use_case, label="1.0")
    factories.RiskAssessmentFactory(use_case=use_case)
    factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.EVALUATION_REPORT)
    factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.DATA_LINEAGE)
    with django_capture_on_commit_callbacks(execute=True):
        request = readiness_request_create(use_case=use_case, actor=erin, target_stage=Stage.CONTROLLED)
        request = readiness_request_submit(request=request, actor=erin)
    assert request.state == RequestState.SUBMITTED
    return request


def test_new_evidence_sends_an_open_request_back(submitted, use_case, erin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("e.pdf", PDF))
    submitted.refresh_from_db()
    assert submitted.state == RequestState.CHANGES_REQUESTED


def test_a_candidate_version_leaves_a_request_for_another_version_alone(
    submitted, use_case, erin, django_capture_on_commit_callbacks
):
    # A request is for one version; registering the next one changes nothing that request was asked on.
    with django_capture_on_commit_callbacks(execute=True):
        model_version_create(
            use_case=use_case, actor=erin, label="1.1", provider="p", model_identifier="m", config_hash="c" * 64
        )
    submitted.refresh_from_db()
    assert submitted.state == RequestState.SUBMITTED
    assert submitted.version.label != "1.1"


def test_prohibited_classification_closes_open_requests(submitted, use_case, erin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q04=True), is_final=True)
    submitted.refresh_from_db()
    assert submitted.state == RequestState.SUPERSEDED
    assert UseCase.objects.get(pk=use_case.pk).is_prohibited
