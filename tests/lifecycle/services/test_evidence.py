"""Evidence uploads (lifecycle/services/evidence.py): content-addressed, superseding, leaving nothing when refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.services import Verb
from lifecycle.models import Artifact, ArtifactKind, ModelVersion, Stage
from lifecycle.services import artifact_upload
from tests import factories
from tests.lifecycle.files import PDF, TEXT, upload
from tests.lifecycle.helpers import at_stage, events_of, stored_files

pytestmark = pytest.mark.django_db


def test_upload_is_stored_content_addressed(use_case, erin, settings):
    artifact = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("eval.pdf", PDF)
    )
    assert artifact.file.name == f"artifacts/{artifact.sha256[:2]}/{artifact.sha256}"
    assert artifact.size == len(PDF) and artifact.content_type == "application/pdf"
    assert (settings.MEDIA_ROOT / artifact.file.name).read_bytes() == PDF
    assert events_of(Verb.ARTIFACT_UPLOADED)[0].changes["sha256"] == artifact.sha256


def test_new_upload_supersedes_the_current_one_of_its_kind(use_case, erin):
    first = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.ROLLBACK_TEST, file=upload("a.txt", TEXT))
    second = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.ROLLBACK_TEST, file=upload("b.txt", b"v2")
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.supersedes == first
    other = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("c.pdf", PDF)
    )
    assert other.is_current and other.supersedes is None


def test_other_evidence_accumulates(use_case, erin):
    for n in range(2):
        artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload(f"n{n}.txt", b"x%d" % n))
    assert Artifact.objects.filter(kind=ArtifactKind.OTHER, is_current=True).count() == 2


def test_same_content_twice_shares_one_file(use_case, erin, settings):
    a = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("a.pdf", PDF))
    b = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("b.pdf", PDF))
    assert a.file.name == b.file.name and len(stored_files(settings)) == 1


def test_refused_upload_leaves_nothing(use_case, erin, settings):
    with pytest.raises(ValidationError) as info:
        artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("x.pdf", b"MZ"))
    assert info.value.message_dict == {
        "file": ["The content of 'x.pdf' is not a PDF (starting with %PDF-), as its extension says."]
    }
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_failure_after_the_write_removes_the_file(use_case, erin, settings):
    unsaved_version = ModelVersion(use_case=use_case, label="ghost")
    with pytest.raises(ValueError, match="unsaved"):
        artifact_upload(
            use_case=use_case,
            actor=erin,
            kind=ArtifactKind.EVALUATION_REPORT,
            file=upload("e.pdf", PDF),
            version=unsaved_version,
        )
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_failure_keeps_a_file_another_artifact_uses(use_case, erin, settings):
    artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("a.pdf", PDF))
    with pytest.raises(ValueError, match="unsaved related object 'version'"):
        artifact_upload(
            use_case=use_case,
            actor=erin,
            kind=ArtifactKind.EVALUATION_REPORT,
            file=upload("e.pdf", PDF),
            version=ModelVersion(use_case=use_case, label="ghost"),
        )
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_cannot_upload(request, use_case, who, settings):
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may upload evidence"):
        artifact_upload(use_case=use_case, actor=request.getfixturevalue(who), kind="other", file=upload("a.pdf", PDF))
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_upload_refuses_another_use_cases_version_and_unknown_kinds(use_case, erin, settings):
    foreign = factories.ModelVersionFactory()
    with pytest.raises(ValidationError, match="another use case"):
        artifact_upload(use_case=use_case, actor=erin, kind="other", file=upload("a.pdf", PDF), version=foreign)
    with pytest.raises(ValidationError, match="Unknown kind"):
        artifact_upload(use_case=use_case, actor=erin, kind="selfie", file=upload("a.pdf", PDF))
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_retired_use_case_takes_no_evidence(use_case, erin):
    at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="retired"):
        artifact_upload(use_case=use_case, actor=erin, kind="other", file=upload("a.pdf", PDF))
