"""``BulkInsert`` must store exactly what a Core ``insert(table)`` stores, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from sync.ids import new_id
from sync.server.bulk_insert import BulkInsert
from sync.server.replication import LOG_TABLE, ROWS_TABLE
from tests.server.conftest import on_both_databases

pytestmark = on_both_databases


def _log_row(seq: int, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": seq,
        "change_id": new_id(),
        "building_id": None if seq % 2 else new_id(),
        "entity": "equipment",
        "entity_id": new_id(),
        "op": "update",
        "fields": fields,
        "hlc": f"{seq:015d}-000000-dev",
        "device_id": "dev",
        "user_id": new_id(),
        "created_at": dt.datetime(2026, 11, 25, 12, 0, seq, 123456, tzinfo=dt.UTC),
    }


def test_stores_what_a_core_insert_stores(engine: Engine) -> None:
    fields = [
        {"name": "Ünïcode ✓", "nested": {"b": [1, 2.5, None], "a": True}},
        {"big": 2**70, "empty": {}},  # wider than 64 bits: the slow JSON path
        {},
    ]
    via_bulk = [_log_row(10 + k, f) for k, f in enumerate(fields)]
    via_core = [_log_row(20 + k, f) for k, f in enumerate(fields)]
    bulk = BulkInsert(LOG_TABLE, [c.key for c in LOG_TABLE.c])
    with engine.begin() as db:
        bulk.run(db, via_bulk)
        db.execute(insert(LOG_TABLE), via_core)
        bulk.run(db, [])  # nothing to do is fine
    with engine.connect() as db:
        stored = {row.seq: row._asdict() for row in db.execute(select(LOG_TABLE))}

    # Read back through SQLAlchemy, both kinds of row come back exactly as given.
    for row in [*via_bulk, *via_core]:
        assert stored[row["seq"]] == row


def test_a_failing_row_fails_the_statement(engine: Engine) -> None:
    row = {
        "entity": "room",
        "id": new_id(),
        "building_id": new_id(),
        "values": {"name": "x"},
        "clocks": {"name": ["000000000000001-000000-dev", 1]},
        "deleted": False,
        "created_hlc": "",
        "updated_hlc": "",
        "seq": 1,
    }
    bulk = BulkInsert(ROWS_TABLE, [c.key for c in ROWS_TABLE.c])
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), engine.begin() as db:
        bulk.run(db, [row, row])
    with engine.connect() as db:
        assert db.execute(select(ROWS_TABLE)).all() == []


def test_constants_are_stored_like_per_row_values(engine: Engine) -> None:
    """Batch-wide constants (processed once) store exactly what per-row values store."""
    rows = [_log_row(30 + k, {"k": k}) for k in range(3)]
    shared = {"device_id": "dev-9", "created_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)}
    partial = [{k: v for k, v in row.items() if k not in shared} for row in rows]
    bulk = BulkInsert(LOG_TABLE, [c.key for c in LOG_TABLE.c])
    with engine.begin() as db:
        bulk.run(db, partial, constants=shared)
    with engine.connect() as db:
        stored = {row.seq: row._asdict() for row in db.execute(select(LOG_TABLE))}
    assert stored == {row["seq"]: {**row, **shared} for row in rows}


def test_rows_read_from_attributes(engine: Engine) -> None:
    """Objects with an attribute per column store what the same rows as dicts store."""
    from sync.server.scope import RowView

    views = [
        RowView(
            entity="room",
            id=new_id(),
            building_id=new_id(),
            values={"name": f"Room {k}", "area": 12.5},
            clocks={
                "name": ["000000000000001-000000-dev", k],
                "area": ["000000000000002-000000-dev", k],
            },
            deleted=bool(k % 2),
            created_hlc="000000000000001-000000-dev",
            updated_hlc="000000000000002-000000-dev",
            seq=k,
        )
        for k in range(1, 4)
    ]
    bulk = BulkInsert(ROWS_TABLE, [c.key for c in ROWS_TABLE.c], from_attributes=True)
    with engine.begin() as db:
        bulk.run(db, views)
    with engine.connect() as db:
        stored = {row.seq: row._asdict() for row in db.execute(select(ROWS_TABLE))}
    assert stored == {view.seq: view.as_dict() for view in views}


def test_an_update_stores_what_a_core_update_stores(engine: Engine) -> None:
    """The push's row UPDATE, run through ``BulkWrite``, against the same Core statement."""
    from sqlalchemy import bindparam, update

    from sync.server.bulk_insert import BulkWrite
    from sync.server.scope import RowView

    def view(k: int, name: str) -> RowView:
        return RowView(
            entity="room",
            id=f"room-{k}",
            building_id="b-1",
            values={"name": name, "area": k * 1.5},
            clocks={"name": [f"{k:015d}-000000-dev", k]},
            deleted=k == 2,
            created_hlc=f"{k:015d}-000000-dev",
            updated_hlc=f"{k:015d}-000001-dev",
            seq=k,
        )

    before = [view(k, "old") for k in range(1, 5)]
    fields = [n for n in RowView.__slots__ if n not in ("entity", "id")]
    statement = (
        update(ROWS_TABLE)
        .where(
            ROWS_TABLE.c.entity == bindparam("key_entity"), ROWS_TABLE.c.id == bindparam("key_id")
        )
        .values({name: bindparam(name) for name in fields})
    )
    bulk = BulkWrite(
        statement, from_attributes=True, sources={"key_entity": "entity", "key_id": "id"}
    )
    after = [view(k, f"Ünï {k}") for k in range(1, 5)]
    with engine.begin() as db:
        db.execute(insert(ROWS_TABLE), [v.as_dict() for v in before])
        bulk.run(db, after[:2])
        core = [{**v.as_dict(), "key_entity": v.entity, "key_id": v.id} for v in after[2:]]
        db.execute(statement, core)
    with engine.connect() as db:
        stored = {row.id: row._asdict() for row in db.execute(select(ROWS_TABLE))}
    assert stored == {v.id: v.as_dict() for v in after}
