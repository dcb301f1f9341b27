"""A landscape sheet that is a portrait page with /Rotate 90, driven with the mouse.

What the user taps on the turned sheet must be stored on the unrotated page (the
format the export and other PDF tools read), so it comes back exactly under the
finger: in the exported PDF, after "Show on drawing", and in search highlights.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QGraphicsSimpleTextItem
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import create_annotation, list_annotations
from arxos_desktop.store.document_export import export_document
from arxos_desktop.store.document_import import import_document
from arxos_desktop.ui.drawings.markup.toolbar import Tool
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.state import AppState
from tests.conftest import SampleBuilding
from tests.ui.drawing_page_helpers import drawing_open

LEFT = Qt.MouseButton.LeftButton
#: Where the tag is printed on the unrotated (portrait) page.
TAG_AT = (120.0, 160.0)


@dataclass(frozen=True)
class Sheets:
    turned: str  # document id of the portrait page shown landscape (/Rotate 90)
    upright: str  # the same page without /Rotate
    turned_pdf: Path


def _portrait(path: Path, rotation: int) -> Path:
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    page.insert_text(TAG_AT, "AHU-7", fontsize=16)
    page.draw_line((100, 400), (300, 400))  # a wall to measure
    page.set_rotation(rotation)
    document.save(path)
    document.close()
    return path


@pytest.fixture
def sheets(replica: Replica, sample: SampleBuilding, tmp_path: Path) -> Sheets:
    turned = _portrait(tmp_path / "turned.pdf", 90)
    upright = _portrait(tmp_path / "upright.pdf", 0)
    building = sample.building_id
    return Sheets(
        str(import_document(replica, turned, building_id=building, title="Turned").document.id),
        str(import_document(replica, upright, building_id=building, title="Upright").document.id),
        turned,
    )


@pytest.fixture
def page(
    qtbot: QtBot, state: AppState, sample: SampleBuilding, sheets: Sheets
) -> Iterator[DrawingsPage]:
    """The Drawings page with the turned sheet open."""
    with drawing_open(qtbot, state, sample.building_id, sheets.turned) as widget:
        yield widget


def _at(page: DrawingsPage, shown: tuple[float, float]) -> QPoint:
    """The viewport pixel showing the point *shown* (points on the sheet as shown)."""
    return page.viewer.view.page_to_view(QPointF(*shown)).toPoint()


def _drag(qtbot: QtBot, page: DrawingsPage, path: list[tuple[float, float]]) -> None:
    port = page.viewer.view.viewport()
    qtbot.mousePress(port, LEFT, pos=_at(page, path[0]))
    for point in path[1:]:
        qtbot.mouseMove(port, _at(page, point))
    qtbot.mouseRelease(port, LEFT, pos=_at(page, path[-1]))


def _reloaded(qtbot: QtBot, page: DrawingsPage) -> object:
    return qtbot.waitSignal(page.markups.markups_did_load, timeout=5_000)


def _reddish_near(pixmap: pymupdf.Pixmap, x: float, y: float, reach: int = 3) -> bool:
    for py in range(int(y) - reach, int(y) + reach + 1):
        for px in range(int(x) - reach, int(x) + reach + 1):
            r, g, b = pixmap.pixel(px, py)[:3]
            if r > 150 and g < 120 and b < 120:
                return True
    return False


def test_the_sheet_shows_turned_and_a_pin_tapped_on_it_exports_under_the_finger(
    qtbot: QtBot,
    page: DrawingsPage,
    replica: Replica,
    sample: SampleBuilding,
    sheets: Sheets,
    tmp_path: Path,
) -> None:
    assert page.viewer.view.page_size == (842.0, 595.0)  # landscape on screen
    qtbot.waitUntil(lambda: page.tools.equipment.count() == 3)
    page.tools.equipment.setCurrentIndex(page.tools.equipment.findData(sample.vav_id))
    qtbot.mouseClick(page.tools.buttons[Tool.PIN], LEFT)
    tapped = (600.0, 200.0)  # past the portrait page's width: only right if turned back
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [tapped])
    qtbot.mouseClick(page.tools.buttons[Tool.RECTANGLE], LEFT)
    box = ((300.0, 300.0), (450.0, 400.0))
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [box[0], (380.0, 350.0), box[1]])
    (pin,) = list_annotations(replica, sheets.turned, kinds=["pin"])
    reach = 1.5 / page.viewer.view.zoom + 0.01
    assert math.dist(pin.geometry["point"], (200.0, 842.0 - 600.0)) <= reach  # unrotated
    # On screen, the new items sit where the mouse went.
    shown_items = [i.sceneBoundingRect() for i in page.markups.items()]
    assert any(abs(r.left() - 300) < 2 and abs(r.bottom() - 400) < 2 for r in shown_items)
    exported = export_document(replica, sheets.turned, tmp_path / "out.pdf")
    assert (exported.markups, exported.skipped) == (2, 0)
    with pymupdf.open(tmp_path / "out.pdf") as document:
        sheet = document[0]
        assert sheet.rotation == 90
        annots = {a.type[1]: a for a in sheet.annots()}
        icon = annots["Text"].rect * sheet.rotation_matrix  # where a PDF viewer shows it
        assert math.dist((icon.x0, icon.y0), tapped) <= 2
        pixmap = sheet.get_pixmap(annots=True)  # rendered as shown, rotation applied
        (x0, y0), (x1, y1) = box
        for edge in [((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1), (x0, (y0 + y1) / 2)]:
            assert _reddish_near(pixmap, *edge), edge
        assert not _reddish_near(pixmap, (x0 + x1) / 2, (y0 + y1) / 2, reach=20)  # hollow


def test_a_search_hit_on_a_turned_sheet_is_highlighted_on_the_word(
    qtbot: QtBot, page: DrawingsPage, sheets: Sheets
) -> None:
    viewer = page.viewer
    qtbot.keyClicks(viewer.search.field, "AHU-7")
    qtbot.keyClick(viewer.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(viewer.shown_hits) == 1, timeout=10_000)
    with pymupdf.open(sheets.turned_pdf) as document:
        sheet = document[0]
        (word,) = sheet.search_for("AHU-7")
        shown = word * sheet.rotation_matrix
    highlight = viewer.shown_hits[0].sceneBoundingRect()
    assert abs(highlight.center().x() - (shown.x0 + shown.x1) / 2) < 2
    assert abs(highlight.center().y() - (shown.y0 + shown.y1) / 2) < 2
    assert highlight.width() == pytest.approx(shown.width + 2, abs=2.5)  # a tall, thin box
    x0, y0, x1, y1 = viewer.view.visible_page_rect()
    assert x0 <= shown.x0 and shown.x1 <= x1 and y0 <= shown.y0 and shown.y1 <= y1


def test_show_on_drawing_centres_a_pin_of_a_turned_sheet(
    qtbot: QtBot,
    page: DrawingsPage,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    sheets: Sheets,
) -> None:
    pin = create_annotation(
        replica,
        document_id=sheets.turned,
        page=0,
        kind="pin",
        geometry={"point": [300.0, 450.0]},  # half-way down the portrait page: left of centre
        equipment_id=sample.vav_id,
    )
    with qtbot.waitSignal(page.pin_focus.pin_did_show, timeout=5_000):
        state.show_record("annotation", str(pin.id))
    view = page.viewer.view
    port = view.viewport()
    centre = view.view_to_page(QPointF(port.width() / 2, port.height() / 2))
    assert math.dist((centre.x(), centre.y()), (842.0 - 450.0, 300.0)) * view.zoom < 3


def _measured(
    qtbot: QtBot, page: DrawingsPage, a: tuple[float, float], b: tuple[float, float]
) -> str:
    qtbot.mouseClick(page.tools.buttons[Tool.DISTANCE], LEFT)
    with _reloaded(qtbot, page):
        _drag(qtbot, page, [a, b])
    scene = page.viewer.view.scene()
    labels = [i.text() for i in scene.items() if isinstance(i, QGraphicsSimpleTextItem)]
    (found,) = [t for t in labels if t.endswith(" m") and t != "2 m"]
    return found


def test_a_distance_on_the_turned_sheet_measures_as_on_an_upright_copy(
    qtbot: QtBot, page: DrawingsPage, state: AppState, replica: Replica, sheets: Sheets
) -> None:
    wall = [[100.0, 400.0], [300.0, 400.0]]  # 200 points stand for 2 m, on both copies
    for document_id in (sheets.turned, sheets.upright):
        create_annotation(
            replica,
            document_id=document_id,
            page=0,
            kind="calibration",
            geometry={"points": wall, "length": 2, "unit": "m"},
        )
    ends = [(100.0, 420.0), (250.0, 420.0)]  # stored points, 150 apart
    turned = _measured(qtbot, page, *[(842.0 - y, x) for x, y in ends])  # turned by 90
    with _reloaded(qtbot, page):
        state.show_record("document", sheets.upright)
    assert page.viewer.view.space.rotation == 0
    upright = _measured(qtbot, page, ends[0], ends[1])
    assert float(turned.split()[0]) == pytest.approx(1.5, abs=0.015)  # a pixel's rounding
    assert float(upright.split()[0]) == pytest.approx(1.5, abs=0.015)
    for document_id in (sheets.turned, sheets.upright):
        (distance,) = list_annotations(replica, document_id, kinds=["distance"])
        for got, want in zip(distance.geometry["points"], ends, strict=True):
            assert math.dist(got, want) < 1.5
