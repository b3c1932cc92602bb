import pytest

from audit.models import AuditEvent
from lifecycle.models import Artifact, ArtifactKind
from tests import factories
from tests.lifecycle.api_helpers import bearer_client
from tests.lifecycle.files import PDF, TEXT, upload
from tests.lifecycle.helpers import stored_files

pytestmark = pytest.mark.django_db


def _url(use_case):
    return f"/api/v1/use-cases/{use_case.slug}/artifacts/"


def test_multipart_upload_supersedes_and_lists(erin, use_case):
    client = bearer_client(erin)
    version = factories.ModelVersionFactory(use_case=use_case)
    first = client.post(_url(use_case), {"kind": "rollback_test", "file": upload("r1.txt", TEXT)}, format="multipart")
    assert first.status_code == 201, first.json()
    second = client.post(
        _url(use_case),
        {"kind": "rollback_test", "version": version.label, "file": upload("r2.pdf", PDF)},
        format="multipart",
    )
    body = second.json()
    assert second.status_code == 201 and body["supersedes"] == first.json()["id"] and body["version"] == version.label
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    listed = client.get(_url(use_case)).json()
    assert [(a["original_name"], a["is_current"]) for a in listed] == [("r2.pdf", True), ("r1.txt", False)]
    assert [a["original_name"] for a in client.get(_url(use_case), {"current": "true"}).json()] == ["r2.pdf"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tool.exe",
            b"MZ",
            "Files of type '.exe' are not accepted. Allowed: csv, docx, jpeg, jpg, json, md, pdf, png, txt, xlsx.",
        ),
        ("fake.pdf", b"hello", "The content of 'fake.pdf' is not a PDF (starting with %PDF-), as its extension says."),
        ("empty.txt", b"", "The file is empty."),
        ("big.txt", b"x" * 2000, "The file is larger than the limit of 1000\xa0bytes."),
        ("a..pdf", PDF, "The file name may not contain '..'."),
    ],
)
def test_bad_files_are_400_and_leave_nothing(erin, use_case, settings, name, content, message):
    settings.MAX_UPLOAD_BYTES = 1000
    response = bearer_client(erin).post(
        _url(use_case), {"kind": "other", "file": upload(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_missing_file_unknown_kind_and_foreign_version_are_400(erin, use_case, settings):
    client = bearer_client(erin)
    no_file = client.post(_url(use_case), {"kind": "other"}, format="multipart")
    assert (no_file.status_code, no_file.json()) == (400, {"file": ["No file was submitted."]})
    no_kind = client.post(_url(use_case), {"kind": "x", "file": upload("a.pdf", PDF)}, format="multipart")
    assert (no_kind.status_code, no_kind.json()) == (400, {"kind": ['"x" is not a valid choice.']})
    foreign = factories.ModelVersionFactory(label="7.7.7")
    response = client.post(
        _url(use_case), {"kind": "other", "version": foreign.label, "file": upload("a.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"version": ["This use case has no version 7.7.7."]}
    assert not Artifact.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize(("who", "status"), [("eric", 403), ("audrey", 403), ("nobody", 404)])
def test_others_cannot_upload(request, use_case, settings, who, status):
    client = bearer_client(request.getfixturevalue(who))
    assert (
        client.post(_url(use_case), {"kind": "other", "file": upload("a.pdf", PDF)}, format="multipart").status_code
        == status
    )
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_download_is_audited_attachment(audrey, use_case):
    artifact = factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.MODEL_CARD)
    client = bearer_client(audrey)
    [listed] = client.get(_url(use_case)).json()
    response = client.get(listed["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (use_case and artifact.file.open("rb").read())
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="{artifact.original_name}"'
    assert AuditEvent.objects.filter(verb="artifact.downloaded", actor=audrey).count() == 1


def test_download_404s(erin, nobody, use_case):
    artifact = factories.ArtifactFactory(use_case=use_case)
    other = factories.UseCaseFactory()
    assert (
        bearer_client(erin).get(f"/api/v1/use-cases/{other.slug}/artifacts/{artifact.pk}/download/").status_code == 404
    )
    assert (
        bearer_client(nobody).get(f"/api/v1/use-cases/{use_case.slug}/artifacts/{artifact.pk}/download/").status_code
        == 404
    )
