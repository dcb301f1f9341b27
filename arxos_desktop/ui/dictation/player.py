"""Replay one dictated word: the audio between its start and end, through QtMultimedia.

The seek arithmetic is :func:`arxos_desktop.voice.save.word_span` (tested without a
sound card); this class only hands that slice of 16 kHz mono 16-bit PCM to a
``QAudioSink``. A device with no sound output gets a sentence, not silence.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject

from arxos_desktop.ui.dictation.microphone import NO_MULTIMEDIA, MicrophoneError
from arxos_desktop.voice.audio import SAMPLE_RATE
from arxos_desktop.voice.recognizer import Word
from arxos_desktop.voice.save import word_span

NO_OUTPUT: Final = "This device has no sound output, so the word cannot be played."


class WordPlayer(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sink: Any = None
        self._buffer: QBuffer | None = None

    def play(self, pcm: bytes, word: Word) -> None:
        """Play *word* out of *pcm*; :class:`MicrophoneError` says why it cannot."""
        start, end = word_span(word, total_bytes=len(pcm))
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices
        except ImportError:
            raise MicrophoneError(NO_MULTIMEDIA) from None
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            raise MicrophoneError(NO_OUTPUT)
        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self.stop()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pcm[start:end]))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(device, fmt, self)
        self._sink.start(self._buffer)

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None
