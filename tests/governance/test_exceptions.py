"""Exceptions: a lead waives one requirement until a date; the gates say so; the owners hear before it ends."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import RequirementException
from governance.services.exceptions import exception_grant, exception_withdraw, waivable_requirements
from lifecycle.models import Artifact, ArtifactKind, Stage
from notifications.models import Notification
from signoff.gates import gate_evaluate
from signoff.reminders import reviews_sweep_due
from tests.signoff.helpers import put_at_stage, supply_evidence

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2027, 1, 4, 10, 0, tzinfo=LONDON)
FRIDAY = datetime.date(2027, 1, 8)
LINEAGE = "evidence.data_lineage"


def _at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON), tick=False)


@pytest.fixture
def missing_lineage(use_case):
    """At stage 1, asking for 2, with everything but its data lineage."""
    use_case = put_at_stage(use_case, Stage.SANDBOX)
    supply_evidence(use_case, 2)
    Artifact.objects.filter(use_case=use_case, kind=ArtifactKind.DATA_LINEAGE).update(is_current=False)
    return use_case


def _lineage(use_case):
    return {r.key: r for r in gate_evaluate(use_case=use_case, target_stage=2).requirements}[LINEAGE]


def _grant(use_case, actor, **overrides):
    given = {
        "requirement_key": LINEAGE,
        "reason": "The lineage tool migrates this month",
        "compensating_controls": "Manual lineage sheet kept by the data steward",
        "expires_on": FRIDAY,
        **overrides,
    }
    return exception_grant(use_case=use_case, actor=actor, **given)


def test_an_exception_waives_until_its_date_then_the_requirement_is_back(client, missing_lineage, rita, erin):
    use_case = missing_lineage
    with time_machine.travel(MONDAY, tick=False):
        assert _lineage(use_case).met is False
        granted = _grant(use_case, rita)
        lineage = _lineage(use_case)
        assert (lineage.met, lineage.waived) == (True, True)
        assert lineage.detail == (
            "Waived until 2027-01-08 by Rita: The lineage tool migrates this month; "
            "compensating controls: Manual lineage sheet kept by the data steward "
            "(otherwise: Missing: Data lineage and known limitations.)"
        )
        client.force_login(erin)
        page = client.get(reverse("signoff:request-create", args=[use_case.slug]), {"stage": 2}).content.decode()
        assert "Waived by exception:" in page and "Waived until 2027-01-08" in page
        page = client.get(use_case.get_absolute_url()).content.decode()
        assert "Waived until 2027-01-08" in page and "Data lineage and known limitations" in page
        assert AuditEvent.objects.get(verb=Verb.EXCEPTION_GRANTED).changes["expires_on"] == "2027-01-08"
        assert Notification.objects.get(user=erin).title == (
            "Exception granted on Support ticket summaries until 08 Jan 2027"
        )

    with _at(FRIDAY - datetime.timedelta(days=1)):  # Thursday: one business day before it ends
        reviews_sweep_due()
    with _at(FRIDAY):
        reviews_sweep_due()
        assert _lineage(use_case).met is True  # its last day
    assert list(Notification.objects.filter(kind="reminder").order_by("pk").values_list("user__username", "title")) == [
        (
            "erin",
            "Exception ends on Fri 08 Jan 2027: "
            "“Support ticket summaries” needs Data lineage and known limitations again",
        ),
        ("erin", "Exception ends today: “Support ticket summaries” needs Data lineage and known limitations again"),
    ]

    with _at(FRIDAY + datetime.timedelta(days=3)):  # Monday after: required again, and nothing more is sent
        lineage = _lineage(use_case)
        assert (lineage.met, lineage.waived, lineage.detail) == (
            False,
            False,
            "Missing: Data lineage and known limitations.",
        )
        reviews_sweep_due()
        client.force_login(erin)  # a week on: the session of Monday has ended
        page = client.get(use_case.get_absolute_url()).content.decode()
        assert "Expired 2027-01-08: required again" in page
    assert Notification.objects.filter(kind="reminder").count() == 2
    assert RequirementException.objects.get().pk == granted.pk


def test_withdrawn_it_is_required_again_at_once(missing_lineage, rita, carl):
    with time_machine.travel(MONDAY, tick=False):
        granted = _grant(missing_lineage, rita)
        with pytest.raises(ValidationError) as caught:
            exception_withdraw(exception=granted, actor=carl, reason=" ")
        assert caught.value.message_dict == {"reason": ["Say why the exception is withdrawn."]}
        exception_withdraw(exception=granted, actor=carl, reason="The lineage tool is live")
        assert _lineage(missing_lineage).met is False
        assert AuditEvent.objects.get(verb=Verb.EXCEPTION_WITHDRAWN).changes == {
            "requirement_key": LINEAGE,
            "reason": "The lineage tool is live",
        }
        with pytest.raises(ValidationError, match="no longer stands"):
            exception_withdraw(exception=granted, actor=carl, reason="again")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"requirement_key": "stage.next"}, "requirement_key", "cannot be waived"),
        ({"requirement_key": "signoff.risk"}, "requirement_key", "cannot be waived"),
        ({"requirement_key": "evidence.nonsense"}, "requirement_key", "cannot be waived"),
        ({"reason": " "}, "reason", "Say why the requirement is waived."),
        ({"compensating_controls": ""}, "compensating_controls", "Say what stands in for the requirement"),
        ({"expires_on": datetime.date(2027, 1, 4)}, "expires_on", "An exception expires after today."),
        ({"expires_on": datetime.date(2028, 2, 1)}, "expires_on", "a year at most"),
    ],
)
def test_what_an_exception_must_say(missing_lineage, rita, overrides, field, message):
    with time_machine.travel(MONDAY, tick=False), pytest.raises(ValidationError) as caught:
        _grant(missing_lineage, rita, **overrides)
    assert message in caught.value.message_dict[field][0]
    assert not RequirementException.objects.exists()


def test_one_standing_exception_per_requirement(missing_lineage, rita, carl):
    with time_machine.travel(MONDAY, tick=False):
        _grant(missing_lineage, rita)
        with pytest.raises(ValidationError) as caught:
            _grant(missing_lineage, carl)
    assert caught.value.message_dict == {"requirement_key": ["An exception to this requirement already stands."]}


@pytest.mark.parametrize("who", ["erin", "ravi", "audrey", "admin_user"])
def test_only_a_second_line_lead_grants_or_withdraws(request, missing_lineage, rita, who):
    actor = request.getfixturevalue(who)
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(PermissionDenied):
            _grant(missing_lineage, actor)
        granted = _grant(missing_lineage, rita)
        with pytest.raises(PermissionDenied):
            exception_withdraw(exception=granted, actor=actor, reason="no")
    assert RequirementException.objects.get().withdrawn_at is None


def test_what_may_be_waived_is_in_the_gates_words(missing_lineage):
    waivable = waivable_requirements(missing_lineage)
    assert waivable[LINEAGE] == "Missing: Data lineage and known limitations."
    assert not {"stage.next", "classification.not_prohibited", "signoff.risk"} & set(waivable)


def test_the_grant_page_offers_plain_words_and_refuses_a_bad_date(client, missing_lineage, rita, erin):
    url = reverse("governance:exception-grant", args=[missing_lineage.slug])
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(erin)
        assert client.get(url).status_code == 403
        client.force_login(rita)
        page = client.get(url).content.decode()
        assert "Data lineage and known limitations (now: Missing: Data lineage and known limitations.)" in page
        response = client.post(
            url,
            {"requirement_key": LINEAGE, "reason": "r", "compensating_controls": "c", "expires_on": "2027-01-01"},
        )
        assert response.status_code == 400
        assert response.context["form"].errors == {"expires_on": ["An exception expires after today."]}
        response = client.post(
            url,
            {"requirement_key": LINEAGE, "reason": "r", "compensating_controls": "c", "expires_on": "2027-01-08"},
        )
        assert response.status_code == 302
        granted = RequirementException.objects.get()
        withdraw = reverse("governance:exception-withdraw", args=[granted.pk])
        assert f'action="{withdraw}"' in client.get(missing_lineage.get_absolute_url()).content.decode()
        assert client.post(withdraw, {"reason": "Lineage delivered"}).status_code == 302
    assert RequirementException.objects.get().withdrawn_by == rita


def test_the_api_grants_lists_and_withdraws(client, missing_lineage, rita, erin):
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(rita)
        body = {
            "use_case": missing_lineage.slug,
            "requirement_key": LINEAGE,
            "reason": "r",
            "compensating_controls": "c",
            "expires_on": "2027-01-08",
        }
        response = client.post("/api/v1/exceptions/", body, content_type="application/json")
        assert response.status_code == 201, response.content
        made = response.json()
        assert (made["standing"], made["granted_by"], made["withdrawn_by"]) == (True, "rita", None)
        client.force_login(erin)
        assert client.get("/api/v1/exceptions/", {"standing": "true"}).json()["count"] == 1
        refused = client.post(
            f"/api/v1/exceptions/{made['id']}/withdraw/", {"reason": "x"}, content_type="application/json"
        )
        assert refused.status_code == 403
        client.force_login(rita)
        response = client.post(
            f"/api/v1/exceptions/{made['id']}/withdraw/", {"reason": "x"}, content_type="application/json"
        )
        assert (response.status_code, response.json()["standing"]) == (200, False)
        bad = client.post(
            "/api/v1/exceptions/", {**body, "requirement_key": "stage.next"}, content_type="application/json"
        )
        assert list(bad.json()) == ["requirement_key"]
