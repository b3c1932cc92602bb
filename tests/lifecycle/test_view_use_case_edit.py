import pytest
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _url(use_case):
    return reverse("lifecycle:use-case-edit", args=[use_case.slug])


def _data(use_case, **changes):
    data = {
        "title": use_case.title,
        "purpose": use_case.purpose,
        "approved_scope": use_case.approved_scope,
        "business_kpi": use_case.business_kpi,
        "technical_owner": use_case.technical_owner_id,
        "business_owner": use_case.business_owner_id or "",
        "team": use_case.team,
        "sunset_criteria": use_case.sunset_criteria,
    }
    data.update(changes)
    return data


def test_owner_edits_and_it_is_audited(client, use_case, erin, carl):
    client.force_login(erin)
    assert client.get(_url(use_case)).status_code == 200
    response = client.post(
        _url(use_case), _data(use_case, team="Service desk", business_owner=carl.pk, customer_facing="on")
    )
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert (use_case.team, use_case.business_owner, use_case.customer_facing) == ("Service desk", carl, True)
    event = AuditEvent.objects.get(verb="use_case.updated")
    assert event.changes == {
        "team": ["Customer operations", "Service desk"],
        "business_owner": [None, "carl"],
        "customer_facing": [False, True],
    }


def test_admin_may_edit(client, use_case, admin_user):
    client.force_login(admin_user)
    assert client.post(_url(use_case), _data(use_case, team="Ops")).status_code == 302


@pytest.mark.parametrize("who", ["eric", "rita", "audrey"])
def test_others_get_403_and_nothing_changes(client, request, use_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(use_case)).status_code == 403
    assert client.post(_url(use_case), _data(use_case, title="Hijacked")).status_code == 403
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"
    assert not AuditEvent.objects.filter(verb="use_case.updated").exists()


def test_no_role_gets_404(client, use_case, nobody):
    client.force_login(nobody)
    assert client.post(_url(use_case), _data(use_case, title="x")).status_code == 404


def test_bad_input_is_400(client, use_case, erin, audrey):
    client.force_login(erin)
    response = client.post(_url(use_case), _data(use_case, title="", technical_owner=audrey.pk))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "technical_owner"}
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"


def test_slug_cannot_be_changed(client, use_case, erin):
    client.force_login(erin)
    # The form has no slug field: a posted slug is not a field it knows, and the edit goes through without it.
    response = client.post(_url(use_case), _data(use_case, slug="renamed"))
    assert response.status_code == 302
    assert response["Location"] == "/use-cases/support-summaries/"
    use_case.refresh_from_db()
    assert use_case.slug == "support-summaries"
