"""Reminders sent and sign-off packets issued: records kept once, never rewritten."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from signoff.models.requests import ReadinessRequest


class Reminder(models.Model):
    """One reminder or escalation that is due or was sent.

    The unique key (item, kind, sequence) makes sending idempotent: a sweep
    claims rows, and a second sweep or a rerun after a crash finds the same
    row instead of making another.
    """

    class Item(models.TextChoices):
        REVIEW = "review", "Review"
        CONDITION = "condition", "Condition"
        REVALIDATION = "revalidation", "Revalidation"
        FINDING = "finding", "Finding"
        INCIDENT = "incident", "Incident report"
        EXCEPTION = "exception", "Exception expiry"

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Due soon"
        ON_DUE = "on_due", "Due today"
        OVERDUE = "overdue", "Overdue"
        ESCALATION = "escalation", "Escalation"
        UNASSIGNED = "unassigned", "Unassigned"

    item_type = models.CharField(max_length=16, choices=Item.choices)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sequence = models.PositiveIntegerField(default=0, help_text="The day overdue, for daily reminders.")
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_id", "kind", "sequence"], name="reminder_unique_send")
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="reminder_unsent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.item_type} {self.item_id} (#{self.sequence})"


class Packet(models.Model):
    """A rendered sign-off packet (PDF). Stored once with its hash; never re-rendered over."""

    request = models.OneToOneField(ReadinessRequest, on_delete=models.PROTECT, related_name="packet")
    packet_id = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to="packets/", max_length=200)
    # The file as stored and served: the signed packet (or the document alone, where signing is not configured).
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    # The reproducible document before the signature was appended (the file's first revision).
    unsigned_sha256 = models.CharField(max_length=64, db_index=True)
    unsigned_size = models.PositiveBigIntegerField()
    # The signing certificate as the packet describes it (signoff/packets/signing.py); empty when unsigned.
    signer = models.JSONField(default=dict, blank=True)
    timestamped_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField()
    audit_head_hash = models.CharField(max_length=64)
    audit_head_seq = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="packet_newest_idx")]

    def __str__(self) -> str:
        return self.packet_id

    def get_absolute_url(self) -> str:
        return reverse("signoff:packet-detail", args=[self.packet_id])
