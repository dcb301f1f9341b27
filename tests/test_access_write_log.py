"""A contractor session's writes in the device's access log: accepted ones in the write's
own transaction, refused ones after the edit rolled back, never a field's value."""

from __future__ import annotations

import json

import pytest

from arxos_desktop.access import audit_log
from arxos_desktop.access.errors import OutOfScopeError
from arxos_desktop.access.scope import PassScope
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.notes import add_note
from sync.tokens import Permission
from tests.conftest import SampleBuilding

TOKEN_ID = "tok-write-log"


def session_scope(building_id: str, *permissions: str) -> PassScope:
    return PassScope(
        building_id=building_id,
        systems=frozenset({"hvac"}),
        floors=frozenset({1}),
        permissions=frozenset(Permission(p) for p in permissions),
        token_id=TOKEN_ID,
    )


def writes(replica: Replica) -> list[dict[str, object]]:
    return [e for e in audit_log.entries(replica.conn) if e["event"] == "write"]


def test_an_accepted_write_is_logged_without_its_values(
    replica: Replica, sample: SampleBuilding
) -> None:
    replica.access_scope = session_scope(sample.building_id, "read", "write")
    update_equipment(replica, sample.ahu_id, {"status": "needs_service", "serial": "secret-serial"})
    [entry] = writes(replica)
    assert entry["outcome"] == "accepted"
    assert (entry["entity"], entry["entity_id"], entry["op"]) == (
        "equipment",
        sample.ahu_id,
        "update",
    )
    assert entry["token_id"] == TOKEN_ID
    assert entry["building_id"] == sample.building_id
    stored = replica.conn.execute("SELECT body FROM access_audit").fetchall()
    assert not any("secret-serial" in body or "needs_service" in body for (body,) in stored)
    assert audit_log.verify_log(replica.conn) == len(stored)


def test_a_refused_write_is_logged_with_its_reason_and_nothing_else_changes(
    replica: Replica, sample: SampleBuilding
) -> None:
    replica.access_scope = session_scope(sample.building_id, "read", "annotate")
    rows = replica.conn.execute("SELECT * FROM equipment ORDER BY id").fetchall()
    with pytest.raises(OutOfScopeError):
        update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    assert replica.conn.execute("SELECT * FROM equipment ORDER BY id").fetchall() == rows
    [entry] = writes(replica)
    assert entry["outcome"] == "refused"
    assert "notes, markups and photos only" in str(entry["reason"])
    assert (entry["entity"], entry["op"]) == ("equipment", "update")
    assert not replica.access_scope.unsettled
    audit_log.verify_log(replica.conn)


def test_an_insert_is_logged_in_the_same_transaction_as_the_row(
    replica: Replica, sample: SampleBuilding
) -> None:
    replica.access_scope = session_scope(sample.building_id, "read", "annotate")
    with pytest.raises(RuntimeError, match="abandoned"), replica.transaction():
        add_note(replica, target_kind="equipment", target_id=sample.ahu_id, text="x")
        raise RuntimeError("abandoned")
    assert writes(replica) == []  # the note rolled back, and its entry with it
    note = add_note(replica, target_kind="equipment", target_id=sample.ahu_id, text="kept")
    [entry] = writes(replica)
    assert (entry["entity"], entry["entity_id"], entry["op"]) == ("note", note.id, "insert")


def test_a_refusal_inside_a_committed_outer_transaction_is_logged(
    replica: Replica, sample: SampleBuilding
) -> None:
    replica.access_scope = session_scope(sample.building_id, "read", "annotate")
    with replica.transaction(), pytest.raises(OutOfScopeError):
        update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    assert [e["outcome"] for e in writes(replica)] == ["refused"]


def test_without_a_session_nothing_is_logged(replica: Replica, sample: SampleBuilding) -> None:
    replica.access_scope = PassScope(
        sample.building_id, None, None, frozenset({Permission.READ, Permission.WRITE})
    )
    update_equipment(replica, sample.ahu_id, {"status": "needs_service"})
    replica.access_scope = None
    update_equipment(replica, sample.ahu_id, {"status": "operational"})
    assert replica.conn.execute("SELECT count(*) FROM access_audit").fetchone()[0] == 0
    assert json.loads(json.dumps(audit_log.entries(replica.conn))) == []
