from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """The first answer to an API write sent with an Idempotency-Key, so that a retry gets it back unchanged.

    `principal` is who sent it (a hash of the bearer token, or the session's user), so one client's key
    never replays another's answer. A row without a status is a request still being processed.
    """

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_one_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"


class DurationTally(models.Model):
    """How many durations of a series fell in each bucket: a histogram kept up to date as history is written.

    A page that shows medians and percentiles of durations (time in a stage,
    time to a review decision) reads a few hundred buckets instead of every
    row of history. `series` names what is counted, `key` splits it (a stage,
    a review function), `hours` is the bucket (core/tallies.py).
    """

    series = models.CharField(max_length=40)
    key = models.IntegerField()
    hours = models.IntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "key", "hours"], name="duration_tally_one_per_bucket")]

    def __str__(self) -> str:
        return f"{self.series}[{self.key}] {self.hours} h: {self.count}"
