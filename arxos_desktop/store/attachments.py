"""Photos and files attached to equipment, rooms, work orders and other rows.

The file goes into the content-addressed blob store first and the attachment row
(with its outbox change) is written after, so the next sync uploads the file
before the change that cites it. Nothing here deletes a file: a blob leaves the
device only through the unreferenced-file sweep (:mod:`rescope`), which keeps
every file a row or an unsent change still cites.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Final

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.errors import StoreError
from arxos_desktop.store.queries import get_row, list_rows
from arxos_desktop.store.replica import Replica
from sync.schema import AttachmentBase, TargetKind

#: Longest file name the schema keeps (longer names are cut, the extension kept).
MAX_FILE_NAME: Final = 200


def attach_file(
    replica: Replica,
    *,
    target_kind: TargetKind | str,
    target_id: str,
    source: Path,
    caption: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> AttachmentBase:
    """Attach a copy of *source*; *progress* gets (bytes copied, total) as the copy goes."""
    kind, building_id = _target(replica, target_kind, target_id)
    try:
        total = source.stat().st_size
        if not source.is_file():
            raise StoreError(f"{source.name} is not a file, so it cannot be attached.")
        sha = replica.blobs.put_file(
            source, progress=None if progress is None else (lambda done: progress(done, total))
        )
    except OSError as exc:
        raise StoreError(f"Cannot read {source.name} ({exc.strerror or 'unreadable'}).") from None
    return _insert(replica, kind, building_id, target_id, sha, source.name, caption)


def attach_photo(
    replica: Replica,
    *,
    target_kind: TargetKind | str,
    target_id: str,
    jpeg: bytes,
    file_name: str,
    caption: str = "",
) -> AttachmentBase:
    """Attach a photo taken on the device (JPEG bytes, e.g. from the camera)."""
    kind, building_id = _target(replica, target_kind, target_id)
    if not jpeg.startswith(b"\xff\xd8"):
        raise StoreError("The photo is not a JPEG picture, so it was not attached.")
    sha = replica.blobs.put_bytes(jpeg)
    return _insert(replica, kind, building_id, target_id, sha, file_name, caption, "image/jpeg")


def attachments_for(replica: Replica, target_id: str) -> list[AttachmentBase]:
    """The live attachments of one row, oldest first (ids are time-ordered)."""
    rows = list_rows(replica, "attachment", where="target_id = ?", params=(target_id,))
    return [AttachmentBase.model_validate(row.model_dump()) for row in rows]


def mime_type_of(file_name: str) -> str:
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or "application/octet-stream"


def _target(replica: Replica, target_kind: TargetKind | str, target_id: str) -> tuple[str, str]:
    """(kind, building id) of a live row that may carry attachments."""
    kind = TargetKind(target_kind)
    target = get_row(replica, codec_for(kind.value).entity, target_id)
    return kind.value, target.building_id or target.id


def _short_name(name: str) -> str:
    if len(name) <= MAX_FILE_NAME:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 16:
        return name[:MAX_FILE_NAME]
    return f"{stem[: MAX_FILE_NAME - len(ext) - 1]}.{ext}"


def _insert(
    replica: Replica,
    kind: str,
    building_id: str,
    target_id: str,
    sha: str,
    file_name: str,
    caption: str,
    mime_type: str | None = None,
) -> AttachmentBase:
    name = _short_name(file_name)
    with replica.transaction() as writer:
        wire = writer.insert(
            "attachment",
            {
                "building_id": building_id,
                "target_kind": kind,
                "target_id": target_id,
                "blob_sha256": sha,
                "mime_type": mime_type or mime_type_of(name),
                "file_name": name,
                "caption": caption,
            },
        )
    return AttachmentBase.model_validate(wire)
