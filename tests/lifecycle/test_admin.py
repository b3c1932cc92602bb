import pytest
from django.urls import reverse

from lifecycle.models import Artifact
from tests import factories

pytestmark = pytest.mark.django_db


def test_evidence_cannot_be_edited_or_deleted_in_the_admin(client, admin_user, use_case):
    artifact = factories.ArtifactFactory(use_case=use_case)
    client.force_login(admin_user)
    assert client.get(reverse("admin:lifecycle_artifact_change", args=[artifact.pk])).status_code == 200
    assert client.get(reverse("admin:lifecycle_artifact_delete", args=[artifact.pk])).status_code == 403
    sha256 = artifact.sha256
    response = client.post(reverse("admin:lifecycle_artifact_change", args=[artifact.pk]), {"sha256": "0" * 64})
    assert response.status_code == 403
    artifact.refresh_from_db()
    assert artifact.sha256 == sha256
    assert Artifact.objects.count() == 1
