"""Audio in the one shape the recogniser takes: 16 kHz, mono, signed 16-bit little-endian.

Rules for what else is accepted (so a recording from a phone or a handheld recorder
works and nothing is guessed): 16-bit PCM only; two channels are averaged into one;
any rate from 8 to 48 kHz is resampled (linear interpolation, enough for speech).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Final

SAMPLE_RATE: Final = 16_000
SAMPLE_BYTES: Final = 2
#: 0.1 s per chunk: partial text keeps up with speech, and per-chunk overhead stays small.
CHUNK_SECONDS: Final = 0.1
CHUNK_BYTES: Final = int(SAMPLE_RATE * CHUNK_SECONDS) * SAMPLE_BYTES
MIN_RATE: Final = 8_000
MAX_RATE: Final = 48_000
#: What the level meter shows for digital silence.
SILENCE_DBFS: Final = -96.0


def to_recognizer_pcm(pcm: bytes, *, rate: int, channels: int) -> bytes:
    """16-bit interleaved PCM at *rate* with *channels* → 16 kHz mono 16-bit."""
    import numpy as np  # here, not at import: the app's start-up does not need it

    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % (SAMPLE_BYTES * channels)], "<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).round().astype("<i2")
    if rate != SAMPLE_RATE and samples.size:
        count = max(1, round(samples.size * SAMPLE_RATE / rate))
        positions = np.arange(count) * (rate / SAMPLE_RATE)
        samples = np.interp(positions, np.arange(samples.size), samples).round().astype("<i2")
    return samples.astype("<i2").tobytes()


def chunks(pcm: bytes, *, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """*pcm* in pieces of *size* bytes (the last may be shorter)."""
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


def rms_dbfs(chunk: bytes) -> float:
    """Loudness of a chunk of 16-bit PCM in dB below full scale (0 is the loudest)."""
    import numpy as np

    samples = np.frombuffer(chunk[: len(chunk) - len(chunk) % SAMPLE_BYTES], "<i2")
    if not samples.size:
        return SILENCE_DBFS
    rms = math.sqrt(float(np.mean(samples.astype(np.float64) ** 2)))
    if rms <= 0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 20 * math.log10(rms / 32768.0))


def seconds_of(pcm: bytes) -> float:
    return len(pcm) / (SAMPLE_RATE * SAMPLE_BYTES)
