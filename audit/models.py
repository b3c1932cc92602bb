"""The audit trail's tables: append-only events chained by hash, and the chain's head."""

import hashlib

from django.conf import settings
from django.db import models

from audit.canonical import canonical_json


class AuditChainHead(models.Model):
    """One row: the sequence number and hash of the newest audit event.

    Writers lock it (SELECT ... FOR UPDATE) so that two transactions can never
    chain to the same predecessor. Its `seq` is also the number of events the
    trail has ever held, so an emptied or shortened trail cannot pass for a
    short one. The row is created by the migration and may be updated, never
    deleted (audit/triggers.py).
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of something that happened.

    Database triggers refuse UPDATE and DELETE on this table (audit/triggers.py).
    """

    GENESIS_HASH = "0" * 64

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    # PROTECT: users are deactivated, never deleted, so the trail keeps its actors.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    use_case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    request_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # The exact text the hash covers (audit/canonical.py): verification re-hashes this
    # text and checks that the columns above still say the same, so neither can change
    # alone, and nothing depends on how a database hands JSON back.
    canonical = models.TextField()
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label or 'system'} {self.verb} {self.object_repr}"

    def canonical_form(self) -> str:
        """The canonical text of this event's columns (what `canonical` holds, unless a row was altered)."""
        return canonical_json(
            {
                "seq": self.seq,
                "created_at": self.created_at,
                "actor_id": self.actor_id,
                "actor_label": self.actor_label,
                "verb": self.verb,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "object_repr": self.object_repr,
                "use_case_id": self.use_case_id,
                "request_id": self.request_id,
                "changes": self.changes,
                "ip_address": self.ip_address,
                "prev_hash": self.prev_hash,
            }
        )

    def compute_hash(self) -> str:
        """SHA-256 of the stored canonical text."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()


class RefusalTally(models.Model):
    """Refused writes from one unauthenticated client in one time window, counted instead of recorded one by one.

    Anyone can send a write the portal refuses; a permanent audit row per
    anonymous request would let anyone grow the undeletable trail at will. So
    they are counted here, and when the window has passed one audit event per
    client and window records the count (audit/refusals.py).
    """

    # Text, not an address column: "" stands for an unknown address and still takes part in the unique key.
    client_ip = models.CharField(max_length=45, blank=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    first_path = models.CharField(max_length=300, blank=True)
    last_path = models.CharField(max_length=300, blank=True)
    statuses = models.JSONField(default=dict, blank=True, help_text="{status: count}")
    recorded_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-window_start", "client_ip"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_ip", "window_start"], name="refusal_tally_one_per_client_and_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_ip or 'unknown'} from {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
