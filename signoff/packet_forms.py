"""The form of the packet verification page (the list's filters are signoff/filters.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from signoff.packets import pdf_bytes_clean, sha256_clean


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
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data.get("file") and data.get("sha256"):
            raise ValidationError("Give either a file or a SHA-256, not both.")
        if not data.get("file") and not data.get("sha256"):
            raise ValidationError("Upload a packet file or paste its SHA-256.")
        return data
