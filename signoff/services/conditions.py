"""Conditions of approval, to closure: marked met with evidence, accepted or returned, or waived by a lead.

Each write locks the condition alone (it comes after requests and reviews in the lock order, before the
audit head) and is audited in its transaction. Reminders stop by themselves: the sweep reminds only of
open conditions (signoff/reminders/schedule.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle.uploads import upload_validate
from notifications.services import Kind, notify
from signoff import access, condition_access
from signoff.models import ReviewCondition, condition_evidence_upload_to
from signoff.selectors import function_leads
from signoff.services.base import MAX_COMMENT_LENGTH

Status = ReviewCondition.Status


def _lock(condition: ReviewCondition) -> ReviewCondition:
    locked = (
        ReviewCondition.objects.select_for_update(of=("self",))
        .select_related("review__function", "review__request", "use_case", "owner")
        .filter(pk=condition.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("This condition no longer exists.")
    return locked


def _text(value: str, field: str, *, required: bool, what: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Say {what}."})
    if len(value) > MAX_COMMENT_LENGTH:
        raise ValidationError({field: f"Keep it under {MAX_COMMENT_LENGTH} characters."})
    return value


def _refuse(refusal: access.Refusal | None, condition: ReviewCondition) -> None:
    if refusal is not None:
        refusal.raise_it(on=condition)


def _record(condition: ReviewCondition, actor: User, verb: Verb, changes: dict) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        obj=condition,
        use_case_id=condition.use_case_id,
        request_id=condition.review.request_id,
        changes={"condition": condition.text[:200], "function": condition.review.function.key, **changes},
    )


def condition_mark_met(
    *, condition: ReviewCondition, actor: User, note: str = "", file: UploadedFile | None = None
) -> ReviewCondition:
    """The owner says the condition is met and shows how: a note, a file, or both."""
    note = _text(note, "note", required=False, what="how the condition was met")
    upload = None
    if file is not None:
        try:
            upload = upload_validate(file)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
    if not note and upload is None:
        raise ValidationError({"note": "Give evidence that the condition is met: a note, a file or both."})
    with transaction.atomic():
        condition = _lock(condition)
        _refuse(condition_access.condition_mark_met_refusal(actor, condition), condition)
        before = condition.status
        condition.status = Status.MARKED_MET
        condition.marked_met_by = actor
        condition.marked_met_at = timezone.now()
        condition.evidence_note = note
        changes: dict = {"status": [before, condition.status], "note": note}
        if upload is not None:
            condition.evidence_sha256 = upload.sha256
            path = condition_evidence_upload_to(condition, upload.original_name)
            if not default_storage.exists(path):
                # Content-addressed: if the same bytes were stored a moment ago, theirs are identical.
                stored = default_storage.save(path, ContentFile(upload.data))
                if stored != path:
                    default_storage.delete(stored)
            condition.evidence_file.name = path
            condition.evidence_name = upload.original_name
            condition.evidence_content_type = upload.content_type
            condition.evidence_size = upload.size
            changes["file"] = {"name": upload.original_name, "sha256": upload.sha256, "size": upload.size}
        else:
            condition.evidence_file.name = ""
            condition.evidence_name = condition.evidence_content_type = condition.evidence_sha256 = ""
            condition.evidence_size = None
        condition.save()
        _record(condition, actor, Verb.CONDITION_MARKED_MET, changes)
        judges = [condition.review.decided_by] if condition.review.decided_by else []
        notify(
            users=[*judges, *function_leads(function=condition.review.function)],
            kind=Kind.QUEUED,
            title=f"Condition marked met: {condition.use_case}",
            body=f"{condition.text}\n\n{actor} says it is met; {condition.review.function} accepts or returns it.",
            url=condition.get_absolute_url(),
        )
    return condition


def condition_accept(*, condition: ReviewCondition, actor: User, note: str = "") -> ReviewCondition:
    """The function that set the condition accepts the owner's evidence: the condition is met and closed."""
    note = _text(note, "note", required=False, what="why it is accepted")
    with transaction.atomic():
        condition = _lock(condition)
        _refuse(condition_access.condition_accept_refusal(actor, condition), condition)
        before = condition.status
        condition.status = Status.MET
        condition.closed_by = actor
        condition.closed_at = timezone.now()
        condition.closing_note = note
        condition.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
        _record(condition, actor, Verb.CONDITION_ACCEPTED, {"status": [before, condition.status], "note": note})
        _tell_owner(condition, f"Condition accepted by {condition.review.function}", note)
    return condition


def condition_return(*, condition: ReviewCondition, actor: User, note: str) -> ReviewCondition:
    """The function finds the evidence wanting: the condition is open again, and reminded again."""
    note = _text(note, "note", required=True, what="what is still missing")
    with transaction.atomic():
        condition = _lock(condition)
        _refuse(condition_access.condition_return_refusal(actor, condition), condition)
        before = condition.status
        condition.status = Status.OPEN
        condition.return_note = note
        condition.save(update_fields=["status", "return_note"])
        _record(condition, actor, Verb.CONDITION_RETURNED, {"status": [before, condition.status], "note": note})
        _tell_owner(condition, f"Condition returned by {condition.review.function}", note)
    return condition


def condition_waive(*, condition: ReviewCondition, actor: User, reason: str) -> ReviewCondition:
    """A lead of the function that set the condition lifts it, with a reason: closed, not met."""
    reason = _text(reason, "reason", required=True, what="why the condition is waived")
    with transaction.atomic():
        condition = _lock(condition)
        _refuse(condition_access.condition_waive_refusal(actor, condition), condition)
        before = condition.status
        condition.status = Status.WAIVED
        condition.closed_by = actor
        condition.closed_at = timezone.now()
        condition.closing_note = reason
        condition.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
        _record(condition, actor, Verb.CONDITION_WAIVED, {"status": [before, condition.status], "reason": reason})
        _tell_owner(condition, f"Condition waived by {condition.review.function}", reason)
    return condition


def _tell_owner(condition: ReviewCondition, title: str, body: str) -> None:
    notify(
        users=[condition.owner],
        kind=Kind.DECIDED,
        title=f"{title}: {condition.use_case}",
        body=f"{condition.text}\n\n{body}".strip(),
        url=condition.get_absolute_url(),
    )


def condition_evidence_download_record(*, condition: ReviewCondition, actor: User) -> None:
    """Reading evidence is an event, as for the registry's artifacts."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.ARTIFACT_DOWNLOADED,
            obj=condition,
            use_case_id=condition.use_case_id,
            request_id=condition.review.request_id,
            changes={"sha256": condition.evidence_sha256, "name": condition.evidence_name},
        )
