"""Sample use cases for seed_demo."""

from lifecycle.models import UseCase
from portal.models import User


def demo_use_cases_seed(*, users: dict[str, User]) -> dict[str, UseCase]:
    return {}
