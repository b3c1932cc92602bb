import pytest
from django.urls import reverse

from audit.models import AuditEvent
from lifecycle.access import use_case_may_change
from lifecycle.models import UseCase
from tests.factories import UseCaseFactory

pytestmark = pytest.mark.django_db
URL = reverse("lifecycle:use-case-create")


def test_form_renders(client, erin):
    client.force_login(erin)
    response = client.get(URL)
    assert response.status_code == 200 and b'name="title"' in response.content


def test_create_makes_the_creator_technical_owner(client, erin):
    client.force_login(erin)
    response = client.post(URL, {"title": "Claims triage", "purpose": "Route claims to handlers."})
    use_case = UseCase.objects.get()
    assert response.status_code == 302 and response["Location"] == use_case.get_absolute_url()
    assert use_case.slug == "claims-triage" and use_case.technical_owner == erin
    assert use_case_may_change(erin, use_case)


def test_create_with_chosen_slug_and_owner(client, erin, eric):
    client.force_login(erin)
    client.post(URL, {"title": "X", "purpose": "Y", "slug": "claims-v2", "technical_owner": eric.pk})
    use_case = UseCase.objects.get()
    assert (use_case.slug, use_case.technical_owner) == ("claims-v2", eric)


def test_taken_slug_is_a_400_with_a_message(client, erin, use_case):
    client.force_login(erin)
    response = client.post(URL, {"title": "X", "purpose": "Y", "slug": use_case.slug})
    assert response.status_code == 400
    assert response.context["form"].errors == {"slug": ["The slug 'support-summaries' is taken; choose another."]}
    assert UseCase.objects.count() == 1


def test_missing_fields_are_a_400(client, erin):
    client.force_login(erin)
    response = client.post(URL, {"title": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "purpose": ["This field is required."],
    }
    assert not UseCase.objects.exists()


def test_auditors_cannot_register(client, audrey):
    client.force_login(audrey)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"title": "X", "purpose": "Y"})
    assert response.status_code == 403
    assert not UseCase.objects.exists()
    assert AuditEvent.objects.filter(verb="access.refused").count() == 1


def test_no_role_cannot_register(client, nobody):
    client.force_login(nobody)
    assert client.post(URL, {"title": "X", "purpose": "Y"}).status_code == 403
    assert not UseCase.objects.exists()


def test_the_slug_new_is_reserved(client, erin):
    client.force_login(erin)
    client.post(URL, {"title": "New", "purpose": "Y"})
    assert UseCase.objects.get().slug == "new-2"


def _register(client, title, **extra):
    return client.post(URL, {"title": title, "purpose": "Summarise support tickets for agents.", **extra})


def test_a_title_like_a_registered_one_is_warned_and_nothing_is_registered(client, erin, use_case):
    client.force_login(erin)
    response = _register(client, "Support ticket summariser")
    assert response.status_code == 200
    assert response.context["resembling"] == [use_case]
    page = response.content.decode()
    assert "This looks like a use case already registered" in page
    assert f'<a href="{use_case.get_absolute_url()}">Support ticket summaries</a>' in page
    assert 'name="register_anyway"' in page
    assert list(UseCase.objects.all()) == [use_case]
    assert not AuditEvent.objects.filter(verb="use_case.created").exists()


def test_the_warned_person_can_still_register(client, erin, use_case):
    client.force_login(erin)
    response = _register(client, "Support ticket summariser", register_anyway="1")
    created = UseCase.objects.exclude(pk=use_case.pk).get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.title == "Support ticket summariser" and created.technical_owner == erin


def test_an_unrelated_title_is_not_warned(client, erin, use_case):
    client.force_login(erin)
    response = _register(client, "Invoice fraud scoring")
    assert response.status_code == 302
    assert UseCase.objects.count() == 2


def test_a_failed_submit_also_says_what_it_resembles(client, erin, use_case):
    client.force_login(erin)
    response = client.post(URL, {"title": "Support ticket summaries", "purpose": ""})
    assert response.status_code == 400
    assert response.context["resembling"] == [use_case]
    assert response.context["form"].errors == {"purpose": ["This field is required."]}
    assert UseCase.objects.count() == 1


def test_the_closest_come_first_and_at_most_three(client, erin, eric):
    for title in ["Claims triage", "Claims triage v2", "Claims triage (pilot)", "Claims triage EU", "Payroll"]:
        UseCaseFactory(title=title, technical_owner=eric)
    client.force_login(erin)
    resembling = _register(client, "Claims triage").context["resembling"]
    assert [uc.title for uc in resembling] == ["Claims triage", "Claims triage EU", "Claims triage v2"]
