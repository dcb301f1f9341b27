"""Streaming speech recognition with Vosk: partial text while speaking, words with times.

One :class:`StreamingRecognizer` per recording. Feed it 16 kHz mono 16-bit chunks;
it answers each with the partial text when that changed, and :meth:`finish` returns
the whole transcript with every word's start, end and confidence (what "replay a
word" seeks to). With *phrases* it decodes against that runtime grammar only (Vosk's
lookahead models support it), which is how "field command" mode hears tags and
status words instead of look-alike dictionary words.

Models are loaded once per process and path (:func:`load_model`): loading takes
seconds, recognising a short note a fraction of that.
"""

from __future__ import annotations

import functools
import importlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from arxos_desktop.voice.audio import SAMPLE_RATE
from arxos_desktop.voice.errors import ModelError, RecognizerMissingError, VoiceError

#: A grammar longer than this is a vocabulary dump, not a command list.
MAX_PHRASES: Final = 5_000
MAX_PHRASE_CHARS: Final = 100
UNKNOWN: Final = "[unk]"
_load_lock = threading.Lock()


def vosk_module() -> ModuleType:
    """The Vosk library with its logging off (it writes every decoder setting to stderr)."""
    try:
        vosk = importlib.import_module("vosk")
    except ImportError:
        raise RecognizerMissingError(
            "Speech recognition needs the vosk package; reinstall ArxOS Field."
        ) from None
    vosk.SetLogLevel(-1)
    return vosk


@functools.lru_cache(maxsize=2)
def _load(path: str) -> Any:
    vosk = vosk_module()
    try:
        return vosk.Model(model_path=path)
    except Exception as exc:  # Vosk raises a bare Exception("Failed to create a model")
        raise ModelError(
            f"The speech model in {Path(path).name} could not be loaded; reinstall it."
        ) from exc


def load_model(path: Path) -> Any:
    """The Vosk model in *path*, loaded once per process (callers share it read-only)."""
    with _load_lock:
        return _load(str(path))


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    conf: float

    def as_json(self) -> dict[str, Any]:
        return {"word": self.word, "start": self.start, "end": self.end, "conf": self.conf}


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    seconds: float
    phrases: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "words": [w.as_json() for w in self.words],
            "seconds": round(self.seconds, 3),
            "grammar": list(self.phrases),
        }


def grammar(model: Any, phrases: Iterable[str]) -> tuple[str, ...]:
    """The phrases the model can say: lower-cased, de-duplicated, every word in its lexicon.

    A phrase with a word the model does not know is left out (Vosk would drop the word
    and match the rest, hearing something that was not said). ``[unk]`` is added when the
    model has it, so speech outside the list is heard as unknown rather than forced.
    """
    kept: dict[str, None] = {}
    for raw in phrases:
        phrase = " ".join(raw.lower().split())
        if not phrase or len(phrase) > MAX_PHRASE_CHARS:
            continue
        if all(model.vosk_model_find_word(w) >= 0 for w in phrase.split()):
            kept[phrase] = None
        if len(kept) >= MAX_PHRASES:
            break
    if not kept:
        raise VoiceError("None of the phrases is in the speech model's vocabulary.")
    if model.vosk_model_find_word(UNKNOWN) >= 0:
        kept[UNKNOWN] = None
    return tuple(kept)


class StreamingRecognizer:
    """One recording's recognition; not shared between threads."""

    def __init__(
        self, model: Any, *, phrases: Sequence[str] = (), sample_rate: int = SAMPLE_RATE
    ) -> None:
        vosk = vosk_module()
        self.phrases = grammar(model, phrases) if phrases else ()
        if self.phrases:
            self._rec = vosk.KaldiRecognizer(
                model, sample_rate, json.dumps(list(self.phrases), ensure_ascii=False)
            )
        else:
            self._rec = vosk.KaldiRecognizer(model, sample_rate)
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._rate = sample_rate
        self._bytes = 0
        self._segments: list[dict[str, Any]] = []
        self._partial = ""

    def accept(self, chunk: bytes) -> str | None:
        """Feed one chunk; the new partial text when it changed, else None.

        At the end of an utterance Vosk closes a segment; its words are kept and the
        partial text starts again from empty.
        """
        self._bytes += len(chunk)
        if self._rec.AcceptWaveform(chunk):
            segment = json.loads(self._rec.Result())
            self._segments.append(segment)
            self._partial = ""
            return self._heard_so_far("") if segment.get("text") else None
        text = json.loads(self._rec.PartialResult()).get("partial", "")
        if text == self._partial:
            return None
        self._partial = text
        return self._heard_so_far(text)

    def _heard_so_far(self, partial: str) -> str:
        done = " ".join(s.get("text", "") for s in self._segments if s.get("text"))
        return " ".join(p for p in (done, partial) if p)

    def finish(self) -> Transcript:
        self._segments.append(json.loads(self._rec.FinalResult()))
        words = tuple(
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
            for s in self._segments
            for w in s.get("result", ())
            if w.get("word") != UNKNOWN
        )
        text = " ".join(w.word for w in words)
        return Transcript(text, words, self._bytes / (2 * self._rate), self.phrases)


def transcribe(
    model: Any,
    pieces: Iterable[bytes],
    *,
    phrases: Sequence[str] = (),
    on_partial: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Transcript:
    """Recognise a stream of chunks; *on_partial* sees the text as it grows."""
    recognizer = StreamingRecognizer(model, phrases=phrases)
    for chunk in pieces:
        if should_stop is not None and should_stop():
            break
        partial = recognizer.accept(chunk)
        if partial is not None and on_partial is not None:
            on_partial(partial)
    return recognizer.finish()
