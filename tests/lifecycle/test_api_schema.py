import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

REGISTRY_PATHS = [
    "/api/v1/use-cases/",
    "/api/v1/use-cases/{slug}/",
    "/api/v1/use-cases/{slug}/versions/",
    "/api/v1/use-cases/{slug}/artifacts/",
    "/api/v1/use-cases/{slug}/artifacts/{id}/download/",
    "/api/v1/use-cases/{slug}/risk-assessments/",
    "/api/v1/use-cases/{slug}/readiness/",
    "/api/v1/use-cases/{slug}/demote/",
    "/api/v1/use-cases/{slug}/retire/",
]


def test_registry_endpoints_generate_a_valid_schema_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "lifecycle" in m or "UseCase" in m] == []
    # The registry's paths, the sign-off gate and running governance's suspension that hang off a use case.
    assert sorted(p for p in schema["paths"] if p.startswith("/api/v1/use-cases/")) == sorted(
        [
            *REGISTRY_PATHS,
            "/api/v1/use-cases/{slug}/gate/",
            "/api/v1/use-cases/{slug}/suspension/",
            "/api/v1/use-cases/{slug}/suspension/lift/",
        ]
    )
    upload = schema["paths"]["/api/v1/use-cases/{slug}/artifacts/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert schema["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `manage.py issue_token USERNAME`.",
        },
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_schema_and_docs_are_served(client, erin):
    client.force_login(erin)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
