"""``writer.insert`` in bulk: what its precomputed per-entity work must keep exact.

Imports and bulk loads insert thousands of rows in one transaction, so the writer
takes column orders, conversions and field lists from the entity's codec instead
of working them out per row; these tests pin down that every row and every
outbox change still come out as the schema says, and that a failure anywhere in
a batch leaves nothing behind.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from arxos_desktop.store import InvalidEditError, Replica, StoreError
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.engine import get_meta
from sync.outbox import Op, count_changes, read_changes
from sync.schema import ENTITIES
from tests.conftest import SampleBuilding


def _equipment(sample: SampleBuilding, i: int) -> dict[str, Any]:
    return {
        "building_id": sample.building_id,
        "tag": f"VAV-B-{i}",
        "name": f"VAV box {i}",
        "system": "hvac",
        "floor_id": sample.floor_id,
        "room_id": sample.room_id,
        "install_date": "2019-05-01",
        "properties": {"cfm_max": 800 + i, "Größe": "groß"},
        "position": {"x": 1.5 + i, "y": 2.0},
    }


def _state(replica: Replica) -> tuple[int, int, str | None]:
    rows = replica.conn.execute("SELECT count(*) FROM equipment").fetchone()[0]
    return rows, count_changes(replica.conn), get_meta(replica.conn, "hlc_last")


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_each_column_is_converted_as_it_would_be_alone(entity: str) -> None:
    """The cached positions of JSON and boolean columns match the columns themselves."""
    codec = codec_for(entity)
    wire: dict[str, Any] = {}
    for k, name in enumerate(codec.columns):
        if name in codec.json_columns:
            wire[name] = {"z": k, "a": [k, "é"]}
        elif name in codec.bool_columns:
            wire[name] = k % 2 == 0
        else:
            wire[name] = f"{name}-{k}"
    expected = [codec.wire_to_column(name, wire[name]) for name in codec.columns]
    assert codec.wire_to_params(wire) == expected
    assert codec.take_user_fields(wire) == tuple(wire[n] for n in codec.user_fields)


def test_cached_columns_are_the_migrated_tables_columns(replica: Replica) -> None:
    """The insert statement a codec keeps names exactly the columns the migrations made."""
    for entity in ENTITIES:
        codec = codec_for(entity)
        table = [row[1] for row in replica.conn.execute(f"PRAGMA table_info({codec.table})")]
        assert sorted(codec.columns) == sorted(table), entity
        assert codec.insert_sql.startswith(
            f"INSERT INTO {codec.table} ({', '.join(codec.columns)})"
        )


def test_a_batch_records_one_exact_change_per_row_in_order(
    replica: Replica, sample: SampleBuilding
) -> None:
    before = count_changes(replica.conn)
    with replica.transaction() as w:
        rows = [w.insert("equipment", _equipment(sample, i)) for i in range(40)]
    changes = read_changes(replica.conn)[before:]
    assert [c.entity_id for c in changes] == [row["id"] for row in rows]
    codec = codec_for("equipment")
    for row, change in zip(rows, changes, strict=True):
        assert (change.op, change.entity, change.base_rev) == (Op.INSERT, "equipment", 0)
        assert change.building_id == sample.building_id
        assert change.hlc == row["created_hlc"] == row["updated_hlc"]
        assert change.fields == {name: row[name] for name in codec.user_fields}
        stored = replica.conn.execute(f"{codec.select_sql} WHERE id = ?", (row["id"],)).fetchone()
        assert codec.row_to_wire(stored) == row
    hlcs = [c.hlc for c in changes]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    assert get_meta(replica.conn, "hlc_last") == hlcs[-1]


def test_outbox_fields_are_canonical_json_that_reads_back_exactly(
    replica: Replica, sample: SampleBuilding
) -> None:
    values = _equipment(sample, 1)
    values["properties"] = {"zeta": 2**70, "alpha": 1e16, "Größe": "groß", "nested": {"b": 1}}
    with replica.transaction() as w:
        row = w.insert("equipment", values)
    (text,) = replica.conn.execute(
        "SELECT fields FROM outbox WHERE entity_id = ?", (row["id"],)
    ).fetchone()
    assert " " not in text.replace("VAV box 1", "")
    assert "groß" in text  # UTF-8 as is, not \\u escapes
    assert text.index('"alpha"') < text.index('"nested"') < text.index('"zeta"')
    (change,) = [c for c in read_changes(replica.conn) if c.entity_id == row["id"]]
    assert change.fields["properties"] == values["properties"]


def test_insert_keeps_its_checks_and_their_errors(replica: Replica, sample: SampleBuilding) -> None:
    state = _state(replica)
    with replica.transaction() as w:
        with pytest.raises(InvalidEditError) as info:
            w.insert("equipment", {**_equipment(sample, 1), "zz": 1, "colour": "red"})
        assert info.value.fields == {"colour": "no such field", "zz": "no such field"}
        assert "red" not in str(info.value)
        with pytest.raises(InvalidEditError, match="building_id: is required"):
            w.insert("equipment", {**_equipment(sample, 1), "building_id": None})
        with pytest.raises(InvalidEditError) as info:
            w.insert("equipment", {**_equipment(sample, 1), "status": "broken"})
        assert set(info.value.fields) == {"status"}
        with pytest.raises(InvalidEditError) as info:
            w.insert("equipment", {**_equipment(sample, 1), "id": None})
        assert set(info.value.fields) == {"id"}
    assert _state(replica) == state


def test_system_fields_are_the_writers_and_a_given_id_is_kept(
    replica: Replica, sample: SampleBuilding
) -> None:
    chosen = "01890a5d-ac96-774b-bcce-b302099a8057"
    forged = {"created_hlc": "0" * 15, "updated_hlc": "0" * 15, "deleted": True, "server_rev": 9}
    with replica.transaction() as w:
        row = w.insert("equipment", {**_equipment(sample, 1), **forged, "id": chosen})
        building = w.insert("building", {"name": "Annex", "building_id": sample.building_id})
    assert row["id"] == chosen
    assert (row["deleted"], row["server_rev"]) == (False, 0)
    assert row["created_hlc"] == row["updated_hlc"] != "0" * 15
    assert building["building_id"] == building["id"] != sample.building_id


@pytest.mark.parametrize("failure", ["invalid value", "missing parent", "duplicate id"])
def test_an_error_mid_batch_rolls_back_every_row_change_and_the_clock(
    replica: Replica, sample: SampleBuilding, failure: str
) -> None:
    state = _state(replica)
    bad = _equipment(sample, 99)
    if failure == "invalid value":
        bad["install_date"] = "yesterday"
    elif failure == "missing parent":
        bad["room_id"] = "0" * 36
    with pytest.raises(StoreError), replica.transaction() as w:
        first = [w.insert("equipment", _equipment(sample, i)) for i in range(30)]
        if failure == "duplicate id":
            bad["id"] = first[7]["id"]
        w.insert("equipment", bad)
        w.insert("equipment", _equipment(sample, 100))
    assert _state(replica) == state
    replica.conn.execute("PRAGMA integrity_check").fetchall()
    assert (
        replica.conn.execute(
            "SELECT count(*) FROM equipment_fts WHERE equipment_fts MATCH 'VAV'"
        ).fetchone()[0]
        == replica.conn.execute("SELECT count(*) FROM equipment WHERE tag LIKE 'VAV%'").fetchone()[
            0
        ]
    )


class _RefuseRooms:
    """A pass that refuses new rooms: the insert must ask it before writing anything."""

    unsettled = False

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def check_write(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None:
        assert before is None
        self.asked.append((entity, after))
        if entity == "room":
            raise StoreError("This pass does not let you add rooms")

    def row_filter(self, entity: str, alias: str) -> tuple[str, list[Any]]:
        return "1", []

    def shows(self, conn: sqlite3.Connection, entity: str, values: dict[str, Any]) -> bool:
        return True

    def settle(self, conn: sqlite3.Connection) -> None:
        return None


def test_a_pass_is_asked_about_every_insert_with_its_validated_values(
    replica: Replica, sample: SampleBuilding
) -> None:
    guard = _RefuseRooms()
    replica.access_scope = guard
    state = _state(replica)
    rooms = replica.conn.execute("SELECT count(*) FROM rooms").fetchone()[0]
    with pytest.raises(StoreError, match="add rooms"), replica.transaction() as w:
        w.insert("equipment", _equipment(sample, 1))
        w.insert(
            "room", {"building_id": sample.building_id, "floor_id": sample.floor_id, "number": "9"}
        )
    assert [entity for entity, _ in guard.asked] == ["equipment", "room"]
    assert guard.asked[0][1]["install_date"] == "2019-05-01"
    assert guard.asked[0][1]["system"] == "hvac"
    assert _state(replica) == state
    assert replica.conn.execute("SELECT count(*) FROM rooms").fetchone()[0] == rooms
