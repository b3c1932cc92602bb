from django.core.management import call_command
from rest_framework.test import APIClient


def bearer_client(user) -> APIClient:
    """An API client authenticated the way pipelines are: a token from `manage.py issue_token`."""
    from io import StringIO

    out = StringIO()
    call_command("issue_token", user.username, stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    return client
