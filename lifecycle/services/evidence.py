"""Evidence: stored once, content-addressed, never edited; a new upload supersedes the current one."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import use_case_may_change
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    ModelVersion,
    Stage,
    UseCase,
    artifact_upload_to,
)
from lifecycle.services.base import use_case_lock
from lifecycle.uploads import upload_validate


@dataclass(frozen=True)
class ArtifactStored:
    artifact: Artifact
    created: bool


def artifact_upload(
    *,
    use_case: UseCase,
    actor: User,
    kind: str,
    file: UploadedFile,
    title: str = "",
    version: ModelVersion | None = None,
) -> Artifact:
    """Store one piece of evidence (see artifact_store); the artifact, new or the same one again."""
    return artifact_store(use_case=use_case, actor=actor, kind=kind, file=file, title=title, version=version).artifact


def artifact_store(
    *,
    use_case: UseCase,
    actor: User,
    kind: str,
    file: UploadedFile,
    title: str = "",
    version: ModelVersion | None = None,
) -> ArtifactStored:
    """Store one piece of evidence, content-addressed; it supersedes the current one of its kind.

    The same bytes sent again for the same kind and version (a pipeline's retry) return the current
    artifact: nothing is superseded, and no request in review is sent back.

    The file is written only after validation and inside the transaction. If
    anything after the write fails, including the commit itself (PostgreSQL
    checks foreign keys at commit), the file is removed again, so a refused
    upload leaves neither a row nor a file. Called inside a caller's larger
    transaction that later rolls back, a file can outlive its row; it is
    content-addressed, so the orphan is inert and a later upload reuses it.
    """
    if kind not in ArtifactKind.values:
        raise ValidationError({"kind": "Unknown kind of evidence."})
    written: list[str] = []
    try:
        with transaction.atomic():
            return _artifact_store(
                use_case=use_case, actor=actor, kind=kind, file=file, title=title, version=version, written=written
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _artifact_store(
    *,
    use_case: UseCase,
    actor: User,
    kind: str,
    file: UploadedFile,
    title: str,
    version: ModelVersion | None,
    written: list[str],
) -> ArtifactStored:
    use_case = use_case_lock(use_case=use_case)
    if not use_case_may_change(actor, use_case):
        raise PermissionDenied("Only the use case's owners or an administrator may upload evidence.")
    if use_case.stage == Stage.RETIRED:
        raise ValidationError("The use case is retired; it takes no new evidence.")
    if version is not None and version.use_case_id != use_case.pk:
        raise ValidationError({"version": "That version belongs to another use case."})
    try:
        upload = upload_validate(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    previous = None
    if kind != ArtifactKind.OTHER:
        previous = Artifact.objects.select_for_update().filter(use_case=use_case, kind=kind, is_current=True).first()
    if (
        previous is not None
        and previous.sha256 == upload.sha256
        and previous.version_id == (version.pk if version else None)
    ):
        return ArtifactStored(previous, created=False)
    artifact = Artifact(
        use_case=use_case,
        version=version,
        kind=kind,
        title=title.strip()[:200],
        original_name=upload.original_name,
        content_type=upload.content_type,
        sha256=upload.sha256,
        size=upload.size,
        supersedes=previous,
        uploaded_by=actor,
    )
    path = artifact_upload_to(artifact, upload.original_name)
    if not default_storage.exists(path):
        name = default_storage.save(path, ContentFile(upload.data))
        if name != path:
            # Someone stored the same content a moment ago; theirs is byte-identical.
            default_storage.delete(name)
        else:
            written.append(name)
    artifact.file.name = path
    if previous is not None:
        # Before the insert: the one-current-per-kind constraint is checked row by row.
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    artifact.save()
    audit_record(
        actor=actor,
        verb=Verb.ARTIFACT_UPLOADED,
        obj=artifact,
        use_case_id=use_case.pk,
        changes={
            "kind": kind,
            "name": upload.original_name,
            "sha256": upload.sha256,
            "size": upload.size,
            "version": version.label if version else None,
            "supersedes": previous.pk if previous else None,
        },
    )
    hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return ArtifactStored(artifact, created=True)


def artifact_download_record(*, artifact: Artifact, actor: User) -> None:
    """Downloads of evidence are events: who read what, when."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.ARTIFACT_DOWNLOADED,
            obj=artifact,
            use_case_id=artifact.use_case_id,
            changes={"sha256": artifact.sha256, "name": artifact.original_name},
        )
