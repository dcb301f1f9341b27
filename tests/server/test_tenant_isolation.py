"""Tenant isolation, attacked over the real HTTP API (both databases).

Two organisations: Acme (Ann, admin of the Depot building, which names Acme's
organisation row) and Rival Co (Rex, admin of a building of his own). In the
Depot, Carl holds a contractor grant narrowed to hvac on level 1 and Vera a
read-only viewer grant (her organisation does not let members add buildings).
Each attack is pushed exactly as a device would push it, and each test says
what the server must answer and what the victim must (not) see afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from sync.clock import Stamp
from sync.ids import new_id
from sync.server import crud
from sync.server.contested import late_pointers
from sync.server.db import alembic_config, create_db_engine, session_scope
from sync.server.models import Org
from sync.server.replication import CONFLICTS_TABLE, ROWS_TABLE
from tests.server.conftest import UserFactory, bearer, login, on_both_databases

pytestmark = on_both_databases

PLANS = {level: f"%PDF-1.7 floor plan of level {level}".encode() for level in (0, 1, 2, 3)}
PHOTO = b"\xff\xd8\xff the air handler's nameplate"
_clock = iter(range(1_700_000_000_000, 1_800_000_000_000, 10))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Person:
    id: str
    headers: dict[str, str]
    device: str


@dataclass(frozen=True)
class Depot:
    """Acme's building: its id, its organisation row, and the rows attacks aim at."""

    id: str
    org: str
    floors: dict[int, str]
    ahu: str  # hvac on level 1: inside Carl's grant
    panel: str  # electrical on level 1, deleted by Ann
    plans: dict[int, str]  # document per level, each citing PLANS[level]


@dataclass(frozen=True)
class World:
    ann: Person
    rex: Person
    carl: Person
    vera: Person
    depot: Depot
    rival: str  # Rex's building
    rival_floor: str


def change(
    building_id: str | None,
    entity: str,
    entity_id: str,
    op: str,
    fields: dict[str, Any],
    *,
    change_id: str | None = None,
    device: str = "dev",
) -> dict[str, Any]:
    return {
        "change_id": change_id or new_id(),
        "entity": entity,
        "entity_id": entity_id,
        "building_id": building_id,
        "op": op,
        "fields": fields,
        "base_rev": 0,
        "hlc": Stamp(next(_clock), 0, device).pack(),
    }


def push_raw(
    client: TestClient, who: Person, *changes: dict[str, Any], cursor: int | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"device_id": who.device, "changes": list(changes)}
    if cursor is not None:
        body["cursor"] = cursor
    response = client.post("/v1/sync/push", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def accept(client: TestClient, who: Person, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    results = push_raw(client, who, *changes)
    assert [r["status"] for r in results] == ["accepted"] * len(changes), results
    return results


def refused(client: TestClient, who: Person, one: dict[str, Any], **kw: Any) -> str:
    [result] = push_raw(client, who, one, **kw)
    assert result["status"] == "rejected", result
    reason: str = result["reason"]
    return reason


def pull(client: TestClient, who: Person) -> dict[str, Any]:
    response = client.get("/v1/sync/pull", params={"limit": 1000}, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def rows_of(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["entity_id"]: c for c in page["changes"]}


def upload(client: TestClient, who: Person, data: bytes) -> None:
    headers = {**who.headers, "Upload-Length": str(len(data)), "Upload-Offset": "0"}
    assert client.put(f"/v1/blobs/{sha(data)}", content=data, headers=headers).status_code == 201


def person(client: TestClient, user_factory: UserFactory, email: str, org: str) -> Person:
    account = user_factory(email=email, org=org)
    token = login(client, account)["access_token"]
    return Person(account.id, bearer(token), f"dev-{email.split('@')[0]}")


def _build_depot(client: TestClient, ann: Person) -> Depot:
    for data in PLANS.values():
        upload(client, ann, data)
    upload(client, ann, PHOTO)
    b, org = new_id(), new_id()
    floors = {level: new_id() for level in PLANS}
    plans = {level: new_id() for level in PLANS}
    depot = Depot(b, org, floors, new_id(), new_id(), plans)
    accept(
        client,
        ann,
        change(None, "organization", org, "insert", {"name": "Acme Facilities"}),
        change(b, "building", b, "insert", {"name": "Depot", "org_id": org}),
        *(
            change(b, "floor", floors[level], "insert", {"level": level, "name": f"L{level}"})
            for level in PLANS
        ),
        change(b, "equipment", depot.ahu, "insert", {"tag": "AHU-1", "system": "hvac",
                                                     "floor_id": floors[1]}),
        change(b, "equipment", depot.panel, "insert", {"tag": "LP-1", "system": "electrical",
                                                       "floor_id": floors[1]}),
        *(
            change(b, "document", plans[level], "insert", {
                "title": f"Level {level}", "file_name": f"l{level}.pdf",
                "blob_sha256": sha(PLANS[level]), "floor_id": floors[level],
            })
            for level in PLANS
        ),
        change(b, "attachment", new_id(), "insert", {
            "target_kind": "equipment", "target_id": depot.ahu,
            "blob_sha256": sha(PHOTO), "mime_type": "image/jpeg",
        }),
    )  # fmt: skip
    accept(client, ann, change(b, "equipment", depot.panel, "delete", {"deleted": True}))
    return depot


@pytest.fixture
def world(app: FastAPI, client: TestClient, user_factory: UserFactory) -> World:
    ann = person(client, user_factory, "ann@acme.example", "Acme")
    rex = person(client, user_factory, "rex@rival.example", "Rival Co")
    carl = person(client, user_factory, "carl@cool.example", "Cool HVAC")
    vera = person(client, user_factory, "vera@look.example", "Lookers")
    depot = _build_depot(client, ann)
    rival, rival_floor = new_id(), new_id()
    accept(
        client,
        rex,
        change(rival, "building", rival, "insert", {"name": "Rival HQ"}),
        change(rival, "floor", rival_floor, "insert", {"level": 0, "name": "Ground"}),
    )
    with session_scope(app.state.engine) as session:
        crud.grant(
            session, user_id=carl.id, building_id=depot.id, role="contractor",
            systems=["hvac"], floors=[1],
        )  # fmt: skip
        crud.grant(session, user_id=vera.id, building_id=depot.id, role="viewer")
        lookers = session.exec(select(Org).where(Org.slug == "lookers")).one()
        lookers.members_can_create_buildings = False
        session.add(lookers)
        session.commit()
    return World(ann, rex, carl, vera, depot, rival, rival_floor)


def can_get(client: TestClient, who: Person, data: bytes) -> bool:
    response = client.get(f"/v1/blobs/{sha(data)}", headers=who.headers)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


# -- blobs: knowing a hash is not enough ---------------------------------------------------


def test_citing_another_tenants_blob_in_your_own_building_is_refused(
    client: TestClient, world: World
) -> None:
    reason = refused(client, world.rex, change(world.rival, "document", new_id(), "insert", {
        "title": "Stolen", "file_name": "x.pdf", "blob_sha256": sha(PLANS[0]),
    }))  # fmt: skip
    assert reason == "This document cites a file you have not uploaded; upload it first"
    assert not can_get(client, world.rex, PLANS[0])


def test_a_blob_nobody_has_is_refused_with_the_same_reason(
    client: TestClient, world: World
) -> None:
    reason = refused(client, world.rex, change(world.rival, "document", new_id(), "insert", {
        "title": "Ghost", "file_name": "x.pdf", "blob_sha256": sha(b"no such file"),
    }))  # fmt: skip
    assert reason == "This document cites a file you have not uploaded; upload it first"


def test_narrowed_contractor_cannot_reach_other_floor_plans_through_an_attachment(
    client: TestClient, world: World
) -> None:
    for level in (0, 2, 3):
        reason = refused(client, world.carl, change(world.depot.id, "attachment", new_id(),
                                                    "insert", {
            "target_kind": "equipment", "target_id": world.depot.ahu,
            "blob_sha256": sha(PLANS[level]), "mime_type": "application/pdf",
        }))  # fmt: skip
        assert "cites a file you have not uploaded" in reason
        assert not can_get(client, world.carl, PLANS[level])


def test_a_blob_you_uploaded_or_may_already_read_can_be_cited(
    client: TestClient, world: World
) -> None:
    own = b"%PDF-1.7 rival's own drawing"
    upload(client, world.rex, own)
    accept(client, world.rex, change(world.rival, "document", new_id(), "insert", {
        "title": "Ours", "file_name": "o.pdf", "blob_sha256": sha(own),
    }))  # fmt: skip
    assert can_get(client, world.carl, PLANS[1])  # the level-1 plan is in Carl's view
    accept(client, world.carl, change(world.depot.id, "attachment", new_id(), "insert", {
        "target_kind": "equipment", "target_id": world.depot.ahu,
        "blob_sha256": sha(PLANS[1]), "mime_type": "application/pdf",
    }))  # fmt: skip


def test_blob_of_another_tenant_cannot_be_read(client: TestClient, world: World) -> None:
    assert can_get(client, world.ann, PLANS[2])
    assert not can_get(client, world.rex, PLANS[2])
    assert not can_get(client, world.carl, PLANS[2])  # level 2 is outside his floors


# -- organisation rows ------------------------------------------------------------------


def test_another_organisation_cannot_rename_or_delete_an_organisation_row(
    client: TestClient, world: World
) -> None:
    org = world.depot.org
    for attack in (
        change(None, "organization", org, "update", {"name": "HACKED BY ORG2"}),
        change(None, "organization", org, "delete", {"deleted": True}),
        change(None, "organization", org, "insert", {"name": "HACKED BY ORG2"}),
    ):
        reason = refused(client, world.rex, attack)
        assert reason == (
            "Only an admin or manager of one of its buildings can change an organisation"
        )
    seen = rows_of(pull(client, world.ann))[org]
    assert seen["fields"]["name"] == "Acme Facilities"
    assert not seen["deleted"]


def test_refusal_of_an_organisation_change_does_not_tell_whether_it_exists(
    client: TestClient, world: World
) -> None:
    real = refused(client, world.rex, change(None, "organization", world.depot.org, "update",
                                             {"name": "x"}))  # fmt: skip
    ghost = refused(client, world.rex, change(None, "organization", new_id(), "update",
                                              {"name": "x"}))  # fmt: skip
    assert real == ghost


def test_a_building_cannot_be_made_one_of_another_organisation(
    client: TestClient, world: World
) -> None:
    """Else its admin would manage "a building of that organisation" and could rename it."""
    reason = refused(client, world.rex, change(world.rival, "building", world.rival, "update",
                                               {"org_id": world.depot.org}))  # fmt: skip
    assert reason == "A building can only name an organisation of your own"
    refused(client, world.rex, change(None, "organization", world.depot.org, "update",
                                      {"name": "HACKED"}))  # fmt: skip


def test_narrowed_contractor_and_viewer_cannot_change_the_organisation(
    client: TestClient, world: World
) -> None:
    for who in (world.carl, world.vera):
        refused(client, who, change(None, "organization", world.depot.org, "update",
                                    {"name": "Mine now"}))  # fmt: skip
    assert rows_of(pull(client, world.ann))[world.depot.org]["fields"]["name"] == "Acme Facilities"


def test_read_only_viewer_cannot_insert_an_organisation_row(
    client: TestClient, world: World
) -> None:
    reason = refused(client, world.vera, change(None, "organization", new_id(), "insert",
                                                {"name": "Vera's Org"}))  # fmt: skip
    assert reason == "Your organisation does not let you add organisations"


def test_the_organisations_own_admin_may_rename_it(client: TestClient, world: World) -> None:
    accept(client, world.ann, change(None, "organization", world.depot.org, "update",
                                     {"name": "Acme Facilities Ltd"}))  # fmt: skip
    assert rows_of(pull(client, world.vera))[world.depot.org]["fields"]["name"] == (
        "Acme Facilities Ltd"
    )


# -- references across buildings --------------------------------------------------------


def test_work_order_cannot_point_at_another_buildings_equipment(
    client: TestClient, world: World
) -> None:
    foreign = refused(client, world.rex, change(world.rival, "workorder", new_id(), "insert", {
        "title": "Service their AHU", "equipment_id": world.depot.ahu,
    }))  # fmt: skip
    missing = refused(client, world.rex, change(world.rival, "workorder", new_id(), "insert", {
        "title": "Service nothing", "equipment_id": new_id(),
    }))  # fmt: skip
    assert foreign == missing == "This workorder points at a equipment that is not in its building"


def test_equipment_cannot_sit_on_another_organisations_floor(
    client: TestClient, world: World
) -> None:
    reason = refused(client, world.rex, change(world.rival, "equipment", new_id(), "insert", {
        "tag": "AHU-9", "system": "hvac", "floor_id": world.depot.floors[1],
    }))  # fmt: skip
    assert "is not in its building" in reason
    note = refused(client, world.rex, change(world.rival, "note", new_id(), "insert", {
        "target_kind": "building", "target_id": world.depot.id, "text": "hello", "source": "typed",
    }))  # fmt: skip
    assert "is not in its building" in note


def test_references_to_rows_earlier_in_the_same_push_are_accepted(
    client: TestClient, world: World
) -> None:
    unit, order = new_id(), new_id()
    accept(
        client,
        world.rex,
        change(world.rival, "equipment", unit, "insert",
               {"tag": "AHU-1", "system": "hvac", "floor_id": world.rival_floor}),
        change(world.rival, "workorder", order, "insert",
               {"title": "Commission", "equipment_id": unit}),
    )  # fmt: skip


def test_an_edit_cannot_repoint_a_stored_row_at_another_buildings_row(
    client: TestClient, world: World
) -> None:
    """Stored rows whose edits set no pointer skip the check, so an edit that does must not."""
    unit, memo = new_id(), new_id()
    accept(
        client,
        world.rex,
        change(world.rival, "equipment", unit, "insert",
               {"tag": "AHU-1", "system": "hvac", "floor_id": world.rival_floor}),
        change(world.rival, "note", memo, "insert",
               {"target_kind": "equipment", "target_id": unit, "text": "Belt worn"}),
    )  # fmt: skip
    accept(client, world.rex, change(world.rival, "equipment", unit, "update", {"name": "Roof"}))
    moved = refused(client, world.rex, change(world.rival, "equipment", unit, "update",
                                              {"floor_id": world.depot.floors[1]}))  # fmt: skip
    retargeted = refused(client, world.rex, change(world.rival, "note", memo, "update",
                                                   {"target_id": world.depot.ahu}))  # fmt: skip
    rekinded = refused(client, world.rex, change(world.rival, "note", memo, "update",
                                                 {"target_kind": "building"}))  # fmt: skip
    assert moved == "This equipment points at a floor that is not in its building"
    assert retargeted == "This note points at a equipment that is not in its building"
    assert rekinded == "This note points at a building that is not in its building"


def test_no_conflict_record_is_planted_in_another_tenants_building(
    client: TestClient, world: World
) -> None:
    """A pointer at a deleted row of another building never puts a record in that building."""
    doomed = new_id()
    accept(client, world.rex, change(world.rival, "floor", doomed, "insert",
                                     {"level": 5, "name": "L5"}))  # fmt: skip
    accept(client, world.rex, change(world.rival, "floor", doomed, "delete", {"deleted": True}))
    # Cursor 0: Rex's device "had not pulled" his building's delete, so pointers are checked.
    refused(client, world.rex, change(world.rival, "workorder", new_id(), "insert", {
        "title": "Revive their panel", "equipment_id": world.depot.panel,
    }), cursor=0)  # fmt: skip
    assert pull(client, world.ann)["conflicts"] == []


def test_late_pointer_check_ignores_rows_of_other_buildings(engine: Engine) -> None:
    """Second line of defence: even a pointer that got through never names another building."""
    panel = new_id()
    hlc = Stamp(next(_clock), 0, "dev-ann").pack()
    with Session(engine) as session:
        db = session.connection()
        db.execute(insert(ROWS_TABLE), [{
            "entity": "equipment", "id": panel, "building_id": "b1", "values": {},
            "clocks": [], "deleted": True, "created_hlc": hlc, "updated_hlc": hlc, "seq": 1,
        }])  # fmt: skip
        pointer = (Stamp(next(_clock), 0, "dev-rex").pack(), 2)
        assert late_pointers(db, {}, {("equipment", panel): (*pointer, "b2")}) == []
        [contest] = late_pointers(db, {}, {("equipment", panel): (*pointer, "b1")})
        assert contest.building_id == "b1"


# -- stored answers ---------------------------------------------------------------------


def test_replaying_another_users_change_id_gets_an_answer_to_your_own_change(
    client: TestClient, world: World
) -> None:
    taken = new_id()
    [ann_answer] = accept(client, world.ann, change(world.depot.id, "equipment", world.depot.ahu,
                                                    "update", {"name": "Roof unit"},
                                                    change_id=taken))  # fmt: skip
    mine = new_id()
    [rex_answer] = accept(client, world.rex, change(world.rival, "equipment", mine, "insert", {
        "tag": "FCU-1", "system": "hvac", "floor_id": world.rival_floor,
    }, change_id=taken))  # fmt: skip
    assert rex_answer["seq"] != ann_answer["seq"]
    assert mine in rows_of(pull(client, world.rex))


def test_replaying_another_users_stored_answer_does_not_return_it(
    client: TestClient, world: World
) -> None:
    taken = new_id()
    # Older than Ann's edits: Ann's change merges and her answer carries her building's values.
    stale = change(world.depot.id, "equipment", world.depot.ahu, "update", {"tag": "OLD"},
                   change_id=taken)  # fmt: skip
    stale["hlc"] = Stamp(1_600_000_000_000, 0, "dev-ann").pack()
    stale["base_rev"] = 1
    [ann_answer] = push_raw(client, world.ann, stale)
    assert ann_answer["status"] == "merged"
    [rex_answer] = accept(client, world.rex, change(world.rival, "floor", new_id(), "insert",
                                                    {"level": 1, "name": "First"},
                                                    change_id=taken))  # fmt: skip
    assert rex_answer["winning"] == {}


# -- reasons do not tell what exists elsewhere -------------------------------------------


def test_reasons_do_not_tell_whether_an_id_exists_in_a_building_you_cannot_see(
    client: TestClient, world: World
) -> None:
    for building in (world.rival, world.depot.id):
        real = refused(client, world.rex, change(building, "equipment", world.depot.ahu, "update",
                                                 {"name": "x"}))  # fmt: skip
        ghost = refused(client, world.rex, change(building, "equipment", new_id(), "update",
                                                  {"name": "x"}))  # fmt: skip
        assert real == ghost


# -- attacks already refused, kept as regressions ----------------------------------------


def test_another_tenant_pulls_nothing_of_the_building(client: TestClient, world: World) -> None:
    seen = rows_of(pull(client, world.rex))
    depot_rows = {world.depot.id, world.depot.org, world.depot.ahu, *world.depot.floors.values()}
    assert not depot_rows & seen.keys()
    assert world.rival in seen


def test_events_of_another_tenant_are_not_streamed(client: TestClient, world: World) -> None:
    cursor = pull(client, world.rex)["cursor"]
    accept(client, world.ann, change(world.depot.id, "equipment", world.depot.ahu, "update",
                                     {"name": "Changed"}))  # fmt: skip
    stream = _events(client, world.rex, cursor)
    assert "event: cursor" not in "".join(stream)
    assert "event: cursor" in "".join(_events(client, world.vera, cursor))


def _events(client: TestClient, who: Person, cursor: int) -> Iterator[str]:
    params = {"cursor": cursor, "seconds": 1}
    with client.stream("GET", "/v1/sync/events", params=params, headers=who.headers) as response:
        assert response.status_code == 200
        yield from response.iter_text()


def test_narrowed_contractor_cannot_move_equipment_out_of_scope(
    client: TestClient, world: World
) -> None:
    move = {"floor_id": world.depot.floors[2]}
    reason = refused(
        client, world.carl, change(world.depot.id, "equipment", world.depot.ahu, "update", move)
    )
    assert "outside the systems or floors you were granted" in reason


# -- upgrading a server that already holds data ------------------------------------------


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        getattr(command, direction)(config, revision)


def test_upgrade_keeps_answers_and_records_who_created_each_organisation(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url)
    try:
        _migrate(engine, "upgrade", "0006")
        org_row, user, account, change_id = new_id(), new_id(), new_id(), new_id()
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO srv_organizations (id, name, slug, "
                        "members_can_create_buildings, created_at) VALUES (:id, 'A', 'a', "
                        ":yes, :now)"),
                {"id": account, "yes": True, "now": now},
            )  # fmt: skip
            conn.execute(
                sa.text("INSERT INTO srv_users (id, email, full_name, password_hash, org_id, "
                        "is_active, is_superuser, created_at) VALUES (:id, 'a@x', '', 'h', "
                        ":org, :yes, :no, :now)"),
                {"id": user, "org": account, "yes": True, "no": False, "now": now},
            )  # fmt: skip
            for seq, op in ((1, "insert"), (2, "update")):
                conn.execute(
                    sa.text("INSERT INTO srv_change_log (seq, change_id, building_id, entity, "
                            "entity_id, op, fields, hlc, device_id, user_id, created_at) VALUES "
                            "(:seq, :cid, NULL, 'organization', :row, :op, '{}', 'h', 'd', "
                            ":user, :now)"),
                    {"seq": seq, "cid": new_id(), "row": org_row, "op": op,
                     "user": user if seq == 1 else new_id(), "now": now},
                )  # fmt: skip
            conn.execute(
                sa.text("INSERT INTO srv_applied_changes (change_id, device_id, user_id, result, "
                        "created_at) VALUES (:cid, 'd', :user, '{}', :now)"),
                {"cid": change_id, "user": user, "now": now},
            )  # fmt: skip
        _migrate(engine, "upgrade", "0007")
        with engine.connect() as conn:
            owners = conn.execute(
                sa.text("SELECT row_id, account_org_id, user_id FROM srv_organization_owners")
            ).all()
            answers = conn.execute(
                sa.text("SELECT user_id, change_id FROM srv_applied_changes")
            ).all()
        assert [tuple(o) for o in owners] == [(org_row, account, user)]
        assert [tuple(a) for a in answers] == [(user, change_id)]
        _migrate(engine, "downgrade", "0006")
        assert "srv_organization_owners" not in sa.inspect(engine).get_table_names()
        _migrate(engine, "upgrade", "head")
    finally:
        engine.dispose()


def test_a_conflict_record_naming_a_row_of_another_building_is_never_pulled(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """Pull's own check: a record is shown only for a row of the building it was filed under."""
    hlc = Stamp(next(_clock), 0, "dev-rex").pack()
    with Session(app.state.engine) as session:
        session.connection().execute(insert(CONFLICTS_TABLE), [{
            "id": new_id(), "building_id": world.rival, "entity": "equipment",
            "entity_id": world.depot.ahu, "field": "name", "winner_value": "AHU secret",
            "loser_value": "x", "winner_hlc": hlc, "loser_hlc": hlc, "winner_device": "dev-rex",
            "loser_device": "dev-rex", "seq": 1, "created_at": dt.datetime.now(dt.UTC),
        }])  # fmt: skip
        session.commit()
    assert pull(client, world.rex)["conflicts"] == []


def depot_and_rival(client: TestClient, acme_admin: Person, rival_admin: Person) -> tuple[str, str]:
    """Acme's Depot and Rival Co's HQ, each pushed by its own admin: (depot, rival) ids."""
    depot, org_row, rival, rival_org = new_id(), new_id(), new_id(), new_id()
    accept(
        client,
        acme_admin,
        change(None, "organization", org_row, "insert", {"name": "Acme Facilities"}),
        change(depot, "building", depot, "insert", {"name": "Depot", "org_id": org_row}),
    )
    accept(
        client,
        rival_admin,
        change(None, "organization", rival_org, "insert", {"name": "Rival"}),
        change(rival, "building", rival, "insert", {"name": "Rival HQ", "org_id": rival_org}),
    )
    return depot, rival
