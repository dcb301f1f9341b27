"""The outbox is complete and exact: replaying it rebuilds the replica's rows.

Whatever mix of inserts, edits, bad edits and deletes a technician makes, the
queued changes alone must carry every accepted edit and nothing else, because
they are all the server will ever see.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arxos_desktop.store import InvalidEditError, NotFoundError, Replica, StoreError
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.deletes import delete_row
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.workorders import create_work_order, update_work_order
from sync.outbox import Op, read_changes

_values = {
    "status": st.sampled_from(["operational", "needs_service", "out_of_service", "bogus"]),
    "name": st.text(max_size=12),
    "install_date": st.sampled_from(["2020-02-29", "2021-02-29", None]),
    "properties": st.dictionaries(
        st.sampled_from(["cfm", "kw", "v"]), st.integers(0, 9), max_size=2
    ),
    "tag": st.sampled_from(["AHU-1", "AHU-2", "P-1", " bad", ""]),
}
_ops = st.one_of(
    st.tuples(st.just("create_equipment"), st.sampled_from(["AHU-1", "AHU-2", "P-1", "FCU-7"])),
    st.tuples(
        st.just("update_equipment"), st.integers(0, 5), st.sampled_from(sorted(_values)), st.data()
    ),
    st.tuples(st.just("create_wo"), st.text(max_size=10)),
    st.tuples(st.just("update_wo"), st.integers(0, 5), st.sampled_from(["open", "done", "nope"])),
    st.tuples(st.just("delete"), st.integers(0, 5)),
)


def _replay(replica: Replica) -> dict[tuple[str, str], dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for change in read_changes(replica.conn):
        key = (change.entity, change.entity_id)
        if change.op is Op.INSERT:
            assert key not in rows
            rows[key] = {**change.fields, "deleted": False}
        else:
            rows[key].update(change.fields)
    return rows


def _actual(replica: Replica) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for entity in ("building", "equipment", "workorder"):
        codec = codec_for(entity)
        for row in replica.conn.execute(codec.select_sql):
            wire = codec.row_to_wire(row)
            out[(entity, wire["id"])] = {k: wire[k] for k in (*codec.user_fields, "deleted")}
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ops, max_size=25))
def test_replaying_the_outbox_rebuilds_every_row(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Replica.open(Path(tmp)) as replica:
        with replica.transaction() as w:
            building = w.insert("building", {"name": "Replay"})["id"]
        equipment: list[str] = []
        orders: list[str] = []
        for op in ops:
            try:
                if op[0] == "create_equipment":
                    equipment.append(create_equipment(replica, building_id=building, tag=op[1]).id)
                elif op[0] == "update_equipment" and equipment:
                    field = op[2]
                    value = op[3].draw(_values[field])
                    update_equipment(replica, equipment[op[1] % len(equipment)], {field: value})
                elif op[0] == "create_wo":
                    orders.append(create_work_order(replica, building_id=building, title=op[1]).id)
                elif op[0] == "update_wo" and orders:
                    update_work_order(replica, orders[op[1] % len(orders)], {"status": op[2]})
                elif op[0] == "delete" and equipment:
                    delete_row(replica, "equipment", equipment[op[1] % len(equipment)])
            except (InvalidEditError, NotFoundError, StoreError):
                pass  # refused edits must leave no trace; the comparison below checks that
        assert _replay(replica) == _actual(replica)
