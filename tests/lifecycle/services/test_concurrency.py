"""Two uploads of the same kind at the same moment: the row lock makes them queue, so one supersedes the other."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from lifecycle.models import Artifact, ArtifactKind, UseCase
from lifecycle.services import artifact_upload, use_case_create
from tests import factories
from tests.lifecycle.files import upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _in_threads(*targets):
    errors = []
    barrier = threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_concurrent_uploads_leave_exactly_one_current():
    erin = factories.UserFactory(username="erin", roles=["engineer"])
    use_case = factories.UseCaseFactory(technical_owner=erin)

    def uploader(n):
        return lambda: artifact_upload(
            use_case=use_case, actor=erin, kind=ArtifactKind.ROLLBACK_TEST, file=upload(f"r{n}.txt", b"run %d" % n)
        )

    assert _in_threads(*(uploader(n) for n in range(4))) == []
    artifacts = list(Artifact.objects.filter(use_case=use_case).order_by("id"))
    assert len(artifacts) == 4
    assert [a.is_current for a in artifacts] == [False, False, False, True]
    assert [a.supersedes_id for a in artifacts] == [None, artifacts[0].pk, artifacts[1].pk, artifacts[2].pk]


def test_concurrent_registrations_of_one_slug_give_one_use_case_and_a_clear_error():
    erin = factories.UserFactory(username="erin", roles=["engineer"])
    errors = _in_threads(
        *(lambda: use_case_create(actor=erin, title="Same", purpose="P", slug="same-slug") for _ in range(3))
    )
    assert [(type(e), e.message_dict) for e in errors] == [
        (ValidationError, {"slug": ["The slug 'same-slug' is taken; choose another."]})
    ] * 2
    assert UseCase.objects.filter(slug="same-slug").count() == 1
