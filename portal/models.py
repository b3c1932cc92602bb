import hashlib
import json
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.roles import Role


class User(AbstractUser):
    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", "Send each e-mail as it happens"
        DIGEST = "digest", "One daily digest"

    email_mode = models.CharField(max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = {g.name for g in self.groups.all()}
        return self._role_names

    def has_role(self, *roles: Role) -> bool:
        return self.is_active and bool(self.role_names() & {str(r) for r in roles})

    @property
    def is_auditor(self) -> bool:
        return self.has_role(Role.AUDITOR) and not self.is_superuser

    @property
    def is_portal_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.has_role(Role.ADMIN))

    @property
    def has_any_role(self) -> bool:
        return self.is_active and (self.is_superuser or bool(self.role_names()))


class ReviewFunction(models.Model):
    """A second-line function that signs readiness requests (risk, compliance, legal, ...)."""

    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="FunctionMembership", related_name="functions")

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class FunctionMembership(models.Model):
    function = models.ForeignKey(ReviewFunction, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(default=False, help_text="Leads assign reviews and receive escalations.")

    class Meta:
        ordering = ["function", "-is_lead", "user__username"]
        constraints = [models.UniqueConstraint(fields=["function", "user"], name="membership_unique_user_per_function")]

    def __str__(self) -> str:
        return f"{self.user} in {self.function}{' (lead)' if self.is_lead else ''}"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class AuditChainHead(models.Model):
    """One row: the sequence number and hash of the newest audit event.

    Writers lock it (SELECT ... FOR UPDATE) so that two transactions can never
    chain to the same predecessor.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of something that happened.

    Database triggers refuse UPDATE and DELETE on this table (see migration 0002).
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
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label or 'system'} {self.verb} {self.object_repr}"

    def canonical(self) -> str:
        created: datetime = self.created_at
        return canonical_json(
            {
                "seq": self.seq,
                "created_at": created.astimezone(UTC).isoformat(timespec="microseconds"),
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
        return hashlib.sha256(self.canonical().encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    PREFIX = "sg_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Notification(models.Model):
    """An in-app notification; e-mail delivery is tracked on the same row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["emailed_at", "user"], name="notification_mail_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"

    def get_absolute_url(self) -> str:
        return self.url or reverse("portal:notifications")
