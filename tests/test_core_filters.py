"""The pieces every list's FilterSet is built from (core/filters.py, core/sorting.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import RequestFactory

from audit.models import AuditEvent
from core.filters import DigitsField
from core.params import MAX_DB_INT
from lifecycle.filters import UseCaseFilterSet
from lifecycle.models import Stage, UseCase
from portal.filters import AuditEventFilterSet
from tests import factories
from tests.signoff.helpers import put_at_stage


def _audit_filters(query: str, user) -> AuditEventFilterSet:
    request = RequestFactory().get("/audit/")
    request.user = user
    return AuditEventFilterSet(QueryDict(query), queryset=AuditEvent.objects.all(), request=request)


@pytest.mark.parametrize("value", ["²", "٣", "-1", "1.5", " 7", "0x10", str(MAX_DB_INT + 1), "0"])
def test_digits_field_takes_ascii_digits_within_its_range_only(value):
    field = DigitsField(required=False)
    with pytest.raises(ValidationError, match="Enter a whole number from 1 to"):
        field.clean(value)


def test_digits_field_gives_an_int_or_none():
    field = DigitsField(low=0, high=4, required=False)
    assert field.clean("4") == 4
    assert field.clean("0") == 0
    assert field.clean("") is None


@pytest.mark.django_db
def test_several_sort_keys_sort_by_each_in_turn(erin):
    put_at_stage(factories.UseCaseFactory(title="Beta", technical_owner=erin), Stage.SANDBOX)
    put_at_stage(factories.UseCaseFactory(title="Alpha", technical_owner=erin), Stage.SANDBOX)
    factories.UseCaseFactory(title="Gamma", technical_owner=erin)
    filterset = UseCaseFilterSet(QueryDict("sort=stage,-title"), queryset=UseCase.objects.all())
    assert [uc.title for uc in filterset.qs] == ["Gamma", "Beta", "Alpha"]


@pytest.mark.django_db
def test_an_unknown_sort_key_keeps_the_default_order_and_says_so(erin):
    factories.UseCaseFactory(title="Beta", technical_owner=erin)
    factories.UseCaseFactory(title="Alpha", technical_owner=erin)
    filterset = UseCaseFilterSet(QueryDict("sort=password"), queryset=UseCase.objects.all())
    assert [uc.title for uc in filterset.qs] == ["Alpha", "Beta"]
    assert list(filterset.errors) == ["sort"]
    assert filterset.filters["sort"].current() == "title"
