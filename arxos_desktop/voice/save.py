"""A dictated note into the replica: its text, its audio and when each word was said.

The audio goes into the content-addressed blob store first (as a 16 kHz mono WAV), then
one transaction writes the note (source "dictated", ``audio_sha256`` set, so the next
sync uploads the audio before the note that cites it) and a small JSON attachment on
the same record with each word's start and end, which is what "replay a word" reads.
No schema change: both rows are ones every device already syncs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.replica import Replica
from arxos_desktop.voice.audio import SAMPLE_RATE
from arxos_desktop.voice.errors import VoiceError
from arxos_desktop.voice.recognizer import Word
from arxos_desktop.voice.wav_source import wav_bytes
from sync.schema import MAX_TEXT_CHARS, AttachmentBase, NoteBase, NoteSource, TargetKind

TIMINGS_MIME: Final = "application/json"
TIMINGS_SUFFIX: Final = ".words.json"


@dataclass(frozen=True)
class SavedDictation:
    note: NoteBase
    timings: AttachmentBase
    audio_sha256: str


def save_dictation(
    replica: Replica,
    *,
    target_kind: TargetKind | str,
    target_id: str,
    text: str,
    pcm: bytes,
    words: tuple[Word, ...],
) -> SavedDictation:
    """Keep the (possibly corrected) *text* with the audio it came from."""
    text = text.strip()
    if not text:
        raise VoiceError("The note is empty; dictate again or type it.")
    if len(text) > MAX_TEXT_CHARS:
        raise VoiceError(f"The note is longer than {MAX_TEXT_CHARS} characters; split it.")
    if not pcm:
        raise VoiceError("There is no recording to keep with the note.")
    kind = TargetKind(target_kind)
    target = get_row(replica, codec_for(kind.value).entity, target_id)
    sha = replica.blobs.put_bytes(wav_bytes(pcm))
    timings = {
        "audio_sha256": sha,
        "sample_rate": SAMPLE_RATE,
        "words": [w.as_json() for w in words],
    }
    timings_sha = replica.blobs.put_bytes(json.dumps(timings, ensure_ascii=False).encode())
    building_id = target.building_id or target.id
    with replica.transaction() as writer:
        note = writer.insert(
            "note",
            {
                "building_id": building_id,
                "target_kind": kind,
                "target_id": target_id,
                "text": text,
                "source": NoteSource.DICTATED,
                "audio_sha256": sha,
            },
        )
        attachment = writer.insert(
            "attachment",
            {
                "building_id": building_id,
                "target_kind": kind,
                "target_id": target_id,
                "blob_sha256": timings_sha,
                "mime_type": TIMINGS_MIME,
                "file_name": f"dictation-{note['id'][:8]}{TIMINGS_SUFFIX}",
                "caption": f"Word timings of dictated note {note['id']}",
            },
        )
    return SavedDictation(
        NoteBase.model_validate(note), AttachmentBase.model_validate(attachment), sha
    )


def word_span(word: Word, *, total_bytes: int, pad: float = 0.05) -> tuple[int, int]:
    """Byte range of *word* in 16 kHz mono 16-bit audio, *pad* seconds either side.

    Whole samples only, clamped to the recording, so a player can seek to the start
    and stop at the end without a click from half a sample.
    """
    start = max(0, int((word.start - pad) * SAMPLE_RATE)) * 2
    end = min(total_bytes - total_bytes % 2, int((word.end + pad) * SAMPLE_RATE) * 2)
    if end <= start:
        raise VoiceError("That word lies outside the recording.")
    return start, end
