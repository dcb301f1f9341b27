"""Bulk inserts that set the FTS insert trigger aside must leave search exactly right."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.bulk import BULK_THRESHOLD, insert_indexed
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.search import search
from sync.ids import new_id
from tests.conftest import SampleBuilding


def _equipment_rows(building_id: str, count: int, word: str) -> list[list[Any]]:
    codec = codec_for("equipment")
    rows = []
    for i in range(count):
        wire: dict[str, Any] = {name: None for name in codec.columns}
        wire.update(
            id=new_id(),
            building_id=building_id,
            tag=f"{word.upper()}-{i}",
            name=f"{word} unit {i}",
            system="hvac",
            type="",
            manufacturer="Munters",
            model="",
            serial="",
            status="operational",
            properties={},
            position={},
            created_hlc="",
            updated_hlc="",
            deleted=False,
            server_rev=1,
        )
        rows.append(codec.wire_to_params(wire))
    return rows


def _fts_consistent(conn: sqlite3.Connection) -> None:
    # FTS5's own check: the index holds exactly the content table's tokens.
    conn.execute("INSERT INTO equipment_fts(equipment_fts, rank) VALUES ('integrity-check', 1)")


def _trigger_sql(conn: sqlite3.Connection) -> str:
    return str(
        conn.execute("SELECT sql FROM sqlite_master WHERE name = 'equipment_ai'").fetchone()[0]
    )


@pytest.mark.parametrize("count", [3, BULK_THRESHOLD, 500])
def test_bulk_rows_are_searchable_and_the_trigger_is_back(
    replica: Replica, sample: SampleBuilding, count: int
) -> None:
    before = _trigger_sql(replica.conn)
    codec = codec_for("equipment")
    with replica.remote_transaction() as conn:
        insert_indexed(
            conn,
            codec.table,
            codec.insert_sql,
            _equipment_rows(sample.building_id, count, "dehumid"),
        )
    assert len(search(replica, "dehumid", limit=1000)) == count
    assert _trigger_sql(replica.conn) == before
    _fts_consistent(replica.conn)
    # The trigger still indexes the next single insert.
    with replica.remote_transaction() as conn:
        conn.execute(codec.insert_sql, _equipment_rows(sample.building_id, 1, "chiller")[0])
    assert [h.title for h in search(replica, "chiller")] == ["CHILLER-0"]
    _fts_consistent(replica.conn)


def test_a_failed_bulk_insert_changes_nothing(replica: Replica, sample: SampleBuilding) -> None:
    before = _trigger_sql(replica.conn)
    codec = codec_for("equipment")
    rows = _equipment_rows(sample.building_id, 200, "desiccant")
    rows.append(rows[0])  # a duplicate id: the insert fails part way
    with pytest.raises(sqlite3.IntegrityError), replica.remote_transaction() as conn:
        insert_indexed(conn, codec.table, codec.insert_sql, rows)
    assert search(replica, "desiccant") == []
    assert (
        replica.conn.execute(
            "SELECT count(*) FROM equipment WHERE tag LIKE 'DESICCANT%'"
        ).fetchone()[0]
        == 0
    )
    assert _trigger_sql(replica.conn) == before
    _fts_consistent(replica.conn)
