"""No page takes PUT, PATCH or DELETE: each answers 405 with the methods it does take (POSTs: test_http_methods)."""

import pytest

from tests.accounts.test_sign_in import PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_page_takes_put_patch_or_delete(client, admin_user, path, method):
    client.force_login(admin_user)
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"]
