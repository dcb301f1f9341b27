"""The library and the sheet thumbnails fold away so the drawing gets the screen.

Driven as a user would: open a drawing in a 1280 x 800 window, tap the toggles or
press their shortcuts, then open a new window on the same settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState
from tests.conftest import SampleBuilding

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def windows(qtbot: QtBot, qsettings: QSettings, state: AppState) -> Iterator[list[MainWindow]]:
    made: list[MainWindow] = []
    yield made
    for window in made:
        window.close()


def _window(
    qtbot: QtBot, qsettings: QSettings, state: AppState, made: list[MainWindow], width: int = 1280
) -> tuple[MainWindow, DrawingsPage]:
    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    page = DrawingsPage(state)
    window.add_page(page, "Drawings", entities=DrawingsPage.ENTITIES)
    page.install_actions(window)
    window.resize(width, 800)
    window.show()
    made.append(window)
    return window, page


def _open(qtbot: QtBot, page: DrawingsPage, state: AppState, sample: SampleBuilding) -> None:
    with qtbot.waitSignal(page.markups.markups_did_load, timeout=10_000):
        state.set_building(sample.building_id)
        state.show_record("document", sample.document_id)


def _action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def test_both_panels_fold_so_the_sheet_gets_1000_px_and_stay_folded_in_a_new_window(
    qtbot: QtBot,
    qsettings: QSettings,
    state: AppState,
    sample: SampleBuilding,
    windows: list[MainWindow],
) -> None:
    window, page = _window(qtbot, qsettings, state, windows)
    assert page.library.isVisible() and page.sheets_fold.shown
    _open(qtbot, page, state, sample)
    # A narrow window: the library folds by itself once the drawing is open...
    qtbot.waitUntil(lambda: not page.library.isVisible())
    toggle = page.library_fold.button
    assert not toggle.isChecked() and toggle.accessibleName() == "Show the drawing library"
    assert toggle.width() >= 40 and toggle.height() >= 40
    # ...and one tap brings it back.
    qtbot.mouseClick(toggle, LEFT)
    assert page.library.isVisible() and toggle.accessibleName() == "Hide the drawing library"
    library = _action(window, "Show or hide the drawing library")
    assert library.shortcut().toString() == "Ctrl+Alt+B"
    library.trigger()
    qtbot.mouseClick(page.sheets_fold.button, LEFT)
    assert page.viewer.thumbnails.isHidden()
    assert not page.library.isVisible()
    qtbot.waitUntil(lambda: page.viewer.view.width() >= 1000)
    assert _action(window, "Show or hide the sheet thumbnails").shortcut().toString() == (
        "Ctrl+Alt+T"
    )
    window.close()

    _second, again = _window(qtbot, qsettings, state, windows)
    assert not again.library.isVisible() and again.viewer.thumbnails.isHidden()
    assert not again.library_fold.button.isChecked()
    _action(_second, "Show or hide the sheet thumbnails").trigger()
    assert not again.viewer.thumbnails.isHidden()
    assert qsettings.value("drawings/thumbnails") == "shown"


def test_a_wide_window_or_a_library_kept_open_is_not_folded_when_a_drawing_opens(
    qtbot: QtBot,
    qsettings: QSettings,
    state: AppState,
    sample: SampleBuilding,
    windows: list[MainWindow],
) -> None:
    window, page = _window(qtbot, qsettings, state, windows, width=1600)
    _open(qtbot, page, state, sample)
    assert page.library.isVisible()  # room enough for both

    def reopen() -> None:
        page.viewer.close_drawing()
        with qtbot.waitSignal(page.viewer.page_did_show, timeout=10_000):
            state.show_record("document", sample.document_id)

    window.resize(1280, 800)
    qtbot.waitUntil(lambda: page.width() < 1400)
    reopen()
    assert not page.library.isVisible()
    qtbot.mouseClick(page.library_fold.button, LEFT)  # the user keeps it open
    reopen()
    assert page.library.isVisible()
    assert qsettings.value("drawings/library") == "shown"
