"""Field-level last-writer-wins: order-independent, and nothing lost without a record."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.clock import Stamp
from sync.merge import DELETED, FieldClock, RowState, merge_change, overlay_pending
from sync.outbox import Op


def stamp(ms: int, node: str = "a", counter: int = 0) -> str:
    return Stamp(ms, counter, node).pack()


def created(**values: object) -> RowState:
    return merge_change(None, op=Op.INSERT, fields=values, hlc=stamp(1, "a"), base_seq=0, seq=1).row


def test_non_overlapping_edits_merge_silently() -> None:
    row = created(status="operational", name="AHU")
    first = merge_change(
        row, op=Op.UPDATE, fields={"status": "needs_service"}, hlc=stamp(5, "a"), base_seq=1, seq=2
    )
    second = merge_change(
        first.row,
        op=Op.UPDATE,
        fields={"name": "Air handler"},
        hlc=stamp(4, "b"),
        base_seq=1,
        seq=3,
    )
    assert second.row.values == {"status": "needs_service", "name": "Air handler"}
    assert not first.conflicts and not second.conflicts and not second.winning


def test_concurrent_edit_of_one_field_keeps_the_newer_and_records_the_other() -> None:
    row = created(status="operational")
    a = merge_change(
        row, op=Op.UPDATE, fields={"status": "needs_service"}, hlc=stamp(9, "a"), base_seq=1, seq=2
    )
    b = merge_change(
        a.row,
        op=Op.UPDATE,
        fields={"status": "out_of_service"},
        hlc=stamp(7, "b"),
        base_seq=1,
        seq=3,
    )
    assert b.row.values["status"] == "needs_service"
    assert b.winning == {"status": "needs_service"}
    (conflict,) = b.conflicts
    assert (conflict.winner_value, conflict.loser_value) == ("needs_service", "out_of_service")
    # The newer edit arriving second wins, and the overwritten value is recorded.
    c = merge_change(
        a.row,
        op=Op.UPDATE,
        fields={"status": "decommissioned"},
        hlc=stamp(12, "b"),
        base_seq=1,
        seq=3,
    )
    assert c.row.values["status"] == "decommissioned"
    assert [(x.winner_value, x.loser_value) for x in c.conflicts] == [
        ("decommissioned", "needs_service")
    ]


def test_an_edit_made_after_seeing_the_value_is_no_conflict() -> None:
    row = created(status="operational")
    a = merge_change(
        row, op=Op.UPDATE, fields={"status": "needs_service"}, hlc=stamp(9, "a"), base_seq=1, seq=2
    )
    b = merge_change(
        a.row, op=Op.UPDATE, fields={"status": "operational"}, hlc=stamp(10, "b"), base_seq=2, seq=3
    )
    assert b.row.values["status"] == "operational" and not b.conflicts


def test_equal_wall_time_is_broken_by_node_id_deterministically() -> None:
    row = created(name="x")
    left = merge_change(
        row, op=Op.UPDATE, fields={"name": "from a"}, hlc=stamp(5, "a"), base_seq=1, seq=2
    )
    both = merge_change(
        left.row, op=Op.UPDATE, fields={"name": "from b"}, hlc=stamp(5, "b"), base_seq=1, seq=3
    )
    right = merge_change(
        row, op=Op.UPDATE, fields={"name": "from b"}, hlc=stamp(5, "b"), base_seq=1, seq=2
    )
    other = merge_change(
        right.row, op=Op.UPDATE, fields={"name": "from a"}, hlc=stamp(5, "a"), base_seq=1, seq=3
    )
    assert both.row.values == other.row.values == {"name": "from b"}


def test_edit_of_a_deleted_row_is_kept_under_the_tombstone_and_recorded() -> None:
    row = created(name="x")
    gone = merge_change(row, op=Op.DELETE, fields={}, hlc=stamp(5, "a"), base_seq=1, seq=2)
    edit = merge_change(
        gone.row, op=Op.UPDATE, fields={"name": "y"}, hlc=stamp(6, "b"), base_seq=1, seq=3
    )
    assert edit.row.deleted and edit.row.values["name"] == "y"
    assert [c.field for c in edit.conflicts] == [DELETED]
    back = merge_change(
        edit.row, op=Op.UPDATE, fields={DELETED: False}, hlc=stamp(8, "a"), base_seq=3, seq=4
    )
    assert not back.row.deleted and back.row.values["name"] == "y"


def test_delete_after_a_concurrent_edit_is_recorded() -> None:
    row = created(name="x")
    edit = merge_change(
        row, op=Op.UPDATE, fields={"name": "y"}, hlc=stamp(5, "b"), base_seq=1, seq=2
    )
    gone = merge_change(edit.row, op=Op.DELETE, fields={}, hlc=stamp(6, "a"), base_seq=1, seq=3)
    assert gone.row.deleted and [c.field for c in gone.conflicts] == [DELETED]


def test_pending_edits_stay_on_top_of_pulled_values() -> None:
    assert overlay_pending({"a": 1, "b": 2}, [{"a": 5}, {"a": 6, "c": 1}]) == {
        "a": 6,
        "b": 2,
        "c": 1,
    }


_change = st.tuples(
    st.sampled_from(["name", "status", DELETED]),
    st.integers(0, 3),
    st.integers(1, 50),
    st.sampled_from(["a", "b", "c"]),
)


@given(st.lists(_change, min_size=1, max_size=12, unique_by=lambda c: (c[2], c[3])), st.randoms())
def test_final_values_do_not_depend_on_arrival_order(
    changes: list[tuple[str, int, int, str]], rnd: object
) -> None:
    def run(order: list[tuple[str, int, int, str]]) -> tuple[dict[str, object], bool]:
        row = created(name=0, status=0)
        for seq, (name, value, ms, node) in enumerate(order, start=2):
            fields = {name: bool(value % 2) if name == DELETED else value}
            row = merge_change(
                row, op=Op.UPDATE, fields=fields, hlc=stamp(ms, node), base_seq=1, seq=seq
            ).row
        return row.values, row.deleted

    shuffled = list(changes)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert run(changes) == run(shuffled)


def test_field_clocks_track_the_winning_stamp() -> None:
    row = created(name="x")
    result = merge_change(
        row, op=Op.UPDATE, fields={"name": "y"}, hlc=stamp(3, "b"), base_seq=1, seq=2
    )
    assert result.row.clocks["name"] == FieldClock(stamp(3, "b"), 2)
