"""schemathesis against the live gateway's OpenAPI document: generated requests (valid and
invalid) to every documented operation get a documented status with the documented body, and
never a 5xx. Bounded: a fixed number of examples per operation, derandomised for CI."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def live_api(stack):
    return schemathesis.openapi.from_url(f"{stack.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("live_api")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_behaves_as_documented(case):
    case.call_and_validate(timeout=60)
