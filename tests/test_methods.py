"""Pages answer only the methods they handle: a write to a read-only page is a 405, never a 200."""

import pytest

from tests.accounts.test_sign_in import PAGES

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "/",
    "/home/queue/",
    "/insight/",
    "/insight/inventory.csv",
    "/audit/",
    "/audit/export.csv",
    "/notifications/",
    "/use-cases/",
    "/use-cases/some-slug/",
    "/use-cases/some-slug/artifacts/1/download/",
    "/use-cases/some-slug/classification/1/",
    "/signoff/requests/",
    "/signoff/requests/1/",
    "/signoff/reviews/",
    "/signoff/functions/some-slug/assignments/",
    "/signoff/packets/",
    "/signoff/packets/abc/",
    "/signoff/packets/abc/download/",
]


def test_the_read_only_pages_are_pages():
    assert set(READ_ONLY) <= set(PAGES)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_page_takes_put_patch_or_delete(client, admin_user, path, method):
    client.force_login(admin_user)
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"]


@pytest.mark.parametrize("path", READ_ONLY)
def test_read_only_pages_refuse_a_post(client, admin_user, path):
    client.force_login(admin_user)
    response = client.post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
