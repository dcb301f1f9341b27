"""Draw an exported drawing with every kind of markup through poppler (`pdftoppm`).

Usage: python scripts/export_screenshot.py docs/screenshots

The demo building's ground-floor plan gets one markup of each kind, is exported
with `arx doc export`'s service, and the PDF is rendered by poppler rather than
PyMuPDF: what another viewer shows of the export is what this picture shows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pymupdf

from arxos_desktop.demo.loading import demo_building_id, load_demo_building
from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import create_annotation
from arxos_desktop.store.attachments import attach_photo
from arxos_desktop.store.document_export import export_document
from arxos_desktop.store.records import read_rows


def _photo() -> bytes:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 48), False)
    pix.set_rect(pix.irect, (240, 140, 20))
    return bytes(pix.tobytes("jpeg"))


def _markups(width: float, height: float) -> list[dict[str, Any]]:
    """One of each kind, spread over the sheet (fractions of the page)."""

    def at(fx: float, fy: float) -> list[float]:
        return [round(width * fx, 1), round(height * fy, 1)]

    pen = {"width": 5.0}
    return [
        {
            "kind": "highlight",
            "geometry": {"rect": [*at(0.055, 0.034), *at(0.17, 0.052)]},
            "style": {"color": "#fbc02d"},
        },
        {
            "kind": "rectangle",
            "geometry": {"rect": [*at(0.08, 0.14), *at(0.2, 0.24)]},
            "text": "Keep 1 m clear",
            "style": {**pen, "color": "#1565c0"},
        },
        {
            "kind": "ellipse",
            "geometry": {"rect": [*at(0.23, 0.14), *at(0.33, 0.24)]},
            "style": {**pen, "color": "#2e7d32"},
        },
        {
            "kind": "cloud",
            "geometry": {
                "points": [at(0.42, 0.15), at(0.62, 0.15), at(0.62, 0.33), at(0.42, 0.33)]
            },
            "text": "Rev B: duct rerouted",
            "style": pen,
        },
        {
            "kind": "ink",
            "geometry": {
                "strokes": [[at(0.07, 0.5), at(0.1, 0.45), at(0.14, 0.52), at(0.18, 0.46)]]
            },
            "style": pen,
        },
        {
            "kind": "line",
            "geometry": {"points": [at(0.24, 0.48), at(0.38, 0.48)]},
            "style": {**pen, "color": "#6a1b9a"},
        },
        {
            "kind": "arrow",
            "geometry": {"points": [at(0.42, 0.52), at(0.55, 0.42)]},
            "text": "Airflow",
            "style": pen,
        },
        {
            "kind": "text",
            "geometry": {
                "rect": [*at(0.72, 0.4), *at(0.835, 0.46)],
                "callout": [at(0.62, 0.3), at(0.68, 0.38), at(0.72, 0.43)],
            },
            "text": "Replace damper actuator",
            "style": {"font_size": 30, "color": "#c62828", "width": 3.0},
        },
        {"kind": "photo", "geometry": {"point": at(0.7, 0.22)}, "text": "Nameplate photo"},
        {
            "kind": "calibration",
            "geometry": {"points": [at(0.08, 0.565), at(0.2, 0.565)], "length": 5, "unit": "m"},
            "style": pen,
        },
        {
            "kind": "distance",
            "geometry": {"points": [at(0.24, 0.565), at(0.4, 0.565), at(0.4, 0.5)]},
            "style": {**pen, "color": "#00838f"},
        },
        {
            "kind": "area",
            "geometry": {"points": [at(0.6, 0.47), at(0.7, 0.47), at(0.7, 0.58), at(0.6, 0.58)]},
            "style": {**pen, "color": "#ef6c00"},
        },
    ]


def main(dest: Path) -> None:
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: run scripts/ensure-system-deps.sh (poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        replica = Replica.open(Path(tmp) / "home")
        load_demo_building(replica)
        building_id = demo_building_id()
        plan = next(
            d
            for d in read_rows(replica, "document", building_id=building_id)
            if d.title.endswith("Ground Floor")
        )
        pin_target = read_rows(replica, "equipment", building_id=building_id)[0]
        width, height = plan.page_sizes["sizes"][0]
        for markup in _markups(width, height):
            made = create_annotation(
                replica, document_id=plan.id, page=0, author="Dana Field", **markup
            )
            if made.kind == "photo":
                attach_photo(
                    replica,
                    target_kind="annotation",
                    target_id=made.id,
                    jpeg=_photo(),
                    file_name="nameplate.jpg",
                )
        create_annotation(
            replica,
            document_id=plan.id,
            page=0,
            kind="pin",
            author="Dana Field",
            geometry={"point": [round(width * 0.86, 1), round(height * 0.2, 1)]},
            equipment_id=pin_target.id,
            text=f"{pin_target.tag}: filter access",
        )
        pdf = Path(tmp) / "export.pdf"
        export_document(replica, plan.id, pdf)
        replica.close()
        dest.mkdir(parents=True, exist_ok=True)
        out = dest / "drawing-export-pdftoppm"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-singlefile",
                "-scale-to-x",
                "1280",
                "-scale-to-y",
                "-1",
                str(pdf),
                str(out),
            ],
            check=True,
        )
    print(f"wrote {out}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
