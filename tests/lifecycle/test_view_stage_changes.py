import pytest
from django.urls import reverse

from lifecycle.models import Stage, StageChange, UseCase

pytestmark = pytest.mark.django_db


def _at(use_case, stage):
    UseCase.objects.filter(pk=use_case.pk).update(stage=stage)
    use_case.refresh_from_db()


def test_owner_demotes_with_a_reason(client, use_case, erin):
    _at(use_case, Stage.GUARDED)
    client.force_login(erin)
    url = reverse("lifecycle:use-case-demote", args=[use_case.slug])
    form = client.get(url).context["form"]
    assert [v for v, _ in form.fields["to_stage"].choices] == [0, 1, 2]
    response = client.post(url, {"to_stage": 1, "reason": "Incident INC-9: rollback"})
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert use_case.stage == Stage.SANDBOX
    assert StageChange.objects.get().reason == "Incident INC-9: rollback"


def test_demote_needs_a_reason_and_a_lower_stage(client, use_case, erin):
    _at(use_case, Stage.CONTROLLED)
    client.force_login(erin)
    url = reverse("lifecycle:use-case-demote", args=[use_case.slug])
    assert client.post(url, {"to_stage": 1, "reason": ""}).status_code == 400
    assert client.post(url, {"to_stage": 3, "reason": "x"}).status_code == 400
    assert client.post(url, {"to_stage": "two", "reason": "x"}).status_code == 400
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED and not StageChange.objects.exists()


def test_owner_retires(client, use_case, erin):
    client.force_login(erin)
    url = reverse("lifecycle:use-case-retire", args=[use_case.slug])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Replaced"}).status_code == 302
    use_case.refresh_from_db()
    assert use_case.stage == Stage.RETIRED
    assert client.post(url, {"reason": "again"}).status_code == 400


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("eric", "lifecycle:use-case-demote"),
        ("audrey", "lifecycle:use-case-demote"),
        ("ravi", "lifecycle:use-case-demote"),
        ("eric", "lifecycle:use-case-retire"),
        ("audrey", "lifecycle:use-case-retire"),
        ("rita", "lifecycle:use-case-retire"),
    ],
)
def test_others_get_403_and_nothing_changes(client, request, use_case, who, name):
    _at(use_case, Stage.CONTROLLED)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse(name, args=[use_case.slug]), {"to_stage": 0, "reason": "x"})
    assert response.status_code == 403
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED and not StageChange.objects.exists()


def test_a_lead_of_the_second_line_demotes_from_the_page(client, use_case, rita):
    _at(use_case, Stage.GUARDED)
    client.force_login(rita)
    url = reverse("lifecycle:use-case-demote", args=[use_case.slug])
    assert 'value="2"' in client.get(url).content.decode()
    response = client.post(url, {"to_stage": 2, "reason": "Complaints doubled after the rollout"})
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED
    assert StageChange.objects.get().actor == rita
