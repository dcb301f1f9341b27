"""Highlights that follow the words: which words a drag covers, stored and exported as lines."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.pdf.annotation_model import PageBox, moved, validate_geometry
from arxos_desktop.pdf.errors import InvalidAnnotationError
from arxos_desktop.pdf.export import export_drawing
from arxos_desktop.pdf.import_annotations import read_annotations
from arxos_desktop.pdf.text_words import Word, highlight_geometry, page_words

BOX = PageBox(595.0, 842.0)


def _sheet() -> pymupdf.Document:
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    page.insert_text((72, 100), "SUPPLY FAN AHU-7", fontsize=14)
    page.insert_text((72, 130), "RETURN AIR", fontsize=14)
    return document


@pytest.fixture(scope="module")
def words() -> list[Word]:
    with _sheet() as document:
        return page_words(document, 0)


def _box(words: list[Word], *texts_at: int) -> list[float]:
    rects = [words[i].rect for i in texts_at]
    return [
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    ]


def test_the_page_words_come_in_reading_order_with_their_lines(words: list[Word]) -> None:
    assert len(words) == 5
    assert words[0].line == words[2].line != words[3].line == words[4].line
    assert words[0].rect[0] == pytest.approx(72, abs=1) and words[0].rect[3] <= 106


def test_a_drag_across_two_words_covers_exactly_those_words(words: list[Word]) -> None:
    supply, fan = words[0].rect, words[1].rect
    # From the middle of SUPPLY to the middle of FAN: both whole words, nothing else.
    drag = ((supply[0] + supply[2]) / 2, 95.0, (fan[0] + fan[2]) / 2, 97.0)
    geometry = highlight_geometry(words, drag)
    assert geometry == {"rect": _box(words, 0, 1), "quads": [_box(words, 0, 1)]}


def test_a_drag_down_two_lines_makes_one_band_per_line(words: list[Word]) -> None:
    geometry = highlight_geometry(words, (70.0, 95.0, 140.0, 125.0))
    assert geometry is not None
    assert geometry["quads"] == [_box(words, 0, 1), _box(words, 3, 4)]
    assert geometry["rect"] == _box(words, 0, 1, 3, 4)


def test_a_drag_over_blank_paper_covers_no_words(words: list[Word]) -> None:
    assert highlight_geometry(words, (300.0, 400.0, 400.0, 450.0)) is None


def test_highlight_lines_are_checked_and_move_with_the_markup() -> None:
    geometry = {"rect": [10, 10, 100, 40], "quads": [[10, 10, 100, 20], [10, 30, 60, 40]]}
    assert validate_geometry("highlight", geometry, BOX)["quads"][1] == [10.0, 30.0, 60.0, 40.0]
    assert moved(geometry, 5, 1)["quads"] == [[15, 11, 105, 21], [15, 31, 65, 41]]
    for bad in ([], [[10, 10, 900, 20]], [[10, 10, 100, 20]] * 201, [[10, 20, 100, 10]]):
        with pytest.raises(InvalidAnnotationError):
            validate_geometry("highlight", {"rect": [10, 10, 100, 40], "quads": bad}, BOX)
    with pytest.raises(InvalidAnnotationError):  # lines belong to highlights only
        validate_geometry("rectangle", geometry, BOX)


def test_a_word_highlight_exports_as_quad_points_and_imports_back(
    words: list[Word], tmp_path: Path
) -> None:
    source = tmp_path / "sheet.pdf"
    with _sheet() as document:
        document.save(source)
    geometry = highlight_geometry(words, (70.0, 95.0, 140.0, 125.0))
    assert geometry is not None
    row = {"id": "h1", "kind": "highlight", "page": 0, "geometry": geometry}
    exported = export_drawing(source, [row])
    with pymupdf.open(stream=exported.data, filetype="pdf") as document:
        page = document[0]
        (annot,) = list(page.annots())
        assert annot.type[1] == "Highlight"
        corners = annot.vertices
        assert len(corners) == 8  # four corners per line
        for line, quad in enumerate(geometry["quads"]):
            xs = [p[0] for p in corners[4 * line : 4 * line + 4]]
            ys = [p[1] for p in corners[4 * line : 4 * line + 4]]
            assert [min(xs), min(ys), max(xs), max(ys)] == pytest.approx(quad, abs=0.01)
        (found,) = read_annotations(document)
    assert found.geometry["quads"] == [pytest.approx(q, abs=0.01) for q in geometry["quads"]]
