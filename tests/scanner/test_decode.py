"""The decoding pipeline against raw pyzbar and raw zxing-cpp on spoiled pictures of codes."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import zxingcpp
from pyzbar import pyzbar

from arxos_desktop.scanner import decode as decoding
from arxos_desktop.scanner.decode import Code, decode_frame, to_gray
from arxos_desktop.scanner.errors import DecoderMissingError
from tests.scan_images import (
    Case,
    blur,
    linear_image,
    on_canvas,
    qr_image,
    spoiled_cases,
)

LINK = "arxos://equipment/0190d3a0-1111-7222-8333-444455556666"
TOKENISH = (
    "eyJhbGciOiJFZERTQSIsInR5cCI6ImFyeG9zLWFjY2Vzcytqd3QifQ."
    "eyJiIjoiMDE5MGQzYTAiLCJzIjpbImh2YWMiXSwiZiI6WzEsMl19."
    "c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2ln"
)
#: Fewest of the suite's spoiled pictures the pipeline must read.
FLOOR = 0.9


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    """44 pictures at 640x480: 3 payloads x 11 spoilers (see tests/scan_images.py), and
    the link again with every spoiler pushed as far as the bench's hard set."""
    return [
        *spoiled_cases([LINK, "AHU-3-104", TOKENISH], size=(640, 480)),
        *spoiled_cases([LINK], size=(640, 480), hard=True),
    ]


def _read(found: list[bytes], want: str) -> bool:
    return want.encode() in found


def test_the_pipeline_reads_more_than_either_decoder_alone(cases: list[Case]) -> None:
    raw_zbar = raw_zxing = pipeline = 0
    missed = []
    for case in cases:
        zbar_hit = _read([d.data for d in pyzbar.decode(case.image)], case.text)
        zxing_hit = _read([bytes(r.bytes) for r in zxingcpp.read_barcodes(case.image)], case.text)
        ours = _read([c.data for c in decode_frame(case.image, budget_s=2.0)], case.text)
        raw_zbar += zbar_hit
        raw_zxing += zxing_hit
        pipeline += ours
        if (zbar_hit or zxing_hit) and not ours:
            missed.append(case.name)
    n = len(cases)
    print(
        f"\ndecode rate on {n} spoiled QR pictures: raw pyzbar {raw_zbar / n:.0%},"
        f" raw zxing-cpp {raw_zxing / n:.0%}, pipeline {pipeline / n:.0%}"
    )
    assert missed == []
    # The hard pictures include codes only the fallbacks read (a blur, 1-pixel modules).
    assert pipeline > max(raw_zbar, raw_zxing)
    assert pipeline / n >= FLOOR


def test_fallbacks_read_a_blurred_code_neither_decoder_reads_directly() -> None:
    picture = blur(on_canvas(qr_image(LINK, module_px=4), size=(480, 360)), 2.2)
    assert pyzbar.decode(picture) == []
    assert zxingcpp.read_barcodes(picture) == []
    found = decode_frame(picture, budget_s=2.0)
    assert [c.text for c in found] == [LINK]
    assert found[0].step != "direct"
    assert decode_frame(picture, fallbacks=False) == []


@pytest.mark.parametrize("step", ["upscaled", "rotated 45°"])
def test_a_code_read_in_a_resized_or_turned_picture_is_outlined_where_it_is_in_the_frame(
    step: str,
) -> None:
    frame = on_canvas(qr_image(LINK, module_px=3), size=(480, 360))
    (direct,) = decoding.read_pyzbar(frame)
    picture, matrix = (
        decoding._upscaled(frame) if step == "upscaled" else decoding._rotated(frame, 45)
    )
    (seen,) = decoding.read_pyzbar(picture, step=step)
    back = decoding._mapped_back(seen, matrix)
    assert back.step == step
    # Each corner lands within a few pixels of one the direct read found.
    for x, y in back.polygon:
        assert min(abs(x - dx) + abs(y - dy) for dx, dy in direct.polygon) <= 6


@pytest.mark.parametrize(
    ("symbology", "text", "expected_format"),
    [
        ("code128", "AHU-3-104", "code_128"),
        ("code39", "VAV-101", "code_39"),
        ("ean13", "4006381333931", "ean_13"),
        ("datamatrix", "FCU-12", "data_matrix"),
    ],
)
def test_asset_tag_barcodes_are_read_with_their_symbology(
    symbology: str, text: str, expected_format: str
) -> None:
    picture = on_canvas(linear_image(text, symbology), size=(480, 320))
    found = decode_frame(cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR))
    assert [(c.text, c.format) for c in found] == [(text, expected_format)]
    assert len(found[0].polygon) >= 2


def test_a_sharp_code_is_read_by_pyzbar_alone_without_fallbacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_second_decoder(*args: object, **kwargs: object) -> list[Code]:
        raise AssertionError("zxing-cpp ran although pyzbar read the code")

    monkeypatch.setattr(decoding, "read_zxing", no_second_decoder)
    frame = cv2.cvtColor(on_canvas(qr_image(LINK), size=(640, 480)), cv2.COLOR_GRAY2BGR)
    found = decode_frame(frame)
    assert [(c.text, c.decoder, c.step) for c in found] == [(LINK, "pyzbar", "direct")]


def test_a_frame_without_a_code_stops_trying_fallbacks_when_its_budget_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []
    real = decoding.read_pyzbar

    def counting(gray: np.ndarray, *, step: str = "direct") -> list[Code]:
        steps.append(step)
        return real(gray, step=step)

    monkeypatch.setattr(decoding, "read_pyzbar", counting)
    frame = np.random.default_rng(3).integers(0, 255, size=(240, 320), dtype=np.uint8)
    assert decode_frame(frame, budget_s=10.0) == []
    every_step = list(steps)
    assert len(every_step) > 4  # with time to spare, every fallback is tried

    clock = iter(float(t) for t in range(1000))  # each look at the clock: a second later
    monkeypatch.setattr(decoding, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    steps.clear()
    assert decode_frame(frame, budget_s=1.5) == []
    assert steps == every_step[:2]  # the direct read and one fallback, then the budget is out


def test_a_grey_frame_is_not_copied_and_a_colour_frame_is_turned_grey_once() -> None:
    gray = np.zeros((10, 12), dtype=np.uint8)
    assert to_gray(gray) is gray
    assert to_gray(np.zeros((10, 12, 3), dtype=np.uint8)).shape == (10, 12)
    with pytest.raises(ValueError, match="not a picture"):
        to_gray(np.zeros((10, 12, 5), dtype=np.uint8))


def test_without_the_zbar_library_scanning_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    with pytest.raises(DecoderMissingError, match="install libzbar0"):
        decode_frame(np.zeros((48, 64), dtype=np.uint8))
