"""Recordings from WAV files, checked before a single sample reaches the recogniser.

Read-only: a file that is refused leaves nothing behind (no note, no blob), and the
error says what is wrong with it without quoting its contents.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from arxos_desktop.voice.audio import (
    MAX_RATE,
    MIN_RATE,
    SAMPLE_BYTES,
    SAMPLE_RATE,
    to_recognizer_pcm,
)
from arxos_desktop.voice.errors import AudioFormatError

#: Longest recording taken in one go (a dictated walk-round, not an afternoon).
MAX_SECONDS: Final = 30 * 60
_WAVE_FORMAT_PCM: Final = 1


@dataclass(frozen=True)
class Recording:
    """16 kHz mono 16-bit PCM, ready for the recogniser, and where it came from."""

    pcm: bytes
    source_rate: int
    source_channels: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (SAMPLE_RATE * SAMPLE_BYTES)


def read_wav(path: Path) -> Recording:
    """The recording in *path*, converted by :mod:`audio`'s rules, or :class:`AudioFormatError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AudioFormatError(
            f"Cannot read {path.name} ({exc.strerror or 'unreadable'})."
        ) from None
    return parse_wav(data, name=path.name)


def parse_wav(data: bytes, *, name: str = "The recording") -> Recording:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError(f"{name} is not a WAV recording.")
    fmt = _format_tag(data)
    if fmt is not None and fmt != _WAVE_FORMAT_PCM:
        raise AudioFormatError(
            f"{name} is compressed or floating-point audio; save it as 16-bit PCM WAV."
        )
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            declared = wav.getnframes()
            _check_shape(name, channels=channels, width=width, rate=rate, frames=declared)
            pcm = wav.readframes(declared)
    except (wave.Error, EOFError):
        raise AudioFormatError(
            f"{name} is a damaged WAV file (its header is unreadable)."
        ) from None
    if len(pcm) < declared * channels * width:
        raise AudioFormatError(f"{name} is cut short: it holds less audio than its header says.")
    if not pcm:
        raise AudioFormatError(f"{name} holds no audio.")
    return Recording(to_recognizer_pcm(pcm, rate=rate, channels=channels), rate, channels)


def _check_shape(name: str, *, channels: int, width: int, rate: int, frames: int) -> None:
    if width != SAMPLE_BYTES:
        raise AudioFormatError(f"{name} uses {8 * width}-bit samples; 16-bit PCM is needed.")
    if channels not in (1, 2):
        raise AudioFormatError(f"{name} has {channels} channels; mono or stereo is needed.")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFormatError(
            f"{name} is sampled at {rate} Hz; {MIN_RATE} to {MAX_RATE} Hz is needed."
        )
    if frames > MAX_SECONDS * rate:
        raise AudioFormatError(f"{name} is longer than {MAX_SECONDS // 60} minutes; split it.")


def _format_tag(data: bytes) -> int | None:
    """The ``fmt `` chunk's format tag (1 = PCM), read before :mod:`wave` rejects it vaguely."""
    at = 12
    while at + 8 <= len(data):
        size = int.from_bytes(data[at + 4 : at + 8], "little")
        if data[at : at + 4] == b"fmt " and at + 10 <= len(data):
            tag = int.from_bytes(data[at + 8 : at + 10], "little")
            if tag == 0xFFFE and at + 8 + 26 <= len(data):  # WAVE_FORMAT_EXTENSIBLE
                return int.from_bytes(data[at + 8 + 24 : at + 8 + 26], "little")
            return tag
        at += 8 + size + (size & 1)
    return None


def wav_bytes(pcm: bytes) -> bytes:
    """16 kHz mono 16-bit PCM as a WAV file (how dictated audio is kept and synced)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_BYTES)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return out.getvalue()
