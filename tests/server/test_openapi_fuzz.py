"""schemathesis against the served OpenAPI document: no 5xx, and answers match the document.

Every operation in ``/v1/openapi.json`` is fuzzed over real HTTP (uvicorn on
loopback) with schema-valid and schema-violating data, signed in with a real
access token; then the operations are fuzzed again signed out, where the
answer should be 401 and never 500. Besides ``not_a_server_error``, every
answer whose status the document declares must have the declared content type
and match the declared schema (``response_schema_conformance``): a client
generated from the document must be able to read what it gets. Exact 4xx codes
are the business of the route tests, so undeclared statuses are not checked.
Examples are bounded and derandomized, so CI time is predictable and a
failure reproduces; every request has a timeout, so an upload that waits for
a body the fuzzer never sends fails the test instead of hanging it.

It runs on both databases: PostgreSQL refuses some input SQLite stores (a NUL
character in a string, for one), so robustness has to hold per backend.

The operations are driven from here (``APIOperation.as_strategy`` under our
own ``@given``) rather than with ``schemathesis.pytest.from_fixture``, whose
test wrapper relies on a pytest internal (``Node._nodeid``) that pytest 9.2
no longer has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.schemas import APIOperation, BaseSchema

from tests.live_server import serve
from tests.server.conftest import UserFactory, on_both_databases

pytestmark = on_both_databases

#: Seconds one request may take; a stalled upload must fail the test, not hang it.
REQUEST_TIMEOUT = 15
SIGNED_IN_EXAMPLES = 25
SIGNED_OUT_EXAMPLES = 5
#: Answered without signing in, so never a 401.
PUBLIC = {"/v1/health", "/metrics", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"}


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def schema(base_url: str) -> BaseSchema:
    """The OpenAPI document as the running service serves it."""
    return schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json")


#: Long-lived streams answer for as long as asked; test_end_to_end covers the event stream.
STREAMS = {"/v1/sync/events"}


def operations(schema: BaseSchema) -> list[APIOperation]:
    found = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path not in STREAMS
    ]
    assert len(found) >= 10, [op.label for op in found]
    return found


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def fuzz(operation: APIOperation, headers: dict[str, str], examples: int) -> Counter[int]:
    """Run *examples* cases of each generation mode; returns the status codes seen.

    The *headers* are sent with every case and replace any the fuzzer made up
    (a made-up Authorization header tests the token check, not the operation).
    """
    statuses: Counter[int] = Counter()
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=examples * 2,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=REQUEST_TIMEOUT)
        statuses[response.status_code] += 1

    run()
    return statuses


def test_no_operation_answers_5xx_when_signed_in(
    schema: BaseSchema, base_url: str, user_factory: UserFactory
) -> None:
    account = user_factory(org="Fuzz Facilities")
    login = httpx.post(
        f"{base_url}/v1/auth/login",
        json={"email": account.email, "password": account.password},
        timeout=REQUEST_TIMEOUT,
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    key = httpx.post(
        f"{base_url}/v1/me/api-keys",
        json={"name": "fuzz"},
        headers=headers,
        timeout=REQUEST_TIMEOUT,
    )
    assert key.status_code == 201, key.text
    # Both credentials the schema declares, both real: a made-up X-API-Key would win.
    headers["X-API-Key"] = key.json()["key"]
    for operation in operations(schema):
        statuses = fuzz(operation, headers, SIGNED_IN_EXAMPLES)
        # Every case got past sign-in, so the operation itself was exercised.
        if operation.path not in PUBLIC:
            assert 401 not in statuses, (operation.label, statuses)


def test_no_operation_answers_5xx_when_signed_out(schema: BaseSchema) -> None:
    for operation in operations(schema):
        statuses = fuzz(operation, {}, SIGNED_OUT_EXAMPLES)
        if operation.path not in PUBLIC:
            assert 200 not in statuses, (operation.label, statuses)
