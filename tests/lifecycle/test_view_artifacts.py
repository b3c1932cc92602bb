import pytest
from django.urls import reverse

from audit.models import AuditEvent
from lifecycle.models import Artifact, ArtifactKind
from tests import factories
from tests.lifecycle.files import DOCX, PDF, upload
from tests.lifecycle.helpers import stored_files

pytestmark = pytest.mark.django_db


def _url(use_case):
    return reverse("lifecycle:artifact-upload", args=[use_case.slug])


def test_owner_uploads_evidence(client, use_case, erin, settings):
    version = factories.ModelVersionFactory(use_case=use_case)
    client.force_login(erin)
    assert client.get(_url(use_case)).status_code == 200
    response = client.post(
        _url(use_case),
        {
            "kind": ArtifactKind.EVALUATION_REPORT,
            "title": "Offline eval",
            "version": version.pk,
            "uploads": upload("eval.pdf", PDF),
        },
    )
    assert response.status_code == 302
    artifact = Artifact.objects.get()
    assert (artifact.version, artifact.original_name, artifact.size) == (version, "eval.pdf", len(PDF))
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", PDF + b"x" * 2000, "larger than the limit of 1000\xa0bytes"),
        ("tool.exe", b"MZ", "not accepted"),
        ("fake.pdf", b"GIF89a", "not a PDF"),
        ("fake.docx", PDF, "not a Word document"),
        ("fake.xlsx", DOCX, "not an Excel workbook"),
        ("latin.txt", b"caf\xe9", "not UTF-8"),
        ("broken.json", b"{", "not valid JSON"),
        ("empty.pdf", b"", "empty"),
        ("a..pdf", PDF, "'..'"),
        ("x" * 150 + ".pdf", PDF, "longer than"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(client, use_case, erin, settings, name, content, message):
    settings.MAX_UPLOAD_BYTES = 1000
    client.force_login(erin)
    response = client.post(_url(use_case), {"kind": ArtifactKind.OTHER, "uploads": upload(name, content)})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["uploads"])
    assert not Artifact.objects.exists()
    assert stored_files(settings) == []
    assert not AuditEvent.objects.filter(verb="artifact.uploaded").exists()


def test_path_in_the_name_never_reaches_the_disk(client, use_case, erin, settings):
    client.force_login(erin)
    response = client.post(_url(use_case), {"kind": ArtifactKind.OTHER, "uploads": upload("../../../escape.pdf", PDF)})
    assert response.status_code == 302
    # The multipart parser keeps only the base name; the stored path is the content hash.
    artifact = Artifact.objects.get()
    assert artifact.original_name == "escape.pdf"
    assert stored_files(settings) == [settings.MEDIA_ROOT / "artifacts" / artifact.sha256[:2] / artifact.sha256]
    assert not (settings.MEDIA_ROOT.parent / "escape.pdf").exists()


def test_another_use_cases_version_is_refused(client, use_case, erin):
    foreign = factories.ModelVersionFactory()
    client.force_login(erin)
    response = client.post(_url(use_case), {"kind": "other", "version": foreign.pk, "uploads": upload("a.pdf", PDF)})
    assert response.status_code == 400 and not Artifact.objects.exists()


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_get_403_and_nothing_is_stored(client, request, use_case, who, settings):
    client.force_login(request.getfixturevalue(who))
    response = client.post(_url(use_case), {"kind": "other", "uploads": upload("a.pdf", PDF)})
    assert response.status_code == 403
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_download_is_an_audited_attachment(client, use_case, audrey):
    artifact = factories.ArtifactFactory(use_case=use_case, original_name='eval "final";.pdf')
    client.force_login(audrey)
    response = client.get(artifact.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and '\\"final\\"' in disposition
    event = AuditEvent.objects.get(verb="artifact.downloaded")
    assert (event.actor, event.changes["sha256"]) == (audrey, artifact.sha256)


def test_download_refused_to_no_role_and_across_use_cases(client, use_case, erin, nobody):
    artifact = factories.ArtifactFactory(use_case=use_case)
    other = factories.UseCaseFactory()
    client.force_login(nobody)
    assert client.get(artifact.get_absolute_url()).status_code == 404
    client.force_login(erin)
    wrong = reverse("lifecycle:artifact-download", args=[other.slug, artifact.pk])
    assert client.get(wrong).status_code == 404
    assert not AuditEvent.objects.filter(verb="artifact.downloaded").exists()


def test_missing_file_is_404_not_500(client, use_case, erin, settings):
    artifact = factories.ArtifactFactory(use_case=use_case)
    (settings.MEDIA_ROOT / artifact.file.name).unlink()
    client.force_login(erin)
    assert client.get(artifact.get_absolute_url()).status_code == 404


def test_several_files_are_stored_at_once_or_none_of_them(client, use_case, erin, settings):
    client.force_login(erin)
    both = client.post(
        _url(use_case), {"kind": ArtifactKind.OTHER, "uploads": [upload("a.pdf", PDF), upload("b.docx", DOCX)]}
    )
    assert both.status_code == 302
    assert sorted(Artifact.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.docx"]

    one_bad = client.post(
        _url(use_case), {"kind": ArtifactKind.OTHER, "uploads": [upload("c.pdf", PDF), upload("tool.exe", b"MZ")]}
    )
    assert one_bad.status_code == 400
    assert one_bad.context["form"].errors["uploads"][0].startswith("tool.exe: ")
    assert Artifact.objects.count() == 2
    assert len(stored_files(settings)) == 2


def test_one_kind_takes_one_file(client, use_case, erin):
    client.force_login(erin)
    response = client.post(
        _url(use_case),
        {"kind": ArtifactKind.EVALUATION_REPORT, "uploads": [upload("a.pdf", PDF), upload("b.pdf", PDF + b" ")]},
    )
    assert response.status_code == 400
    assert "Evaluation report has one current file" in response.context["form"].errors["uploads"][0]
    assert not Artifact.objects.exists()


def test_the_use_case_page_opens_a_pdf_in_the_browser(client, use_case, erin):
    artifact = factories.ArtifactFactory(use_case=use_case)
    client.force_login(erin)
    body = client.get(use_case.get_absolute_url()).content.decode()
    assert f'href="{artifact.get_absolute_url()}?inline=1"' in body


def _kind_field(response):
    field = response.context["form"]["kind"]
    return field.initial, [label for _, label in field.field.choices]


def test_the_form_offers_first_what_the_next_gate_misses(client, erin):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    client.force_login(erin)
    response = client.get(_url(at_sandbox))
    initial, labels = _kind_field(response)
    assert initial == ArtifactKind.EVALUATION_REPORT
    assert labels[:3] == [
        "Evaluation report (needed for stage 2)",
        "Data lineage and known limitations (needed for stage 2)",
        "Observability plan",
    ]
    assert len(labels) == len(ArtifactKind.choices)
    assert response.context["needed"] == [("Evaluation report", 2), ("Data lineage and known limitations", 2)]
    assert "Stage 2 still needs: evaluation report, data lineage and known limitations." in response.content.decode()


def test_what_is_uploaded_is_no_longer_suggested(client, erin):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    client.force_login(erin)
    client.post(_url(at_sandbox), {"kind": ArtifactKind.EVALUATION_REPORT, "uploads": upload("eval.pdf", PDF)})
    initial, labels = _kind_field(client.get(_url(at_sandbox)))
    assert initial == ArtifactKind.DATA_LINEAGE
    assert labels[:2] == ["Data lineage and known limitations (needed for stage 2)", "Evaluation report"]


def test_nothing_is_chosen_when_the_next_gate_needs_no_file(client, use_case, erin):
    client.force_login(erin)
    response = client.get(_url(use_case))
    initial, labels = _kind_field(response)
    assert initial is None
    assert labels == ["Choose the kind of evidence", *ArtifactKind.labels]
    assert response.context["needed"] == []


def test_every_needed_file_goes_in_one_sending_with_the_newest_version(client, erin):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    factories.ModelVersionFactory(use_case=at_sandbox, label="1.0")
    newest = factories.ModelVersionFactory(use_case=at_sandbox, label="1.1")
    client.force_login(erin)
    form = client.get(_url(at_sandbox)).context["form"]
    assert form["version"].initial == newest.pk
    assert [f.name for f in form.needed_fields] == ["needed_evaluation_report", "needed_data_lineage"]

    response = client.post(
        _url(at_sandbox),
        {
            "needed_evaluation_report": upload("eval.pdf", PDF),
            "needed_data_lineage": upload("lineage.docx", DOCX),
            "kind": ArtifactKind.EVALUATION_REPORT,
            "version": newest.pk,
        },
    )

    assert response.status_code == 302
    stored = {a.kind: (a.original_name, a.version) for a in Artifact.objects.filter(use_case=at_sandbox)}
    assert stored == {"evaluation_report": ("eval.pdf", newest), "data_lineage": ("lineage.docx", newest)}
    assert AuditEvent.objects.filter(verb="artifact.uploaded").count() == 2


def test_one_refused_needed_file_stores_none_and_names_it(client, erin, settings):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    client.force_login(erin)
    response = client.post(
        _url(at_sandbox),
        {"needed_evaluation_report": upload("eval.pdf", PDF), "needed_data_lineage": upload("tool.exe", b"MZ")},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["needed_data_lineage"]
    assert response.context["form"].errors["needed_data_lineage"][0].startswith("tool.exe: ")
    assert not Artifact.objects.exists() and stored_files(settings) == []


def test_nothing_chosen_is_a_400_that_says_so(client, erin):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    client.force_login(erin)
    response = client.post(_url(at_sandbox), {"kind": ArtifactKind.EVALUATION_REPORT})
    assert response.status_code == 400
    assert response.context["form"].errors == {"needed_evaluation_report": ["Choose at least one file to upload."]}
    assert not Artifact.objects.exists()


def test_a_kind_given_twice_is_refused(client, erin):
    at_sandbox = factories.UseCaseFactory(technical_owner=erin, stage=1)
    client.force_login(erin)
    response = client.post(
        _url(at_sandbox),
        {
            "needed_evaluation_report": upload("eval.pdf", PDF),
            "kind": ArtifactKind.EVALUATION_REPORT,
            "uploads": upload("eval-2.pdf", PDF + b" "),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "uploads": ["Evaluation report is chosen above already: give it one file."]
    }
    assert not Artifact.objects.exists()
