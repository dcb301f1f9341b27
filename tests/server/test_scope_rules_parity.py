"""The server and the app decide scope with one set of rules (``sync.scope_rules``).

The same building is held twice: as a device replica (the app's ``PassScope`` reads
it with SQL) and as the server's stored rows (``sync.server.scope`` reads them
through ``RowLookup`` in a real server session). Every entity kind, under grants
narrowed by floors, systems, both or neither, with the three roles a contractor
can hold, must get the same answer from both ends: the same visibility, the same
refusal and the same sentence. Should one end grow a rule of its own, some case
here answers differently and names itself.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlmodel import Session

from arxos_desktop.access.scope import PassScope
from arxos_desktop.store import Replica
from arxos_desktop.store.codec import codec_for
from sync import scope_rules
from sync.ids import new_id
from sync.outbox import read_changes
from sync.scope_rules import Refusal
from sync.server.crud import BuildingAccess
from sync.server.db import create_db_engine, run_migrations
from sync.server.models import Role
from sync.server.replication import ROWS_TABLE
from sync.server.scope import RowLookup, in_scope, write_decision, write_refusal
from sync.tokens import Permission

#: Scopes as (systems, floors): narrowed by floors, by systems, by both, and not at all.
SCOPES: list[tuple[frozenset[str] | None, frozenset[int] | None]] = [
    (None, None),
    (None, frozenset({1})),
    (frozenset({"hvac"}), None),
    (frozenset({"hvac"}), frozenset({1})),
    (frozenset({"electrical"}), frozenset({-1, 2})),
]
#: A server role and the pass permissions that mean the same.
ROLES: list[tuple[Role, frozenset[Permission]]] = [
    (Role.VIEWER, frozenset({Permission.READ})),
    (Role.ANNOTATOR, frozenset({Permission.READ, Permission.ANNOTATE})),
    (Role.CONTRACTOR, frozenset({Permission.READ, Permission.WRITE})),
]


@dataclass
class World:
    building_id: str
    replica: Replica
    session: Session
    #: (label, entity, values): every stored row, plus rows that point at nothing.
    rows: list[tuple[str, str, dict[str, Any]]]
    ids: dict[str, str]


def _build(replica: Replica) -> tuple[str, dict[str, str]]:
    """A building with one of every kind of row, on floors and systems in and out of scope."""
    sha = replica.blobs.put_bytes(b"%PDF-1.4 scope parity")
    ids: dict[str, str] = {}
    with replica.transaction() as w:
        b = w.insert("building", {"name": "Parity House"})["id"]
        ids["building"] = b

        def add(label: str, entity: str, values: dict[str, Any]) -> None:
            ids[label] = w.insert(entity, {"building_id": b, **values})["id"]

        for label, level in (("L1", 1), ("L2", 2), ("B1", -1)):
            add(label, "floor", {"level": level, "name": label})
        add("room L1", "room", {"floor_id": ids["L1"], "number": "101"})
        add("room B1", "room", {"floor_id": ids["B1"], "number": "B01"})
        for label, system, floor in (
            ("ahu L1", "hvac", "L1"),
            ("pump L1", "plumbing", "L1"),
            ("ahu B1", "hvac", "B1"),
            ("panel B1", "electrical", "B1"),
            ("panel L2", "electrical", "L2"),
            ("rtu roof", "hvac", None),
        ):
            floor_id = {"floor_id": ids[floor]} if floor else {}
            add(label, "equipment", {"tag": label, "system": system, **floor_id})
        for source, target in (("ahu L1", "pump L1"), ("ahu B1", "ahu L1"), ("panel L2", "ahu L1")):
            add(f"link {source}", "connection", {
                "source_id": ids[source], "target_id": ids[target], "kind": "feeds"})  # fmt: skip
        for on in ("ahu L1", "ahu B1", "panel B1"):
            add(f"wo {on}", "workorder", {"title": "Fix", "equipment_id": ids[on]})
        for label, floor in (("doc L1", "L1"), ("doc B1", "B1"), ("doc nowhere", None)):
            floor_id = {"floor_id": ids[floor]} if floor else {}
            add(label, "document", {"discipline": "mechanical", "title": label,
                "file_name": "a.pdf", "blob_sha256": sha, **floor_id})  # fmt: skip
        for doc in ("doc L1", "doc B1", "doc nowhere"):
            add(f"pin {doc}", "annotation", {"document_id": ids[doc], "page": 0, "kind": "pin",
                "geometry": {"point": [1.0, 2.0]}})  # fmt: skip
        targets = [("building", "building"), ("floor", "L1"), ("floor", "B1"), ("room", "room L1"),
                   ("room", "room B1"), ("equipment", "ahu L1"), ("equipment", "pump L1"),
                   ("equipment", "panel L2"), ("workorder", "wo ahu L1"),
                   ("workorder", "wo panel B1"), ("document", "doc L1"), ("document", "doc B1"),
                   ("annotation", "pin doc L1"), ("annotation", "pin doc B1")]  # fmt: skip
        for kind, target in targets:
            add(f"note on {target}", "note", {
                "target_kind": kind, "target_id": ids[target], "text": "seen"})  # fmt: skip
        for kind, target in (("annotation", "pin doc L1"), ("annotation", "pin doc B1"),
                             ("equipment", "ahu B1"), ("room", "room L1")):  # fmt: skip
            add(f"photo on {target}", "attachment", {"target_kind": kind, "target_id": ids[target],
                "blob_sha256": sha, "mime_type": "image/png"})  # fmt: skip
    return b, ids


def _store_on_server(session: Session, replica: Replica) -> None:
    """The server's rows for the replica's changes: what ``push`` stores for inserts."""
    rows = [
        {
            "entity": change.entity,
            "id": change.entity_id,
            "building_id": change.building_id,
            "values": dict(change.fields),
            "clocks": [],
            "deleted": False,
            "created_hlc": change.hlc,
            "updated_hlc": change.hlc,
            "seq": seq,
        }
        for seq, change in enumerate(read_changes(replica.conn), start=1)
    ]
    session.connection().execute(insert(ROWS_TABLE), rows)
    session.commit()


def _values(conn: sqlite3.Connection, entity: str, row_id: str) -> dict[str, Any]:
    codec = codec_for(entity)
    row = conn.execute(f"{codec.select_sql} WHERE id = ?", (row_id,)).fetchone()
    wire: dict[str, Any] = codec.row_to_wire(row)
    return {name: wire[name] for name in ("id", "building_id", *codec.user_fields)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home: Path = tmp_path_factory.mktemp("parity")
    replica = Replica.open(home / "device")
    building_id, ids = _build(replica)
    engine = create_db_engine(f"sqlite:///{home / 'server.sqlite3'}")
    run_migrations(engine)
    with Session(engine) as session:
        _store_on_server(session, replica)
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for change in read_changes(replica.conn):
            label = next(k for k, v in ids.items() if v == change.entity_id)
            values = _values(replica.conn, change.entity, change.entity_id)
            rows.append((label, change.entity, values))
        missing = new_id()  # an id no row has: a link to nothing is outside any narrowed grant
        for entity, field, extra in (
            ("connection", "source_id", {"target_id": ids["ahu L1"], "kind": "feeds"}),
            ("workorder", "equipment_id", {"title": "Fix"}),
            ("annotation", "document_id", {"page": 0, "kind": "pin"}),
            ("note", "target_id", {"target_kind": "equipment", "text": "x"}),
            ("attachment", "target_id", {"target_kind": "annotation"}),
            ("equipment", "floor_id", {"system": "hvac", "tag": "ghost"}),
            ("room", "floor_id", {"number": "ghost"}),
            ("document", "floor_id", {"title": "ghost"}),
        ):
            values = {"id": new_id(), "building_id": building_id, field: missing, **extra}
            rows.append((f"{entity} whose {field} names no row", entity, values))
        # Three links (photo → note → markup → drawing): no real kind targets a note, but
        # the rules follow any kind, so this reaches MAX_LINK_DEPTH exactly.
        chain = {"target_kind": "note", "target_id": ids["note on pin doc L1"]}
        rows.append(("photo on a note", "attachment", {"id": new_id(), "building_id": building_id,
            **chain}))  # fmt: skip
        yield World(building_id, replica, session, rows, ids)
    engine.dispose()
    replica.close()


def _both_see(world: World, systems: Any, floors: Any, entity: str, values: Any) -> bool:
    lookup = RowLookup(world.session)
    access = BuildingAccess(world.building_id, Role.CONTRACTOR, systems, floors)
    server = in_scope(access, entity, values, lookup)
    device = PassScope(world.building_id, systems, floors, frozenset({Permission.READ}))
    app = device.shows(world.replica.conn, entity, values)
    assert server == app, f"{entity} ({values.get('id')}) under {systems}/{floors}"
    return server


def test_both_ends_see_the_same_rows_under_every_scope(world: World) -> None:
    seen: set[bool] = set()
    for (systems, floors), (_, entity, values) in itertools.product(SCOPES, world.rows):
        seen.add(_both_see(world, systems, floors, entity, values))
    assert seen == {True, False}  # the cases reach both answers


def test_a_narrowed_grant_sees_what_its_floors_and_systems_hold(world: World) -> None:
    """Spot checks that the shared answers are the right ones, not merely equal."""
    by_label = {label: (entity, values) for label, entity, values in world.rows}
    hvac_l1 = (frozenset({"hvac"}), frozenset({1}))
    expected = {
        "ahu L1": True, "pump L1": False, "ahu B1": False, "rtu roof": False,
        "link ahu L1": True, "link ahu B1": False, "wo ahu L1": True, "wo ahu B1": False,
        "doc L1": True, "doc nowhere": False, "pin doc L1": True, "pin doc B1": False,
        "note on building": False, "note on L1": True, "note on wo ahu L1": True,
        "note on pin doc L1": True, "photo on pin doc L1": True, "photo on ahu B1": False,
        "room L1": True, "L1": True, "L2": False, "building": True,
        "note whose target_id names no row": False,
    }  # fmt: skip
    for label, visible in expected.items():
        entity, values = by_label[label]
        assert _both_see(world, *hvac_l1, entity, values) is visible, label


def test_links_deeper_than_the_shared_limit_are_refused_at_both_ends(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """photo → note → markup → drawing is three links: the most the rules follow."""
    photo = next(v for label, _, v in world.rows if label == "photo on a note")
    scope = (frozenset({"hvac"}), frozenset({1}))
    assert _both_see(world, *scope, "attachment", photo)
    monkeypatch.setattr(scope_rules, "MAX_LINK_DEPTH", scope_rules.MAX_LINK_DEPTH - 1)
    assert not _both_see(world, *scope, "attachment", photo)


def _moved(entity: str, values: dict[str, Any], ids: dict[str, str]) -> dict[str, Any] | None:
    """The row moved across a scope line (to the basement, or to plumbing), if it can be."""
    if entity == "equipment":
        return {**values, "system": "plumbing" if values["system"] == "hvac" else "hvac"}
    if entity in ("room", "document"):
        return {**values, "floor_id": ids["B1"] if values["floor_id"] == ids["L1"] else ids["L1"]}
    if entity == "floor":
        return {**values, "level": 1 if values["level"] != 1 else -1}
    if entity in ("note", "attachment"):
        return {**values, "target_kind": "equipment", "target_id": ids["ahu B1"]}
    if entity in ("connection", "workorder"):
        key = "source_id" if entity == "connection" else "equipment_id"
        return {**values, key: ids["ahu L1"] if values[key] != ids["ahu L1"] else ids["ahu B1"]}
    if entity == "annotation":
        return {**values, "document_id": ids["doc B1"]}
    return None


def test_both_ends_refuse_the_same_writes_with_the_same_words(world: World) -> None:
    lookup = RowLookup(world.session)
    conn = world.replica.conn
    reached: set[Refusal | None] = set()
    edits: list[tuple[str, str, str, dict[str, Any] | None, dict[str, Any]]] = []
    for label, entity, values in world.rows:
        edits.append(("add", label, entity, None, values))
        edits.append(("change", label, entity, values, values))
        moved = _moved(entity, values, world.ids)
        if moved is not None:
            edits.append(("move", label, entity, values, moved))  # across a scope line
    for (role, permissions), (systems, floors) in itertools.product(ROLES, SCOPES):
        access = BuildingAccess(world.building_id, role, systems, floors)
        device = PassScope(world.building_id, systems, floors, permissions)
        for edit, label, entity, before, after in edits:
            server = write_decision(access, entity, before, after, lookup)
            app = device.write_decision(conn, entity, before, after)
            case = f"{role} under {systems}/{floors}: {edit} {entity} {label!r}"
            assert server == app, case
            reached.add(server)
            if server is not None:  # one wording: only the name of what is held differs
                server_text = write_refusal(access, entity, before, after, lookup)
                app_text = device.write_refusal(conn, entity, before, after)
                held = f"Your access to this building ({role})"
                assert server_text is not None and app_text is not None
                assert server_text.replace(held, "Your pass") == app_text, case
    assert reached == {None, *Refusal} - {Refusal.NO_ACCESS}


def test_a_building_not_granted_is_refused_alike(world: World) -> None:
    """The server has no grant for another building; a pass names one building."""
    values = {"id": new_id(), "building_id": new_id(), "tag": "X", "system": "hvac"}
    device = PassScope(world.building_id, None, None, frozenset(Permission))
    server = write_decision(None, "equipment", None, values, RowLookup(world.session))
    assert server is Refusal.NO_ACCESS
    assert device.write_decision(world.replica.conn, "equipment", None, values) is server
