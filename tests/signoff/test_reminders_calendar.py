"""Business days: weekends and configured holidays never count toward a deadline."""

from datetime import date, timedelta

import pytest

from signoff.calendar import (
    add_business_days,
    business_day_on_or_after,
    business_days_between,
    is_business_day,
    yearly_revalidation_due,
)

CHRISTMAS = date(2026, 12, 25)  # a Friday
BOXING_DAY_SUBSTITUTE = date(2026, 12, 28)  # Monday
NEW_YEAR = date(2027, 1, 1)  # Friday


@pytest.fixture
def holidays(settings):
    settings.HOLIDAYS = [CHRISTMAS, BOXING_DAY_SUBSTITUTE, NEW_YEAR]


def test_weekdays_are_business_days_and_weekends_are_not():
    monday = date(2026, 11, 23)
    assert [is_business_day(monday + timedelta(days=n)) for n in range(7)] == [True] * 5 + [False] * 2


def test_a_holiday_is_not_a_business_day(holidays):
    assert not is_business_day(CHRISTMAS)
    assert is_business_day(date(2026, 12, 24))


def test_without_holidays_configured_christmas_counts(settings):
    settings.HOLIDAYS = []
    assert is_business_day(CHRISTMAS)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday + 1 → Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # a working week
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday: the next business day
        (date(2026, 11, 29), 5, date(2026, 12, 4)),  # from a Sunday: Mon..Fri
        (date(2026, 11, 25), 10, date(2026, 12, 9)),  # two weekends crossed
    ],
)
def test_add_business_days_skips_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


@pytest.mark.parametrize("start", [date(2026, 11, 23), date(2026, 11, 28), CHRISTMAS])
def test_zero_business_days_is_the_start_itself_even_on_a_weekend_or_holiday(holidays, start):
    assert add_business_days(start, 0) == start


def test_add_business_days_skips_holidays_across_christmas(holidays):
    # Thu 24 Dec + 1: Fri 25 (holiday), weekend, Mon 28 (holiday) → Tue 29.
    assert add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_business_days(date(2026, 12, 24), 2) == date(2026, 12, 30)


def test_add_business_days_across_the_year_end(holidays):
    # Wed 30 Dec + 2: Thu 31 Dec, (Fri 1 Jan holiday, weekend) Mon 4 Jan.
    assert add_business_days(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Friday → Monday
        (date(2026, 11, 27), date(2026, 11, 29), 0),  # Friday → Sunday: the weekend counts nothing
        (date(2026, 11, 30), date(2026, 11, 27), -1),  # backwards
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # Christmas holidays
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # New Year across the year end
        (date(2026, 12, 23), date(2027, 1, 5), 6),  # 24, 29, 30, 31 Dec, 4 and 5 Jan
    ],
)
def test_business_days_between(holidays, start, end, expected):
    assert business_days_between(start, end) == expected


def test_adding_then_counting_round_trips_over_december(holidays):
    start = date(2026, 12, 1)
    for n in range(0, 40):
        assert business_days_between(start, add_business_days(start, n)) == n


def test_business_day_on_or_after(holidays):
    assert business_day_on_or_after(date(2026, 12, 24)) == date(2026, 12, 24)
    assert business_day_on_or_after(CHRISTMAS) == date(2026, 12, 29)
    assert business_day_on_or_after(NEW_YEAR) == date(2027, 1, 4)


def test_yearly_revalidation_lands_on_a_business_day(holidays):
    assert yearly_revalidation_due(date(2025, 11, 24)) == date(2026, 11, 24)  # a Tuesday stays
    assert yearly_revalidation_due(date(2025, 11, 29)) == date(2026, 11, 30)  # Sunday → Monday
    assert yearly_revalidation_due(date(2025, 12, 25)) == date(2026, 12, 29)  # holiday and weekend → Tuesday
    assert yearly_revalidation_due(date(2028, 2, 29)) == date(2029, 2, 28)  # leap day → 28 February


def test_negative_business_days_go_back(holidays):
    assert add_business_days(date(2026, 11, 30), -1) == date(2026, 11, 27)  # Monday - 1 → Friday
    assert add_business_days(date(2026, 12, 29), -1) == date(2026, 12, 24)  # over Christmas
    assert add_business_days(date(2027, 1, 4), -3) == date(2026, 12, 29)  # over New Year and Christmas
    for n in range(1, 25):
        day = add_business_days(date(2027, 1, 15), -n)
        assert business_days_between(day, date(2027, 1, 15)) == n
