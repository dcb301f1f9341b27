"""Markups as synced rows: each tool's gesture writes the row and its outbox change, or nothing."""

from __future__ import annotations

import math
from typing import Any

import pytest

from arxos_desktop.pdf.annotation_model import PageBox, measure, validate_geometry
from arxos_desktop.pdf.errors import InvalidAnnotationError, ReadOnlyAnnotationError
from arxos_desktop.store import InvalidEditError, Replica
from arxos_desktop.store.annotations import (
    create_annotation,
    delete_annotation,
    edit_annotation_text,
    list_annotations,
    measurement_of,
    move_annotation,
    pins_of_equipment,
    resize_annotation,
    restyle_annotation,
    set_review_status,
)
from arxos_desktop.store.attachments import attach_photo
from arxos_desktop.store.records import read_row, read_rows
from arxos_desktop.store.undo import UndoRefusedError, undo_edit
from sync.outbox import Op, read_changes
from tests.conftest import SampleBuilding

#: The sample drawing's pages are A4 landscape.
_SIZES = {"sizes": [[842.0, 595.0], [842.0, 595.0]]}


@pytest.fixture
def doc(replica: Replica, sample: SampleBuilding) -> str:
    with replica.transaction() as writer:
        writer.update("document", sample.document_id, {"page_sizes": _SIZES})
    return sample.document_id


def _outbox(replica: Replica) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (c.op.value, c.entity_id, c.fields)
        for c in read_changes(replica.conn, limit=1000)
        if c.entity == "annotation"
    ]


def _state(replica: Replica) -> tuple[int, int]:
    rows = replica.conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
    changes = replica.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    return rows, changes


def test_create_edit_and_delete_write_rows_and_outbox_changes(
    replica: Replica, sample: SampleBuilding, doc: str
) -> None:
    before = len(_outbox(replica))
    pin = create_annotation(
        replica,
        document_id=doc,
        page=1,
        kind="pin",
        geometry={"point": [100, 200.004]},
        equipment_id=sample.ahu_id,
        author="Dana",
    )
    assert pin.geometry == {"point": [100.0, 200.0]}
    assert pin.author == "Dana" and pin.review_status == "open" and pin.authored_at
    assert pin.building_id == sample.building_id
    op, entity_id, fields = _outbox(replica)[before]
    assert (op, entity_id) == (Op.INSERT.value, pin.id)
    assert fields["kind"] == "pin" and fields["equipment_id"] == sample.ahu_id

    move = move_annotation(replica, pin.id, 10, -20)
    assert move is not None
    assert read_row(replica, "annotation", pin.id).geometry == {"point": [110.0, 180.0]}
    assert _outbox(replica)[-1] == (
        Op.UPDATE.value,
        pin.id,
        {"geometry": {"point": [110.0, 180.0]}},
    )

    text = edit_annotation_text(replica, pin.id, "Belt guard missing")
    status = set_review_status(replica, pin.id, "accepted")
    assert text is not None and status is not None
    row = read_row(replica, "annotation", pin.id)
    assert (row.text, row.review_status) == ("Belt guard missing", "accepted")

    delete_annotation(replica, pin.id)
    assert not list_annotations(replica, doc, page=1)
    assert _outbox(replica)[-1] == (Op.DELETE.value, pin.id, {"deleted": True})


def test_undo_walks_back_a_move_a_restyle_and_a_delete(
    replica: Replica, sample: SampleBuilding, doc: str
) -> None:
    box = create_annotation(
        replica, document_id=doc, page=0, kind="rectangle", geometry={"rect": [10, 10, 50, 40]}
    )
    resize = resize_annotation(replica, box.id, [10, 10, 90, 100])
    assert resize is not None
    assert read_row(replica, "annotation", box.id).geometry == {"rect": [10.0, 10.0, 90.0, 100.0]}
    restyle = restyle_annotation(replica, box.id, {"color": "#00ff00"})
    assert restyle is not None
    assert read_row(replica, "annotation", box.id).style == {"color": "#00ff00", "width": 2.0}

    deleted = delete_annotation(replica, box.id)
    restored = undo_edit(replica, deleted)
    assert restored is not None and read_row(replica, "annotation", box.id).id == box.id
    assert _outbox(replica)[-1] == (Op.UPDATE.value, box.id, {"deleted": False})
    undo_edit(replica, restored)  # redo: deleted again
    assert box.id not in {r.id for r in list_annotations(replica, doc)}
    with pytest.raises(UndoRefusedError):
        undo_edit(replica, restored)
    undo_edit(replica, deleted)

    undo_edit(replica, restyle)
    undo_edit(replica, resize)
    row = read_row(replica, "annotation", box.id)
    assert row.geometry == {"rect": [10.0, 10.0, 50.0, 40.0]}
    assert row.style["color"] == "#d32f2f"


@pytest.mark.parametrize(
    ("kind", "geometry", "why"),
    [
        ("rectangle", {"rect": [10, 10, 900, 40]}, "outside the page"),
        ("rectangle", {"rect": [50, 10, 10, 40]}, "no area"),
        ("ink", {"strokes": [[[1, 1], [math.nan, 2]]]}, "not a number|finite"),
        ("ink", {"strokes": [[[1, 1]] * 4001]}, "at most"),
        ("line", {"points": [[1, 1]]}, "between 2 and 2"),
        ("area", {"points": [[1, 1], [2, 2]]}, "between 3"),
        ("calibration", {"points": [[1, 1], [2, 2]], "length": -1, "unit": "m"}, "positive"),
        ("calibration", {"points": [[1, 1], [2, 2]], "length": 1, "unit": "furlong"}, "unit"),
        ("ellipse", {"rect": [1, 1, 5, 5], "evil": 1}, "does not take"),
        ("text", {"rect": [1, 1, 5, 5], "callout": [[1, 1]] * 9}, "between 2 and 3"),
    ],
)
def test_bad_shapes_are_refused_and_change_nothing(
    replica: Replica, doc: str, kind: str, geometry: dict[str, Any], why: str
) -> None:
    before = _state(replica)
    with pytest.raises(InvalidAnnotationError, match=why):
        create_annotation(replica, document_id=doc, page=0, kind=kind, geometry=geometry)
    assert _state(replica) == before


def test_a_move_off_the_page_is_refused_and_changes_nothing(replica: Replica, doc: str) -> None:
    ink = create_annotation(
        replica, document_id=doc, page=0, kind="ink", geometry={"strokes": [[[5, 5], [30, 30]]]}
    )
    before = _state(replica)
    with pytest.raises(InvalidAnnotationError, match="outside the page"):
        move_annotation(replica, ink.id, -10, 0)
    with pytest.raises(InvalidEditError):
        edit_annotation_text(replica, ink.id, "x" * 50_001)
    assert _state(replica) == before


def test_a_pin_must_name_equipment_of_the_drawings_own_building(
    replica: Replica, sample: SampleBuilding, doc: str
) -> None:
    with replica.transaction() as writer:
        other = writer.insert("building", {"name": "Other tower"})
        foreign_kit = writer.insert("equipment", {"building_id": other["id"], "tag": "X-1"})
    before = _state(replica)
    with pytest.raises(InvalidAnnotationError, match="equipment it marks"):
        create_annotation(replica, document_id=doc, page=0, kind="pin", geometry={"point": [1, 1]})
    with pytest.raises(InvalidAnnotationError, match="own building"):
        create_annotation(
            replica,
            document_id=doc,
            page=0,
            kind="pin",
            geometry={"point": [1, 1]},
            equipment_id=foreign_kit["id"],
        )
    with pytest.raises(InvalidEditError, match="last page"):
        create_annotation(
            replica, document_id=doc, page=2, kind="highlight", geometry={"rect": [1, 1, 5, 5]}
        )
    assert _state(replica) == before


def test_foreign_markups_are_read_only(replica: Replica, sample: SampleBuilding, doc: str) -> None:
    with replica.transaction() as writer:
        stamp = writer.insert(
            "annotation",
            {
                "building_id": sample.building_id,
                "document_id": doc,
                "page": 0,
                "kind": "foreign",
                "geometry": {"rect": [1, 1, 9, 9], "pdf_type": "Stamp"},
            },
        )
    before = _state(replica)
    with pytest.raises(ReadOnlyAnnotationError):
        move_annotation(replica, stamp["id"], 1, 1)
    with pytest.raises(ReadOnlyAnnotationError):
        delete_annotation(replica, stamp["id"])
    with pytest.raises(InvalidAnnotationError, match="imported"):
        create_annotation(
            replica,
            document_id=doc,
            page=0,
            kind="foreign",
            geometry={"rect": [1, 1, 9, 9], "pdf_type": "Stamp"},
        )
    assert _state(replica) == before


def test_filters_by_page_kind_author_and_review_status(replica: Replica, doc: str) -> None:
    def make(kind: str, page: int, author: str) -> str:
        rect = {"rect": [1, 1, 9, 9]}
        return create_annotation(
            replica, document_id=doc, page=page, kind=kind, geometry=rect, author=author
        ).id

    a = make("rectangle", 0, "Dana")
    b = make("ellipse", 0, "Sam")
    c = make("highlight", 1, "Dana")
    set_review_status(replica, b, "rejected")
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    assert ids(list_annotations(replica, doc, page=0))[-2:] == [a, b]
    assert ids(list_annotations(replica, doc, kinds=["highlight", "ellipse"])) == [b, c]
    assert ids(list_annotations(replica, doc, author="Dana")) == [a, c]
    assert ids(list_annotations(replica, doc, review_status="rejected")) == [b]
    assert list_annotations(replica, doc, kinds=[]) == []
    with pytest.raises(InvalidAnnotationError):
        set_review_status(replica, a, "maybe")


def test_a_measurement_uses_the_pages_calibration(replica: Replica, doc: str) -> None:
    distance = create_annotation(
        replica, document_id=doc, page=0, kind="distance", geometry={"points": [[0, 0], [300, 0]]}
    )
    assert measurement_of(replica, distance) is None
    create_annotation(
        replica,
        document_id=doc,
        page=0,
        kind="calibration",
        geometry={"points": [[100, 100], [200, 100]], "length": 5, "unit": "m"},
    )
    found = measurement_of(replica, read_row(replica, "annotation", distance.id))
    assert found is not None and found.label() == "15.00 m"
    area = validate_geometry(
        "area", {"points": [[0, 0], [100, 0], [100, 100], [0, 100]]}, PageBox()
    )
    calibration = {"points": [[0, 0], [10, 0]], "length": 1, "unit": "ft"}
    assert measure("area", area, calibration).label() == "100.00 ft²"
    assert len(read_rows(replica, "annotation")) == 3  # the sample's pin and these two


def test_deleting_a_photo_marker_deletes_its_photo_and_undo_brings_both_back(
    replica: Replica, doc: str
) -> None:
    marker = create_annotation(
        replica, document_id=doc, page=0, kind="photo", geometry={"point": [50, 60]}
    )
    photo = attach_photo(
        replica,
        target_kind="annotation",
        target_id=marker.id,
        jpeg=b"\xff\xd8\xff",
        file_name="a.jpg",
    )
    deleted = delete_annotation(replica, marker.id)
    assert not read_rows(replica, "attachment", where="id = ?", params=(photo.id,))
    assert _outbox(replica)[-1] == (Op.DELETE.value, marker.id, {"deleted": True})
    undo_edit(replica, deleted)
    assert read_row(replica, "attachment", photo.id).target_id == marker.id
    assert read_row(replica, "annotation", marker.id).kind == "photo"


def test_show_on_drawing_finds_the_equipments_newest_pin(
    replica: Replica, sample: SampleBuilding, doc: str
) -> None:
    (old,) = pins_of_equipment(replica, sample.ahu_id)  # the sample drawing's own pin
    new = create_annotation(
        replica,
        document_id=doc,
        page=1,
        kind="pin",
        geometry={"point": [400, 300]},
        equipment_id=sample.ahu_id,
    )
    found = pins_of_equipment(replica, sample.ahu_id)
    assert [(p.id, p.document_id, p.page) for p in found] == [
        (new.id, doc, 1),
        (old.id, doc, 0),
    ]
    assert pins_of_equipment(replica, sample.vav_id) == []
