"""The world the convergence property runs in: one server, owners' and a contractor's devices.

Every device talks to the server through one :class:`FlakyTransport`, which fails
requests before they are sent or loses their answers after the server committed,
refresh requests included. Devices sign in with passwords (access plus refresh
tokens), so a lost refresh answer is part of what the property covers.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from arxos_desktop.store import Replica
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.client import RefreshingAuth, SyncClient, Tokens
from sync.outbox import read_changes
from sync.server import crud
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from sync.server.replication import StoredRow
from tests.server.conftest import SECRET

PASSWORD = "pw-long-enough-for-the-world"
#: Entities the property compares (documents and attachments carry files, not edits).
COMPARED = ("building", "floor", "room", "equipment", "connection", "workorder", "note")
#: What the contractor was granted: HVAC on level 1 (AHU-1 and VAV-101 of the sample).
CONTRACTOR_SYSTEMS, CONTRACTOR_FLOORS = ["hvac"], [1]


class FlakyTransport(httpx.BaseTransport):
    """Fails before sending, or loses the answer after the server handled it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.rng = random.Random(0)
        self.fail_rate = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.rng.random() < self.fail_rate:
            raise httpx.ConnectError("network down", request=request)
        response = self.inner.handle_request(request)
        if self.rng.random() < self.fail_rate:
            response.read()
            raise httpx.ReadError("answer lost", request=request)
        return response


@dataclass
class Device:
    """A replica, its sync client and the sign-in it syncs under."""

    replica: Replica
    client: SyncClient
    auth: RefreshingAuth
    email: str

    def sync(self) -> None:
        self.client.sync_once()

    def expire_access_token(self) -> None:
        """As if the access token ran out: the next request must spend the refresh token."""
        self.auth.tokens = Tokens("expired." + self.auth.tokens.access_token[-8:], self.refresh)

    @property
    def refresh(self) -> str:
        return self.auth.tokens.refresh_token

    def pending(self) -> list[Any]:
        return read_changes(self.replica.conn)


@dataclass
class World:
    app: FastAPI
    client: TestClient
    transport: FlakyTransport
    users: dict[str, str] = field(default_factory=dict)

    def sign_in(self, email: str, replica: Replica) -> Device:
        response = self.client.post(
            "/v1/auth/login",
            json={"email": email, "password": PASSWORD, "device_id": replica.device_id},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        auth = RefreshingAuth(
            Tokens(body["access_token"], body["refresh_token"]),
            refresh_url="http://testserver/v1/auth/refresh",
        )
        http = httpx.Client(transport=self.transport, base_url="http://testserver")
        client = SyncClient(
            "http://testserver",
            target=ReplicaSyncTarget(replica),
            auth=auth,
            http=http,
            attempts=3,
            max_wait=0.001,
        )
        return Device(replica, client, auth, email)

    def add_user(self, role: str) -> str:
        """A new account (each example has its own, so its devices pull only its building)."""
        email = f"{role}{len(self.users)}@example.com"
        with session_scope(self.app.state.engine) as session:
            self.users[email] = crud.create_user(session, email=email, password=PASSWORD).id
        return email

    def grant_contractor(self, email: str, building_id: str) -> None:
        with session_scope(self.app.state.engine) as session:
            crud.grant(
                session,
                user_id=self.users[email],
                building_id=building_id,
                role="contractor",
                systems=CONTRACTOR_SYSTEMS,
                floors=CONTRACTOR_FLOORS,
            )

    def rows(self, building_id: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The server's rows of a building, as :func:`live_state` gives a device's."""
        with session_scope(self.app.state.engine) as session:
            rows = session.exec(select(StoredRow).where(StoredRow.building_id == building_id))
            return {
                (r.entity, r.id): {
                    **{k: r.values.get(k) for k in codec_for(r.entity).user_fields},
                    "deleted": r.deleted,
                }
                for r in rows
                if r.entity in COMPARED
            }


@contextmanager
def make_world(home: Path, database_url: str) -> Iterator[World]:
    # Every example signs five devices in from one address: far past the per-address limit.
    settings = ServerSettings(
        home=home,
        database_url=database_url,
        secret_key=SECRET,
        login_limit_per_address="100000/minute",
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield World(app, client, FlakyTransport(client._transport))
        app.state.engine.dispose()


def live_state(replica: Replica, building_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row a device holds of a building (tombstones included), user fields only."""
    state = {}
    for entity in COMPARED:
        codec = codec_for(entity)
        for row in replica.conn.execute(
            f"{codec.select_sql} WHERE building_id = ?", (building_id,)
        ):
            wire = codec.row_to_wire(row)
            state[(entity, wire["id"])] = {k: wire[k] for k in (*codec.user_fields, "deleted")}
    return state
