"""Evidence upload validation: one module, used by the page and the API alike.

An artifact is evidence in an audit, so what we store must be what it claims
to be: an allow-list of types, the content checked against the extension
(magic bytes, UTF-8, JSON that parses), and the declared type ignored in
favour of ours. File names are shown back to people and sent in
Content-Disposition headers, so hostile ones are refused rather than cleaned.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

MAX_NAME_LENGTH = 150


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff")


def _zip_has(data: bytes, prefix: str) -> bool:
    # Only the central directory is read; nothing is extracted, so a zip bomb is harmless here.
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)


def _is_docx(data: bytes) -> bool:
    return _zip_has(data, "word/")


def _is_xlsx(data: bytes) -> bool:
    return _zip_has(data, "xl/")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_json(data: bytes) -> bool:
    if not _is_text(data):
        return False
    try:
        json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: Callable[[bytes], bool]
    description: str


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", _is_pdf, "a PDF (starting with %PDF-)"),
    "png": FileType("image/png", _is_png, "a PNG image"),
    "jpg": FileType("image/jpeg", _is_jpeg, "a JPEG image"),
    "jpeg": FileType("image/jpeg", _is_jpeg, "a JPEG image"),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _is_docx, "a Word document"
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _is_xlsx, "an Excel workbook"
    ),
    "txt": FileType("text/plain; charset=utf-8", _is_text, "UTF-8 text"),
    "md": FileType("text/markdown; charset=utf-8", _is_text, "UTF-8 text"),
    "csv": FileType("text/csv; charset=utf-8", _is_text, "UTF-8 text"),
    "json": FileType("application/json", _is_json, "valid JSON in UTF-8"),
}
ALLOWED_EXTENSIONS = sorted(ALLOWED_TYPES)


@dataclass(frozen=True)
class ValidatedUpload:
    original_name: str
    content_type: str
    data: bytes
    sha256: str
    size: int


def file_name_check(name: str) -> str:
    """The name as given, if it is safe to store and send back; otherwise ValidationError."""
    if not name or not name.strip():
        raise ValidationError("The file has no name.", code="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"The file name is longer than {MAX_NAME_LENGTH} characters.", code="name")
    if "/" in name or "\\" in name:
        raise ValidationError("The file name may not contain path separators.", code="name")
    if ".." in name:
        raise ValidationError("The file name may not contain '..'.", code="name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise ValidationError("The file name contains control characters.", code="name")
    if name.startswith((".", " ")) or name.endswith((".", " ")):
        raise ValidationError("The file name may not start or end with a dot or a space.", code="name")
    return name


def upload_validate(file: UploadedFile, *, name: str | None = None) -> ValidatedUpload:
    """Read and check one uploaded file. Raises ValidationError naming the problem."""
    original_name = file_name_check(name if name is not None else (file.name or ""))
    extension = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    file_type = ALLOWED_TYPES.get(extension)
    if file_type is None:
        raise ValidationError(
            f"Files of type '.{extension}' are not accepted. Allowed: {', '.join(ALLOWED_EXTENSIONS)}."
            if extension
            else f"The file name needs an extension. Allowed: {', '.join(ALLOWED_EXTENSIONS)}.",
            code="type",
        )
    limit = settings.MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(f"The file is larger than the limit of {filesizeformat(limit)}.", code="size")
    file.seek(0)
    # Read one byte past the limit so a lying size header cannot smuggle in more.
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"The file is larger than the limit of {filesizeformat(limit)}.", code="size")
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    if not file_type.matches(data):
        raise ValidationError(
            f"The content of '{original_name}' is not {file_type.description}, as its extension says.", code="content"
        )
    return ValidatedUpload(
        original_name=original_name,
        content_type=file_type.content_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


# Shown in the browser when asked: types a browser renders without running anything of ours. Text of every
# kind is sent as plain text, so Markdown, CSV and JSON are read, never interpreted.
_INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
_INLINE_TEXT = ("text/", "application/json")


def inline_content_type(content_type: str) -> str | None:
    """The type to show a stored file as in the browser, or None when it can only be downloaded."""
    if content_type in _INLINE_TYPES:
        return content_type
    if content_type.startswith(_INLINE_TEXT):
        return "text/plain; charset=utf-8"
    return None
