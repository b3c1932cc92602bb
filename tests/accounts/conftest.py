"""The identity provider runs as its own process for the sign-in tests."""

from tests.identity import identity_provider  # noqa: F401 (a fixture)
