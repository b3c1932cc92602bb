from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


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
    # Mailed with the person's other batched notifications in one e-mail (the reminder sweep's), never on its own.
    batched = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["emailed_at", "user"], name="notification_mail_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"

    def get_absolute_url(self) -> str:
        return self.url or reverse("notifications:list")
