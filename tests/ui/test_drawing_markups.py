"""Markup tools on the drawing viewer, driven with the mouse on the real sheet.

Each test presses, drags and releases on the view's viewport as a user would, then
checks both what the sheet shows (items on the markup layer, a measurement's words)
and what the replica and its outbox hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QFileDialog, QGraphicsSimpleTextItem, QInputDialog
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import create_annotation, list_annotations
from arxos_desktop.store.attachments import attachments_for
from arxos_desktop.ui.attachments.viewer import ViewerDialog
from arxos_desktop.ui.drawings.markup.toolbar import Tool
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.drawings.show_on_drawing import NOT_PINNED
from arxos_desktop.ui.edits import redo_last_undo, undo_last_edit
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.state import AppState
from sync.outbox import read_changes
from tests.conftest import SampleBuilding
from tests.pdf_markups import small_jpeg
from tests.ui.drawing_page_helpers import drawing_open

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(
    qtbot: QtBot, state: AppState, replica: Replica, sample: SampleBuilding
) -> Iterator[DrawingsPage]:
    """The Drawings page with the sample's mechanical plan open at sheet 1, markups drawn."""
    with drawing_open(qtbot, state, sample.building_id, sample.document_id) as widget:
        yield widget


def _at(page: DrawingsPage, x: float, y: float) -> QPoint:
    return page.viewer.view.page_to_view(QPointF(x, y)).toPoint()


def _drag(qtbot: QtBot, page: DrawingsPage, path: list[tuple[float, float]]) -> None:
    port = page.viewer.view.viewport()
    qtbot.mousePress(port, LEFT, pos=_at(page, *path[0]))
    for point in path[1:]:
        qtbot.mouseMove(port, _at(page, *point))
    qtbot.mouseRelease(port, LEFT, pos=_at(page, *path[-1]))


def _rows(replica: Replica, doc: str, kind: str) -> list[Any]:
    return list_annotations(replica, doc, page=0, kinds=[kind])


def _reloaded(qtbot: QtBot, page: DrawingsPage) -> Any:
    return qtbot.waitSignal(page.markups.markups_did_load, timeout=5_000)


def _labels(page: DrawingsPage) -> list[str]:
    scene = page.viewer.view.scene()
    return [i.text() for i in scene.items() if isinstance(i, QGraphicsSimpleTextItem)]


def test_a_tap_with_the_pin_tool_pins_the_chosen_equipment(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.waitUntil(lambda: page.tools.equipment.count() == 3)
    page.tools.equipment.setCurrentIndex(page.tools.equipment.findData(sample.vav_id))
    qtbot.mouseClick(page.tools.buttons[Tool.PIN], LEFT)
    before = len(page.markups.items())
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(300.0, 150.0)])
    pins = _rows(replica, sample.document_id, "pin")
    (pin,) = [p for p in pins if p.equipment_id == sample.vav_id]
    assert math.dist(pin.geometry["point"], (300, 150)) < 2
    inserts = [c for c in read_changes(replica.conn, limit=1000) if c.entity_id == pin.id]
    assert inserts and inserts[0].fields["equipment_id"] == sample.vav_id
    assert len(page.markups.items()) == before + 1


def test_an_ink_stroke_is_stored_in_page_points_along_the_mouse_path(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.mouseClick(page.tools.buttons[Tool.INK], LEFT)
    path = [(200 + 4 * i, 300 + 40 * math.sin(i / 6)) for i in range(40)]
    with _reloaded(qtbot, page):
        _drag(qtbot, page, path)
    (ink,) = _rows(replica, sample.document_id, "ink")
    (stroke,) = ink.geometry["strokes"]
    assert 2 <= len(stroke) < len(path)  # thinned, not every sample
    reach = 1.5 / page.viewer.view.zoom + 1.0  # a screen pixel's rounding, plus thinning
    for x, y in stroke:
        assert min(math.dist((x, y), p) for p in path) <= reach
    assert math.dist(stroke[0], path[0]) <= reach and math.dist(stroke[-1], path[-1]) <= reach


def test_line_and_arrow_tools_store_their_two_ends_in_page_points(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    reach = 1.5 / page.viewer.view.zoom
    for tool, kind in ((Tool.LINE, "line"), (Tool.ARROW, "arrow")):
        qtbot.mouseClick(page.tools.buttons[tool], LEFT)
        with _reloaded(qtbot, page):
            _drag(qtbot, page, [(120.0, 500.0), (180.0, 520.0), (320.0, 560.0)])
        (row,) = _rows(replica, sample.document_id, kind)
        start, end = row.geometry["points"]
        assert math.dist(start, (120, 500)) <= reach and math.dist(end, (320, 560)) <= reach


def test_calibrate_then_measure_shows_the_real_distance(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.mouseClick(page.tools.buttons[Tool.CALIBRATE], LEFT)
    with qtbot.waitSignal(page.markups.dialog_was_opened) as opened:
        _drag(qtbot, page, [(100.0, 400.0), (300.0, 400.0)])
    dialog = opened.args[0]
    assert isinstance(dialog, QInputDialog)
    dialog.setTextValue("5 m")
    with _reloaded(qtbot, page):
        dialog.accept()
    qtbot.mouseClick(page.tools.buttons[Tool.DISTANCE], LEFT)
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(100.0, 450.0), (220.0, 450.0)])
    shown = [t for t in _labels(page) if re.fullmatch(r"[0-9.]+ m", t) and t != "5 m"]
    assert len(shown) == 1
    assert float(shown[0].split()[0]) == pytest.approx(3.0, rel=0.01)
    (distance,) = _rows(replica, sample.document_id, "distance")
    assert len(distance.geometry["points"]) == 2


def test_a_bad_calibration_length_is_refused_in_words_and_saves_nothing(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.mouseClick(page.tools.buttons[Tool.CALIBRATE], LEFT)
    with qtbot.waitSignal(page.markups.dialog_was_opened) as opened:
        _drag(qtbot, page, [(100.0, 400.0), (300.0, 400.0)])
    opened.args[0].setTextValue("5 parsecs")
    with qtbot.waitSignal(state.message_was_posted) as posted:
        opened.args[0].accept()
    assert "unit must be one of" in posted.args[0]
    assert _rows(replica, sample.document_id, "calibration") == []


def test_select_moves_a_pin_delete_removes_it_and_undo_brings_it_back(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    (pin,) = _rows(replica, sample.document_id, "pin")
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(100.0, 200.0), (120.0, 215.0), (140.0, 230.0)])
    (moved,) = _rows(replica, sample.document_id, "pin")
    assert math.dist(moved.geometry["point"], (140, 230)) < 2
    assert page.markups.selected is not None and page.markups.selected.id == pin.id
    assert "Pin by" in page.markup_panel.about.text()
    with _reloaded(qtbot, page):
        qtbot.keyClick(page.viewer.view, Qt.Key.Key_Delete)
    assert _rows(replica, sample.document_id, "pin") == []
    assert all(i.data(0) != pin.id for i in page.markups.items())
    with _reloaded(qtbot, page):
        undo_last_edit(state)
    (back,) = _rows(replica, sample.document_id, "pin")
    assert back.id == pin.id and math.dist(back.geometry["point"], (140, 230)) < 2
    assert any(i.data(0) == pin.id for i in page.markups.items())


def test_the_review_status_is_set_from_the_side_panel(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    _drag(qtbot, page, [(100.0, 200.0)])  # a tap selects (and opens the equipment)
    assert page.markup_panel.status.isEnabled()
    with _reloaded(qtbot, page):
        page.markup_panel.status.setCurrentText("accepted")
        page.markup_panel.status.activated.emit(page.markup_panel.status.currentIndex())
    (pin,) = _rows(replica, sample.document_id, "pin")
    assert pin.review_status == "accepted"


def test_the_kind_filter_hides_other_kinds(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.mouseClick(page.tools.buttons[Tool.RECTANGLE], LEFT)
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(400.0, 100.0), (500.0, 180.0)])
    assert len(page.markups.items()) == 2
    (rect,) = _rows(replica, sample.document_id, "rectangle")
    assert rect.geometry["rect"] == pytest.approx([400, 100, 500, 180], abs=2)
    with _reloaded(qtbot, page):
        page.tools.kind_filter.setCurrentText("rectangle")
    assert [i.data(0) for i in page.markups.items()] == [rect.id]


def test_show_on_drawing_opens_the_pins_sheet_centred_on_it(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    pin = create_annotation(
        replica,
        document_id=sample.document_id,
        page=1,
        kind="pin",
        geometry={"point": [421.0, 300.0]},
        equipment_id=sample.vav_id,
    )
    with qtbot.waitSignal(page.pin_focus.pin_did_show, timeout=5_000):
        state.show_record("annotation", str(pin.id))
    assert page.viewer.page == 1 and page.viewer.sheet_label.text() == "Sheet 2 of 2"
    view = page.viewer.view
    port = view.viewport()
    centre = view.view_to_page(QPointF(port.width() / 2, port.height() / 2))
    assert math.dist((centre.x(), centre.y()), (421, 300)) * view.zoom < 3  # screen pixels
    assert view.zoom >= 2.0


def test_show_on_drawing_from_the_equipment_detail_opens_its_pin(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    detail = EquipmentDetail(state)
    qtbot.addWidget(detail)
    with qtbot.waitSignal(detail.view_did_load):
        detail.show_equipment(sample.vav_id)
    with qtbot.waitSignal(state.message_was_posted) as posted:
        qtbot.mouseClick(detail.show_on_drawing, LEFT)
    assert posted.args[0] == NOT_PINNED
    with qtbot.waitSignal(detail.view_did_load):
        detail.show_equipment(sample.ahu_id)
    (pin,) = _rows(replica, sample.document_id, "pin")
    with qtbot.waitSignal(page.pin_focus.pin_did_show, timeout=5_000) as shown:
        qtbot.mouseClick(detail.show_on_drawing, LEFT)
    assert shown.args[0] == pin.id
    assert page.viewer.entry is not None and page.viewer.entry.id == sample.document_id
    assert page.viewer.page == 0 and page.viewer.view.zoom >= 2.0


def test_undo_then_redo_a_move(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(100.0, 200.0), (160.0, 260.0)])
    with _reloaded(qtbot, page):
        undo_last_edit(state)
    (pin,) = _rows(replica, sample.document_id, "pin")
    assert pin.geometry["point"] == [100.0, 200.0]
    with _reloaded(qtbot, page):
        redo_last_undo(state)
    (pin,) = _rows(replica, sample.document_id, "pin")
    assert math.dist(pin.geometry["point"], (160, 260)) < 2
    with qtbot.waitSignal(state.message_was_posted) as posted:
        redo_last_undo(state)
    assert posted.args[0].startswith("Nothing to redo")


def test_the_corner_handle_resizes_the_selected_rectangle(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    create_annotation(
        replica,
        document_id=sample.document_id,
        page=0,
        kind="rectangle",
        geometry={"rect": [400.0, 100.0, 500.0, 180.0]},
    )
    with _reloaded(qtbot, page):
        page.markups.state.data_did_change.emit()
    _drag(qtbot, page, [(450.0, 100.0)])  # tap its edge: selected, a handle at its corner
    assert page.markups.marks.handle is not None
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(500.0, 180.0), (540.0, 200.0), (560.0, 240.0)])
    (rect,) = _rows(replica, sample.document_id, "rectangle")
    assert rect.geometry["rect"] == pytest.approx([400, 100, 560, 240], abs=2)


def test_a_markup_imported_from_another_program_is_shown_but_locked(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    with replica.transaction() as writer:
        foreign = writer.insert(
            "annotation",
            {
                "building_id": sample.building_id,
                "document_id": sample.document_id,
                "page": 0,
                "kind": "foreign",
                "geometry": {"rect": [600.0, 300.0, 700.0, 350.0], "pdf_type": "Stamp"},
            },
        )
    with _reloaded(qtbot, page):
        state.data_did_change.emit()
    assert any(i.data(0) == foreign["id"] for i in page.markups.items())
    _drag(qtbot, page, [(650.0, 320.0)])
    assert page.markups.selected is not None and page.markups.selected.read_only
    assert not page.markup_panel.delete.isEnabled() and not page.markup_panel.status.isEnabled()
    assert page.markups.marks.handle is None
    with qtbot.waitSignal(state.message_was_posted) as posted:
        qtbot.keyClick(page.viewer.view, Qt.Key.Key_Delete)
    assert "another PDF program" in posted.args[0]
    assert [r.id for r in _rows(replica, sample.document_id, "foreign")] == [foreign["id"]]


def test_a_callout_is_typed_after_its_box_and_edited_from_the_panel(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sample: SampleBuilding
) -> None:
    qtbot.mouseClick(page.tools.buttons[Tool.TEXT], LEFT)
    with qtbot.waitSignal(page.markups.dialog_was_opened) as opened:
        _drag(qtbot, page, [(400.0, 300.0), (520.0, 330.0)])
    opened.args[0].setTextValue("Check damper")
    with _reloaded(qtbot, page):
        opened.args[0].accept()
    assert "Check damper" in _labels(page)
    qtbot.mouseClick(page.tools.buttons[Tool.SELECT], LEFT)
    _drag(qtbot, page, [(460.0, 315.0)])
    panel = page.markup_panel
    assert panel.text.text() == "Check damper"
    panel.text.clear()
    qtbot.keyClicks(panel.text, "Damper stuck")
    with _reloaded(qtbot, page):
        qtbot.keyClick(panel.text, Qt.Key.Key_Return)
    (callout,) = _rows(replica, sample.document_id, "text")
    assert callout.text == "Damper stuck" and "Damper stuck" in _labels(page)


def test_a_photo_marker_keeps_its_photo_shows_it_on_a_tap_and_undoes_with_it(
    qtbot: QtBot,
    page: DrawingsPage,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    tmp_path: Path,
) -> None:
    picture = tmp_path / "damper.jpg"
    picture.write_bytes(small_jpeg())
    qtbot.mouseClick(page.tools.buttons[Tool.PHOTO], LEFT)
    with qtbot.waitSignal(page.markups.dialog_was_opened) as opened:
        _drag(qtbot, page, [(600.0, 120.0)])
    chooser = opened.args[0]
    assert isinstance(chooser, QFileDialog)
    with _reloaded(qtbot, page):
        chooser.fileSelected.emit(str(picture))
    (marker,) = _rows(replica, sample.document_id, "photo")
    (photo,) = attachments_for(replica, marker.id)
    assert photo.file_name == "damper.jpg" and marker.geometry["point"] == pytest.approx(
        [600, 120], abs=2
    )
    qtbot.mouseClick(page.tools.buttons[Tool.SELECT], LEFT)
    with qtbot.waitSignal(page.markups.dialog_was_opened) as opened:
        _drag(qtbot, page, [(600.0, 120.0)])
    viewer = opened.args[0]
    assert isinstance(viewer, ViewerDialog)
    qtbot.waitUntil(lambda: viewer.has_picture, timeout=5_000)
    viewer.accept()
    with _reloaded(qtbot, page):
        undo_last_edit(state)
    assert _rows(replica, sample.document_id, "photo") == []
    assert attachments_for(replica, marker.id) == []


def test_an_area_tapped_out_corner_by_corner_shows_its_real_area(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sample: SampleBuilding
) -> None:
    create_annotation(
        replica,
        document_id=sample.document_id,
        page=0,
        kind="calibration",
        geometry={"points": [[300.0, 500.0], [400.0, 500.0]], "length": 1, "unit": "m"},
    )
    qtbot.mouseClick(page.tools.buttons[Tool.AREA], LEFT)
    for corner in [(400.0, 300.0), (600.0, 300.0), (600.0, 400.0), (400.0, 400.0)]:
        _drag(qtbot, page, [corner])
    assert _rows(replica, sample.document_id, "area") == []  # not closed yet
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [(401.0, 301.0)])  # back on the first corner
    (area,) = _rows(replica, sample.document_id, "area")
    corners = area.geometry["points"]
    taps = [(400, 300), (600, 300), (600, 400), (400, 400)]
    assert all(math.dist(c, t) < 2 for c, t in zip(corners, taps, strict=True))
    (shown,) = [t for t in _labels(page) if t.endswith("m²")]
    # The shoelace area of the stored corners at 100 points to the metre (about 2 m²).
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    twice = sum(xs[i] * ys[i - 3] - xs[i - 3] * ys[i] for i in range(4))
    assert float(shown.split()[0]) == pytest.approx(abs(twice) / 2 / 100**2, abs=0.006)
    assert float(shown.split()[0]) == pytest.approx(2.0, rel=0.03)
