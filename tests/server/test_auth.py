"""Signing in: login, refresh rotation with reuse detection, logout, expired and forged tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select

from sync.server import crud
from sync.server.core import security
from sync.server.db import session_scope
from sync.server.models import RefreshToken, User
from tests.server.conftest import SECRET, UserFactory, bearer, login, on_both_databases

pytestmark = on_both_databases


def test_login_gives_a_working_token_pair(client: TestClient, user_factory: UserFactory) -> None:
    ann = user_factory(email="ann@example.com", org="Acme FM", full_name="Ann Lee")
    pair = login(client, ann)
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 15 * 60
    assert pair["refresh_token"] and pair["access_token"].count(".") == 2

    me = client.get("/v1/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": ann.id,
        "email": "ann@example.com",
        "full_name": "Ann Lee",
        "is_superuser": False,
        "org": {"id": ann.org_id, "name": "Acme FM", "slug": "acme-fm"},
    }


def test_email_is_case_insensitive(client: TestClient, user_factory: UserFactory) -> None:
    user_factory(email="Mixed.Case@Example.COM")
    response = client.post(
        "/v1/auth/login",
        json={"email": "  mixed.case@example.com ", "password": "correct horse battery"},
    )
    assert response.status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: TestClient, user_factory: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = user_factory()
    checks: list[str] = []
    real_verify = security.verify_password

    def counting_verify(password_hash: str, password: str) -> tuple[bool, str | None]:
        checks.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting_verify)
    wrong = client.post("/v1/auth/login", json={"email": ann.email, "password": "nope"})
    unknown = client.post("/v1/auth/login", json={"email": "who@example.com", "password": "nah"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong email or password"}
        assert response.headers["WWW-Authenticate"] == "Bearer"
    # An unknown email still costs a password check, so timing does not reveal accounts.
    assert checks == ["nope", "nah"]


def test_disabled_account_is_refused_with_403(
    client: TestClient, user_factory: UserFactory
) -> None:
    ghost = user_factory(is_active=False)
    response = client.post(
        "/v1/auth/login", json={"email": ghost.email, "password": ghost.password}
    )
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]


def test_refresh_rotates_and_a_reused_token_signs_that_device_out(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    app.state.settings.refresh_grace_seconds = 0  # tests/server/test_sessions.py: the grace
    ann = user_factory()
    first = login(client, ann, device_id="tablet-1")
    other_device = login(client, ann, device_id="laptop")

    second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert client.get("/v1/me", headers=bearer(rotated["access_token"])).status_code == 200

    # The spent token comes back (stolen, or replayed): refused, and the family is revoked.
    replay = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert replay.headers["WWW-Authenticate"] == "Bearer"
    assert "sign in again" in replay.json()["detail"]
    stolen_successor = client.post(
        "/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert stolen_successor.status_code == 401

    # Another device of the same user is not affected.
    laptop = client.post("/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]})
    assert laptop.status_code == 200


def test_rotation_records_the_successor(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    ann = user_factory()
    first = login(client, ann, device_id="tablet-1")
    client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    with session_scope(app.state.engine) as session:
        rows = session.exec(select(RefreshToken).order_by(col(RefreshToken.created_at))).all()
        assert len(rows) == 2
        spent, live = rows
        assert spent.revoked_at is not None and spent.replaced_by == live.id
        assert live.revoked_at is None and live.device_id == "tablet-1"
        assert spent.token_hash == security.digest(first["refresh_token"])  # never in clear


def test_logout_revokes_the_refresh_token(client: TestClient, user_factory: UserFactory) -> None:
    pair = login(client, user_factory())
    out = client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204 and out.content == b""
    again = client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401
    # Logging out twice, or with a token the server never issued, answers the same.
    assert client.post("/v1/auth/logout", json={"refresh_token": "bogus"}).status_code == 204


def test_unknown_and_expired_refresh_tokens_are_401(
    app: FastAPI, client: TestClient, user_factory: UserFactory
) -> None:
    pair = login(client, user_factory())
    unknown = client.post("/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert unknown.status_code == 401
    with session_scope(app.state.engine) as session:
        row = session.exec(select(RefreshToken)).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.add(row)
        session.commit()
    expired = client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert expired.status_code == 401
    assert expired.json() == {"detail": "Your session has expired; sign in again"}


def test_expired_access_token_is_401_in_plain_words(
    client: TestClient, user_factory: UserFactory
) -> None:
    ann = user_factory()
    token = security.create_access_token(ann.id, secret=SECRET, lifetime=dt.timedelta(seconds=-1))
    response = client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Your session has expired; sign in again"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda uid: "not-a-jwt", id="garbage"),
        pytest.param(
            lambda uid: security.create_access_token(
                uid, secret="another-server-" + "k" * 40, lifetime=dt.timedelta(minutes=5)
            ),
            id="forged",
        ),
        pytest.param(
            lambda uid: jwt.encode(
                {
                    "sub": uid,
                    "type": "refresh",
                    "iat": dt.datetime.now(dt.UTC),
                    "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
                },
                SECRET,
                algorithm="HS256",
            ),
            id="not-an-access-token",
        ),
        pytest.param(
            lambda uid: security.create_access_token(
                "0193b6c0-0000-7000-8000-00000000dead",
                secret=SECRET,
                lifetime=dt.timedelta(minutes=5),
            ),
            id="deleted-user",
        ),
    ],
)
def test_tokens_that_are_not_genuine_are_401(
    client: TestClient, user_factory: UserFactory, make_token: Callable[[str], str]
) -> None:
    ann = user_factory()
    token = make_token(ann.id)
    response = client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Your sign-in is not valid; sign in again"}


def test_missing_credentials_are_401(client: TestClient) -> None:
    response = client.get("/v1/me/buildings")
    assert response.status_code == 401
    assert "Sign in" in response.json()["detail"]


def test_login_upgrades_an_outdated_password_hash(
    app: FastAPI, client: TestClient, user_factory: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = user_factory()  # hashed with the cheap test parameters
    monkeypatch.setattr(
        security, "hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    )
    login(client, ann)
    with session_scope(app.state.engine) as session:
        user = crud.get_user_by_email(session, ann.email)
        assert isinstance(user, User)
        assert "m=2048,t=2,p=1" in user.password_hash
    login(client, ann)  # and the new hash works


@pytest.mark.parametrize("grace", [0, 60])
def test_two_refreshes_racing_with_one_token(
    app: FastAPI,
    client: TestClient,
    user_factory: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
    grace: int,
) -> None:
    """Both get the same successor within the grace window; without one, the sign-in ends."""
    pair = login(client, user_factory(), device_id="tablet-1")
    real_successor = security.successor_token
    lifetime = dt.timedelta(days=1)
    spend = {"lifetime": lifetime, "secret": SECRET, "grace": dt.timedelta(seconds=grace)}
    rival: list[str] = []

    def racing_successor(spent: str, *, secret: str) -> str:
        # Runs after the first request read the token and before it spends it.
        monkeypatch.setattr(security, "successor_token", real_successor)
        with session_scope(app.state.engine) as other:
            rival.append(crud.rotate_refresh_token(other, spent, **spend).refresh_token)
        return real_successor(spent, secret=secret)

    monkeypatch.setattr(security, "successor_token", racing_successor)
    with session_scope(app.state.engine) as session:
        if grace:
            won = crud.rotate_refresh_token(session, pair["refresh_token"], **spend)
            assert [won.refresh_token] == rival
            return
        with pytest.raises(crud.SignInError, match="already used"):
            crud.rotate_refresh_token(session, pair["refresh_token"], **spend)
    with session_scope(app.state.engine) as session:
        live = session.exec(select(RefreshToken).where(col(RefreshToken.revoked_at).is_(None)))
        assert live.all() == []  # the winner's new token was revoked with its family
