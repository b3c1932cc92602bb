"""The periodic review: how often a use case in production is reviewed, and when it is next due.

SR 26-2 practice: validation frequency follows the model's materiality, not a fixed yearly cycle for every
model. The portal takes the more demanding of the internal materiality tier and the materiality the EU AI Act
tier counts as, so a model of high internal materiality but minimal EU tier is reviewed yearly too. Months per
level and the EU tier's level are policy data (RunningPolicy); the defaults are high yearly, medium every two
years, low every three.
"""

from __future__ import annotations

import calendar
from datetime import date

from lifecycle.models import Stage, UseCase
from signoff.calendar import business_day_on_or_after
from signoff.models import RunningPolicy

LEVELS = ["low", "medium", "high"]
LEVEL_LABELS = {"low": "low", "medium": "medium", "high": "high"}
REVIEW_STAGES = (Stage.GUARDED, Stage.SCALE)


def review_level(use_case: UseCase, policy: RunningPolicy) -> str:
    """The materiality the review follows; a use case known by neither tier is treated as high."""
    eu = policy.eu_tier_materiality.get(use_case.risk_tier, "")
    known = [level for level in (eu, use_case.internal_tier) if level in LEVELS]
    return max(known, key=LEVELS.index) if known else "high"


def review_months(level: str, policy: RunningPolicy) -> int:
    return {
        "high": policy.review_months_high,
        "medium": policy.review_months_medium,
        "low": policy.review_months_low,
    }[level]


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 January → 28 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def review_due_after(*, use_case: UseCase, start: date, policy: RunningPolicy | None = None) -> date:
    """When the next periodic review falls due after an approval on `start`, on a business day."""
    policy = policy or RunningPolicy.current()
    return business_day_on_or_after(add_months(start, review_months(review_level(use_case, policy), policy)))


def review_frequency_words(use_case: UseCase, policy: RunningPolicy | None = None) -> str:
    """ "every 12 months (high materiality)", for pages and messages."""
    policy = policy or RunningPolicy.current()
    level = review_level(use_case, policy)
    return f"every {review_months(level, policy)} months ({LEVEL_LABELS[level]} materiality)"
