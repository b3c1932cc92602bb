"""Versions and evidence: recording what runs, uploading and downloading artifacts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.exceptions import Conflict
from core.forms import form_errors_apply
from lifecycle.access import get_use_case_for_user
from lifecycle.evidence_forms import ArtifactForm
from lifecycle.forms import VersionForm
from lifecycle.models import Artifact, ArtifactKind
from lifecycle.panels import evidence_needed
from lifecycle.services import (
    artifact_download_record,
    artifact_upload,
    model_version_register,
)
from lifecycle.uploads import inline_content_type
from lifecycle.views.common import BAD_REQUEST, CONFLICT, _use_case_crumbs


@require_http_methods(["GET", "POST"])
def version_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    form = VersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            status = BAD_REQUEST
            try:
                registered = model_version_register(use_case=use_case, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
            except Conflict as exc:
                form.add_error("label", exc.message)
                status = CONFLICT
            else:
                if registered.created:
                    label = registered.version.label
                    messages.success(request, f"Recorded version {label}. Versions are never changed.")
                    return redirect("lifecycle:use-case-detail", slug=slug)
                # Harmless for a pipeline's retry; a person typing a label again most likely meant a new version.
                form.add_error(
                    "label",
                    f"Version {registered.version.label} is already recorded with these digests; "
                    "versions are never changed: give the new one a new label.",
                )
        else:
            status = BAD_REQUEST
    return render(
        request,
        "lifecycle/version_form.html",
        {
            "form": form,
            "use_case": use_case,
            "crumbs": _use_case_crumbs(use_case, "Add version"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def artifact_upload_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    needed = evidence_needed(use_case)
    form = ArtifactForm(request.POST or None, request.FILES or None, use_case=use_case, needed=needed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            title, version = form.cleaned_data["title"], form.cleaned_data["version"]
            stored, current = [], None
            try:
                # All or nothing: one refused file leaves none of the others stored.
                with transaction.atomic():
                    for current in form.cleaned_data["chosen"]:
                        field, kind, upload = current
                        stored.append(
                            artifact_upload(
                                use_case=use_case,
                                actor=request.user,
                                kind=kind,
                                file=upload,
                                title=title if field == "uploads" else "",
                                version=version,
                            )
                        )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "file" in exc.error_dict and current is not None:
                    form.add_error(current[0], [f"{current[2].name}: {m}" for m in exc.message_dict["file"]])
                else:
                    form_errors_apply(form, exc)
            else:
                names = ", ".join(f"{a.original_name} (SHA-256 {a.sha256[:12]}…)" for a in stored)
                messages.success(request, f"Stored as evidence: {names}.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/artifact_form.html",
        {
            "form": form,
            "use_case": use_case,
            "needed": [(ArtifactKind(kind).label, stage) for kind, stage in needed.items()],
            "crumbs": _use_case_crumbs(use_case, "Upload evidence"),
        },
        status=status,
    )


@require_safe
def artifact_download(request: AuthenticatedHttpRequest, slug: str, pk: int) -> FileResponse:
    use_case = get_use_case_for_user(request.user, slug)
    artifact = get_object_or_404(Artifact, use_case=use_case, pk=pk)
    inline_type = inline_content_type(artifact.content_type) if request.GET.get("inline") == "1" else None
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing; tell an administrator.") from None
    artifact_download_record(artifact=artifact, actor=request.user)
    response = FileResponse(
        handle,
        as_attachment=inline_type is None,
        filename=artifact.original_name,
        content_type=inline_type or artifact.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer does not open in a sandboxed document; nothing else needs more than the sandbox.
    sandbox = "" if inline_type == "application/pdf" else "; sandbox"
    response["Content-Security-Policy"] = f"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'{sandbox}"
    return response
