"""Dictate a note on the record in view: speak (or pick a recording), see the words come,
correct them, save the note with its audio, then confirm any suggested updates.

Recognition runs on its own thread (:class:`RecognitionWorker`); saving and applying go
through the replica worker like every edit. Nothing reaches the replica until the
technician presses Save note or a suggestion's Apply. With no speech model the
buttons are off and the panel says, in one sentence, how to get one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.ui.dictation.microphone import Microphone
from arxos_desktop.ui.dictation.player import WordPlayer
from arxos_desktop.ui.dictation.suggestions import SuggestionList, SuggestionRow
from arxos_desktop.ui.dictation.worker import Dictation, RecognitionWorker
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from arxos_desktop.voice.audio import chunks
from arxos_desktop.voice.errors import VoiceError
from arxos_desktop.voice.models import ModelInfo, resolve_model
from arxos_desktop.voice.parse_update import parse_update, suggestions
from arxos_desktop.voice.recognizer import Word
from arxos_desktop.voice.wav_source import read_wav

FREE, FIELD = "Free speech", "Field command (this building's tags and words)"
#: The level meter's floor: quieter than this shows as empty.
METER_FLOOR_DB: Final = -60
_KINDS: Final = {"equipment": "equipment", "room": "room", "work_order": "workorder"}


class DictationPanel(QWidget):
    """Dictation for one record at a time (:meth:`show_target`)."""

    note_did_save = Signal(str)
    suggestion_did_apply = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entity: str | None = None
        self.target_id: str | None = None
        self.model: ModelInfo | None = None
        self.tags: tuple[str, ...] = ()
        self.phrases: tuple[str, ...] = ()
        self.dictation: Dictation | None = None
        self.parsed_tag: str | None = None
        self.worker = RecognitionWorker(self)
        self.microphone = Microphone(self)
        self.player = WordPlayer(self)
        self.setAccessibleName("Dictation")
        self._build()
        self.worker.dictation_did_start.connect(lambda: self._say("Recognising speech…"))
        self.worker.level_did_change.connect(self._show_level)
        self.worker.partial_did_change.connect(self.partial.setText)
        self.worker.dictation_did_finish.connect(self._finished)
        self.worker.dictation_did_fail.connect(self._failed)
        self.microphone.chunk_did_arrive.connect(self.worker.feed)
        self.suggestion_list.apply_was_requested.connect(self._apply)
        self._set_enabled()

    def _build(self) -> None:
        self.mode = QComboBox()
        self.mode.addItems([FREE, FIELD])
        self.mode.setAccessibleName("Dictation mode")
        # The record side is narrow: the mode's long names must not widen it.
        self.mode.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.mode.setMinimumContentsLength(8)
        self.dictate_button = QPushButton("● Dictate")
        self.dictate_button.setAccessibleName("Dictate or stop")
        self.dictate_button.setToolTip("Start or stop dictating (Ctrl+Shift+D)")
        self.dictate_button.clicked.connect(self.toggle_dictation)
        self.file_button = QPushButton("Transcribe a recording…")
        self.file_button.setAccessibleName("Transcribe a recording")
        self.file_button.clicked.connect(self.choose_recording)
        self.meter = QProgressBar()
        self.meter.setRange(METER_FLOOR_DB, 0)
        self.meter.setValue(METER_FLOOR_DB)
        self.meter.setFormat("Input level %v dBFS")
        self.meter.setAccessibleName("Input level")
        self.partial = QLabel()
        self.partial.setAccessibleName("Heard so far")
        self.partial.setWordWrap(True)
        font = self.partial.font()
        font.setItalic(True)
        self.partial.setFont(font)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Dictated note")
        self.text.setPlaceholderText("The dictated text appears here; correct it before saving.")
        self.text.textChanged.connect(self._suggest)
        self.text.setMinimumHeight(3 * TOUCH_TARGET_PX)
        self.words = QListWidget()
        self.words.setAccessibleName("Words, tap one to hear it again")
        self.words.setFlow(QListWidget.Flow.LeftToRight)
        self.words.setWrapping(True)
        self.words.setFixedHeight(2 * TOUCH_TARGET_PX + 8)
        self.words.itemActivated.connect(self._replay)
        self.words.itemClicked.connect(self._replay)
        self.save_button = QPushButton("Save note")
        self.save_button.setAccessibleName("Save dictated note")
        self.save_button.clicked.connect(self.save_note)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName("Discard dictation")
        self.discard_button.clicked.connect(self.discard)
        self.status = QLabel()
        self.status.setAccessibleName("Dictation status")
        self.status.setWordWrap(True)
        self.suggestion_list = SuggestionList()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.suggestion_list)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        for button in (self.dictate_button, self.file_button, self.save_button):
            button.setMinimumHeight(TOUCH_TARGET_PX)
        self.discard_button.setMinimumHeight(TOUCH_TARGET_PX)
        self.mode.setMinimumHeight(TOUCH_TARGET_PX)
        top = QHBoxLayout()
        top.addWidget(self.dictate_button)
        top.addWidget(self.file_button)
        top.addWidget(self.mode, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.meter)
        layout.addWidget(self.partial)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.words)
        layout.addLayout(actions)
        layout.addWidget(scroll, 1)

    # -- target and model ----------------------------------------------------------------

    def show_target(self, entity: str, target_id: str | None) -> None:
        if entity not in _KINDS:
            raise ValueError(f"dictation is kept on {', '.join(_KINDS)}, not on {entity!r}")
        if (entity, target_id) == (self.entity, self.target_id):
            return
        self.entity, self.target_id = entity, target_id
        self.tags, self.phrases = (), ()
        if target_id is not None:
            kind = _KINDS[entity]
            self.state.ops.run(
                lambda replica: _vocabulary(replica, kind, target_id),
                success=self._vocabulary_loaded,
                owner=self,
            )
        self._set_enabled()

    def refresh_model(self) -> None:
        """Look for a speech model again (one may have been installed meanwhile)."""
        try:
            self.model = resolve_model(self.state.home)
        except VoiceError as missing:
            self.model = None
            self._say(str(missing))
        self._set_enabled()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        if self.model is None:
            self.refresh_model()
        super().showEvent(event)

    def _vocabulary_loaded(self, found: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        self.tags, self.phrases = found
        self._suggest()

    # -- recording -----------------------------------------------------------------------

    def toggle_dictation(self) -> None:
        """Start listening to the microphone, or stop and recognise what was said."""
        if self.worker.running:
            self.microphone.stop()
            self.worker.finish_input()
            self.dictate_button.setText("● Dictate")
            return
        if not self._ready():
            return
        assert self.model is not None
        try:
            self.microphone.start()
        except Exception as exc:  # no microphone, no Qt Multimedia: say so plainly
            self._say(plain_words(exc))
            return
        self._begin()
        self.worker.listen(self.model.path, phrases=self._phrases())
        self.dictate_button.setText("■ Stop")
        self._set_enabled()

    def choose_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Transcribe a recording", "", "WAV recordings (*.wav)"
        )
        if path:
            self.transcribe_file(Path(path))

    def transcribe_file(self, path: Path) -> None:
        """Recognise a WAV file through the same pipeline as the microphone."""
        if not self._ready() or self.worker.running:
            return
        assert self.model is not None
        try:
            recording = read_wav(path)
        except VoiceError as refused:
            self._say(str(refused))
            return
        self._begin()
        self.worker.recognise(self.model.path, chunks(recording.pcm), phrases=self._phrases())
        self._set_enabled()

    def shutdown(self) -> None:
        self.microphone.stop()
        self.worker.stop()
        self.player.stop()

    def _ready(self) -> bool:
        if self.model is None:
            self.refresh_model()
        return self.model is not None and self.target_id is not None

    def _phrases(self) -> tuple[str, ...]:
        return self.phrases if self.mode.currentText() == FIELD else ()

    def _begin(self) -> None:
        self.dictation = None
        self.partial.setText("")
        self.words.clear()
        self._say("Loading the speech model…")
        self._set_enabled()

    def _show_level(self, dbfs: float) -> None:
        self.meter.setValue(max(METER_FLOOR_DB, round(dbfs)))

    def _finished(self, dictation: Dictation) -> None:
        self.worker.stop()  # the thread has ended; join it
        self.dictate_button.setText("● Dictate")
        self.meter.setValue(METER_FLOOR_DB)
        self.dictation = dictation
        self.partial.setText("")
        text = dictation.transcript.text
        self.text.setPlainText(text)
        self.text.moveCursor(QTextCursor.MoveOperation.End)  # corrections usually go last
        for word in dictation.transcript.words:
            item = QListWidgetItem(word.word)
            item.setData(Qt.ItemDataRole.UserRole, word)
            item.setToolTip(f"{word.start:.2f}–{word.end:.2f} s, tap to hear it")
            self.words.addItem(item)
        self._say("Check the text, then save the note." if text else "No speech was heard.")
        self._set_enabled()

    def _failed(self, message: str) -> None:
        self.worker.stop()
        self.microphone.stop()
        self.dictate_button.setText("● Dictate")
        self._say(message)
        self._set_enabled()

    def _replay(self, item: QListWidgetItem) -> None:
        word = item.data(Qt.ItemDataRole.UserRole)
        if self.dictation is None or not isinstance(word, Word):
            return
        try:
            self.player.play(self.dictation.pcm, word)
        except Exception as exc:  # no sound output here: say so
            self._say(plain_words(exc))

    # -- saving and applying -------------------------------------------------------------

    def save_note(self) -> None:
        entity, target_id, dictation = self.entity, self.target_id, self.dictation
        text = self.text.toPlainText().strip()
        if entity is None or target_id is None or dictation is None or not text:
            self._say("Dictate a note first.")
            return
        kind = _KINDS[entity]
        self.save_button.setEnabled(False)

        def job(replica: Replica) -> str:
            from arxos_desktop.voice.save import save_dictation

            return save_dictation(
                replica,
                target_kind=kind,
                target_id=target_id,
                text=text,
                pcm=dictation.pcm,
                words=dictation.transcript.words,
            ).note.id

        self.state.ops.run(job, success=self._saved, failure=self._refused, writes=True, owner=self)

    def discard(self) -> None:
        self.dictation = None
        self.text.clear()
        self.words.clear()
        self._say("")
        self._set_enabled()

    def _saved(self, note_id: str) -> None:
        self.dictation = None
        self.words.clear()
        self._say("Dictated note saved with its recording.")
        self.state.post("Dictated note saved.")
        self._set_enabled()
        self.note_did_save.emit(note_id)

    def _refused(self, error: Exception) -> None:
        self._say(plain_words(error))
        self._set_enabled()

    def _suggest(self) -> None:
        parsed = parse_update(self.text.toPlainText(), today=dt.date.today(), known_tags=self.tags)
        self.parsed_tag = parsed.tag
        self.suggestion_list.show_suggestions(parsed.tag, suggestions(parsed))

    def _apply(self, row: SuggestionRow) -> None:
        entity, target_id, tag = self.entity, self.target_id, self.parsed_tag
        if entity is None or target_id is None:
            return
        row.mark_busy(True)
        kind, suggestion = _KINDS[entity], row.suggestion

        def job(replica: Replica) -> str:
            from arxos_desktop.voice.apply_update import apply_suggestion, equipment_for

            equipment = equipment_for(replica, target_kind=kind, target_id=target_id, tag=tag)
            apply_suggestion(
                replica, equipment_id=equipment.id, suggestion=suggestion, today=dt.date.today()
            )
            return equipment.tag

        def applied(equipment_tag: str) -> None:
            row.mark_applied()
            self._say(f"{suggestion.label} — applied to {equipment_tag}.")
            self.suggestion_did_apply.emit(suggestion.kind)

        def refused(error: Exception) -> None:
            row.mark_busy(False)
            self._say(plain_words(error))

        self.state.ops.run(job, success=applied, failure=refused, writes=True, owner=self)

    def _say(self, message: str) -> None:
        self.status.setText(message)

    def _set_enabled(self) -> None:
        running = self.worker.running
        can_record = self.model is not None and self.target_id is not None
        self.dictate_button.setEnabled(can_record)
        self.file_button.setEnabled(can_record and not running)
        self.mode.setEnabled(not running)
        self.save_button.setEnabled(self.dictation is not None and not running)
        self.discard_button.setEnabled(self.dictation is not None and not running)
        self.text.setEnabled(self.target_id is not None)
        self.words.setVisible(self.words.count() > 0)  # no empty box before the first words


def _vocabulary(
    replica: Replica, kind: str, target_id: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """This building's tags (for matching) and field-command phrases."""
    from arxos_desktop.store.field_terms import field_terms
    from arxos_desktop.store.queries import get_row
    from arxos_desktop.voice.vocabulary import field_phrases

    target = get_row(replica, kind, target_id)
    terms = field_terms(replica, target.building_id or target.id)
    return terms.tags, tuple(field_phrases(terms.tags, terms.rooms))
