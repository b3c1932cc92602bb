"""Forms of the packet pages: the list's filters and the verification form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from lifecycle.models import Stage
from signoff.packets import pdf_bytes_clean, sha256_clean

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PacketFilterForm(forms.Form):
    use_case = forms.CharField(required=False, max_length=200, label="Use case", help_text="Slug or part of the title.")
    stage = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Target stage",
        choices=[("", "Any stage"), *[(s.value, s.label) for s in Stage.active() if s != Stage.PROPOSED]],
    )
    since = forms.DateField(
        required=False, label="Approved on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Approved on or before", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The start date is after the end date.")
        return data


class PacketVerifyForm(forms.Form):
    file = forms.FileField(required=False, label="Packet file (PDF)", help_text=f"At most {settings.MAX_UPLOAD_MB} MB.")
    sha256 = forms.CharField(
        required=False, max_length=80, label="Or its SHA-256", help_text="64 hexadecimal characters."
    )

    too_large = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > settings.MAX_UPLOAD_BYTES:
            self.too_large = True
            raise ValidationError(f"The file is too large: packets are at most {settings.MAX_UPLOAD_MB} MB.")
        return pdf_bytes_clean(upload.read())

    def clean_sha256(self):
        value = self.cleaned_data.get("sha256", "")
        return sha256_clean(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("file") and data.get("sha256"):
            raise ValidationError("Give either a file or a SHA-256, not both.")
        if not data.get("file") and not data.get("sha256"):
            raise ValidationError("Upload a packet file or paste its SHA-256.")
        return data
