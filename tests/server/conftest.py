"""A sync service on a fresh database per test, a client for it, and account helpers.

The database is a fresh SQLite file by default. Tests that must also hold on
PostgreSQL (the service's multi-process backend) opt in with
``pytestmark = on_both_databases`` or the marker on one test; each PostgreSQL
test then gets a database of its own, created and dropped around it, so tests
stay as independent as with SQLite files. ``make test`` starts the local
cluster and passes its URL as ``ARXOS_TEST_POSTGRES_URL``; without it the
PostgreSQL variants skip, except in CI (``CI=true``), where they must run and
so fail instead. ``ARXOS_TEST_DATABASE=postgresql`` runs every test that does
not choose on PostgreSQL, to check the whole suite there.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import create_db_engine, run_migrations, session_scope
from sync.server.main import create_app

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters: the production ones cost ~0.1 s per hash."""
    monkeypatch.setattr(
        security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


BACKENDS = ("sqlite", "postgresql")
#: The backend of tests that do not choose one (see the module docstring).
DEFAULT_BACKEND = os.environ.get("ARXOS_TEST_DATABASE", "sqlite")
#: Run a test (or, as ``pytestmark``, a module) once per backend.
on_both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def postgres_admin_url() -> str:
    """The URL from ``make test``; skips the test without one, or fails it in CI."""
    url = os.environ.get("ARXOS_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    reason = (
        "PostgreSQL not available: run `make test` (it starts the local cluster as root"
        " via pg_ctlcluster) or set ARXOS_TEST_POSTGRES_URL"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}. CI=true: the PostgreSQL tests must run, not skip", pytrace=False)
    pytest.skip(reason)


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty database next to *admin_url*'s (its role has CREATEDB); dropped after.

    ``WITH (FORCE)`` drops it even if a test leaked a connection, so one broken
    test cannot leave databases behind or make the next one fail.
    """
    admin = make_url(admin_url)
    name = f"arxos_t_{secrets.token_hex(6)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            _drop_database(engine, name)
    finally:
        engine.dispose()


def _drop_database(engine: Engine, name: str, attempts: int = 50) -> None:
    """Drop a test database, waiting out an autovacuum worker that may be visiting it.

    ``WITH (FORCE)`` cannot end a worker of the server's own superuser from the test
    role, so the drop is refused while one is there (for a moment on a tiny database).
    """
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError as exc:
            busy = "must be a member of the role whose process is being terminated" in str(exc)
            if not busy or attempt == attempts - 1:
                raise
            time.sleep(0.1)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty server database: SQLite file, or PostgreSQL when parametrized so."""
    backend = getattr(request, "param", DEFAULT_BACKEND)
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'server' / 'server.sqlite3'}"
    elif backend == "postgresql":
        with fresh_postgres_database(postgres_admin_url()) as url:
            yield url
    else:
        raise ValueError(f"unknown test database backend {backend!r}; use one of {BACKENDS}")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on that database, migrated to the newest schema."""
    engine = create_db_engine(database_url)
    run_migrations(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> ServerSettings:
    return ServerSettings(home=tmp_path / "server", database_url=database_url, secret_key=SECRET)


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


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on loopback, for clients that speak HTTP."""
    from tests.live_server import serve

    with serve(app) as url:
        yield url


@pytest.fixture
def tech(user_factory: UserFactory) -> Account:
    """A technician of Harbor Facilities, the usual owner of a test building."""
    return user_factory(email="tech@example.com", org="Harbor Facilities")


def login(client: TestClient, account: Account, **extra: Any) -> dict[str, Any]:
    """Sign in and return the token pair (asserting it worked)."""
    body = {"email": account.email, "password": account.password, **extra}
    response = client.post("/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
