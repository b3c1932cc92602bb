"""Running governance's endpoints are in the schema, valid, and generated without warnings."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_governance_endpoints_generate_a_valid_schema_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "governance" in m or "Suspension" in m] == []
    state = schema["components"]["schemas"]["SuspensionState"]["properties"]
    assert state["current"]["allOf"] == [{"$ref": "#/components/schemas/Suspension"}]
    assert state["current"]["nullable"] is True
    suspend = schema["paths"]["/api/v1/use-cases/{slug}/suspension/"]["post"]
    assert "201" in suspend["responses"] and "200" not in suspend["responses"]
