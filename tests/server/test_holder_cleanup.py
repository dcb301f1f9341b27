"""Pass holders are removed once their pass ends: signed out, ungranted, switched off, logged;
never the holders of passes still valid, nor anybody else."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from arxos_desktop.cli.main import run
from sync.server import crud, holder_cleanup
from sync.server.access_models import AccessAuditEntry, AccessPass
from sync.server.core.config import ServerSettings
from sync.server.core.security import hash_password
from sync.server.holder_sweeps import sweep_once
from sync.server.main import create_app
from sync.server.models import ApiKey, AuthSession, Grant, RefreshToken, User
from tests.server.conftest import PASSWORD, bearer, on_both_databases
from tests.server.test_access_passes import Site, ask, exchange, issue, site
from tests.server.test_audit_verify import verify

__all__ = ["site"]

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Holder:
    token: str
    token_id: str
    id: str
    email: str
    headers: dict[str, str]
    expires_at: dt.datetime


def holder_of(app: FastAPI, client: TestClient, site: Site, **overrides: Any) -> Holder:
    """A pass issued by Ann and exchanged by a contractor's tablet."""
    issued = issue(client, site.ann, ask(site.depot, **overrides)).json()
    answer = exchange(client, issued["token"])
    assert answer.status_code == 200, answer.text
    with Session(app.state.engine) as session:
        record = session.get(AccessPass, issued["token_id"])
        assert record is not None and record.holder_id is not None
        user = session.get(User, record.holder_id)
        assert user is not None
        return Holder(
            issued["token"],
            issued["token_id"],
            user.id,
            user.email,
            bearer(answer.json()["access_token"]),
            record.expires_at,
        )


def state(app: FastAPI, user_id: str) -> dict[str, Any]:
    """What is left of an account: whether it may sign in, its grants, sign-ins, keys."""
    with Session(app.state.engine) as session:
        user = session.get(User, user_id)
        assert user is not None  # the row stays: history names it

        def count(model: Any) -> int:
            return len(session.exec(select(model).where(model.user_id == user_id)).all())

        live_keys = session.exec(
            select(ApiKey).where(ApiKey.user_id == user_id).where(col(ApiKey.revoked_at).is_(None))
        ).all()
        return {
            "active": user.is_active,
            "grants": count(Grant),
            "sessions": count(AuthSession),
            "refresh_tokens": count(RefreshToken),
            "live_keys": len(live_keys),
        }


LIVE = {"active": True, "grants": 1, "sessions": 1, "refresh_tokens": 0, "live_keys": 0}
GONE = {"active": False, "grants": 0, "sessions": 0, "refresh_tokens": 0, "live_keys": 0}


def sweep(app: FastAPI, now: dt.datetime, **options: Any) -> int:
    with Session(app.state.engine) as session:
        return holder_cleanup.sweep(session, now=now, **options)


def log(app: FastAPI, org_id: str) -> list[dict[str, Any]]:
    with Session(app.state.engine) as session:
        entries = session.exec(
            select(AccessAuditEntry)
            .where(AccessAuditEntry.org_id == org_id)
            .order_by(col(AccessAuditEntry.seq))
        ).all()
        return [entry.body for entry in entries]


def other_ways_in(app: FastAPI, holder: Holder) -> tuple[str, str]:
    """A refresh token and an API key of the holder, and a password only this test knows:
    the ways in an exchange never hands out, so that a removal must close them too."""
    with Session(app.state.engine) as session:
        user = session.get(User, holder.id)
        assert user is not None
        user.password_hash = hash_password(PASSWORD)
        session.add(user)
        session.commit()
        signed_in = crud.start_session(session, user=user, device_id="laptop", lifetime=HOUR)
        _, key = crud.create_api_key(session, user_id=holder.id, name="script")
    return signed_in.refresh_token, key


@on_both_databases
def test_an_expired_pass_loses_its_holder_on_the_next_sweep(
    app: FastAPI, client: TestClient, site: Site, database_url: str
) -> None:
    holder = holder_of(app, client, site, expires_in=3600)
    refresh_token, api_key = other_ways_in(app, holder)
    assert client.get("/v1/me/buildings", headers=holder.headers).status_code == 200
    assert state(app, holder.id) == {**LIVE, "sessions": 2, "refresh_tokens": 1, "live_keys": 1}

    ended = holder.expires_at + dt.timedelta(seconds=1)
    assert sweep(app, ended) == 1
    assert state(app, holder.id) == GONE
    assert client.get("/v1/me/buildings", headers=holder.headers).status_code == 401
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 401
    assert client.get("/v1/me", headers={"X-API-Key": api_key}).status_code == 401
    password = client.post("/v1/auth/login", json={"email": holder.email, "password": PASSWORD})
    assert password.status_code == 403 and "access_token" not in password.text
    # By this server's clock the pass has not expired yet; its holder is gone all the same.
    again = exchange(client, holder.token)
    assert again.status_code == 403 and "expired" in again.json()["detail"]
    assert state(app, holder.id) == GONE

    entry = log(app, site.acme)[-1]
    assert entry["event"] == "holder_removed" and entry["actor"] == "server"
    assert (entry["token_id"], entry["holder"], entry["reason"]) == (
        holder.token_id,
        holder.id,
        "expired",
    )
    assert entry["at"] == ended.isoformat(timespec="seconds")
    code, doc = verify(database_url)  # `arx server audit verify`
    assert code == 0 and doc["intact"]
    assert sweep(app, ended + HOUR) == 0  # removed once, logged once
    revoke = f"/v1/access/passes/{holder.token_id}/revoke"
    assert client.post(revoke, headers=site.ann.headers).status_code == 204
    assert [e["event"] for e in log(app, site.acme)].count("holder_removed") == 1


@on_both_databases
def test_the_sweep_leaves_live_holders_and_everybody_else_alone(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    short = holder_of(app, client, site, expires_in=3600)
    long = holder_of(app, client, site, expires_in=8 * 3600)
    with Session(app.state.engine) as session:
        tina = session.get(User, site.tina.id)
        assert tina is not None
        tina.is_active = False  # switched off by an admin: still an account, still listed
        session.add(tina)
        session.commit()
    before = {who: state(app, who) for who in (site.ann.id, site.carl.id, site.tina.id)}

    assert sweep(app, short.expires_at - dt.timedelta(seconds=1)) == 0
    assert state(app, short.id) == LIVE
    assert sweep(app, short.expires_at) == 1
    assert state(app, short.id) == GONE
    assert state(app, long.id) == LIVE
    assert client.get("/v1/me/buildings", headers=long.headers).status_code == 200
    assert {who: state(app, who) for who in before} == before
    with Session(app.state.engine) as session:
        listed = {user.email for user in crud.list_users(session)}
    assert {long.email, "tina@acme.example", "carl@cool.example"} <= listed
    assert short.email not in listed


@on_both_databases
def test_a_withdrawn_pass_removes_its_holder_at_once_and_only_once(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    holder = holder_of(app, client, site, permissions=["read", "write"])
    revoke = f"/v1/access/passes/{holder.token_id}/revoke"
    assert client.post(revoke, headers=site.ann.headers).status_code == 204
    assert state(app, holder.id) == GONE
    assert client.get("/v1/me/buildings", headers=holder.headers).status_code == 401
    *_, withdrawn, removed = log(app, site.acme)
    assert (withdrawn["event"], removed["event"]) == ("revoke", "holder_removed")
    assert (removed["reason"], removed["actor"]) == ("revoked", site.ann.id)
    assert sweep(app, holder.expires_at + HOUR) == 0
    assert client.post(revoke, headers=site.ann.headers).status_code == 204  # already withdrawn
    assert [e["event"] for e in log(app, site.acme)].count("holder_removed") == 1


def test_a_pass_withdrawn_before_holders_were_removed_is_finished_by_the_sweep(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    holder = holder_of(app, client, site)
    with app.state.engine.begin() as conn:  # withdrawn, its holder left switched on
        conn.execute(
            sa.text("UPDATE srv_access_passes SET revoked_at = :at WHERE token_id = :t"),
            {"at": dt.datetime.now(dt.UTC), "t": holder.token_id},
        )
    assert sweep(app, holder.expires_at - HOUR) == 1
    assert state(app, holder.id) == GONE
    assert log(app, site.acme)[-1]["reason"] == "revoked"


def test_a_sweep_is_bounded_and_a_backlog_goes_oldest_first(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    holders = [holder_of(app, client, site, expires_in=hours * 3600) for hours in (3, 1, 2)]
    later = max(h.expires_at for h in holders) + HOUR
    assert sweep(app, later, limit=2) == 2
    assert [state(app, h.id)["active"] for h in holders] == [True, False, False]
    with Session(app.state.engine) as session:
        assert holder_cleanup.sweep_all(session, now=later, batch=2) == 1
    assert [state(app, h.id)["active"] for h in holders] == [False, False, False]


def test_an_ended_holder_is_never_granted_or_listed_again(
    app: FastAPI, client: TestClient, site: Site, database_url: str
) -> None:
    holder = holder_of(app, client, site)
    assert sweep(app, holder.expires_at) == 1

    def arx(*args: str) -> tuple[int, str]:
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = run(["server", *args, "--database-url", database_url, "--json"])
        return code, buffer.getvalue()

    code, listed = arx("users")
    assert code == 0
    emails = {row["email"] for row in json.loads(listed)}
    assert "ann@acme.example" in emails and holder.email not in emails
    code, _ = arx("grant", holder.email, site.depot, "--role", "viewer")
    assert code == 4
    with Session(app.state.engine) as session, pytest.raises(crud.InvalidGrantError):
        crud.grant(session, user_id=holder.id, building_id=site.depot, role="viewer")
    assert state(app, holder.id) == GONE


@on_both_databases
def test_arx_server_passes_prune_removes_the_holders_of_ended_passes(
    app: FastAPI, client: TestClient, site: Site, database_url: str
) -> None:
    ended, valid = holder_of(app, client, site), holder_of(app, client, site)
    with app.state.engine.begin() as conn:  # eight hours later, as far as this pass goes
        conn.execute(
            sa.text("UPDATE srv_access_passes SET expires_at = :at WHERE token_id = :t"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), "t": ended.token_id},
        )
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["server", "passes", "prune", "--database-url", database_url, "--json"])
    assert code == 0 and json.loads(buffer.getvalue()) == {"removed": 1}
    assert state(app, ended.id) == GONE and state(app, valid.id) == LIVE
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["server", "passes", "prune", "--database-url", database_url])
    assert code == 0 and "No pass holder to remove" in buffer.getvalue()


def test_the_service_sweeps_at_start_up_and_while_it_runs(
    app: FastAPI, client: TestClient, site: Site, settings: ServerSettings
) -> None:
    first, second = holder_of(app, client, site), holder_of(app, client, site)

    def expire(holder: Holder) -> None:
        with app.state.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE srv_access_passes SET expires_at = :at WHERE token_id = :t"),
                {"at": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), "t": holder.token_id},
            )

    expire(first)
    fast = settings.model_copy(update={"holder_sweep_interval_minutes": 0.05 / 60})
    with TestClient(create_app(fast)):
        assert state(app, first.id) == GONE  # at start-up, before the first request
        assert state(app, second.id) == LIVE
        expire(second)
        deadline = time.monotonic() + 5
        while state(app, second.id)["active"]:
            assert time.monotonic() < deadline, "the periodic sweep never ran"
            time.sleep(0.02)
    assert state(app, second.id) == GONE


def test_a_failed_sweep_is_logged_and_the_service_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> int:
        raise RuntimeError("the database went away")

    caplog.set_level(logging.INFO, logger="sync.server.holder_sweeps")
    assert anyio.run(sweep_once, broken) is None
    assert "Could not remove the accounts of ended access passes" in caplog.text
    assert anyio.run(sweep_once, lambda: 3) == 3
    assert "Removed 3 pass holder account(s) whose pass had ended" in caplog.text
