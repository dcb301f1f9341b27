"""The arithmetic the markup tools share: thinning strokes, drags to rectangles, taps to markups."""

from __future__ import annotations

import math

import pytest

from arxos_desktop.pdf.errors import InvalidAnnotationError
from arxos_desktop.pdf.markup_geometry import (
    clamp,
    distance_to,
    is_drag,
    nearest,
    parse_length,
    rect_between,
    simplify,
)


def test_simplify_keeps_the_shape_within_tolerance_with_fewer_points() -> None:
    path = [(float(i), 10 * math.sin(i / 5)) for i in range(100)]
    thin = simplify(path, 0.5)
    assert thin[0] == path[0] and thin[-1] == path[-1]
    assert len(thin) < 40
    for p in path:
        assert distance_to({"points": [list(q) for q in thin]}, p) <= 0.5 + 1e-9


def test_simplify_reduces_a_straight_line_to_its_ends() -> None:
    assert simplify([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]) == [(0.0, 0.0), (3.0, 3.0)]


def test_a_drag_becomes_a_rectangle_whichever_way_it_went() -> None:
    assert rect_between((50, 80), (10, 20)) == (10, 20, 50, 80)
    assert not is_drag((10, 10), (10.5, 10.5)) and is_drag((10, 10), (20, 10))


def test_points_off_the_sheet_are_brought_onto_it() -> None:
    assert clamp((-5, 700), (842, 595)) == (0, 595)


def test_a_tap_picks_the_nearest_markup_within_reach_only() -> None:
    shapes = [
        {"rect": [0, 0, 10, 10]},
        {"point": [100, 100]},
        {"strokes": [[[200, 200], [300, 200]]]},
    ]
    assert nearest(shapes, (5, 5), 4) == 0  # inside the rectangle
    assert nearest(shapes, (103, 100), 4) == 1
    assert nearest(shapes, (250, 203), 4) == 2
    assert nearest(shapes, (150, 150), 4) is None


@pytest.mark.parametrize(("text", "found"), [("5 m", (5.0, "m")), ("12,5ft", (12.5, "ft"))])
def test_a_calibration_length_is_a_number_and_a_unit(text: str, found: tuple[float, str]) -> None:
    assert parse_length(text) == found


@pytest.mark.parametrize("text", ["", "m", "0 m", "5 parsecs", "-3 m", "5"])
def test_a_bad_calibration_length_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(InvalidAnnotationError) as error:
        parse_length(text)
    assert "parsecs" not in str(error.value)
