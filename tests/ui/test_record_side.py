"""Equipment, rooms and work orders show their notes and photos in the same side tabs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from arxos_desktop.store.notes import add_note
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.state import AppState
from tests.conftest import SampleBuilding, build_sample


@pytest.fixture
def sample(state: AppState) -> SampleBuilding:
    return build_sample(state.replica)


@pytest.fixture
def window(
    qtbot: QtBot, state: AppState, sample: SampleBuilding, qsettings: QSettings
) -> Iterator[MainWindow]:
    main = MainWindow(qsettings)
    qtbot.addWidget(main)
    main.attach(state)
    build_pages(main, state)
    state.set_building(sample.building_id)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def sides(window: MainWindow) -> list[RecordSide]:
    return window.findChildren(RecordSide)


def test_selecting_equipment_shows_its_details_notes_and_photos(
    qtbot: QtBot, window: MainWindow, state: AppState, sample: SampleBuilding
) -> None:
    add_note(state.replica, target_kind="equipment", target_id=sample.ahu_id, text="Belt squeals")
    state.show_record("equipment", sample.ahu_id)
    side = next(s for s in sides(window) if s.details is not None)
    qtbot.waitUntil(lambda: side.record_id == sample.ahu_id)
    assert side.entity == "equipment" and side.isTabEnabled(side.indexOf(side.details))
    assert side.photos.target == ("equipment", sample.ahu_id)
    side.setCurrentWidget(side.notes)
    assert side.notes.target_id == sample.ahu_id


def test_a_room_shows_its_notes_and_photos_with_details_off(
    window: MainWindow, sample: SampleBuilding
) -> None:
    side = next(s for s in sides(window) if s.details is not None)
    side.setCurrentWidget(side.details)
    side.show_record("room", sample.room_id)
    assert not side.isTabEnabled(side.indexOf(side.details))
    assert side.currentWidget() is side.notes
    assert side.photos.target == ("room", sample.room_id)


def test_a_work_order_side_has_notes_and_photos_and_nothing_selected_clears_them(
    window: MainWindow, sample: SampleBuilding
) -> None:
    side = next(s for s in sides(window) if s.details is None)
    side.show_record("work_order", sample.work_order_id, label="Filter")
    assert side.photos.target == ("workorder", sample.work_order_id)
    side.show_record("work_order", None)
    assert side.photos.target is None and not side.photos.add_button.isEnabled()
    with pytest.raises(ValueError, match="no notes or photos"):
        side.show_record("document", "x")
