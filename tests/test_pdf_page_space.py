"""Pages with /Rotate: markups stay stored on the unrotated page and show where the PDF puts them.

The conversion is checked against PyMuPDF itself (its ``rotation_matrix`` and a
rendered pixel), for every rotation, a landscape page and a page whose crop box
does not start at the media box's corner; then the records, the export and the
import built on it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.pdf.annotation_model import page_box
from arxos_desktop.pdf.errors import DamagedPdfError
from arxos_desktop.pdf.export import export_drawing
from arxos_desktop.pdf.import_annotations import read_annotations
from arxos_desktop.pdf.page_sizes import page_sizes, page_space_of
from arxos_desktop.pdf.page_space import PageSpace, normal_rotation
from arxos_desktop.pdf.text_search import search_page

ROTATIONS = (0, 90, 180, 270)
RED = (1.0, 0.0, 0.0)


def _page(rotation: int, *, crop: bool = False) -> tuple[pymupdf.Document, pymupdf.Page]:
    """A landscape 600 x 400 pt page (cropped to 40..560 x 20..380 if *crop*), turned."""
    document = pymupdf.open()
    page = document.new_page(width=600, height=400)
    if crop:
        page.set_cropbox(pymupdf.Rect(40, 20, 560, 380))
    page.insert_text((120, 110), "AHU-7 supply", fontsize=18)
    page.set_rotation(rotation)
    return document, page


def _pixels_of(pixmap: pymupdf.Pixmap, rgb: bytes) -> list[tuple[int, int]]:
    """Where (x, y) an RGB pixmap has exactly the colour *rgb*."""
    samples, found = pixmap.samples, []
    for y in range(pixmap.height):
        row = samples[y * pixmap.stride : y * pixmap.stride + pixmap.width * 3]
        at = row.find(rgb)
        while at >= 0:
            if at % 3 == 0:
                found.append((at // 3, y))
            at = row.find(rgb, at + 1)
    return found


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(math.isclose(x, y, abs_tol=1e-6) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("crop", [False, True])
@pytest.mark.parametrize("rotation", ROTATIONS)
def test_the_matrices_are_pymupdfs_rotation_and_derotation(rotation: int, crop: bool) -> None:
    document, page = _page(rotation, crop=crop)
    with document:
        space = page_space_of(page)
        assert space.rotation == rotation
        assert _close(space.to_shown_matrix, tuple(page.rotation_matrix))
        assert _close(space.to_stored_matrix, tuple(page.derotation_matrix))
        unrotated = page.rect * page.derotation_matrix
        assert _close(space.stored_size, (unrotated.width, unrotated.height))
        for point in [(0.0, 0.0), (37.5, 301.25), (space.stored_size[0], 12.0)]:
            shown = space.to_shown(point)
            assert _close(shown, tuple(pymupdf.Point(point) * page.rotation_matrix))
            assert _close(space.to_stored(shown), point)


@pytest.mark.parametrize("crop", [False, True])
@pytest.mark.parametrize("rotation", ROTATIONS)
def test_a_stored_rectangle_renders_where_rect_to_shown_says(rotation: int, crop: bool) -> None:
    document, page = _page(rotation, crop=crop)
    with document:
        stored = (50.0, 30.0, 90.0, 50.0)
        annot = page.add_rect_annot(pymupdf.Rect(stored))
        annot.set_colors(stroke=RED, fill=RED)
        annot.update()
        pixmap = page.get_pixmap(annots=True)
        shown = page_space_of(page).rect_to_shown(stored)
        red = _pixels_of(pixmap, b"\xff\x00\x00")
        xs, ys = [p[0] for p in red], [p[1] for p in red]
        assert abs(min(xs) - shown[0]) <= 1 and abs(max(xs) + 1 - shown[2]) <= 1
        assert abs(min(ys) - shown[1]) <= 1 and abs(max(ys) + 1 - shown[3]) <= 1


def test_a_quarter_turn_swaps_width_and_height_and_maps_the_corners() -> None:
    space = PageSpace.of_shown((400.0, 600.0), 90)  # a 600 x 400 page turned upright
    assert space.stored_size == (600.0, 400.0)
    assert space.to_shown((0.0, 0.0)) == (400.0, 0.0)  # the top-left corner goes top-right
    assert space.to_shown((600.0, 400.0)) == (0.0, 600.0)
    assert space.rect_to_shown((10.0, 20.0, 30.0, 60.0)) == (340.0, 10.0, 380.0, 30.0)
    assert PageSpace.of_shown((600.0, 400.0), 180).to_shown((10.0, 20.0)) == (590.0, 380.0)
    assert PageSpace.of_shown((400.0, 600.0), 270).to_shown((10.0, 20.0)) == (20.0, 590.0)


def test_rotations_are_normalised_and_an_odd_angle_is_refused() -> None:
    assert normal_rotation(-90) == 270 and normal_rotation(450) == 90
    assert PageSpace(-90, 1.0, 2.0).rotation == 270
    with pytest.raises(DamagedPdfError):
        PageSpace(45, 1.0, 2.0)


def test_page_sizes_record_the_turn_and_page_box_is_the_unrotated_page() -> None:
    document = pymupdf.open()
    document.new_page(width=842, height=595)
    document.new_page(width=595, height=842).set_rotation(90)
    with document:
        sizes = page_sizes(document)
    assert sizes == {"sizes": [[842.0, 595.0], [842.0, 595.0]], "rotations": [0, 90]}
    assert (page_box(sizes, 0).width, page_box(sizes, 0).height) == (842.0, 595.0)
    assert (page_box(sizes, 1).width, page_box(sizes, 1).height) == (595.0, 842.0)
    unturned = pymupdf.open()
    unturned.new_page(width=842, height=595)
    with unturned:
        assert page_sizes(unturned) == {"sizes": [[842.0, 595.0]]}  # rows stay as they were


def test_search_hits_are_in_stored_points_and_show_on_the_word() -> None:
    document, page = _page(90)
    with document:
        (hit,) = search_page(document, 0, "AHU-7")
        space = page_space_of(page)
        x0, y0, x1, y1 = space.rect_to_shown(hit.rect)
        # The word is drawn (dark pixels) inside the hit's shown rectangle.
        pixmap = page.get_pixmap(clip=pymupdf.Rect(x0, y0, x1, y1))
        dark = sum(1 for i in range(0, len(pixmap.samples), 3) if pixmap.samples[i] < 100)
        assert dark > 20
        outside = page.get_pixmap(clip=pymupdf.Rect(hit.rect))  # the unrotated place: blank
        assert all(v > 200 for v in outside.samples)


def _rotated_pdf(tmp_path: Path) -> Path:
    document = _page(90)[0]
    with document:
        path = tmp_path / "turned.pdf"
        document.save(path)
    return path


def test_markups_on_a_turned_page_export_and_re_import_at_the_same_place(tmp_path: Path) -> None:
    source = _rotated_pdf(tmp_path)
    # Near the unrotated page's right edge: past the shown width (400), within 600.
    rows = [
        {"id": "r1", "kind": "rectangle", "page": 0, "geometry": {"rect": [450, 40, 580, 90]}},
        {
            "id": "p1",
            "kind": "pin",
            "page": 0,
            "geometry": {"point": [520.0, 300.0]},
            "equipment_id": "e1",
        },
        {
            "id": "d1",
            "kind": "distance",
            "page": 0,
            "geometry": {"points": [[430, 50], [590, 380]]},
        },
        {"id": "t1", "kind": "text", "page": 0, "geometry": {"rect": [420, 200, 560, 240]}},
    ]
    exported = export_drawing(source, rows)
    assert (exported.written, exported.skipped) == (4, 0)
    with pymupdf.open(stream=exported.data, filetype="pdf") as document:
        found = {f.pdf_name: f for f in read_annotations(document)}
    assert found["r1"].geometry["rect"] == pytest.approx([450, 40, 580, 90], abs=1.5)
    assert found["p1"].geometry["point"] == pytest.approx([520, 300], abs=1.5)
    assert found["d1"].geometry["points"] == [
        pytest.approx([430, 50], abs=0.5),
        pytest.approx([590, 380], abs=0.5),
    ]
    assert found["t1"].geometry["rect"] == pytest.approx([420, 200, 560, 240], abs=1.5)


def test_a_markup_past_the_unrotated_page_is_left_out_of_the_export(tmp_path: Path) -> None:
    source = _rotated_pdf(tmp_path)
    # Inside the shown page (400 x 600) but below the unrotated page's bottom (400).
    rows = [{"id": "x", "kind": "pin", "page": 0, "geometry": {"point": [100.0, 550.0]}}]
    assert (export_drawing(source, rows).written, export_drawing(source, rows).skipped) == (0, 1)
