"""Notes on equipment, rooms, work orders and other targets."""

from __future__ import annotations

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.queries import get_row, to_models
from arxos_desktop.store.records import note_records
from arxos_desktop.store.replica import Replica
from sync.schema import NoteBase, NoteSource, TargetKind


def add_note(
    replica: Replica,
    *,
    target_kind: TargetKind | str,
    target_id: str,
    text: str,
    source: NoteSource | str = NoteSource.TYPED,
    audio_sha256: str | None = None,
) -> NoteBase:
    """Attach a note; the target must be a live row (its building scopes the note)."""
    kind = TargetKind(target_kind)
    target = get_row(replica, codec_for(kind.value).entity, target_id)
    with replica.transaction() as writer:
        wire = writer.insert(
            "note",
            {
                "building_id": target.building_id,
                "target_kind": kind,
                "target_id": target_id,
                "text": text,
                "source": source,
                "audio_sha256": audio_sha256,
            },
        )
    return NoteBase.model_validate(wire)


def notes_for(replica: Replica, target_id: str) -> list[NoteBase]:
    return to_models(note_records(replica, target_id))
