"""`arxos` start-up: a sentence without a display, the demo building with one."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from arxos_desktop import app
from arxos_desktop.store.buildings import list_buildings
from arxos_desktop.ui.startup import StartOptions, start


def test_without_a_display_arxos_says_how_to_run_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert app.main([]) == 2
    err = capsys.readouterr().err
    assert "No display" in err and "QT_QPA_PLATFORM=offscreen" in err and "arx" in err


def test_the_window_shows_first_then_opens_the_demo_building(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, qsettings: QSettings
) -> None:
    window = start(qapp, StartOptions(home=tmp_path / "home", demo=True), qsettings)
    qtbot.addWidget(window)
    assert window.isVisible() and window.state is None
    qtbot.waitUntil(lambda: window.state is not None and window.state.building_id is not None)
    assert window.state is not None
    replica = window.state.replica
    assert [b.id for b in list_buildings(replica)] == [window.state.building_id]
    log = tmp_path / "home" / "logs" / "arxos.log"
    assert log.stat().st_mode & 0o777 == 0o600
    window.close()
    assert qsettings.value("window/geometry") is not None
    assert qsettings.value("session/building") == window.state.building_id


def test_the_building_opened_last_time_is_opened_again(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, qsettings: QSettings
) -> None:
    first = start(qapp, StartOptions(home=tmp_path / "home", demo=True), qsettings)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: first.state is not None and first.state.building_id is not None)
    assert first.state is not None
    demo_id = first.state.building_id
    first.close()
    again = start(qapp, StartOptions(home=tmp_path / "home"), qsettings)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.state is not None and again.state.building_id is not None)
    assert again.state is not None and again.state.building_id == demo_id
    again.close()
