"""Recordings are checked before recognition: anything that is not usable 16-bit PCM WAV
is refused with a sentence naming the problem, and what is accepted becomes 16 kHz mono."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from arxos_desktop.voice.audio import CHUNK_BYTES, SILENCE_DBFS, chunks, rms_dbfs
from arxos_desktop.voice.errors import AudioFormatError
from arxos_desktop.voice.wav_source import parse_wav, read_wav, wav_bytes


def make_wav(
    *, seconds: float = 0.5, rate: int = 16000, channels: int = 1, width: int = 2
) -> bytes:
    frames = int(seconds * rate)
    tone = (np.sin(np.arange(frames) * 2 * math.pi * 440 / rate) * 8000).astype("<i2")
    samples = np.repeat(tone, channels)
    if width == 1:
        data = ((samples >> 8) + 128).astype("u1").tobytes()
    else:
        data = samples.astype("<i2").tobytes() if width == 2 else samples.astype("<i4").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)
    return out.getvalue()


def test_a_16khz_mono_recording_passes_through_unchanged() -> None:
    data = make_wav(seconds=0.5)
    recording = parse_wav(data)
    assert recording.pcm == data[44:]
    assert recording.seconds == pytest.approx(0.5)


def test_stereo_44k_is_downmixed_and_resampled_to_16k_mono() -> None:
    recording = parse_wav(make_wav(seconds=1.0, rate=44100, channels=2))
    assert (recording.source_rate, recording.source_channels) == (44100, 2)
    assert recording.seconds == pytest.approx(1.0, abs=0.001)
    assert rms_dbfs(recording.pcm) == pytest.approx(
        20 * math.log10(8000 / math.sqrt(2) / 32768), abs=0.3
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is not a WAV recording"),
        (b"ID3\x04 this is an mp3", "is not a WAV recording"),
        (make_wav()[:-4000], "is cut short"),
        (make_wav()[:30], "damaged"),
        (make_wav(width=1), "8-bit samples"),
        (make_wav(width=4), "32-bit samples"),
        (make_wav(channels=3), "3 channels"),
        (make_wav(rate=96000), "96000 Hz"),
        (make_wav(seconds=0), "holds no audio"),
    ],
    ids=["empty", "mp3", "truncated", "header-only", "8-bit", "32-bit", "3ch", "96k", "no-audio"],
)
def test_unusable_recordings_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        parse_wav(data, name="memo.wav")


def test_floating_point_wav_is_refused_as_not_pcm() -> None:
    data = bytearray(make_wav())
    data[20:22] = struct.pack("<H", 3)  # WAVE_FORMAT_IEEE_FLOAT
    with pytest.raises(AudioFormatError, match="16-bit PCM WAV"):
        parse_wav(bytes(data), name="memo.wav")


def test_the_error_names_the_file_but_never_quotes_it(tmp_path: Path) -> None:
    path = tmp_path / "memo.wav"
    path.write_bytes(b"<script>alert(1)</script>" * 4)
    with pytest.raises(AudioFormatError) as refused:
        read_wav(path)
    assert "script" not in str(refused.value) and "memo.wav" in str(refused.value)
    with pytest.raises(AudioFormatError, match="Cannot read"):
        read_wav(tmp_path / "absent.wav")


def test_chunks_are_a_tenth_of_a_second_and_the_level_meter_reads_dbfs() -> None:
    pcm = parse_wav(make_wav(seconds=0.35)).pcm
    sizes = [len(c) for c in chunks(pcm)]
    assert sizes == [CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, len(pcm) - 3 * CHUNK_BYTES]
    assert CHUNK_BYTES == 3200
    assert rms_dbfs(b"\x00\x00" * 100) == SILENCE_DBFS
    assert rms_dbfs(b"") == SILENCE_DBFS
    full = np.full(100, 32767, "<i2").tobytes()
    assert rms_dbfs(full) == pytest.approx(0.0, abs=0.01)


def test_kept_audio_round_trips_as_a_16k_mono_wav() -> None:
    pcm = parse_wav(make_wav(seconds=0.2, rate=8000)).pcm
    assert parse_wav(wav_bytes(pcm)).pcm == pcm
