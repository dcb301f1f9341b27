"""A sync service on a fresh SQLite file per test, a client for it, and account helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters: the production ones cost ~0.1 s per hash."""
    monkeypatch.setattr(
        security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    home = tmp_path / "server"
    return ServerSettings(
        home=home, database_url=f"sqlite:///{home / 'server.sqlite3'}", secret_key=SECRET
    )


@pytest.fixture
def app(settings: ServerSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:  # runs the lifespan: engine and migrations
        yield test_client


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    password: str
    org_id: str | None


UserFactory = Callable[..., Account]


@pytest.fixture
def user_factory(app: FastAPI, client: TestClient) -> UserFactory:
    """Creates users straight in the database: ``user_factory(email=..., org="Acme")``."""
    counter = iter(range(1, 1_000_000))

    def make(
        *,
        email: str | None = None,
        password: str = PASSWORD,
        org: str | None = None,
        full_name: str = "",
        is_superuser: bool = False,
        is_active: bool = True,
    ) -> Account:
        email = email or f"user{next(counter)}@example.com"
        with session_scope(app.state.engine) as session:
            org_id = crud.get_or_create_org(session, org).id if org else None
            user = crud.create_user(
                session,
                email=email,
                password=password,
                full_name=full_name,
                org_id=org_id,
                is_superuser=is_superuser,
            )
            if not is_active:
                user.is_active = False
                session.add(user)
                session.commit()
            return Account(user.id, user.email, password, org_id)

    return make


def login(client: TestClient, account: Account, **extra: Any) -> dict[str, Any]:
    """Sign in and return the token pair (asserting it worked)."""
    body = {"email": account.email, "password": account.password, **extra}
    response = client.post("/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
