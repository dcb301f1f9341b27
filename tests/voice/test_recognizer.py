"""The recogniser really hears the audio: Korean phrases spoken by espeak-ng come back as
those phrases through a runtime grammar, partial text streams first, silence is silent."""

from __future__ import annotations

from typing import Any

import pytest

from arxos_desktop.voice.audio import chunks
from arxos_desktop.voice.errors import VoiceError
from arxos_desktop.voice.recognizer import StreamingRecognizer, grammar, transcribe
from arxos_desktop.voice.wav_source import read_wav
from tests.voice.inputs import PHRASES, Voices


def test_each_spoken_field_phrase_is_heard_as_that_phrase(ko_model: Any, voices: Voices) -> None:
    heard = {
        phrase: transcribe(ko_model, chunks(read_wav(wav).pcm), phrases=PHRASES).text
        for phrase, wav in voices.phrases.items()
    }
    exact = [phrase for phrase, text in heard.items() if text == phrase]
    assert len(exact) >= 4, heard
    assert all(text in PHRASES for text in heard.values()), heard


def test_words_carry_start_end_and_confidence_in_order(ko_model: Any, voices: Voices) -> None:
    recording = read_wav(voices.phrases["점검 완료"])
    transcript = transcribe(ko_model, chunks(recording.pcm), phrases=PHRASES)
    assert [w.word for w in transcript.words] == ["점검", "완료"]
    first, second = transcript.words
    assert 0 <= first.start < first.end <= second.start < second.end <= recording.seconds
    assert all(0 < w.conf <= 1 for w in transcript.words)
    assert transcript.seconds == pytest.approx(recording.seconds)


def test_partial_text_streams_before_the_final_transcript(ko_model: Any, voices: Voices) -> None:
    recording = read_wav(voices.sentence)
    recognizer = StreamingRecognizer(ko_model, phrases=PHRASES)
    partials = [p for chunk in chunks(recording.pcm) if (p := recognizer.accept(chunk))]
    final = recognizer.finish()
    assert final.text == voices.sentence_text
    assert partials, "no partial text before the end"
    assert partials[0] != final.text
    vocabulary = {word for phrase in PHRASES for word in phrase.split()}
    assert all(set(p.split()) <= vocabulary for p in partials), partials


def test_silence_gives_no_words(ko_model: Any, voices: Voices) -> None:
    transcript = transcribe(ko_model, chunks(read_wav(voices.silence).pcm), phrases=PHRASES)
    assert transcript.words == ()
    assert transcript.text == ""


def test_a_stop_request_ends_recognition_early(ko_model: Any, voices: Voices) -> None:
    recording = read_wav(voices.sentence)
    fed: list[int] = []

    def stop() -> bool:
        fed.append(1)
        return len(fed) > 3

    transcript = transcribe(ko_model, chunks(recording.pcm), phrases=PHRASES, should_stop=stop)
    assert transcript.seconds == pytest.approx(0.3)


def test_a_grammar_keeps_only_phrases_the_model_can_say(ko_model: Any) -> None:
    assert grammar(ko_model, ["필터  교체", "필터 교체", "ahu three", " 점검 완료 "]) == (
        "필터 교체",
        "점검 완료",
    )
    with pytest.raises(VoiceError, match="vocabulary"):
        grammar(ko_model, ["ahu three", "needs service"])
