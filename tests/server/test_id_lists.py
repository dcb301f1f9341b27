"""``IdListSelect`` must return exactly what a Core execute of its statement returns."""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, insert, select

from sync.ids import new_id
from sync.server.id_lists import IdListSelect
from sync.server.replication import ROWS_TABLE
from tests.server.conftest import on_both_databases

pytestmark = on_both_databases

_STATEMENT = select(*ROWS_TABLE.c).where(
    ROWS_TABLE.c.entity == bindparam("entity"),
    ROWS_TABLE.c.id.in_(bindparam("ids", expanding=True)),
)


def test_matches_a_core_execute(engine: Engine) -> None:
    rows = [
        {
            "entity": "room" if k % 3 else "floor",
            "id": new_id(),
            "building_id": None if k == 0 else new_id(),
            "values": {"name": f"Ünï {k}", "nested": [1, {"a": None}], "big": 2**40},
            "clocks": {"name": ["000000000000001-000000-dev", k]},
            "deleted": bool(k % 2),
            "created_hlc": "000000000000001-000000-dev",
            "updated_hlc": "000000000000001-000000-dev",
            "seq": k + 1,
        }
        for k in range(7)
    ]
    with engine.begin() as db:
        db.execute(insert(ROWS_TABLE), rows)
    lookup = IdListSelect(_STATEMENT, "ids")
    ids = [row["id"] for row in rows] + [new_id()]  # one that does not exist
    with engine.connect() as db:
        for wanted in (ids, ids[:1], ids[2:5], ids[:1]):  # lengths repeat: plans are reused
            expected = sorted(
                tuple(r) for r in db.execute(_STATEMENT, {"entity": "room", "ids": wanted})
            )
            got = sorted(lookup.rows(db, wanted, entity="room"))
            assert got == expected
            assert all(type(row[5]) is bool for row in got)  # processed like Core does
        assert lookup.rows(db, [], entity="room") == []
