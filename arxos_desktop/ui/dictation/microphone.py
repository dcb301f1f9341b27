"""The microphone through QtMultimedia, delivered as 16 kHz mono 16-bit chunks.

The device is asked for that format; one that offers only another rate, channel
count or sample type is recorded as it is and converted (:mod:`arxos_desktop.voice.audio`
rules). No microphone, no permission, or no Qt Multimedia: :class:`MicrophoneError`
with a sentence the panel shows as it is.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from PySide6.QtCore import QObject, Signal

from arxos_desktop.errors import ArxosError, ErrorKind
from arxos_desktop.voice.audio import CHUNK_BYTES, SAMPLE_RATE, to_recognizer_pcm

NO_MULTIMEDIA: Final = "Recording needs Qt Multimedia, which is missing; reinstall ArxOS Field."
NO_MICROPHONE: Final = (
    "No microphone was found on this device; use Transcribe a recording… with a WAV file."
)


class MicrophoneError(ArxosError):
    """No way to record here: no Qt Multimedia, no microphone, or it would not open."""

    kind = ErrorKind.NOT_FOUND


class Microphone(QObject):
    """Records from the default input until :meth:`stop`; chunks arrive on the UI thread."""

    #: 16 kHz mono 16-bit PCM, about a tenth of a second.
    chunk_did_arrive = Signal(bytes)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: Any = None
        self._device: Any = None
        self._rate = SAMPLE_RATE
        self._channels = 1
        self._sample: Any = None
        self._pending = b""

    def start(self) -> None:
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
        except ImportError:
            raise MicrophoneError(NO_MULTIMEDIA) from None
        device = QMediaDevices.defaultAudioInput()
        if device.isNull():
            raise MicrophoneError(NO_MICROPHONE)
        wanted = QAudioFormat()
        wanted.setSampleRate(SAMPLE_RATE)
        wanted.setChannelCount(1)
        wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        fmt = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
        self._rate, self._channels = fmt.sampleRate(), max(1, fmt.channelCount())
        self._sample = fmt.sampleFormat()
        self._source = QAudioSource(device, fmt, self)
        self._device = self._source.start()
        if self._device is None:
            raise MicrophoneError("The microphone could not be opened; is another app using it?")
        self._device.readyRead.connect(self._read)

    def stop(self) -> None:
        if self._source is not None:
            self._read()
            self._source.stop()
            self._source = None
        if self._pending:
            self.chunk_did_arrive.emit(self._pending)
            self._pending = b""

    def _read(self) -> None:
        if self._device is None:
            return
        raw = bytes(self._device.readAll().data())
        self._pending += self._to_pcm(raw)
        while len(self._pending) >= CHUNK_BYTES:
            self.chunk_did_arrive.emit(self._pending[:CHUNK_BYTES])
            self._pending = self._pending[CHUNK_BYTES:]

    def _to_pcm(self, raw: bytes) -> bytes:
        from PySide6.QtMultimedia import QAudioFormat

        kind = QAudioFormat.SampleFormat
        if self._sample == kind.Float:
            samples = np.frombuffer(raw[: len(raw) - len(raw) % 4], "<f4")
            raw = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        elif self._sample == kind.Int32:
            samples32 = np.frombuffer(raw[: len(raw) - len(raw) % 4], "<i4")
            raw = (samples32 >> 16).astype("<i2").tobytes()
        elif self._sample == kind.UInt8:
            samples8 = np.frombuffer(raw, "u1").astype(np.int16)
            raw = ((samples8 - 128) << 8).astype("<i2").tobytes()
        return to_recognizer_pcm(raw, rate=self._rate, channels=self._channels)
