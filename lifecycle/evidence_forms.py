"""The upload form: one file chooser for each kind of evidence the next gate still misses, and any other kind."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from core.forms import form_field
from lifecycle.models import ArtifactKind, ModelVersion, UseCase
from lifecycle.uploads import ALLOWED_EXTENSIONS, upload_validate

ACCEPT = ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)
NEEDED_PREFIX = "needed_"


class _SeveralFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SeveralFilesField(forms.FileField):
    """One or more files from one input; cleaned to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", _SeveralFilesInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(SeveralFilesField, self).clean(f, initial) for f in files]


class ArtifactForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of evidence",
        choices=[("", "Choose the kind of evidence"), *ArtifactKind.choices],
        help_text="Each kind has one current file; 'Other' keeps several.",
    )
    title = forms.CharField(max_length=200, required=False)
    version = forms.ModelChoiceField(
        queryset=ModelVersion.objects.none(),
        required=False,
        help_text="The version this evidence is about, if any; the newest is chosen.",
    )
    uploads = SeveralFilesField(
        label="Files",
        help_text=f"Accepted: {', '.join(ALLOWED_EXTENSIONS)}. Choose several at once for 'Other'. "
        "A new upload of a kind supersedes the current one, which stays on record.",
    )

    def __init__(self, *args, use_case: UseCase, needed: dict[str, int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        versions = ModelVersion.objects.filter(use_case=use_case).order_by("-created_at", "-id")
        form_field(self, "version", forms.ModelChoiceField).queryset = versions
        self.fields["version"].initial = versions.values_list("pk", flat=True).first()
        self.fields["uploads"].widget.attrs["accept"] = ACCEPT
        self.needed = needed or {}
        if self.needed:
            # What the next gate still misses comes first, the first of it chosen: most uploads are for the gate.
            # Each also has a chooser of its own, so the whole gate's evidence goes in one sending.
            labels = dict(ArtifactKind.choices)
            form_field(self, "kind", forms.ChoiceField).choices = [
                *((kind, f"{labels[kind]} (needed for stage {stage})") for kind, stage in self.needed.items()),
                *((kind, label) for kind, label in ArtifactKind.choices if kind not in self.needed),
            ]
            self.fields["kind"].initial = next(iter(self.needed))
            self.fields["kind"].required = False
            self.fields["uploads"].required = False
            self.fields["kind"].label = "Another kind of evidence"
            for kind in self.needed:
                self.fields[NEEDED_PREFIX + kind] = forms.FileField(
                    label=labels[kind], required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
                )

    @property
    def needed_fields(self) -> list[forms.BoundField]:
        return [self[NEEDED_PREFIX + kind] for kind in self.needed]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "uploads", "title")]

    @property
    def needed_stage(self) -> int | None:
        return next(iter(self.needed.values()), None)

    def clean(self) -> dict:
        data = super().clean() or {}
        files, kind = data.get("uploads") or [], str(data.get("kind") or "")
        chosen: list[tuple[str, str, UploadedFile]] = [
            (NEEDED_PREFIX + k, k, data[NEEDED_PREFIX + k]) for k in self.needed if data.get(NEEDED_PREFIX + k)
        ]
        if files and not kind:
            if "kind" not in self.errors:
                self.add_error("kind", "Choose the kind of evidence these files are.")
        elif len(files) > 1 and kind != ArtifactKind.OTHER:
            self.add_error(
                "uploads",
                f"{ArtifactKind(kind).label} has one current file: upload one, or choose 'Other' for several.",
            )
        elif files and any(k == kind for _, k, _ in chosen):
            self.add_error("uploads", f"{ArtifactKind(kind).label} is chosen above already: give it one file.")
        chosen += [("uploads", kind, upload) for upload in files]
        if not chosen and "uploads" not in self.errors:
            # Said at the first chooser on the page, where the person would put a file.
            first = NEEDED_PREFIX + next(iter(self.needed)) if self.needed else "uploads"
            self.add_error(first, "Choose at least one file to upload.")
        # Every file is checked before any is stored, so a refused one leaves nothing behind.
        for field, _, upload in chosen:
            try:
                upload_validate(upload)
            except ValidationError as exc:
                self.add_error(field, [f"{upload.name}: {m}" for m in exc.messages])
        data["chosen"] = chosen
        return data
