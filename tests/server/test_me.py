"""The signed-in user's buildings (grants narrowed by systems and floors) and API keys."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync.server import crud
from sync.server.crud import BuildingAccess
from sync.server.db import session_scope
from sync.server.models import Role
from tests.server.conftest import UserFactory, bearer, login, on_both_databases

pytestmark = on_both_databases

B1 = "0193b6c0-0000-7000-8000-000000000001"
B2 = "0193b6c0-0000-7000-8000-000000000002"


def test_my_buildings_list_grants_with_their_scope(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    ann, bob = user_factory(), user_factory()
    with session_scope(app.state.engine) as session:
        crud.grant(
            session,
            user_id=ann.id,
            building_id=B1,
            role=Role.CONTRACTOR,
            systems=["hvac", "electrical", "hvac"],
            floors=[2, 1],
        )
        crud.grant(session, user_id=ann.id, building_id=B2, role="viewer")
        crud.grant(session, user_id=bob.id, building_id=B1, role="admin")

    response = client.get("/v1/me/buildings", headers=bearer(login(client, ann)["access_token"]))
    assert response.status_code == 200
    assert response.json() == [
        {
            "building_id": B1,
            "role": "contractor",
            "systems": ["electrical", "hvac"],
            "floors": [1, 2],
        },
        {"building_id": B2, "role": "viewer", "systems": None, "floors": None},
    ]


def test_grant_is_an_upsert_and_building_access_is_the_contract(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    ann = user_factory()
    with session_scope(app.state.engine) as session:
        crud.grant(session, user_id=ann.id, building_id=B1, role="technician", systems=["hvac"])
        crud.grant(session, user_id=ann.id, building_id=B1, role="viewer", floors=[-1, 0])
        access = crud.building_access(session, ann.id)
        assert crud.building_access(session, "nobody") == {}
    assert access == {
        B1: BuildingAccess(
            building_id=B1, role=Role.VIEWER, systems=None, floors=frozenset({-1, 0})
        )
    }
    assert access[B1].role is Role.VIEWER
    assert not access[B1].can_write
    assert all(
        BuildingAccess(B1, role, None, None).can_write for role in Role if role is not Role.VIEWER
    )


@pytest.mark.parametrize(("role", "systems"), [("boss", None), ("technician", ["hvac", "plumbin"])])
def test_grant_refuses_unknown_roles_and_systems(
    app: FastAPI, client: TestClient, user_factory: UserFactory, role: str, systems: list[str]
) -> None:
    ann = user_factory()
    with (
        session_scope(app.state.engine) as session,
        pytest.raises(crud.InvalidGrantError, match="Unknown"),
    ):
        crud.grant(session, user_id=ann.id, building_id=B1, role=role, systems=systems)


def test_api_key_lifecycle(client: TestClient, user_factory: UserFactory) -> None:
    ann = user_factory()
    session_headers = bearer(login(client, ann)["access_token"])

    created = client.post(
        "/v1/me/api-keys", json={"name": "nightly export"}, headers=session_headers
    )
    assert created.status_code == 201
    key = created.json()
    assert key["key"].startswith("arx_") and key["key"][4:12] == key["prefix"]
    assert key["last_used_at"] is None

    # Both ways of sending a key work.
    assert client.get("/v1/me", headers={"X-API-Key": key["key"]}).json()["id"] == ann.id
    listed = client.get("/v1/me/api-keys", headers=bearer(key["key"]))
    assert listed.status_code == 200
    (entry,) = listed.json()
    assert "key" not in entry  # shown once, at creation only
    assert entry["id"] == key["id"] and entry["name"] == "nightly export"
    assert entry["last_used_at"] is not None

    assert client.delete(f"/v1/me/api-keys/{key['id']}", headers=session_headers).status_code == 204
    refused = client.get("/v1/me", headers={"X-API-Key": key["key"]})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid API key"}
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/v1/me/api-keys", headers=session_headers).json() == []


def test_keys_belong_to_their_owner(client: TestClient, user_factory: UserFactory) -> None:
    ann, bob = user_factory(), user_factory()
    ann_headers = bearer(login(client, ann)["access_token"])
    bob_headers = bearer(login(client, bob)["access_token"])
    key = client.post("/v1/me/api-keys", json={"name": "ci"}, headers=ann_headers).json()

    assert client.get("/v1/me/api-keys", headers=bob_headers).json() == []
    stolen = client.delete(f"/v1/me/api-keys/{key['id']}", headers=bob_headers)
    assert stolen.status_code == 404
    assert client.get("/v1/me", headers={"X-API-Key": key["key"]}).status_code == 200


def test_made_up_api_key_is_401(client: TestClient) -> None:
    response = client.get("/v1/me", headers=bearer("arx_" + "A" * 43))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid API key"}
