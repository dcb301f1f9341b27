"""The push route's body handling: parsed in one pass, errors shaped like FastAPI's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.conftest import UserFactory, bearer, login


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"\xcdZ\x86", ["body"]),  # not UTF-8 at all
        (b'{"device_id": "d1", "changes": [', ["body"]),  # truncated JSON
        (b'{"device_id": "d1", "changes": [{"change_id": "nope"}]}', ["body", "changes", 0]),
    ],
)
def test_a_bad_push_body_is_a_422_that_says_where(
    client: TestClient, user_factory: UserFactory, body: bytes, where: list[Any]
) -> None:
    account = user_factory()
    token = login(client, account)["access_token"]
    answer = client.post(
        "/v1/sync/push",
        content=body,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    locations = [error["loc"][: len(where)] for error in answer.json()["detail"]]
    assert where in locations


def test_signed_out_is_refused_before_the_body_is_read(client: TestClient) -> None:
    answer = client.post(
        "/v1/sync/push", content=b"not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
