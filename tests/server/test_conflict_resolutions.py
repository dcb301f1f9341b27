"""Keeping (or restoring) on one device closes the conflict on every device (real server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag
from arxos_desktop.store.remote import (
    ReplicaSyncTarget,
    dismiss_conflict,
    open_conflicts,
    restore_losing_value,
)
from sync.ids import new_id
from sync.protocol import MAX_RESOLUTIONS, ResolutionResult
from sync.server import crud
from sync.server.db import session_scope
from sync.server.replication import CONFLICTS_TABLE, LOG_TABLE
from sync.server.resolutions import LOG_OP, REFUSED
from tests.conftest import SampleBuilding
from tests.server.conftest import Account, UserFactory, bearer, login, on_both_databases
from tests.server.test_conflict_closing import _conflicted
from tests.server.test_end_to_end import client_for, device

pytestmark = on_both_databases


def _resolutions_logged(app: FastAPI) -> int:
    with app.state.engine.connect() as db:
        count = db.execute(
            select(func.count()).select_from(LOG_TABLE).where(LOG_TABLE.c.op == LOG_OP)
        ).scalar()
    return int(count or 0)


def _server_resolution(app: FastAPI, conflict_id: str) -> str:
    with app.state.engine.connect() as db:
        value = db.execute(
            select(CONFLICTS_TABLE.c.resolution).where(CONFLICTS_TABLE.c.id == conflict_id)
        ).scalar()
    return str(value)


def test_keep_on_one_device_closes_the_conflict_on_every_device(
    app: FastAPI, base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b, sync_a, sync_b, _ = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(a)[0]["id"]
    assert dismiss_conflict(a, conflict_id)["resolution"] == "kept"
    sync_a.sync_once()
    sync_b.sync_once()
    assert open_conflicts(b) == []
    (closed,) = open_conflicts(b, include_resolved=True)
    assert (closed["id"], closed["resolution"]) == (conflict_id, "kept")
    assert closed["resolved_by"] == tech.id
    assert closed["resolved_device"] == a.device_id
    assert closed["resolved_at"].startswith("20")
    # A device syncing for the first time sees it already closed, the same way.
    c = device(tmp_path, "c")
    client_for(base_url, c, tech).sync_once()
    assert open_conflicts(c) == []
    (seen,) = open_conflicts(c, include_resolved=True)
    assert (seen["resolution"], seen["resolved_device"]) == ("kept", a.device_id)
    # The device that kept it agrees with everyone else.
    assert open_conflicts(a, include_resolved=True)[0]["resolved_by"] == tech.id
    assert _resolutions_logged(app) == 1


def test_keep_offline_is_kept_across_a_restart_and_sent_at_the_next_sync(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b, _, sync_b, _ = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(a)[0]["id"]
    dismiss_conflict(a, conflict_id)  # no sync: the device is offline
    assert open_conflicts(a) == []
    a.close()
    a = Replica.open(tmp_path / "a")  # a restart loses neither the choice nor its sending
    assert open_conflicts(a) == []
    assert ReplicaSyncTarget(a).pending_resolutions(10) == [(conflict_id, "kept")]
    sync_b.sync_once()
    assert len(open_conflicts(b)) == 1  # nothing reached the server yet
    client_for(base_url, a, tech).sync_once()
    assert ReplicaSyncTarget(a).pending_resolutions(10) == []
    sync_b.sync_once()
    assert open_conflicts(b) == []
    assert open_conflicts(b, include_resolved=True)[0]["resolution"] == "kept"


def test_a_resolution_resent_after_a_lost_answer_applies_once(
    app: FastAPI, base_url: str, tech: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, sync_a, sync_b, _ = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(a)[0]["id"]
    dismiss_conflict(a, conflict_id)
    target = sync_a.target
    assert isinstance(target, ReplicaSyncTarget)

    def answer_lost(results: list[ResolutionResult]) -> None:
        raise ConnectionError("connection reset before the answer was stored")

    monkeypatch.setattr(target, "record_resolutions", answer_lost)
    with pytest.raises(ConnectionError):
        sync_a.sync_once()
    monkeypatch.undo()
    assert target.pending_resolutions(10) == [(conflict_id, "kept")]  # still queued
    with app.state.engine.connect() as db:
        seq_before = db.execute(
            select(CONFLICTS_TABLE.c.seq).where(CONFLICTS_TABLE.c.id == conflict_id)
        ).scalar()
    sync_a.sync_once()
    assert target.pending_resolutions(10) == []
    assert _resolutions_logged(app) == 1
    with app.state.engine.connect() as db:
        seq_after = db.execute(
            select(CONFLICTS_TABLE.c.seq).where(CONFLICTS_TABLE.c.id == conflict_id)
        ).scalar()
    assert seq_after == seq_before  # the repeat moved nothing
    sync_b.sync_once()
    assert open_conflicts(b, include_resolved=True)[0]["resolution"] == "kept"


def test_the_first_resolution_sent_wins_on_every_device(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b, sync_a, sync_b, sample = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(a)[0]["id"]
    dismiss_conflict(a, conflict_id)
    restore_losing_value(b, conflict_id)  # at the same time, on the other device
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    for replica in (a, b):
        assert open_conflicts(replica, include_resolved=True)[0]["resolution"] == "kept"
    # B's restore is still an edit of its own, which synced like any other.
    assert find_by_tag(a, sample.building_id, "AHU-1").status == "out_of_service"


# --- the route, attacked -------------------------------------------------------------


def _server_conflict(base_url: str, tech: Account, tmp_path: Path) -> tuple[str, SampleBuilding]:
    a, _, _, _, sample = _conflicted(base_url, tech, tmp_path)
    conflict_id: str = open_conflicts(a)[0]["id"]
    return conflict_id, sample


def _resolve(client: TestClient, account: Account, *ids: str) -> Any:
    token = login(client, account)["access_token"]
    body = {
        "device_id": "probe",
        "resolutions": [{"conflict_id": i, "resolution": "kept"} for i in ids],
    }
    return client.post("/v1/sync/resolve", json=body, headers=bearer(token))


def _grant(app: FastAPI, account: Account, building_id: str, role: str, **scope: Any) -> None:
    with session_scope(app.state.engine) as session:
        crud.grant(session, user_id=account.id, building_id=building_id, role=role, **scope)


def _refused_like_a_missing_id(client: TestClient, who: Account, conflict_id: str) -> None:
    response = _resolve(client, who, conflict_id)
    assert response.status_code == 200, response.text
    (answer,) = response.json()["results"]
    assert answer == {
        "conflict_id": conflict_id,
        "status": "refused",
        "resolution": None,
        "reason": REFUSED,
    }
    missing = new_id()
    (other,) = _resolve(client, who, missing).json()["results"]
    assert {**other, "conflict_id": conflict_id} == answer  # existence is not given away


def test_another_tenant_cannot_resolve_a_conflict_it_cannot_see(
    app: FastAPI,
    client: TestClient,
    base_url: str,
    tech: Account,
    user_factory: UserFactory,
    tmp_path: Path,
) -> None:
    conflict_id, _ = _server_conflict(base_url, tech, tmp_path)
    outsider = user_factory(email="mallory@rival.example", org="Rival Ltd")
    _refused_like_a_missing_id(client, outsider, conflict_id)
    assert _server_resolution(app, conflict_id) == ""


def test_a_viewer_cannot_resolve(
    app: FastAPI,
    client: TestClient,
    base_url: str,
    tech: Account,
    user_factory: UserFactory,
    tmp_path: Path,
) -> None:
    conflict_id, sample = _server_conflict(base_url, tech, tmp_path)
    viewer = user_factory(email="viewer@example.com")
    _grant(app, viewer, sample.building_id, "viewer")
    _refused_like_a_missing_id(client, viewer, conflict_id)
    assert _server_resolution(app, conflict_id) == ""


def test_a_narrowed_contractor_resolves_only_inside_their_scope(
    app: FastAPI,
    client: TestClient,
    base_url: str,
    tech: Account,
    user_factory: UserFactory,
    tmp_path: Path,
) -> None:
    conflict_id, sample = _server_conflict(base_url, tech, tmp_path)
    electrician = user_factory(email="sparks@contractor.example")
    _grant(app, electrician, sample.building_id, "contractor", systems=["electrical"])
    _refused_like_a_missing_id(client, electrician, conflict_id)
    assert _server_resolution(app, conflict_id) == ""
    # The same role inside the scope may: the refusal above is the scope's.
    hvac = user_factory(email="hvac@contractor.example")
    _grant(app, hvac, sample.building_id, "contractor", systems=["hvac"])
    (answer,) = _resolve(client, hvac, conflict_id).json()["results"]
    assert (answer["status"], answer["resolution"]) == ("resolved", "kept")
    assert _server_resolution(app, conflict_id) == "kept"


def test_a_resolve_request_is_bounded(client: TestClient, tech: Account) -> None:
    response = _resolve(client, tech, *(new_id() for _ in range(MAX_RESOLUTIONS + 1)))
    assert response.status_code == 422


def test_a_pull_that_did_not_ask_gets_records_without_resolutions(
    client: TestClient, base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, _, sync_a, _, _ = _conflicted(base_url, tech, tmp_path)
    dismiss_conflict(a, open_conflicts(a)[0]["id"])
    sync_a.sync_once()
    token = login(client, tech)["access_token"]
    plain = client.get("/v1/sync/pull", headers=bearer(token)).json()["conflicts"]
    assert plain and all("resolution" not in record for record in plain)
    asked = client.get("/v1/sync/pull?resolutions=true", headers=bearer(token)).json()
    assert [record["resolution"] for record in asked["conflicts"]] == ["kept"]
