"""One markup of every kind on a drawing, for the export, import and screenshot tests."""

from __future__ import annotations

from typing import Any

import pymupdf

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import create_annotation
from arxos_desktop.store.attachments import attach_photo
from arxos_desktop.store.records import Record

#: The sample drawing's pages are A4 landscape.
PAGE_SIZES = {"sizes": [[842.0, 595.0], [842.0, 595.0]]}


def small_jpeg() -> bytes:
    """A 40x30 orange JPEG: a real picture, a few hundred bytes."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), False)
    pix.set_rect(pix.irect, (240, 140, 20))
    return bytes(pix.tobytes("jpeg"))


#: kind → (geometry, text, style) of the markup placed by :func:`mark_up_everything`.
EVERY_KIND: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "pin": ({"point": [120.0, 150.0]}, "AHU-1 filter access", {}),
    "ink": ({"strokes": [[[60, 300], [90, 330], [130, 310], [170, 350]]]}, "", {"width": 3}),
    "rectangle": ({"rect": [220, 80, 360, 170]}, "Keep clear", {"color": "#1565c0"}),
    "ellipse": ({"rect": [400, 80, 520, 170]}, "", {"color": "#2e7d32"}),
    "cloud": ({"points": [[560, 80], [760, 80], [760, 200], [560, 200]]}, "Rev B", {}),
    "line": ({"points": [[60, 420], [260, 420]]}, "", {"color": "#6a1b9a"}),
    "arrow": ({"points": [[300, 420], [460, 380]]}, "Flow", {}),
    "text": (
        {"rect": [480, 250, 700, 300], "callout": [[420, 330], [470, 300], [480, 275]]},
        "Replace damper actuator",
        {"font_size": 12},
    ),
    "highlight": ({"rect": [60, 60, 200, 80]}, "", {"color": "#fbc02d"}),
    "photo": ({"point": [300, 260]}, "Nameplate", {}),
    "calibration": ({"points": [[60, 520], [260, 520]], "length": 5, "unit": "m"}, "", {}),
    "distance": ({"points": [[300, 520], [500, 520], [500, 470]]}, "", {}),
    "area": ({"points": [[560, 420], [760, 420], [760, 560], [560, 560]]}, "", {}),
}


def mark_up_everything(
    replica: Replica, document_id: str, equipment_id: str, *, page: int = 0
) -> dict[str, Record]:
    """One markup of each kind in :data:`EVERY_KIND` (the photo marker with its photo)."""
    made: dict[str, Record] = {}
    for kind, (geometry, text, style) in EVERY_KIND.items():
        made[kind] = create_annotation(
            replica,
            document_id=document_id,
            page=page,
            kind=kind,
            geometry=geometry,
            style=style,
            text=text,
            author="Dana Field",
            equipment_id=equipment_id if kind == "pin" else None,
            review_status="accepted" if kind == "cloud" else "open",
        )
    attach_photo(
        replica,
        target_kind="annotation",
        target_id=made["photo"].id,
        jpeg=small_jpeg(),
        file_name="nameplate.jpg",
    )
    return made
