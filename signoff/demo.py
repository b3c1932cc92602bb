"""Sample readiness requests and reviews for seed_demo."""

from lifecycle.models import UseCase
from portal.models import User


def demo_requests_seed(*, users: dict[str, User], use_cases: dict[str, UseCase]) -> None:
    return None
