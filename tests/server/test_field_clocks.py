"""Stored field clocks: grouped per change, and rows in the older per-field form still read."""

from __future__ import annotations

from sync.merge import FieldClock
from sync.server.field_clocks import after_change, as_mapping, clock_of, field_clocks, groups

A, B, C = "000000000000001-000000-a", "000000000000002-000000-b", "000000000000003-000000-a"


def test_an_insert_is_one_group() -> None:
    stored = after_change(None, ["name", "tag"], A, 1)
    assert stored == [[A, 1, ["name", "tag"]]]
    assert field_clocks(stored) == {"name": FieldClock(A, 1), "tag": FieldClock(A, 1)}


def test_a_change_takes_its_fields_out_of_older_groups() -> None:
    stored = after_change(None, ["name", "tag", "status"], A, 1)
    stored = after_change(stored, ["status"], B, 2)
    stored = after_change(stored, ["name", "tag"], C, 3)  # the first group is now empty
    assert stored == [[B, 2, ["status"]], [C, 3, ["name", "tag"]]]
    assert clock_of(stored, "status") == (B, 2) and clock_of(stored, "deleted") is None
    assert as_mapping(stored) == {"status": [B, 2], "name": [C, 3], "tag": [C, 3]}


def test_the_older_per_field_form_reads_the_same() -> None:
    old = {"name": [A, 1], "tag": [A, 1], "deleted": [B, 2]}
    assert sorted(map(tuple, ([h, s, sorted(n)] for h, s, n in groups(old)))) == [
        (A, 1, ["name", "tag"]),
        (B, 2, ["deleted"]),
    ]
    assert clock_of(old, "deleted") == (B, 2)
    assert field_clocks(old)["tag"] == FieldClock(A, 1)
    rewritten = after_change(old, ["tag"], C, 3)  # written back in groups
    assert as_mapping(rewritten) == {"name": [A, 1], "deleted": [B, 2], "tag": [C, 3]}
    assert groups({}) == [] and field_clocks(None) == {}
