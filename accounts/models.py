"""People, their review functions and their API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_scim.models import AbstractSCIMGroupMixin, AbstractSCIMUserMixin

from accounts.roles import Role


class User(AbstractSCIMUserMixin, AbstractUser):
    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", "Send each e-mail as it happens"
        DIGEST = "digest", "One daily digest"

    email_mode = models.CharField(max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    # A pipeline's identity: it signs in with tokens only, never decides a review, and an administrator answers for it.
    is_service_account = models.BooleanField(default=False)
    service_account_owner = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="service_accounts"
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = {g.name for g in self.groups.all()}
        return self._role_names

    def memberships_by_function(self) -> dict[int, "FunctionMembership"]:
        """This user's review-function memberships by function id, read once per instance (that is, per request)."""
        if not hasattr(self, "_memberships_by_function"):
            self._memberships_by_function = {m.function_id: m for m in FunctionMembership.objects.filter(user=self)}
        return self._memberships_by_function

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


class IdentityGroup(AbstractSCIMGroupMixin):
    """A group at the organisation's identity provider, provisioned over SCIM ("risk-leads").

    It gives nothing by itself: OIDC_GROUP_MAP says what each group's members get, applied whenever its
    membership changes (accounts/services/identity.py).
    """

    name = models.CharField(max_length=150, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="identity_groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TokenScope(models.TextChoices):
    READ = "read", "Read what the owner may see"
    GATE = "gate", "Ask the run gate"
    PUSH = "push", "Push versions, evidence, readiness answers, requests and metrics"
    REVIEW = "review", "Claim, assign, hand over and decide reviews (people only)"


MACHINE_SCOPES = [TokenScope.READ, TokenScope.GATE, TokenScope.PUSH]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored.

    A token carries scopes, and may expire: a pipeline's token (read, gate, push) can never decide a review,
    whoever it belongs to.
    """

    PREFIX = "sg_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    scopes = models.JSONField(default=list, help_text="Some of: read, gate, push, review.")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
