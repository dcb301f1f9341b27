"""Access changes reach devices (SQLite and PostgreSQL): after a grant is narrowed, widened or
revoked, the next sync leaves a device holding exactly what its user may now see.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.rescope import FILE_GRACE_SECONDS, discard_unreferenced_files
from arxos_desktop.store.search import search
from arxos_desktop.store.workorders import create_work_order
from sync.client import OfflineError, RefreshingAuth, SyncClient, SyncReport, sign_in
from sync.ids import new_id
from sync.outbox import ChangeState, count_changes, read_changes
from sync.protocol import PullResponse
from sync.server import crud
from sync.server.crud import BuildingAccess
from sync.server.db import session_scope
from sync.server.models import Role
from sync.server.scope import scope_tag
from tests.live_server import serve
from tests.server.conftest import Account, UserFactory, bearer, login, on_both_databases

TABLES = {
    "building": "buildings",
    "floor": "floors",
    "room": "rooms",
    "equipment": "equipment",
    "workorder": "work_orders",
    "note": "notes",
}


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def owner(user_factory: UserFactory) -> Account:
    return user_factory(email="owner@example.com", org="Harbor Facilities")


@pytest.fixture
def tech(user_factory: UserFactory) -> Account:
    return user_factory(email="tech@example.com")


@dataclass
class TwoFloors:
    """A building whose rows split cleanly by floor: ``upper`` are the floor-2 ones."""

    building_id: str
    org_id: str
    lower: set[str]
    upper: set[str]
    crac_id: str


def build_two_floors(replica: Replica) -> TwoFloors:
    building = create_building(replica, name="Pier Two", address="2 Harbour Rd")
    with replica.transaction() as w:
        org = w.insert("organization", {"name": "Harbor Facilities"})
        w.update("building", building.id, {"org_id": org["id"]})
        floor1 = w.insert("floor", {"building_id": building.id, "level": 1, "name": "Level 1"})
        floor2 = w.insert("floor", {"building_id": building.id, "level": 2, "name": "Level 2"})
        lobby = w.insert(
            "room",
            {
                "building_id": building.id,
                "floor_id": floor1["id"],
                "number": "101",
                "name": "Lobby",
            },
        )
        servers = w.insert(
            "room",
            {"building_id": building.id, "floor_id": floor2["id"], "number": "201",
             "name": "Server hall"},
        )  # fmt: skip
    ahu = create_equipment(
        replica, building_id=building.id, tag="AHU-1", system="hvac", room_id=lobby["id"]
    )
    crac = create_equipment(
        replica, building_id=building.id, tag="CRAC-2", system="hvac", room_id=servers["id"],
        name="Precision cooler",
    )  # fmt: skip
    ahu_wo = create_work_order(
        replica, building_id=building.id, title="Replace lobby filters", equipment_id=ahu.id
    )
    crac_wo = create_work_order(
        replica, building_id=building.id, title="Descale humidifier", equipment_id=crac.id
    )
    crac_note = add_note(replica, target_kind="equipment", target_id=crac.id, text="Compressor hum")
    lower = {building.id, floor1["id"], lobby["id"], ahu.id, ahu_wo.id}
    upper = {floor2["id"], servers["id"], crac.id, crac_wo.id, crac_note.id}
    return TwoFloors(building.id, org["id"], lower, upper, crac.id)


def client_for(base_url: str, replica: Replica, account: Account, **kwargs: object) -> SyncClient:
    tokens = sign_in(
        base_url, email=account.email, password=account.password, device_id=replica.device_id
    )
    auth = RefreshingAuth(tokens, refresh_url=f"{base_url}/v1/auth/refresh")
    return SyncClient(base_url, target=ReplicaSyncTarget(replica), auth=auth, **kwargs)  # type: ignore[arg-type]


def set_grant(app: FastAPI, who: Account, building_id: str, floors: list[int] | None) -> None:
    with session_scope(app.state.engine) as session:
        crud.grant(
            session, user_id=who.id, building_id=building_id, role="technician", floors=floors
        )


def revoke(app: FastAPI, who: Account, building_id: str) -> None:
    with session_scope(app.state.engine) as session:
        assert crud.revoke_grant(session, user_id=who.id, building_id=building_id)


def held(replica: Replica, building_id: str) -> set[str]:
    """Ids of every row of the building on the device."""
    ids: set[str] = set()
    for table in TABLES.values():
        rows = replica.conn.execute(f"SELECT id FROM {table} WHERE building_id = ?", (building_id,))
        ids.update(row[0] for row in rows)
    return ids


def indexed(replica: Replica, table: str, word: str) -> int:
    """Entries of the full-text index itself (not joined to rows) that match *word*."""
    query = f"SELECT count(*) FROM {table}_fts WHERE {table}_fts MATCH ?"
    return int(replica.conn.execute(query, (f'"{word}"*',)).fetchone()[0])


@on_both_databases
def test_narrowing_removes_rows_and_widening_brings_them_back(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    admin, field = Replica.open(tmp_path / "admin"), Replica.open(tmp_path / "tech")
    pier = build_two_floors(admin)
    client_for(base_url, admin, owner).sync_once()
    set_grant(app, tech, pier.building_id, [1, 2])
    sync = client_for(base_url, field, tech)
    first = sync.sync_once()
    assert held(field, pier.building_id) == pier.lower | pier.upper
    assert first.removed_by_scope == 0 and first.pulled == 11  # the organisation too

    set_grant(app, tech, pier.building_id, [1])
    narrowed = sync.sync_once()
    assert held(field, pier.building_id) == pier.lower
    assert narrowed.removed_by_scope == len(pier.upper)
    assert field.conn.execute("SELECT count(*) FROM organizations").fetchone()[0] == 1
    assert [hit.title for hit in search(field, "CRAC")] == []
    assert search(field, "descale") == [] and search(field, "compressor") == []
    assert indexed(field, "equipment", "CRAC") == indexed(field, "work_orders", "descale") == 0
    assert indexed(field, "rooms", "server") == indexed(field, "notes", "compressor") == 0
    assert [hit.title for hit in search(field, "AHU")] == ["AHU-1"]
    assert count_changes(field.conn) == 0  # remote removals: nothing to push
    assert count_changes(field.conn, state=ChangeState.REJECTED) == 0

    cursor = ReplicaSyncTarget(field).cursor()
    set_grant(app, tech, pier.building_id, [1, 2])
    widened = sync.sync_once()
    assert held(field, pier.building_id) == pier.lower | pier.upper
    revs = field.conn.execute("SELECT max(server_rev) FROM equipment").fetchone()[0]
    assert revs <= cursor  # every row came back although the cursor was past it
    assert widened.removed_by_scope == 0
    assert [hit.title for hit in search(field, "CRAC")] == ["CRAC-2"]
    assert indexed(field, "notes", "compressor") == 1

    quiet = sync.sync_once()
    assert quiet.pulled == 0 and quiet.removed_by_scope == 0  # nothing re-pulled once settled


@on_both_databases
def test_revoking_removes_the_building_and_only_that_building(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    admin, field = Replica.open(tmp_path / "admin"), Replica.open(tmp_path / "tech")
    pier = build_two_floors(admin)
    other = create_building(admin, name="Warehouse")
    create_equipment(admin, building_id=other.id, tag="DOCK-1", system="electrical")
    client_for(base_url, admin, owner).sync_once()
    set_grant(app, tech, pier.building_id, None)
    set_grant(app, tech, other.id, None)
    sync = client_for(base_url, field, tech)
    sync.sync_once()
    kept = held(field, other.id)
    assert len(kept) == 2 and held(field, pier.building_id) == pier.lower | pier.upper

    revoke(app, tech, pier.building_id)
    report = sync.sync_once()
    assert held(field, pier.building_id) == set()
    assert report.removed_by_scope == len(pier.lower | pier.upper) + 1  # and its organisation
    assert field.conn.execute("SELECT count(*) FROM organizations").fetchone()[0] == 0
    assert held(field, other.id) == kept
    assert search(field, "AHU") == [] and indexed(field, "equipment", "AHU") == 0
    assert ReplicaSyncTarget(field).scope_tags().keys() == {other.id}

    set_grant(app, tech, pier.building_id, [1])  # given back, narrower than before
    sync.sync_once()
    assert held(field, pier.building_id) == pier.lower


@on_both_databases
def test_a_pending_edit_on_a_row_leaving_scope_is_kept_until_the_server_answers_it(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    admin, field = Replica.open(tmp_path / "admin"), Replica.open(tmp_path / "tech")
    pier = build_two_floors(admin)
    client_for(base_url, admin, owner).sync_once()
    set_grant(app, tech, pier.building_id, [1, 2])
    sync = client_for(base_url, field, tech)
    sync.sync_once()
    update_equipment(field, pier.crac_id, {"status": "needs_service"})  # offline, not yet sent
    set_grant(app, tech, pier.building_id, [1])

    report = SyncReport()
    sync.pull_all(report)  # a pull before the edit was pushed
    assert held(field, pier.building_id) == pier.lower | {pier.crac_id}
    assert report.removed_by_scope == len(pier.upper) - 1
    (pending,) = read_changes(field.conn, state=ChangeState.PENDING)
    assert pending.entity_id == pier.crac_id

    answered = sync.sync_once()
    assert answered.rejected == 1 and "outside the systems or floors" in answered.rejections[0]
    assert held(field, pier.building_id) == pier.lower
    assert answered.removed_by_scope == 1
    (kept,) = read_changes(field.conn, state=ChangeState.REJECTED)
    assert kept.fields == {"status": "needs_service"} and "outside" in kept.reason
    assert sync.sync_once().removed_by_scope == 0
    assert count_changes(field.conn, state=ChangeState.REJECTED) == 1


class CutMidRescope(httpx.HTTPTransport):
    """The network drops after the first page of a building's re-pull."""

    def __init__(self) -> None:
        super().__init__()
        self.rescope_pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "building" in request.url.params:
            self.rescope_pages += 1
            if self.rescope_pages > 1:
                raise httpx.ConnectError("network down", request=request)
        return super().handle_request(request)


@on_both_databases
def test_an_interrupted_rescope_is_completed_by_the_next_sync(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    admin, field = Replica.open(tmp_path / "admin"), Replica.open(tmp_path / "tech")
    pier = build_two_floors(admin)
    client_for(base_url, admin, owner).sync_once()
    set_grant(app, tech, pier.building_id, [1])
    client_for(base_url, field, tech).sync_once()
    assert held(field, pier.building_id) == pier.lower
    narrow_tag = ReplicaSyncTarget(field).scope_tags()[pier.building_id]

    set_grant(app, tech, pier.building_id, [1, 2])
    transport = CutMidRescope()
    flaky = client_for(
        base_url, field, tech, http=httpx.Client(base_url=base_url, transport=transport),
        page_size=3, attempts=1,
    )  # fmt: skip
    with pytest.raises(OfflineError):
        flaky.sync_once()
    assert transport.rescope_pages == 2
    assert held(field, pier.building_id) < pier.lower | pier.upper  # only the first page
    assert ReplicaSyncTarget(field).scope_tags()[pier.building_id] == narrow_tag

    report = client_for(base_url, field, tech, page_size=3).sync_once()
    assert held(field, pier.building_id) == pier.lower | pier.upper
    assert ReplicaSyncTarget(field).scope_tags()[pier.building_id] != narrow_tag
    assert report.removed_by_scope == 0


def equipment_id(replica: Replica, tag: str) -> str:
    return str(replica.conn.execute("SELECT id FROM equipment WHERE tag = ?", (tag,)).fetchone()[0])


def room_id(replica: Replica, number: str) -> str:
    return str(
        replica.conn.execute("SELECT id FROM rooms WHERE number = ?", (number,)).fetchone()[0]
    )


def hanging_off(replica: Replica, equipment: str, *, with_notes: bool = False) -> set[str]:
    """Ids of the work orders (and notes) of a piece of equipment."""
    query = "SELECT id FROM work_orders WHERE equipment_id = ?"
    if with_notes:
        query += " UNION ALL SELECT id FROM notes WHERE target_id = ?"
    params = (equipment, equipment) if with_notes else (equipment,)
    return {row[0] for row in replica.conn.execute(query, params)}


@on_both_databases
def test_rows_moved_across_a_narrowed_scope_leave_and_reach_the_device(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    """A move by someone else (no grant changed) takes what hangs off the row along."""
    admin, field, whole = (Replica.open(tmp_path / name) for name in ("admin", "tech", "whole"))
    pier = build_two_floors(admin)
    admin_sync = client_for(base_url, admin, owner)
    admin_sync.sync_once()
    set_grant(app, tech, pier.building_id, [1])
    sync = client_for(base_url, field, tech)
    sync.sync_once()
    assert held(field, pier.building_id) == pier.lower
    owner_again = client_for(base_url, whole, owner)  # a second device seeing everything
    owner_again.sync_once()

    ahu = equipment_id(admin, "AHU-1")
    ahu_wo = hanging_off(admin, ahu)
    update_equipment(admin, ahu, {"room_id": room_id(admin, "201")})  # up to floor 2
    admin_sync.sync_once()
    moved_out = sync.sync_once()
    assert held(field, pier.building_id) == pier.lower - {ahu, *ahu_wo}
    assert moved_out.removed_by_scope == 2  # the unit and its work order
    assert search(field, "AHU") == [] and search(field, "lobby filters") == []
    assert count_changes(field.conn) == 0

    update_equipment(admin, pier.crac_id, {"room_id": room_id(admin, "101")})  # down to floor 1
    admin_sync.sync_once()
    moved_in = sync.sync_once()
    crac_rows = {pier.crac_id, *hanging_off(admin, pier.crac_id, with_notes=True)}
    assert held(field, pier.building_id) == (pier.lower - {ahu, *ahu_wo}) | crac_rows
    assert moved_in.removed_by_scope == 0
    assert [hit.title for hit in search(field, "CRAC")] == ["CRAC-2"]
    assert indexed(field, "notes", "compressor") == 1  # the note on it came along

    settled = owner_again.sync_once()  # sees everything: the moves cost it no re-download
    assert settled.pulled == 2 and settled.removed_by_scope == 0
    assert held(whole, pier.building_id) == held(admin, pier.building_id)


def attach(replica: Replica, building_id: str, target_id: str, sha: str) -> str:
    with replica.transaction() as w:
        row = w.insert(
            "attachment",
            {
                "building_id": building_id,
                "target_kind": "equipment",
                "target_id": target_id,
                "blob_sha256": sha,
                "mime_type": "image/jpeg",
            },
        )
    return str(row["id"])


def age(replica: Replica, *shas: str) -> None:
    """Make stored files look downloaded a while ago (past the grace period)."""
    then = time.time() - 10 * FILE_GRACE_SECONDS
    for sha in shas:
        os.utime(replica.blobs.path_for(sha), (then, then))


@on_both_databases
def test_files_of_rows_that_left_leave_the_device_unless_still_cited(
    app: FastAPI, base_url: str, owner: Account, tech: Account, tmp_path: Path
) -> None:
    admin, field = Replica.open(tmp_path / "admin"), Replica.open(tmp_path / "tech")
    pier = build_two_floors(admin)
    ahu = equipment_id(admin, "AHU-1")
    photo = admin.blobs.put_bytes(b"photo of the CRAC unit")
    diagram = admin.blobs.put_bytes(b"wiring diagram of both units")
    attach(admin, pier.building_id, pier.crac_id, photo)
    attach(admin, pier.building_id, pier.crac_id, diagram)
    attach(admin, pier.building_id, ahu, diagram)  # also cited on floor 1
    client_for(base_url, admin, owner).sync_once()
    set_grant(app, tech, pier.building_id, [1, 2])
    sync = client_for(base_url, field, tech)
    first = sync.sync_once()
    assert first.blobs_downloaded == 2 and field.blobs.has(photo) and field.blobs.has(diagram)
    age(field, photo, diagram)

    set_grant(app, tech, pier.building_id, [1])
    narrowed = sync.sync_once()
    assert narrowed.removed_by_scope == len(pier.upper) + 2  # and the two CRAC attachments
    assert not field.blobs.has(photo)  # cited only by rows that left
    assert field.blobs.has(diagram)  # the AHU's attachment still cites it

    set_grant(app, tech, pier.building_id, [1, 2])
    widened = sync.sync_once()
    assert widened.blobs_downloaded == 1 and field.blobs.has(photo)  # fetched again


def test_a_file_stored_just_now_is_never_discarded(tmp_path: Path) -> None:
    """The app stores a file before committing the row that cites it: that gap is safe."""
    replica = Replica.open(tmp_path / "r")
    fresh = replica.blobs.put_bytes(b"just imported")
    old = replica.blobs.put_bytes(b"downloaded long ago")
    age(replica, old)
    assert discard_unreferenced_files(replica, {fresh, old}) == 1
    assert replica.blobs.has(fresh) and not replica.blobs.has(old)
    age(replica, fresh)
    replica.blobs.put_bytes(b"just imported")  # the same file stored again: fresh again
    assert discard_unreferenced_files(replica, {fresh}) == 0 and replica.blobs.has(fresh)


def test_only_a_change_of_a_field_that_decides_visibility_moves_scope() -> None:
    from sync.server.scope import moves_scope

    before = {"system": "hvac", "floor_id": "f1", "name": "AHU-1"}
    assert not moves_scope("equipment", before, {**before, "name": "AHU-1 (east)"})
    assert moves_scope("equipment", before, {**before, "floor_id": "f2"})
    assert moves_scope("equipment", before, {**before, "system": "electrical"})
    assert moves_scope("floor", {"level": 1}, {"level": 2})
    assert moves_scope("note", {"target_id": "a"}, {"target_id": "b"})
    assert not moves_scope("building", {"name": "A"}, {"name": "B"})
    narrowed = BuildingAccess("b", Role.TECHNICIAN, None, frozenset({1}))
    whole = BuildingAccess("b", Role.TECHNICIAN, None, None)
    assert scope_tag(narrowed, 7) != scope_tag(narrowed) == scope_tag(narrowed, 0)
    assert scope_tag(whole, 7) == scope_tag(whole)  # where a row sits cannot matter to it


@on_both_databases
def test_scope_tags_are_sent_only_to_devices_that_ask(
    app: FastAPI, client: TestClient, tech: Account
) -> None:
    building_id, other_id = new_id(), new_id()
    set_grant(app, tech, building_id, [1, 2])
    set_grant(app, tech, other_id, None)
    token = bearer(login(client, tech, device_id="t1")["access_token"])
    plain = client.get("/v1/sync/pull", headers=token)
    assert plain.status_code == 200 and "scopes" not in plain.json()  # older clients forbid it
    assert PullResponse.model_validate_json(plain.content).scopes is None
    asked = client.get("/v1/sync/pull", params={"scopes": "true"}, headers=token).json()
    narrowed = BuildingAccess(building_id, Role.TECHNICIAN, None, frozenset({1, 2}))
    whole = BuildingAccess(other_id, Role.TECHNICIAN, None, None)
    assert asked["scopes"] == {building_id: scope_tag(narrowed), other_id: scope_tag(whole)}
    one = client.get(
        "/v1/sync/pull", params={"scopes": "true", "building": building_id}, headers=token
    ).json()
    assert one["scopes"] == asked["scopes"]  # always the whole list: a missing one was revoked


def test_a_scope_tag_follows_what_the_grant_shows_not_the_role() -> None:
    def tag(role: Role, systems: set[str] | None, floors: set[int] | None) -> str:
        return scope_tag(
            BuildingAccess(
                "b",
                role,
                frozenset(systems) if systems is not None else None,
                frozenset(floors) if floors is not None else None,
            )
        )

    base = tag(Role.TECHNICIAN, {"hvac"}, {1, 2})
    assert tag(Role.VIEWER, {"hvac"}, {2, 1}) == base  # a role limits writes, not what is seen
    assert tag(Role.TECHNICIAN, {"hvac"}, {1}) != base
    assert tag(Role.TECHNICIAN, None, {1, 2}) != base
    assert tag(Role.TECHNICIAN, {"hvac", "electrical"}, {1, 2}) != base
    assert tag(Role.TECHNICIAN, None, None) != tag(Role.TECHNICIAN, set(), set())
    assert len({tag(Role.ADMIN, None, None), base}) == 2
