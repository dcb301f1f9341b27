"""`arx attach FILE --to TAG|ID`: a photo (or any file) on equipment or any other row.

The file is copied into the replica's content-addressed blob store first, then the
attachment row is written with its outbox change, so the next `arx sync` uploads
the file before the change that cites it (see ARCHITECTURE: blobs go first).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, InputError, open_replica

#: What an attachment may point at, by id (``sync.schema.TargetKind``, searched in this order).
_TARGETS: Final = ("equipment", "room", "workorder", "floor", "document", "building")
_ID_LENGTH: Final = 36
MAX_CAPTION: Final = 2000


def _target(replica: Any, building: str | None, ref: str) -> tuple[str, Any]:
    """(kind, row) of an equipment tag, or of a row of any attachable kind by id."""
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.equipment import find_by_tag
    from arxos_desktop.store.errors import NotFoundError
    from arxos_desktop.store.queries import get_row
    from sync.ids import is_valid_id

    ref = ref.strip()
    if len(ref) == _ID_LENGTH and is_valid_id(ref.lower()):
        for kind in _TARGETS:
            try:
                return kind, get_row(replica, kind, ref.lower())
            except NotFoundError:
                continue
        raise NotFoundError(f"Nothing with id {ref} in this replica")
    return "equipment", find_by_tag(replica, resolve_building(replica, building).id, ref)


def _mime_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def attach(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The photo or file to attach.")],
    to: Annotated[
        str,
        typer.Option("--to", metavar="TAG|ID", help="Equipment tag, or the id of any row."),
    ],
    caption: Annotated[str, typer.Option(help="What the file shows.")] = "",
    building: BuildingOpt = None,
) -> None:
    """Attach a photo or file to a piece of equipment (by tag) or any row (by id); it syncs."""
    source = file.expanduser()
    if not source.is_file():
        raise InputError(f"{file} is not a file")
    if len(caption) > MAX_CAPTION:
        raise InputError(f"The caption is longer than {MAX_CAPTION} characters")
    with open_replica() as replica:
        kind, target = _target(replica, building, to)
        try:
            sha = replica.blobs.put_file(source)
        except OSError as exc:
            raise InputError(f"Cannot read {file} ({exc.strerror})") from None
        with replica.transaction() as writer:
            row = writer.insert(
                "attachment",
                {
                    "building_id": target.building_id or target.id,
                    "target_kind": kind,
                    "target_id": target.id,
                    "blob_sha256": sha,
                    "mime_type": _mime_type(source),
                    "file_name": source.name[:200],
                    "caption": caption,
                },
            )
    label = getattr(target, "tag", None) or getattr(target, "name", None) or out.short(target.id)
    doc = {
        "id": row["id"],
        "target_kind": kind,
        "target_id": target.id,
        "blob_sha256": sha,
        "mime_type": row["mime_type"],
        "file_name": row["file_name"],
        "stored": str(replica.blobs.path_for(sha)),
    }
    out.emit(doc, lambda: out.show(f"Attached {source.name} to {kind} {label}."))
