"""Deactivating an account: sessions end, tokens stop, the reviews it held go back to the queue, the leads hear."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.people import user_deactivate
from audit.models import AuditEvent
from notifications.models import Notification
from signoff import services
from signoff.access import DECIDE_REVIEW
from signoff.models import ReviewState
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db


@pytest.fixture
def ravi_holds_the_risk_review(in_review, rita, ravi):
    review = reviews_by_function(in_review)["risk"]
    services.review_assign(review=review, actor=rita, assignee=ravi)
    review.refresh_from_db()
    assert (review.state, review.assignee) == (ReviewState.ASSIGNED, ravi)
    return review


def _token(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


def test_everything_follows_a_deactivation_at_once(client, ravi, rita, admin_user, ravi_holds_the_risk_review):
    review = ravi_holds_the_risk_review
    key = _token("ravi")
    client.force_login(ravi)
    assert client.get("/").status_code == 200

    assert user_deactivate(user=ravi, actor=admin_user, reason="left the bank") is True

    review.refresh_from_db()
    assert (review.state, review.assignee) == (ReviewState.UNASSIGNED, None)
    ravi.refresh_from_db()
    assert not ravi.is_active and not ravi.has_perm(DECIDE_REVIEW, review)
    told = Notification.objects.get(user=rita, kind="queued", title__startswith="Back in the queue")
    assert "no longer here (left the bank)" in told.body
    # The session is gone from the store, and the token refused.
    assert client.get("/").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/use-cases/").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    event = AuditEvent.objects.get(verb="account.deactivated")
    assert (event.actor, event.changes) == (
        admin_user,
        {"reason": "left the bank", "sessions_ended": 1, "tokens_revoked": 1},
    )
    released = AuditEvent.objects.get(verb="review.released")
    assert released.changes["assignee"] == ["ravi", None] and released.request_id == review.request_id
    # The lead can give it to someone else.
    services.review_claim(review=review, actor=rita)


def test_deactivating_twice_changes_nothing_more(ravi, admin_user):
    assert user_deactivate(user=ravi, actor=admin_user, reason="left") is True
    assert user_deactivate(user=ravi, actor=admin_user, reason="left") is False
    assert AuditEvent.objects.filter(verb="account.deactivated").count() == 1


def test_unticking_active_in_the_admin_is_a_deactivation(admin_client, ravi, ravi_holds_the_risk_review):
    url = reverse("admin:accounts_user_change", args=[ravi.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions", "last_login", "date_joined")
    }
    data.update(
        {
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "groups": [g.pk for g in ravi.groups.all()],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(ravi.memberships.get().pk),
            "memberships-0-function": str(ravi.memberships.get().function_id),
            "memberships-0-user": str(ravi.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ravi.refresh_from_db()
    assert not ravi.is_active
    ravi_holds_the_risk_review.refresh_from_db()
    assert ravi_holds_the_risk_review.state == ReviewState.UNASSIGNED
    assert AuditEvent.objects.get(verb="account.deactivated").changes["reason"] == "deactivated by an administrator"
