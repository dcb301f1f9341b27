"""Markups round-trip as standard PDF annotations: export, import from any tool, re-import."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import list_annotations
from arxos_desktop.store.document_export import export_document
from arxos_desktop.store.document_import import import_document
from arxos_desktop.store.records import read_rows
from tests.conftest import SampleBuilding, make_pdf
from tests.pdf_markups import EVERY_KIND, PAGE_SIZES, mark_up_everything, small_jpeg

#: PDF type each kind is exported as.
PDF_TYPE = {
    "pin": "Text",
    "ink": "Ink",
    "rectangle": "Square",
    "ellipse": "Circle",
    "cloud": "Polygon",
    "line": "Line",
    "arrow": "Line",
    "text": "FreeText",
    "highlight": "Highlight",
    "photo": "FileAttachment",
    "calibration": "Line",
    "distance": "PolyLine",
    "area": "Polygon",
}


@pytest.fixture
def marked(replica: Replica, sample: SampleBuilding) -> dict[str, Any]:
    with replica.transaction() as writer:
        writer.update("document", sample.document_id, {"page_sizes": PAGE_SIZES})
    return {
        k: r.wire for k, r in mark_up_everything(replica, sample.document_id, sample.ahu_id).items()
    }


def _counts(replica: Replica) -> tuple[int, int, int, int]:
    one = lambda sql: replica.conn.execute(sql).fetchone()[0]  # noqa: E731
    return (
        one("SELECT count(*) FROM documents"),
        one("SELECT count(*) FROM annotations"),
        one("SELECT count(*) FROM attachments"),
        one("SELECT count(*) FROM outbox"),
    )


def _near(a: Any, b: Any, tolerance: float = 1.5) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_export_writes_every_kind_as_a_standard_annotation_with_its_geometry_text_and_name(
    replica: Replica, sample: SampleBuilding, marked: dict[str, Any], tmp_path: Path
) -> None:
    report = export_document(replica, sample.document_id, tmp_path / "out.pdf")
    assert report.markups == len(EVERY_KIND) + 1  # and the sample's own pin
    with pymupdf.open(tmp_path / "out.pdf") as pdf:
        page = pdf[0]  # annotations stay bound to their page only while it lives
        annots = {a.info["id"]: a for a in page.annots()}
        for kind, row in marked.items():
            annot = annots[row["id"]]
            geometry, text, _ = EVERY_KIND[kind]
            assert annot.type[1] == PDF_TYPE[kind], kind
            assert annot.info["title"] == "Dana Field"
            assert annot.info["creationDate"].startswith("D:20")
            assert pdf.xref_get_key(annot.xref, "ArxOSKind") == ("string", kind)
            if text:
                assert text in annot.info["content"], kind
            if "points" in geometry:
                assert all(
                    _near(v, p) for v, p in zip(annot.vertices, geometry["points"], strict=True)
                )
            elif "strokes" in geometry:
                assert _near(annot.vertices[0][0], geometry["strokes"][0][0])
            elif "point" in geometry:
                assert _near(annot.rect.tl, geometry["point"])
        pin = annots[marked["pin"]["id"]]
        assert pdf.xref_get_key(pin.xref, "ArxOSEquipment") == ("string", sample.ahu_id)
        assert annots[marked["arrow"]["id"]].line_ends[1] == pymupdf.PDF_ANNOT_LE_CLOSED_ARROW
        assert annots[marked["cloud"]["id"]].border["clouds"] == 2
        assert pdf.xref_get_key(annots[marked["cloud"]["id"]].xref, "ArxOSReview")[1] == "accepted"
        assert pdf.xref_get_key(annots[marked["area"]["id"]].xref, "IT") == (
            "name",
            "/PolygonDimension",
        )
        assert annots[marked["photo"]["id"]].get_file() == small_jpeg()
        for annot in annots.values():
            assert pdf.xref_get_key(annot.xref, "AP")[0] != "null"  # has an appearance


def test_an_exported_drawing_imports_back_into_its_drawing_without_duplicates(
    replica: Replica, sample: SampleBuilding, marked: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out.pdf"
    export_document(replica, sample.document_id, out)
    before = _counts(replica)
    report = import_document(replica, out, building_id=sample.building_id)
    assert (report.new_document, report.added, report.already_there) == (False, 0, 14)
    assert _counts(replica) == before

    # Someone adds a cloud in another tool and sends the file back, twice.
    with pymupdf.open(out) as pdf:
        cloud = pdf[0].add_polygon_annot([(100, 450), (200, 450), (150, 500)])
        cloud.set_border(width=1, clouds=2)
        cloud.set_info(title="Reviewer", content="Check this")
        cloud.update()
        pdf.save(tmp_path / "back.pdf")
    first = import_document(replica, tmp_path / "back.pdf", building_id=sample.building_id)
    again = import_document(replica, tmp_path / "back.pdf", building_id=sample.building_id)
    assert (first.document.id, first.added, again.added) == (sample.document_id, 1, 0)
    added = list_annotations(replica, sample.document_id, author="Reviewer")
    assert [(r.kind, r.text) for r in added] == [("cloud", "Check this")]
    assert _near(added[0].geometry["points"][2], [150, 500])


def _pdf_from_another_tool(path: Path) -> None:
    """Every standard markup type, as another program (here PyMuPDF) writes them."""
    with pymupdf.open(stream=make_pdf(1), filetype="pdf") as pdf:
        page = pdf[0]
        page.add_text_annot((50, 50), "Sticky note")
        page.add_freetext_annot((100, 40, 300, 80), "Callout text")
        page.add_ink_annot([[(50, 300), (80, 320), (120, 310)]])
        page.add_rect_annot((320, 40, 420, 120))
        page.add_circle_annot((440, 40, 540, 120))
        arrow = page.add_line_annot((50, 400), (250, 400))
        arrow.set_line_ends(0, pymupdf.PDF_ANNOT_LE_OPEN_ARROW)
        arrow.update()
        page.add_polygon_annot([(560, 40), (700, 40), (630, 140)])
        page.add_polyline_annot([(300, 300), (350, 350), (400, 300)])
        page.add_highlight_annot(pymupdf.Rect(60, 60, 200, 80))
        page.add_file_annot((600, 300), small_jpeg(), "site.jpg")
        page.add_file_annot((640, 300), b"%not an image", "spec.txt")
        page.add_stamp_annot((100, 450, 250, 500), stamp=0)
        page.add_caret_annot((300, 450))
        page.add_redact_annot((350, 450, 400, 480))
        page.add_underline_annot(pymupdf.Rect(72, 62, 150, 76))
        widget = pymupdf.Widget()
        widget.field_name, widget.field_type = "Checked by", pymupdf.PDF_WIDGET_TYPE_TEXT
        widget.rect = pymupdf.Rect(600, 500, 760, 530)
        page.add_widget(widget)
        pdf.save(path)


def test_each_standard_annotation_type_of_another_tool_imports_once(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    path = tmp_path / "from-bluebeam.pdf"
    _pdf_from_another_tool(path)
    report = import_document(
        replica, path, building_id=sample.building_id, discipline="mechanical", title="M-2"
    )
    doc = report.document
    assert (report.new_document, report.added, doc.page_count) == (True, 16, 1)
    assert (doc.title, doc.discipline, doc.page_sizes) == (
        "M-2",
        "mechanical",
        {"sizes": [[842.0, 595.0]]},
    )
    rows = list_annotations(replica, doc.id)
    kinds = sorted(r.kind for r in rows)
    assert kinds == sorted(
        ["text", "text", "ink", "rectangle", "ellipse", "arrow", "cloud", "ink", "highlight"]
        + ["photo"]
        + ["foreign"] * 6
    )
    foreign = sorted(r.geometry["pdf_type"] for r in rows if r.kind == "foreign")
    assert foreign == ["Caret", "FileAttachment", "Redact", "Stamp", "Underline", "Widget"]
    by_text = {r.text: r for r in rows if r.text}
    assert _near(by_text["Callout text"].geometry["rect"], [100, 40, 300, 80])
    photo = next(r for r in rows if r.kind == "photo")
    shot = read_rows(replica, "attachment", where="target_id = ?", params=(photo.id,))
    assert replica.blobs.get(shot[0].blob_sha256).read_bytes() == small_jpeg()
    assert shot[0].target_kind == "annotation"

    before = _counts(replica)
    again = import_document(replica, path, building_id=sample.building_id)
    assert (again.new_document, again.added, again.already_there) == (False, 0, 16)
    assert _counts(replica) == before


def test_markups_without_a_name_are_matched_by_where_and_what_they_are(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    path = tmp_path / "unnamed.pdf"
    with pymupdf.open(stream=make_pdf(1), filetype="pdf") as pdf:
        for x in (50, 150):
            annot = pdf[0].add_rect_annot((x, 50, x + 60, 100))
            pdf.xref_set_key(annot.xref, "NM", "null")
        pdf.save(path)
    first = import_document(replica, path, building_id=sample.building_id)
    again = import_document(replica, path, building_id=sample.building_id)
    assert (first.added, again.added, again.already_there) == (2, 0, 2)
    names = {r.pdf_name for r in list_annotations(replica, first.document.id)}
    assert len(names) == 2 and all(n.startswith("sha256:") for n in names)


def test_an_exported_drawing_renders_in_a_second_pdf_engine(
    replica: Replica, sample: SampleBuilding, marked: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) is missing: run scripts/ensure-system-deps.sh")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = tmp_path / "out.pdf"
    export_document(replica, sample.document_id, out)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "36", "-singlefile", str(out), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pix = pymupdf.Pixmap(str(tmp_path / "page.png"))
    # A point on the outline of each shape is drawn (in its colour), not left white.
    outline_points = {
        "rectangle": (220, 125),
        "ellipse": (400, 125),
        "line": (160, 420),
        "area": (560, 490),
        "ink": (60, 300),
    }
    for kind, (x, y) in outline_points.items():
        dark = [
            pix.pixel(px, py)
            for px in range(int(x / 2) - 1, int(x / 2) + 2)
            for py in range(int(y / 2) - 1, int(y / 2) + 2)
        ]
        assert any(p != (255, 255, 255) for p in dark), kind
    blank = pix.pixel(int(700 / 2), int(400 / 2))
    assert blank == (255, 255, 255)


def test_a_crafted_file_cannot_add_markups_to_another_buildings_drawing_or_equipment(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    """The ids a PDF carries are only hints: a file naming another building's drawing
    becomes a new drawing of the chosen building, and a pin naming another building's
    equipment loses the link."""
    with replica.transaction() as writer:
        other = writer.insert("building", {"name": "Someone else's tower"})
    path = tmp_path / "crafted.pdf"
    with pymupdf.open(stream=make_pdf(1), filetype="pdf") as pdf:
        pdf.xref_set_key(
            pdf.pdf_catalog(), "ArxOSDocument", pymupdf.get_pdf_str(sample.document_id)
        )
        pin = pdf[0].add_text_annot((100, 100), "Here")
        pdf.xref_set_key(pin.xref, "ArxOSKind", pymupdf.get_pdf_str("pin"))
        pdf.xref_set_key(pin.xref, "ArxOSEquipment", pymupdf.get_pdf_str(sample.ahu_id))
        pdf.save(path)
    before = len(list_annotations(replica, sample.document_id))
    report = import_document(replica, path, building_id=other["id"])
    assert report.new_document and report.document.id != sample.document_id
    assert report.document.building_id == other["id"]
    assert len(list_annotations(replica, sample.document_id)) == before
    (row,) = list_annotations(replica, report.document.id)
    assert (row.kind, row.equipment_id, row.text) == ("text", None, "Here")

    # In its own building the same file finds the drawing and keeps the pin's link.
    same = import_document(replica, path, building_id=sample.building_id)
    assert (same.new_document, same.document.id) == (False, sample.document_id)
    pins = list_annotations(replica, sample.document_id, kinds=["pin"])
    assert [p.equipment_id for p in pins if p.text == "Here"] == [sample.ahu_id]


def test_a_synced_markup_whose_shape_does_not_fit_is_left_out_of_the_export(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    """Rows from other devices arrive unchecked by this app's rules (a pull writes them as
    the server has them): the export skips and counts the ones it cannot draw."""
    with replica.transaction() as writer:
        for geometry in ({"rect": [10, 10, 5000, 20]}, {"points": "nonsense"}, {}):
            writer.insert(
                "annotation",
                {
                    "building_id": sample.building_id,
                    "document_id": sample.document_id,
                    "page": 0,
                    "kind": "rectangle" if "rect" in geometry else "line",
                    "geometry": geometry,
                },
            )
        writer.insert(
            "annotation",
            {
                "building_id": sample.building_id,
                "document_id": sample.document_id,
                "page": 7,
                "kind": "ellipse",
                "geometry": {"rect": [1, 1, 9, 9]},
            },
        )
    report = export_document(replica, sample.document_id, tmp_path / "out.pdf")
    assert (report.markups, report.skipped) == (1, 4)  # the sample's pin is written
    with pymupdf.open(tmp_path / "out.pdf") as pdf:
        page = pdf[0]
        assert [a.type[1] for a in page.annots()] == ["Text"]


def test_messy_markups_of_other_tools_are_clamped_onto_the_page_and_thinned(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    path = tmp_path / "messy.pdf"
    with pymupdf.open(stream=make_pdf(1), filetype="pdf") as pdf:
        page = pdf[0]
        page.add_ink_annot([[(k * 0.1, 300 + (k % 7)) for k in range(6_000)]])
        square = page.add_rect_annot((700, 500, 800, 560))
        pdf.xref_set_key(square.xref, "Rect", "[700 -40 1000 90]")  # past two page edges
        pdf.xref_set_key(square.xref, "C", "[0.1 0.2 0.3 0.4]")  # CMYK
        pdf.save(path)
    report = import_document(replica, path, building_id=sample.building_id)
    rows = {r.kind: r for r in list_annotations(replica, report.document.id)}
    (stroke,) = rows["ink"].geometry["strokes"]
    assert len(stroke) <= 4_000 and stroke[-1] == [599.9, 300.0]
    x0, y0, x1, y1 = rows["rectangle"].geometry["rect"]
    assert 0 <= x0 < x1 <= 842 and 0 <= y0 < y1 <= 595
    assert rows["rectangle"].style["color"] == "#8a7a6b"
