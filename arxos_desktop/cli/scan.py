"""`arx scan FILE`: every code in a photo, video or PDF, and what each is for.

The file goes through the camera's own pipeline (:mod:`arxos_desktop.scanner`),
and each code through the same routing as in the app: an access pass, a link to
equipment, an asset tag found in the local replica, or unknown. Access passes
are only recognised here; `arx token verify` checks them. A code refused by the
routing (binary, oversized) is listed without its payload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, open_replica


def scan(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A photo (JPEG, PNG, BMP), video or PDF.")
    ],
    building: BuildingOpt = None,
) -> None:
    """Read every QR code and barcode in a photo, video or PDF and say what each is for."""
    from arxos_desktop.scanner.files import scan_file
    from arxos_desktop.scanner.routing import classify
    from arxos_desktop.store.buildings import resolve_building
    from arxos_desktop.store.scan_lookup import equipment_id_for_tag, live_equipment_tag

    codes = scan_file(file.expanduser())
    with open_replica() as replica:
        building_id = resolve_building(replica, building).id if building else None

        def lookup(tag: str) -> str | None:
            return equipment_id_for_tag(replica, tag, building_id=building_id)

        rows: list[dict[str, Any]] = []
        for code in codes:
            routed = classify(code.data, tag_lookup=lookup)
            row: dict[str, Any] = {
                "text": routed.text,
                "format": code.format,
                "route": routed.route.value,
                "decoder": code.decoder,
                "label": code.format_label,
            }
            if routed.equipment_id:
                row["equipment_id"] = routed.equipment_id
                # None when the replica does not hold it (a link to another building).
                row["tag"] = live_equipment_tag(replica, routed.equipment_id)
            if routed.reason:
                row["reason"] = routed.reason
            rows.append(row)
    out.emit({"codes": rows}, lambda: _show(file, rows))


def _show(file: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        out.show(f"No code found in {file.name}.")
        return
    table = out.table("Code", "Format", "What it is", title=f"Codes in {file.name}")
    for row in rows:
        what = row["route"].replace("_", " ")
        if "equipment_id" in row:
            what += f": {row['tag']}" if row["tag"] else ": not in this replica"
        elif row.get("reason"):
            what += f": {row['reason']}"
        text = row["text"] if row["text"] is not None else "(not shown)"
        table.add_row(text, row["label"], what)
    out.show(table)
