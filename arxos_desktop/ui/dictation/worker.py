"""Recognition off the UI thread: audio chunks in, level, partial text and a transcript out.

Loading a model takes seconds and decoding a chunk tens of milliseconds, so both run
on a thread of their own (``arxos-dictation``); the UI thread only queues chunks
(from the microphone) and receives signals. Every failure reaches the panel as a
sentence through :attr:`RecognitionWorker.dictation_did_fail`, never a traceback.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Signal

from arxos_desktop.ui.messages import plain_words
from arxos_desktop.voice.audio import rms_dbfs
from arxos_desktop.voice.recognizer import StreamingRecognizer, Transcript, load_model

log = logging.getLogger(__name__)
#: The microphone's end of stream.
_END: Final = b""


@dataclass(frozen=True)
class Dictation:
    """What one recording gave: its transcript and its audio (16 kHz mono 16-bit)."""

    transcript: Transcript
    pcm: bytes


class RecognitionWorker(QObject):
    """One recording at a time; :meth:`stop` ends it early (the words so far are kept)."""

    #: The model is loaded and audio is being recognised.
    dictation_did_start = Signal()
    #: Loudness of the latest chunk, dBFS (0 loudest, -96 silence).
    level_did_change = Signal(float)
    #: Everything heard so far (final segments and the current guess).
    partial_did_change = Signal(str)
    #: A :class:`Dictation`.
    dictation_did_finish = Signal(object)
    dictation_did_fail = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._live: queue.Queue[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def recognise(
        self, model_path: Path, chunks: Iterable[bytes], *, phrases: tuple[str, ...] = ()
    ) -> None:
        """Recognise a recording given whole (a WAV file's chunks)."""
        self._start(model_path, chunks, phrases)

    def listen(self, model_path: Path, *, phrases: tuple[str, ...] = ()) -> None:
        """Recognise chunks as :meth:`feed` delivers them, until :meth:`finish_input`."""
        self._live = queue.Queue()
        self._start(model_path, self._drain(self._live), phrases)

    def feed(self, chunk: bytes) -> None:
        if self._live is not None and chunk:
            self._live.put(chunk)

    def finish_input(self) -> None:
        """The microphone stopped: recognise what is queued, then give the transcript."""
        if self._live is not None:
            self._live.put(_END)
            self._live = None

    def stop(self) -> None:
        """End now and wait for the thread (the window is closing)."""
        self._stop.set()
        self.finish_input()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _drain(self, source: queue.Queue[bytes]) -> Iterator[bytes]:
        while (chunk := source.get()) != _END:
            yield chunk

    def _start(self, model_path: Path, chunks: Iterable[bytes], phrases: tuple[str, ...]) -> None:
        if self.running:
            raise RuntimeError("a dictation is already running")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(model_path, chunks, phrases), name="arxos-dictation"
        )
        self._thread.start()

    def _run(self, model_path: Path, chunks: Iterable[bytes], phrases: tuple[str, ...]) -> None:
        try:
            recognizer = StreamingRecognizer(load_model(model_path), phrases=phrases)
            self.dictation_did_start.emit()
            audio = bytearray()
            for chunk in chunks:
                if self._stop.is_set():
                    break
                audio += chunk
                self.level_did_change.emit(rms_dbfs(chunk))
                partial = recognizer.accept(chunk)
                if partial is not None:
                    self.partial_did_change.emit(partial)
            self.dictation_did_finish.emit(Dictation(recognizer.finish(), bytes(audio)))
        except Exception as exc:  # shown to the user in plain words, logged in full
            log.info("dictation failed", exc_info=exc)
            self.dictation_did_fail.emit(plain_words(exc))
