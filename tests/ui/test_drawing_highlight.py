"""The highlighter follows the words: a drag over text covers whole words, line by line.

Driven with the mouse on a generated one-page sheet; checked in the replica (the
stored lines are exactly the words' boxes) and in the exported PDF (a Highlight
with QuadPoints over them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import list_annotations
from arxos_desktop.store.document_export import export_document
from arxos_desktop.store.document_import import import_document
from arxos_desktop.ui.drawings.markup.toolbar import Tool
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.state import AppState
from tests.conftest import SampleBuilding
from tests.ui.drawing_page_helpers import drawing_open

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def sheet(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> tuple[str, list[list[float]]]:
    """A sheet with one line of words; returns its id and the words' boxes."""
    document = pymupdf.open()
    page = document.new_page(width=842, height=595)
    page.insert_text((100, 200), "SUPPLY FAN AHU-7", fontsize=18)
    words = [list(w[:4]) for w in page.get_text("words")]
    document.save(tmp_path / "fan.pdf")
    document.close()
    found = import_document(replica, tmp_path / "fan.pdf", building_id=sample.building_id)
    return str(found.document.id), words


@pytest.fixture
def page(
    qtbot: QtBot, state: AppState, sample: SampleBuilding, sheet: tuple[str, list[list[float]]]
) -> Iterator[DrawingsPage]:
    with drawing_open(qtbot, state, sample.building_id, sheet[0]) as widget:
        with qtbot.waitSignal(widget.markups.words.words_did_load, timeout=10_000):
            qtbot.mouseClick(widget.tools.buttons[Tool.HIGHLIGHT], LEFT)
        yield widget


def _drag(qtbot: QtBot, page: DrawingsPage, a: tuple[float, float], b: tuple[float, float]) -> None:
    view = page.viewer.view
    port = view.viewport()
    qtbot.mousePress(port, LEFT, pos=view.page_to_view(QPointF(*a)).toPoint())
    qtbot.mouseMove(port, view.page_to_view(QPointF(*b)).toPoint())
    with qtbot.waitSignal(page.markups.markups_did_load, timeout=5_000):
        qtbot.mouseRelease(port, LEFT, pos=view.page_to_view(QPointF(*b)).toPoint())


def test_a_drag_across_two_words_highlights_exactly_them_and_exports_their_quad(
    qtbot: QtBot,
    page: DrawingsPage,
    replica: Replica,
    sheet: tuple[str, list[list[float]]],
    tmp_path: Path,
) -> None:
    document_id, words = sheet
    supply, fan = words[0], words[1]
    # From inside SUPPLY to inside FAN, a little crooked: the words, not the finger's box.
    _drag(qtbot, page, ((supply[0] + supply[2]) / 2, 190.0), ((fan[0] + fan[2]) / 2, 193.0))
    (row,) = list_annotations(replica, document_id, kinds=["highlight"])
    both = [supply[0], min(supply[1], fan[1]), fan[2], max(supply[3], fan[3])]
    assert row.geometry["rect"] == pytest.approx(both, abs=0.01)
    assert row.geometry["quads"] == [pytest.approx(both, abs=0.01)]
    (item,) = page.markups.items()
    shown = item.sceneBoundingRect()
    assert shown.left() == pytest.approx(both[0], abs=0.5)
    assert shown.right() == pytest.approx(both[2], abs=0.5)
    export_document(replica, document_id, tmp_path / "out.pdf")
    with pymupdf.open(tmp_path / "out.pdf") as exported:
        sheet_page = exported[0]
        (annot,) = list(sheet_page.annots())
        assert annot.type[1] == "Highlight"
        xs, ys = [p[0] for p in annot.vertices], [p[1] for p in annot.vertices]
        assert len(xs) == 4
        assert [min(xs), min(ys), max(xs), max(ys)] == pytest.approx(both, abs=0.01)


def test_a_drag_over_blank_paper_keeps_the_dragged_box(
    qtbot: QtBot, page: DrawingsPage, replica: Replica, sheet: tuple[str, list[list[float]]]
) -> None:
    _drag(qtbot, page, (300.0, 350.0), (420.0, 400.0))
    (row,) = list_annotations(replica, sheet[0], kinds=["highlight"])
    assert "quads" not in row.geometry
    assert row.geometry["rect"] == pytest.approx([300, 350, 420, 400], abs=1.0)
