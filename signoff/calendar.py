"""Business-day arithmetic for due dates: weekends and configured holidays are skipped."""

from datetime import date, timedelta

from django.conf import settings


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in settings.HOLIDAYS


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (start itself never counts); negative days go back."""
    current = start
    remaining = abs(days)
    step = timedelta(days=1 if days >= 0 else -1)
    while remaining > 0:
        current += step
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))


def business_day_on_or_after(day: date) -> date:
    """The day itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def yearly_revalidation_due(start: date) -> date:
    """A year after `start` (29 February → 28 February), moved to the next business day."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:
        anniversary = start.replace(year=start.year + 1, day=28)
    return business_day_on_or_after(anniversary)
