import pytest
from django.core.exceptions import ValidationError

from lifecycle.uploads import file_name_check, upload_validate
from tests.lifecycle.files import DOCX, JPEG, PDF, PNG, TEXT, XLSX, office, upload


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("plan.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("metrics.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", TEXT, "text/plain; charset=utf-8"),
        ("README.md", "# Évaluation\n".encode(), "text/markdown; charset=utf-8"),
        ("data.csv", b"a,b\n1,2\n", "text/csv; charset=utf-8"),
        ("metrics.json", b'{"auc": 0.81}', "application/json"),
    ],
)
def test_accepted_types(name, content, content_type):
    result = upload_validate(upload(name, content, "text/html"))
    assert result.content_type == content_type  # ours, never the client's
    assert result.size == len(content)
    assert len(result.sha256) == 64
    assert result.data == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "not accepted"),
        ("page.html", b"<html></html>", "not accepted"),
        ("noextension", PDF, "needs an extension"),
        ("empty.pdf", b"", "empty"),
        ("fake.pdf", b"<script>alert(1)</script>", "not a PDF"),
        ("fake.png", PDF, "not a PNG"),
        ("fake.jpg", PNG, "not a JPEG"),
        ("fake.docx", b"PK\x03\x04garbage", "not a Word document"),
        ("wrong.docx", XLSX, "not a Word document"),
        ("wrong.xlsx", office("ppt/"), "not an Excel workbook"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "not UTF-8 text"),
        ("binary.csv", b"a,b\x00\n", "not UTF-8 text"),
        ("broken.json", b'{"auc": ', "not valid JSON"),
    ],
)
def test_refused_content(name, content, message):
    with pytest.raises(ValidationError, match=message):
        upload_validate(upload(name, content))


def test_too_large(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="larger than the limit"):
        upload_validate(upload("big.txt", b"x" * 101))
    assert upload_validate(upload("ok.txt", b"x" * 100)).size == 100


def test_too_large_even_if_the_size_attribute_lies(settings):
    settings.MAX_UPLOAD_BYTES = 100
    file = upload("big.txt", b"x" * 500)
    file.size = 10
    with pytest.raises(ValidationError, match="larger than the limit"):
        upload_validate(file)


SEPARATORS = "The file name may not contain path separators."
CONTROL = "The file name contains control characters."
DOT_OR_SPACE = "The file name may not start or end with a dot or a space."
NO_NAME = "The file has no name."


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.txt", SEPARATORS),
        ("dir/report.pdf", SEPARATORS),
        ("dir\\report.pdf", SEPARATORS),
        ("report..pdf", "The file name may not contain '..'."),
        ("nul\x00.pdf", CONTROL),
        ("bell\x07.pdf", CONTROL),
        ("line\nbreak.pdf", CONTROL),
        ("rtl\u202egnp.pdf", CONTROL),
        (".hidden.pdf", DOT_OR_SPACE),
        ("trailing.pdf ", DOT_OR_SPACE),
        ("x" * 147 + ".pdf", "The file name is longer than 150 characters."),
        ("", NO_NAME),
        ("   ", NO_NAME),
    ],
)
def test_hostile_names(name, message):
    with pytest.raises(ValidationError) as refused:
        file_name_check(name)
    assert refused.value.messages == [message]


def test_ordinary_names_pass():
    assert file_name_check("Évaluation v1.2 (final).pdf") == "Évaluation v1.2 (final).pdf"
    assert file_name_check("x" * 146 + ".pdf") == "x" * 146 + ".pdf"
