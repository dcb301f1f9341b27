"""The service around the routes: health, metrics, bad input, migrations, settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import SQLModel

from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import MAX_PUSH_BATCH
from sync.server import __version__
from sync.server.core.config import SECRET_KEY_FILE, ServerSettings
from sync.server.db import create_db_engine, run_migrations
from tests.server.conftest import UserFactory, bearer, login, on_both_databases

METRICS_TOKEN = "scraper-token-" + "m" * 20

ACCOUNT_TABLES = {
    "srv_rows",
    "srv_change_log",
    "srv_applied_changes",
    "srv_conflicts",
    "srv_organizations",
    "srv_users",
    "srv_sessions",
    "srv_refresh_tokens",
    "srv_api_keys",
    "srv_grants",
    "srv_blob_refs",
    "srv_blob_uploads",
}


@on_both_databases
def test_health_answers_without_signing_in(client: TestClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": __version__}


def test_metrics_count_requests_by_route_template_and_status(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    app.state.settings.metrics_token = SecretStr(METRICS_TOKEN)
    headers = bearer(login(client, user_factory())["access_token"])
    client.get("/v1/health")
    client.delete("/v1/me/api-keys/no-such-key", headers=headers)
    client.get("/v1/me")
    client.get("/no/such/page")

    response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for line in (
        'arxos_http_requests_total{method="POST",route="/v1/auth/login",status="200"} 1.0',
        'arxos_http_requests_total{method="GET",route="/v1/health",status="200"} 1.0',
        'arxos_http_requests_total{method="DELETE",route="/v1/me/api-keys/{key_id}",status="404"}',
        'arxos_http_requests_total{method="GET",route="/v1/me",status="401"} 1.0',
        'arxos_http_requests_total{method="GET",route="<unmatched>",status="404"} 1.0',
        'arxos_http_request_duration_seconds_count{method="GET",route="/v1/health"} 1.0',
    ):
        assert line in text, line
    assert "no-such-key" not in text  # raw paths never become labels


def test_every_app_has_its_own_metrics(settings: ServerSettings) -> None:
    from sync.server.main import create_app

    one, two = create_app(settings), create_app(settings)  # no duplicate-metric error
    assert one.state.metrics.registry is not two.state.metrics.registry


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param(b'{"email": "a@b.c", "password": ', "json_invalid", id="truncated-json"),
        pytest.param(b'{"email": "a@b.c"}', "missing", id="missing-field"),
        pytest.param(b"[1, 2]", "model_attributes_type", id="not-an-object"),
        pytest.param(b'{"email": 5, "password": []}', "string_type", id="wrong-types"),
        pytest.param(
            b'{"email": "a@b.c", "password": "x", "device_id": "../etc"}',
            "string_pattern_mismatch",
            id="bad-device-id",
        ),
        pytest.param(
            b'{"email": "a@b.c", "password": "x", "admin": true}', "extra_forbidden", id="extra"
        ),
    ],
)
def test_malformed_requests_are_422_with_details(
    client: TestClient, body: bytes, problem: str
) -> None:
    response = client.post(
        "/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert problem in {error["type"] for error in response.json()["detail"]}


def test_a_body_that_is_not_text_is_400_not_500(client: TestClient) -> None:
    response = client.post(
        "/v1/auth/login", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_api_key_name_is_validated(client: TestClient, user_factory: UserFactory) -> None:
    headers = bearer(login(client, user_factory())["access_token"])
    for body in ({}, {"name": ""}, {"name": "x" * 101}):
        assert client.post("/v1/me/api-keys", json=body, headers=headers).status_code == 422


@on_both_databases
def test_text_postgresql_cannot_store_is_refused_not_a_500(
    client: TestClient, user_factory: UserFactory
) -> None:
    """A NUL character or an overlong id made PostgreSQL raise (500) where SQLite coped."""
    headers = bearer(login(client, user_factory())["access_token"])
    nul = "a\x00b"
    change = {
        "change_id": new_id(),
        "entity": "floor",
        "entity_id": new_id(),
        "op": "insert",
        "fields": {"level": 1, "name": "L1"},
        "base_rev": 0,
        "hlc": Stamp(1_700_000_000_000, 0, "dev").pack(),
    }
    refused = [
        client.post("/v1/auth/login", json={"email": f"{nul}@x.example", "password": "pw"}),
        client.post("/v1/me/api-keys", json={"name": nul}, headers=headers),
        *(
            client.post(
                "/v1/sync/push",
                json={"device_id": "dev", "changes": [{**change, "building_id": building}]},
                headers=headers,
            )
            for building in (nul, "x" * 100)
        ),
    ]
    assert [r.status_code for r in refused] == [422] * len(refused)
    gone = client.delete("/v1/me/api-keys/a%00b", headers=headers)
    assert gone.status_code == 404


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/v1/openapi.json").json()
    assert spec["info"]["title"] == "ArxOS sync service"
    assert {"/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout", "/v1/me"} <= set(spec["paths"])
    assert {"/v1/me/buildings", "/v1/me/api-keys", "/v1/health", "/metrics"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


# -- migrations ------------------------------------------------------------------------


@on_both_databases
def test_migrations_create_every_table_on_an_empty_database(database_url: str) -> None:
    run_migrations(database_url)
    run_migrations(database_url)  # a second start changes nothing
    engine = create_db_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        assert ACCOUNT_TABLES | {"alembic_version"} <= tables
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": lambda obj, name, type_, *_: (
                        type_ != "table" or name in ACCOUNT_TABLES
                    ),
                },
            )
            # The hand-written revision creates exactly what the models declare.
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


@on_both_databases
def test_deleting_a_user_removes_their_tokens_keys_and_grants(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    ann = user_factory()
    login(client, ann)
    with app.state.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO srv_grants (id, user_id, building_id, role, created_at)"
                " VALUES ('g1', :uid, 'b1', 'viewer', '2025-01-01 00:00:00')"
            ),
            {"uid": ann.id},
        )
        conn.execute(sa.text("DELETE FROM srv_users WHERE id = :uid"), {"uid": ann.id})
        for table in ("srv_refresh_tokens", "srv_grants", "srv_api_keys"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0


# -- settings --------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "ARXOS_SECRET_KEY", "ARXOS_SERVER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "server-home"
    monkeypatch.setenv("ARXOS_SERVER_HOME", str(home))
    return home


def test_secret_key_is_generated_once_and_kept_private(clean_env: Path) -> None:
    first, second = ServerSettings(), ServerSettings()
    key = first.secret_key.get_secret_value()
    assert len(key) >= 48
    assert second.secret_key.get_secret_value() == key
    mode = (clean_env / SECRET_KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert key not in repr(first)


def test_defaults_live_in_the_server_home(clean_env: Path) -> None:
    settings = ServerSettings()
    assert settings.home == clean_env
    assert settings.database_url == f"sqlite:///{clean_env / 'server.sqlite3'}"
    assert settings.blob_dir == clean_env / "blobs"
    assert (settings.access_token_minutes, settings.refresh_token_days) == (15, 30)
    assert settings.blob_max_bytes == 512 * 1024 * 1024
    assert settings.orgs_allow_member_buildings is True
    assert settings.cors_origins == []


def test_environment_overrides(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://arx:pw@db/arxos")
    monkeypatch.setenv("ARXOS_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ARXOS_SERVER_PUSH_BATCH_MAX", str(MAX_PUSH_BATCH * 10))
    monkeypatch.setenv("ARXOS_SERVER_ACCESS_TOKEN_MINUTES", "5")
    monkeypatch.setenv("ARXOS_SERVER_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = ServerSettings()
    assert settings.database_url == "postgresql+psycopg://arx:pw@db/arxos"
    assert settings.secret_key.get_secret_value() == "k" * 40
    assert settings.push_batch_max == MAX_PUSH_BATCH  # capped by the protocol
    assert settings.access_token_minutes == 5
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert not (clean_env / SECRET_KEY_FILE).exists()  # a given key is not written anywhere


def test_a_short_secret_key_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXOS_SECRET_KEY", "short")
    with pytest.raises(ValueError, match=r"secret_key|ARXOS_SECRET_KEY"):
        ServerSettings()
