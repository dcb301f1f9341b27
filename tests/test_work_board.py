"""The reads behind the work-order page and the notes panel."""

from __future__ import annotations

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import delete_equipment
from arxos_desktop.store.note_feed import note_feed
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.work_board import equipment_choices, work_order_cards
from arxos_desktop.store.workorders import create_work_order, update_work_order
from tests.conftest import SampleBuilding


def test_cards_carry_the_equipment_tag_and_keep_the_due_order(
    replica: Replica, sample: SampleBuilding
) -> None:
    create_work_order(replica, building_id=sample.building_id, title="Check roof drains")
    create_work_order(
        replica, building_id=sample.building_id, title="Tighten belts", due="2026-11-01"
    )
    cards = work_order_cards(replica, sample.building_id)
    assert [c.title for c in cards] == ["Tighten belts", "Replace filters", "Check roof drains"]
    filters = cards[1]
    assert (filters.equipment_tag, filters.priority, filters.due) == ("AHU-1", "high", "2026-12-01")
    assert cards[2].equipment_tag == "" and cards[2].due is None


def test_cards_leave_out_other_buildings_and_deleted_orders(
    replica: Replica, sample: SampleBuilding
) -> None:
    from arxos_desktop.store.buildings import create_building

    other = create_building(replica, name="Annex")
    create_work_order(replica, building_id=other.id, title="Elsewhere")
    with replica.transaction() as writer:
        writer.tombstone("workorder", sample.work_order_id)
    assert work_order_cards(replica, sample.building_id) == []
    assert [c.title for c in work_order_cards(replica, other.id)] == ["Elsewhere"]


def test_equipment_choices_are_the_live_equipment_by_tag(
    replica: Replica, sample: SampleBuilding
) -> None:
    delete_equipment(replica, sample.vav_id)
    choices = equipment_choices(replica, sample.building_id)
    assert [c.label for c in choices] == ["AHU-1 — Air handling unit 1", "RTU-9 — Rooftop unit"]


def test_notes_come_newest_first_with_their_device_and_time(
    replica: Replica, sample: SampleBuilding
) -> None:
    first = add_note(replica, target_kind="workorder", target_id=sample.work_order_id, text="a")
    second = add_note(replica, target_kind="workorder", target_id=sample.work_order_id, text="b")
    update_work_order(replica, sample.work_order_id, {"status": "done"})
    feed = note_feed(replica, sample.work_order_id)
    assert [n.id for n in feed] == [second.id, first.id]
    assert all(n.by_this_device and n.device == replica.device_id for n in feed)
    assert feed[0].written_at >= feed[1].written_at
    assert feed[0].written_at.tzinfo is not None


def test_a_note_written_on_another_device_names_that_device(
    replica: Replica, sample: SampleBuilding
) -> None:
    note = add_note(replica, target_kind="workorder", target_id=sample.work_order_id, text="x")
    # Pulled rows keep the stamp their device gave them; emulate one from device "roof-tablet".
    replica.conn.execute(
        "UPDATE notes SET created_hlc = ? WHERE id = ?",
        ("001764547200000-000000-roof-tablet", note.id),
    )
    (entry,) = note_feed(replica, sample.work_order_id)
    assert entry.device == "roof-tablet" and not entry.by_this_device
    assert entry.written_at.isoformat() == "2025-12-01T00:00:00+00:00"
