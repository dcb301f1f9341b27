"""`arx server import` of a revised survey into a live server, on SQLite and PostgreSQL.

The import runs in this process against the service's own database; a "device"
is a signed-in TestClient that pulls and pushes like the field app does.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select

from arxos_desktop.admin.server_import import (
    ServerImportError,
    ServerImportReport,
    _Importer,
    import_to_server,
    plan_import,
    server_rows,
)
from arxos_desktop.repo_format import read_repo
from sync.clock import HybridClock, wall_clock_ms
from sync.ids import new_id
from sync.protocol import ChangeIn, PushRequest
from sync.server import crud
from sync.server.api.routes.blobs import get_blob_storage
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.replication import ChangeLogEntry, ConflictEntry, StoredRow
from sync.server.syncing import lock_for_push, push
from tests.server.conftest import Account, UserFactory, bearer, login, on_both_databases

pytestmark = on_both_databases

DEMO_REPO = Path(__file__).resolve().parents[2] / "resources" / "demo-building"
CT1 = "01943aa0-bc59-7421-a98e-90a7697995c8"  # top-level equipment.json, status operational
CAM1 = "01943aa0-bcd7-7d3b-94ba-faca6188b311"  # ground floor, one connection points at it
CAM1_LINK = "01943aa0-be14-7285-b6b4-9c829bf0a843"
GROUND = "floors/00-ground-floor"


def edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text())), indent=2) + "\n")


def set_field(repo: Path, row_id: str, name: str, value: Any) -> None:
    def apply(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            if row["id"] == row_id:
                row[name] = value
        return rows

    edit_json(repo / "equipment.json", apply)


def add_equipment(repo: Path) -> str:
    """A second cooling tower, as a re-survey would add it; returns its id."""
    new = new_id()

    def apply(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        twin = next(r for r in rows if r["id"] == CT1)
        return [*rows, {**twin, "id": new, "tag": "CT-2", "serial": "BAL0933B806"}]

    edit_json(repo / "equipment.json", apply)
    return new


def remove_camera(repo: Path) -> None:
    """CAM-01 is gone: its row, its position on the floor plan and the connection to it."""
    edit_json(repo / GROUND / "equipment.json", lambda rows: [r for r in rows if r["id"] != CAM1])

    def without_camera(layout: dict[str, Any]) -> dict[str, Any]:
        positions = {k: v for k, v in layout["equipment"].items() if k != CAM1}
        return {**layout, "equipment": positions}

    edit_json(repo / GROUND / "layout.json", without_camera)
    edit_json(repo / "connections.json", lambda rows: [r for r in rows if r["id"] != CAM1_LINK])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(DEMO_REPO, copy)
    return copy


@pytest.fixture
def owner(user_factory: UserFactory) -> Account:
    return user_factory(email="admin@example.com")


@pytest.fixture
def run(
    app: FastAPI, settings: ServerSettings, owner: Account
) -> Callable[..., ServerImportReport]:
    def import_repo(repo: Path, **options: bool) -> ServerImportReport:
        storage = get_blob_storage(settings)
        snap = read_repo(repo)
        return import_to_server(app.state.engine, storage, snap, owner_email=owner.email, **options)

    return import_repo


class Device:
    """A signed-in device that keeps a cursor, as the field app does."""

    def __init__(self, client: TestClient, account: Account) -> None:
        self.client = client
        self.headers = bearer(login(client, account, device_id="tablet1")["access_token"])
        self.cursor = 0
        self.clock = HybridClock("tablet1")
        self.rows: dict[str, dict[str, Any]] = {}

    def pull(self) -> list[dict[str, Any]]:
        """Every change since the last pull (all pages)."""
        pulled: list[dict[str, Any]] = []
        while True:
            page = self.client.get(
                "/v1/sync/pull", params={"cursor": self.cursor, "limit": 1000}, headers=self.headers
            ).json()
            pulled.extend(page["changes"])
            self.rows.update({c["entity_id"]: c for c in page["changes"]})
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return pulled

    def edit(self, entity_id: str, **fields: Any) -> dict[str, Any]:
        """An update made now (offline), against the row as last pulled; push it later."""
        row = self.rows[entity_id]
        return {
            "change_id": new_id(),
            "entity": row["entity"],
            "entity_id": entity_id,
            "building_id": row["building_id"],
            "op": "update",
            "fields": fields,
            "base_rev": row["seq"],
            "hlc": self.clock.tick().pack(),
        }

    def push(self, *changes: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.client.post(
            "/v1/sync/push",
            json={"device_id": "tablet1", "changes": list(changes)},
            headers=self.headers,
        )
        assert answer.status_code == 200, answer.text
        results: list[dict[str, Any]] = answer.json()["results"]
        return results


def log_after(app: FastAPI, seq: int) -> list[ChangeLogEntry]:
    with session_scope(app.state.engine) as session:
        query = select(ChangeLogEntry).where(col(ChangeLogEntry.seq) > seq)
        return list(session.exec(query.order_by(col(ChangeLogEntry.seq))).all())


def stored(app: FastAPI, entity: str, row_id: str) -> StoredRow:
    with session_scope(app.state.engine) as session:
        row = session.get(StoredRow, (entity, row_id))
        assert row is not None
        return row


def newest_seq(app: FastAPI) -> int:
    entries = log_after(app, 0)
    return (entries[-1].seq or 0) if entries else 0


def test_a_revised_survey_is_reported_then_applied_with_update_and_prune(
    app: FastAPI, client: TestClient, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    first = run(repo)
    total = sum(first.inserted.values())
    device = Device(client, owner)
    assert len(device.pull()) == total

    set_field(repo, CT1, "status", "needs_service")
    added = add_equipment(repo)
    remove_camera(repo)

    # Without --update: only the new row goes in; the rest is counted, not touched.
    before = newest_seq(app)
    plain = run(repo)
    assert plain.inserted == {"equipment": 1}
    assert plain.differing == {"equipment": 1} and plain.updated == {}
    assert plain.server_only == {"equipment": 1, "connection": 1} and plain.deleted == {}
    assert sum(plain.unchanged.values()) == total - 3
    assert sum(plain.skipped.values()) == total - 2
    assert stored(app, "equipment", CT1).values["status"] == "operational"
    assert [(e.op, e.entity_id) for e in log_after(app, before)] == [("insert", added)]
    assert [c["entity_id"] for c in device.pull()] == [added]

    # --update: exactly one UPDATE with only the changed field, and the device gets just it.
    before = newest_seq(app)
    updated = run(repo, update=True)
    assert updated.updated == updated.updated_fields == {"equipment": 1}
    assert updated.inserted == {} and updated.deleted == {} and updated.rejected == []
    assert updated.server_only == {"equipment": 1, "connection": 1}
    (entry,) = log_after(app, before)
    assert (entry.op, entry.entity_id, entry.fields) == ("update", CT1, {"status": "needs_service"})
    assert entry.device_id == "server-import" and entry.user_id == owner.id
    (pulled,) = device.pull()
    assert (pulled["entity_id"], pulled["fields"]["status"]) == (CT1, "needs_service")
    assert pulled["fields"]["tag"] == "CT-1"  # a whole row, as pulls always are
    assert stored(app, "equipment", CAM1).deleted is False

    # Again: nothing to do, nothing logged.
    again = run(repo, update=True)
    assert not again.changed and again.updated == {} and again.differing == {}
    assert sum(again.unchanged.values()) == total + 1 - 2
    assert newest_seq(app) == entry.seq

    # --prune: the removed rows are tombstoned, the connection before the camera.
    pruned = run(repo, update=True, prune=True)
    assert pruned.deleted == {"connection": 1, "equipment": 1} and pruned.rejected == []
    entries = log_after(app, entry.seq or 0)
    assert [(e.op, e.entity_id, e.fields) for e in entries] == [
        ("delete", CAM1_LINK, {"deleted": True}),
        ("delete", CAM1, {"deleted": True}),
    ]
    assert stored(app, "equipment", CAM1).deleted and stored(app, "connection", CAM1_LINK).deleted
    assert sorted((c["entity_id"], c["deleted"]) for c in device.pull()) == sorted(
        [(CAM1, True), (CAM1_LINK, True)]
    )
    assert not run(repo, update=True, prune=True).changed
    assert newest_seq(app) == entries[-1].seq


def test_prune_without_update_is_refused_and_changes_nothing(
    app: FastAPI, repo: Path, run: Callable[..., Any]
) -> None:
    run(repo)
    remove_camera(repo)
    before = newest_seq(app)
    with pytest.raises(ServerImportError, match="needs update mode"):
        run(repo, prune=True)
    assert newest_seq(app) == before
    assert stored(app, "equipment", CAM1).deleted is False


def test_an_earlier_device_edit_of_the_same_field_pushed_later_is_a_conflict(
    app: FastAPI, client: TestClient, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    run(repo)
    device = Device(client, owner)
    device.pull()
    same_field = device.edit(CT1, status="out_of_service")  # made offline, before the import
    other_field = device.edit(CT1, serial="BAL0933B805-R")

    set_field(repo, CT1, "status", "needs_service")
    assert run(repo, update=True).updated_fields == {"equipment": 1}
    lost, kept = device.push(same_field, other_field)

    assert (lost["status"], lost["winning"]) == ("merged", {"status": "needs_service"})
    assert kept["status"] == "accepted"  # another field: merged, no conflict
    row = stored(app, "equipment", CT1)
    assert (row.values["status"], row.values["serial"]) == ("needs_service", "BAL0933B805-R")
    with session_scope(app.state.engine) as session:
        (conflict,) = session.exec(select(ConflictEntry)).all()
    assert (conflict.field, conflict.winner_value, conflict.loser_value) == (
        "status",
        "needs_service",
        "out_of_service",
    )
    assert (conflict.winner_device, conflict.loser_device) == ("server-import", "tablet1")
    page = client.get("/v1/sync/pull", params={"cursor": 0}, headers=device.headers).json()
    assert [c["loser_value"] for c in page["conflicts"]] == ["out_of_service"]


def test_a_device_edit_already_on_the_server_is_overwritten_without_a_conflict(
    app: FastAPI, client: TestClient, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    """The import compared the repository with that edit (base_rev = the row's seq) and its
    clock observed the edit's stamp, so it wins even over a device clock running ahead;
    the old value stays in the change log."""
    run(repo)
    device = Device(client, owner)
    device.pull()
    device.clock = HybridClock("tablet1", now_ms=lambda: wall_clock_ms() + 3_600_000)
    assert device.push(device.edit(CT1, status="out_of_service"))[0]["status"] == "accepted"

    set_field(repo, CT1, "status", "needs_service")
    report = run(repo, update=True)
    assert report.updated_fields == {"equipment": 1} and report.rejected == []
    assert stored(app, "equipment", CT1).values["status"] == "needs_service"
    with session_scope(app.state.engine) as session:
        assert session.exec(select(ConflictEntry)).all() == []
    ops = [(e.device_id, e.fields) for e in log_after(app, 0) if e.entity_id == CT1]
    assert ops[1:] == [
        ("tablet1", {"status": "out_of_service"}),
        ("server-import", {"status": "needs_service"}),
    ]


def test_a_row_deleted_on_the_server_is_reported_not_restored(
    app: FastAPI, client: TestClient, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    run(repo)
    device = Device(client, owner)
    device.pull()
    gone = {**device.edit(CT1), "op": "delete", "fields": {"deleted": True}}
    assert device.push(gone)[0]["status"] == "accepted"
    set_field(repo, CT1, "status", "needs_service")
    before = newest_seq(app)

    report = run(repo, update=True)
    assert report.skipped_deleted == {"equipment": [CT1]}
    assert report.updated == {} and report.skipped["equipment"] == 154
    assert newest_seq(app) == before
    row = stored(app, "equipment", CT1)
    assert row.deleted and row.values["status"] == "operational"


def test_update_change_ids_are_deterministic_and_bound_to_the_row_version(
    app: FastAPI, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    run(repo)
    set_field(repo, CT1, "status", "needs_service")
    snap = read_repo(repo)

    def planned_updates() -> list[ChangeIn]:
        with session_scope(app.state.engine) as session:
            report = ServerImportReport(snap.building.id, "", owner.email, update=True)
            return plan_import(snap, server_rows(session, snap), report, HybridClock("x")).updates

    first, second = planned_updates(), planned_updates()
    assert [(c.change_id, c.base_rev, c.fields) for c in first] == [
        (c.change_id, c.base_rev, c.fields) for c in second
    ]
    assert [(c.base_rev, c.fields) for c in first] == [
        (stored(app, "equipment", CT1).seq, {"status": "needs_service"})
    ]

    # A second import that planned on the same state (a retry after a crash, or a race)
    # sends the same change ids: the push path answers them again and applies nothing.
    assert run(repo, update=True).updated == {"equipment": 1}
    after = newest_seq(app)
    with session_scope(app.state.engine) as session:
        answer = push(
            session,
            PushRequest(device_id="server-import", changes=first),
            user_id=owner.id,
            accesses=dict(crud.building_access(session, owner.id)),
            claim_building=lambda _: None,
        )
        session.commit()
    assert [r.seq for r in answer.results] == [after]
    assert newest_seq(app) == after


def test_prune_holds_back_a_delete_that_would_leave_a_row_pointing_at_nothing(
    app: FastAPI, owner: Account, repo: Path, run: Callable[..., Any]
) -> None:
    """The push path does not check references; the import must not orphan rows."""
    run(repo)
    snap = read_repo(repo)
    with session_scope(app.state.engine) as session:
        lock_for_push(session)
        rows = server_rows(session, snap)
        report = ServerImportReport(snap.building.id, "", owner.email, update=True, prune=True)
        importer = _Importer(
            session, report, owner_id=owner.id, batch_size=100, progress=lambda done, of: None
        )
        # Only the camera, not the connection pointing at it (which stays).
        importer.prune(snap, {("equipment", CAM1): rows[("equipment", CAM1)]})
        session.commit()
    assert report.deleted == {}
    (refused,) = report.rejected
    assert (refused.entity, refused.entity_id, refused.op) == ("equipment", CAM1, "delete")
    assert "1 connection" in refused.reason
    assert stored(app, "equipment", CAM1).deleted is False
